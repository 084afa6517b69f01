package dev.sluice.itest;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.opentest4j.AssertionFailedError;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/** Waits for a condition with a deadline instead of sleeping and hoping. */
final class Await {

    private static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, DEFAULT, what);
    }

    static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionFailedError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            synchronized (Await.class) {
                Await.class.wait(pause);
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    /**
     * Waits (at most 20 s) until matching below {@code nub} is quiet: its drivers probed, started
     * or gone.
     *
     * @return the nub
     */
    static <S extends IOService> S matchingSettled(S nub) {
        if (nub.waitQuiet(20, TimeUnit.SECONDS) != IOReturn.SUCCESS) {
            throw new AssertionFailedError("matching did not settle on " + nub);
        }
        return nub;
    }

    /**
     * Waits until the kernel has settled: every bundle that is not a fragment is ACTIVE and matching
     * is quiet below every root service of the registry. Tests that snapshot the registry call this
     * first, so a driver bundle still starting does not change the picture under them.
     */
    static void kernelSettled(BundleContext context, IORegistry registry) throws InterruptedException {
        until(() -> Arrays.stream(context.getBundles()).allMatch(b -> b.getState() == Bundle.ACTIVE
                || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null), "every bundle ACTIVE");
        for (IORegistryEntry e : registry.root().getChildEntries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService s && s.waitQuiet(DEFAULT.toMillis(), TimeUnit.MILLISECONDS) != IOReturn.SUCCESS) {
                throw new AssertionFailedError("matching still busy below " + e.getPathComponent());
            }
        }
    }
}
