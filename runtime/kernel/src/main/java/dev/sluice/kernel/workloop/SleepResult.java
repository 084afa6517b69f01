package dev.sluice.kernel.workloop;

/**
 * Why a thread sleeping on a gate came back (SEMANTICS S9), after xnu's {@code wait_result_t}.
 * Whatever the result, the sleeper holds the gate again with its old recursion count (S4).
 */
public enum SleepResult {
    /** A {@code wakeupGate} / {@code commandWakeup} on the event woke it ({@code THREAD_AWAKENED}). */
    AWAKENED,
    /** The absolute deadline passed first ({@code THREAD_TIMED_OUT}). */
    TIMED_OUT,
    /**
     * The thread was interrupted (Java's analogue of a signal, {@code THREAD_INTERRUPTED}) during an
     * interruptible sleep, or the command gate it slept through was removed from its loop (S30).
     * When caused by a Java interrupt the interrupt is consumed: the thread's interrupt status is
     * cleared, as when {@code InterruptedException} is thrown.
     */
    INTERRUPTED,
    /**
     * The work loop is shutting down and will not deliver the wakeup ({@code THREAD_RESTART}): the
     * sleeper should unwind.
     */
    RESTART
}
