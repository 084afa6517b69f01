package dev.sluice.kernel.internal.service;

import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The kernel's I/O registry and matching engine, wired to OSGi: driver classes are loaded from
 * the bundle that declared the winning personality, and every registered IOService is published
 * as an OSGi service of type {@link IOService} with properties {@code IOClass},
 * {@code IOProviderClass}, {@code IOName}, {@code compatible}, {@code IORegistryEntryID} and
 * {@code path}, so any bundle can find devices with an LDAP filter. The {@link IORegistry} itself
 * is published too (declared as an {@code osgi.service} capability, so bundles that reference it
 * resolve). Activation and deactivation run on SCR's thread.
 */
@Component(service = {}, immediate = true)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=dev.sluice.kernel.registry.IORegistry",
        uses = IORegistry.class)
public final class KernelServices implements MatchingEngine.Host, SynchronousBundleListener {

    private final BundleContext context;
    private final IOCatalogue catalogue;
    private final Logger logger;
    private final IORegistry registry = new IORegistry();
    private final MatchingEngine engine;
    private final Map<IOService, ServiceRegistration<IOService>> published = new ConcurrentHashMap<>();
    private final ServiceRegistration<IORegistry> registryRegistration;
    private final ServiceRegistration<MatchingEngine> engineRegistration;
    private final Map<Long, List<Runnable>> settling = new ConcurrentHashMap<>();

    @Activate
    public KernelServices(BundleContext context, @Reference IOCatalogue catalogue,
            @Reference(service = LoggerFactory.class) Logger logger) {
        this.context = context;
        this.catalogue = catalogue;
        this.logger = logger;
        this.engine = new MatchingEngine(registry, catalogue::personalities, this);
        catalogue.addListener(engine);
        context.addBundleListener(this);
        registryRegistration = context.registerService(IORegistry.class, registry, null);
        engineRegistration = context.registerService(MatchingEngine.class, engine, null);
        registry.resources().registerService();
        logger.info("I/O registry ready; {} personalities in the catalogue", catalogue.personalities().size());
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
        catalogue.removeListener(engine);
        List<IOService> roots = new ArrayList<>(registry.resources().getClients());
        for (IOService s : engine.allServices()) {
            if (s.getProvider() == null && s != registry.resources()) {
                roots.add(s);
            }
        }
        for (IOService s : roots) {
            s.terminate(true);
        }
        engine.shutdown();
        engineRegistration.unregister();
        registryRegistration.unregister();
        published.values().forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered with its bundle
            }
        });
        published.clear();
    }

    @Override
    public IOService instantiate(IOPersonality p) throws Exception {
        Bundle bundle = context.getBundle(p.bundleId());
        if (bundle == null) {
            throw new IllegalStateException("bundle " + p.bundle() + " is gone");
        }
        Class<?> cls = bundle.loadClass(p.ioClass());
        if (!IOService.class.isAssignableFrom(cls)) {
            throw new ClassCastException(p.ioClass() + " of bundle " + p.bundle() + " does not extend "
                    + IOService.class.getName() + " (is the driver wired to this kernel's dev.sluice.kernel.registry?)");
        }
        return (IOService) cls.getDeclaredConstructor().newInstance();
    }

    @Override
    public void publish(IOService service) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("IOClass", service.getClass().getName());
        IOPersonality p = service.personality();
        IOService provider = service.getProvider();
        if (p != null) {
            props.put("IOProviderClass", p.providerClass());
        } else if (provider != null) {
            props.put("IOProviderClass", provider.getClass().getName());
        }
        props.put("IOName", service.getName());
        Object compatible = service.getProperty("compatible");
        if (compatible instanceof String) {
            props.put("compatible", compatible);
        } else if (compatible instanceof List<?>) {
            props.put("compatible", ((List<?>) compatible).stream().map(String::valueOf).toArray(String[]::new));
        }
        props.put("IORegistryEntryID", service.getRegistryEntryID());
        String path = service.getPath(dev.sluice.kernel.registry.IORegistryPlane.SERVICE);
        if (path != null) {
            props.put("path", path);
        }
        Object category = service.getProperty(IOPersonality.IO_MATCH_CATEGORY);
        if (category != null) {
            props.put(IOPersonality.IO_MATCH_CATEGORY, String.valueOf(category));
        }
        published.put(service, context.registerService(IOService.class, service, props));
    }

    @Override
    public void unpublish(IOService service) {
        ServiceRegistration<IOService> r = published.remove(service);
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
    }

    @Override
    public AutoCloseable publishFront(IOService nub, Class<?> iface, Object proxy) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("IOName", nub.getName());
        props.put("IORegistryEntryID", nub.getRegistryEntryID());
        String path = nub.getPath(dev.sluice.kernel.registry.IORegistryPlane.SERVICE);
        if (path != null) {
            props.put("path", path);
        }
        props.put("sluice.front", Boolean.TRUE);
        ServiceRegistration<?> r = context.registerService(iface.getName(), proxy, props);
        return () -> {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        };
    }

    @Override
    public boolean isTransientStop(long bundleId) {
        Bundle b = context.getBundle(bundleId);
        if (b == null || b.getState() == Bundle.UNINSTALLED) {
            return false;
        }
        BundleStartLevel level = b.adapt(BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted();
    }

    @Override
    public void whenSettled(long bundleId, Runnable action) {
        settling.computeIfAbsent(bundleId, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(action);
        Bundle b = context.getBundle(bundleId);
        if (b == null || b.getState() == Bundle.UNINSTALLED || b.getState() == Bundle.ACTIVE) {
            runSettled(bundleId);
        }
    }

    /** Runs deferred rematches when a transiently stopped driver bundle is back (STARTED) or gone (UNINSTALLED). */
    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.STARTED || event.getType() == BundleEvent.UNINSTALLED) {
            runSettled(event.getBundle().getBundleId());
        }
    }

    private void runSettled(long bundleId) {
        List<Runnable> actions = settling.remove(bundleId);
        if (actions != null) {
            for (Runnable r : actions) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    logger.error("deferred rematch after bundle {} settled failed", bundleId, e);
                }
            }
        }
    }

    @Override
    public void failure(IOService service, String what, Throwable cause) {
        logger.error("{}: {} failed: {}", service, what, String.valueOf(cause), cause);
    }

    @Override
    public void info(String message) {
        logger.info(message);
    }
}
