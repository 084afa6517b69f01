package dev.sluice.platform.interrupt;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Deadline waits instead of sleeps. */
final class Await {

    static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} at the deadline. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + DEFAULT.toSeconds() + " s waiting for: " + what);
            }
            LockSupport.parkNanos(50_000L);
        }
    }

    /** Awaits a latch with the default deadline; fails naming {@code what}. */
    static void latch(String what, CountDownLatch latch) {
        try {
            if (!latch.await(DEFAULT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("timed out waiting for: " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for: " + what);
        }
    }

    /**
     * Busy-waits (allowed in primary context: it is not a blocking kernel call) until
     * {@code condition} holds or the deadline passes.
     *
     * @return whether the condition held
     */
    static boolean spin(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }
}
