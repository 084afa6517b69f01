package dev.sluice.models;

/**
 * Time for device models (timers, RTCs, baud-rate pacing): a monotonic nanosecond clock and
 * one-shot callbacks at absolute deadlines on that clock. {@link SystemDeviceClock} is the real
 * one; {@link ManualClock} is moved by tests.
 *
 * <p>Callbacks run on the clock's own thread ({@code model-clock} for the system clock, the
 * thread calling {@link ManualClock#advance(long)} for the manual one), never on the thread that
 * scheduled them. They must be short and must not block: they typically set a register bit and
 * raise a line. A callback that throws is dropped; the clock keeps running.
 */
public interface DeviceClock {

    /** A scheduled callback. */
    interface Scheduled {
        /**
         * Cancels the callback if it has not started.
         *
         * @return true if this call prevented it from running
         */
        boolean cancel();

        /** @return the absolute deadline it was scheduled for */
        long deadlineNanos();
    }

    /** @return the current time in nanoseconds; only differences are meaningful */
    long nanoTime();

    /**
     * Runs {@code task} once {@link #nanoTime()} reaches {@code deadlineNanos} (at once, on the
     * clock's thread, if it already has).
     *
     * @return a handle that cancels it
     */
    Scheduled schedule(long deadlineNanos, Runnable task);
}
