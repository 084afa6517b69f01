package dev.sluice.shell.internal;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleRevision;

/** What the shell's commands ask of the registry and of driver bundles. Thread-safe. */
final class Drivers {

    /** How long load, unload and reload wait for matching to settle. */
    static final Duration SETTLE = Duration.ofSeconds(10);

    private Drivers() {
    }

    /** @return every IOService in the service plane, once each, in walk order */
    static List<IOService> services(IORegistry registry) {
        Set<IORegistryEntry> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<IOService> out = new ArrayList<>();
        for (IORegistryEntry e : registry.entries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService && seen.add(e)) {
                out.add((IOService) e);
            }
        }
        return out;
    }

    /** @return the started, active driver instances whose personality passes {@code which} */
    static List<IOService> activeInstances(IORegistry registry, Predicate<IOPersonality> which) {
        List<IOService> out = new ArrayList<>();
        for (IOService s : services(registry)) {
            IOPersonality p = s.personality();
            if (p != null && s.isStarted() && !s.isInactive() && which.test(p)) {
                out.add(s);
            }
        }
        return out;
    }

    /** @return the path of the nub a driver instance drives (its first provider), or "-" */
    static String nubPath(IOService driver) {
        IOService nub = driver.getProvider();
        String path = nub == null ? null : nub.getPath(IORegistryPlane.SERVICE);
        return path == null ? "-" : path;
    }

    /** @return how many {@code sluice.personality} capabilities the bundle's manifest declares */
    static int declaredPersonalities(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision == null ? 0 : revision.getDeclaredCapabilities(IOPersonality.NAMESPACE).size();
    }

    /** @return true if the bundle declares at least one personality */
    static boolean isDriverBundle(Bundle bundle) {
        return declaredPersonalities(bundle) > 0;
    }

    /**
     * Waits until matching and termination have settled under {@code IOResources} and every other
     * service attached to the root, sharing one deadline.
     *
     * @return true if everything settled in time
     */
    static boolean settle(IORegistry registry, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<IOService> roots = new ArrayList<>();
        roots.add(registry.resources());
        for (IORegistryEntry e : registry.root().getChildEntries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService && e != registry.resources()) {
                roots.add((IOService) e);
            }
        }
        for (IOService root : roots) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (root.waitQuiet(left, TimeUnit.NANOSECONDS) != IOReturn.SUCCESS) {
                return false;
            }
        }
        return true;
    }

    /** @return "ACTIVE", "RESOLVED", ... */
    static String stateName(int state) {
        switch (state) {
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.INSTALLED: return "INSTALLED";
            default: return "UNINSTALLED";
        }
    }

    /** @return "N thing" or "N things" */
    static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }
}
