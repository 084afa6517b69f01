package dev.sluice.kernel.internal.catalog;

import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.catalog.PersonalityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;

/**
 * The catalogue's extender: a {@link BundleTracker} over STARTING and ACTIVE bundles that reads
 * their {@code sluice.personality} capabilities from the manifest (no driver class is loaded),
 * adds the valid ones to the catalogue and logs each malformed one naming bundle, personality and
 * field; the bundle's other personalities still work. A stopping bundle's personalities are
 * removed before its classes go away. Tracker callbacks run on the framework's event thread.
 */
@Component(service = IOCatalogue.class, immediate = true)
public final class PersonalityExtender implements IOCatalogue, BundleTrackerCustomizer<List<IOPersonality>> {

    private static final int PROBLEMS_KEPT = 256;

    private final Logger logger;
    private final BundleTracker<List<IOPersonality>> tracker;
    private final Map<Long, List<IOPersonality>> byBundle = new LinkedHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private long order;

    @Activate
    public PersonalityExtender(BundleContext context, @Reference(service = LoggerFactory.class) Logger logger) {
        this.logger = logger;
        this.tracker = new BundleTracker<>(context, Bundle.STARTING | Bundle.ACTIVE, this);
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    @Override
    public List<IOPersonality> addingBundle(Bundle bundle, BundleEvent event) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return null;
        }
        List<BundleCapability> caps = revision.getDeclaredCapabilities(IOPersonality.NAMESPACE);
        if (caps.isEmpty()) {
            return null;
        }
        List<IOPersonality> added = new ArrayList<>();
        synchronized (byBundle) {
            for (BundleCapability cap : caps) {
                try {
                    added.add(IOPersonality.parse(bundle.getSymbolicName(), bundle.getBundleId(), order++, cap.getAttributes()));
                } catch (PersonalityException e) {
                    problem(e.getMessage());
                }
            }
            byBundle.put(bundle.getBundleId(), added);
        }
        if (!added.isEmpty()) {
            logger.info("catalogue: {} personalities from {} ({})", added.size(), bundle.getSymbolicName(),
                    String.join(", ", added.stream().map(IOPersonality::name).toList()));
            for (Listener l : listeners) {
                notify(l, added, true);
            }
        }
        return added;
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, List<IOPersonality> object) {
        // STARTING -> ACTIVE: nothing changes in the manifest
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, List<IOPersonality> removed) {
        synchronized (byBundle) {
            byBundle.remove(bundle.getBundleId());
        }
        if (!removed.isEmpty()) {
            logger.info("catalogue: removed {} personalities of {}", removed.size(), bundle.getSymbolicName());
            for (Listener l : listeners) {
                notify(l, removed, false);
            }
        }
    }

    private void notify(Listener l, List<IOPersonality> personalities, boolean added) {
        try {
            if (added) {
                l.personalitiesAdded(personalities);
            } else {
                l.personalitiesRemoved(personalities);
            }
        } catch (RuntimeException e) {
            logger.error("catalogue listener {} failed", l, e);
        }
    }

    private void problem(String message) {
        logger.error("catalogue: rejected {}", message);
        synchronized (byBundle) {
            problems.add(message);
            if (problems.size() > PROBLEMS_KEPT) {
                problems.remove(0);
            }
        }
    }

    @Override
    public List<IOPersonality> personalities() {
        synchronized (byBundle) {
            List<IOPersonality> all = new ArrayList<>();
            byBundle.values().forEach(all::addAll);
            return all;
        }
    }

    @Override
    public List<String> problems() {
        synchronized (byBundle) {
            return List.copyOf(problems);
        }
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }
}
