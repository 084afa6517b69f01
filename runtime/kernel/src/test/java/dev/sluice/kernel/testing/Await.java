package dev.sluice.kernel.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, never for a fixed time. */
public final class Await {

    /** Generous: on a loaded 2-core machine a wakeup can take long; a pass is usually instant. */
    public static final long TIMEOUT_NANOS = 10_000_000_000L;

    private static final Set<Thread.State> PARKED =
            EnumSet.of(Thread.State.WAITING, Thread.State.TIMED_WAITING, Thread.State.BLOCKED);

    private Await() {
    }

    /** @return an absolute nanoTime deadline {@link #TIMEOUT_NANOS} from now */
    public static long deadline() {
        return System.nanoTime() + TIMEOUT_NANOS;
    }

    /** Polls {@code condition} until true or fails the test at the deadline. */
    public static void until(String what, BooleanSupplier condition) {
        long deadline = deadline();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0L) {
                fail("timed out waiting until " + what);
            }
            Thread.yield();
        }
    }

    /** Waits until {@code t} is parked (waiting, timed waiting or blocked on a monitor). */
    public static void parked(Thread t) {
        until(t.getName() + " is parked", () -> PARKED.contains(t.getState()));
    }
}
