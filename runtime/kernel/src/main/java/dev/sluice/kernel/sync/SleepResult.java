package dev.sluice.kernel.sync;

/**
 * Why a sleep on an event ended ({@link IOLock#sleep(Object)} and friends; SEMANTICS S9, S51).
 * xnu reports these as {@code THREAD_AWAKENED}, {@code THREAD_TIMED_OUT} and
 * {@code THREAD_INTERRUPTED}; Java has no analogue of {@code THREAD_RESTART} for a lock, so it
 * is absent here.
 */
public enum SleepResult {
    /** A wakeup on the event woke the sleeper. */
    AWAKENED,
    /** The absolute deadline passed before any wakeup. */
    TIMED_OUT,
    /** The sleep was interruptible and the thread was interrupted (the analogue of a signal). */
    INTERRUPTED
}
