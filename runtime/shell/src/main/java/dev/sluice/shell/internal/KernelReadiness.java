package dev.sluice.shell.internal;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * Waits until the kernel is up: every installed bundle that is not a fragment is ACTIVE, and
 * matching has settled for every root service of the I/O registry (the platform's devices and
 * IOResources). Gogo starts before SCR has activated the kernel's components, so scripts and the
 * console wait here first.
 */
final class KernelReadiness {

    private final BundleContext context;

    KernelReadiness(BundleContext context) {
        this.context = context;
    }

    /** Blocks the calling thread until ready, or throws naming the bundles still not active. */
    void await(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object monitor = new Object();
        org.osgi.framework.BundleListener listener = event -> {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        };
        context.addBundleListener(listener);
        try {
            synchronized (monitor) {
                List<String> waiting;
                while (!(waiting = notActive()).isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException("kernel not ready after " + timeout.toSeconds()
                                + " s; bundles not active: " + String.join(", ", waiting));
                    }
                    monitor.wait(Math.max(1, Math.min(50, left / 1_000_000)));
                }
            }
        } finally {
            context.removeBundleListener(listener);
        }
        awaitQuiet(deadline, timeout);
    }

    private void awaitQuiet(long deadline, Duration timeout) throws TimeoutException {
        org.osgi.framework.ServiceReference<IORegistry> ref = context.getServiceReference(IORegistry.class);
        if (ref == null) {
            return;
        }
        IORegistry registry = context.getService(ref);
        try {
            if (registry == null) {
                return;
            }
            for (IORegistryEntry e : registry.root().getChildEntries(IORegistryPlane.SERVICE)) {
                if (e instanceof IOService) {
                    long left = Math.max(1, deadline - System.nanoTime());
                    if (((IOService) e).waitQuiet(left, TimeUnit.NANOSECONDS) == IOReturn.TIMEOUT) {
                        throw new TimeoutException("kernel not ready after " + timeout.toSeconds()
                                + " s: matching still busy below " + e.getPathComponent());
                    }
                }
            }
        } finally {
            context.ungetService(ref);
        }
    }

    private List<String> notActive() {
        List<String> waiting = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                waiting.add(b.getSymbolicName() + " (" + stateName(b.getState()) + ")");
            }
        }
        return waiting;
    }

    private static String stateName(int state) {
        switch (state) {
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            default: return "UNINSTALLED";
        }
    }
}
