package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline instead of sleeping. */
final class Await {

    static final Duration DEFAULT = Duration.ofSeconds(5);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails the test naming {@code what} at the deadline. */
    static void until(String what, BooleanSupplier condition) {
        until(what, condition, DEFAULT);
    }

    static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            LockSupport.parkNanos(50_000L);
        }
    }

    /** Waits until {@code t} is parked or waiting (WAITING / TIMED_WAITING). */
    static void parked(Thread t) {
        until(t.getName() + " parked", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** Waits until {@code t} is queued on {@code loop}'s gate, i.e. blocked trying to close it. */
    static void queuedOnGate(IOWorkLoop loop, Thread t) {
        until(t.getName() + " queued on the gate of " + loop, () -> loop.gateQueuedThreads().contains(t)
                && t.getState() == Thread.State.WAITING);
    }

    /** Waits until the loop thread is idle: parked with the gate open. */
    static void idle(IOWorkLoop loop) {
        until(loop + " idle", () -> loop.gateOwner() == null && loop.thread().getState() == Thread.State.WAITING
                && !loop.gateQueuedThreads().contains(loop.thread()));
    }
}
