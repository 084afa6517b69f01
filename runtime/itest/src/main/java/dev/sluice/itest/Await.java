package dev.sluice.itest;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.opentest4j.AssertionFailedError;

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
}
