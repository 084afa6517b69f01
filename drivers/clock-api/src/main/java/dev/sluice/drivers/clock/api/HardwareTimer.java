package dev.sluice.drivers.clock.api;

/**
 * A 1 MHz hardware one-shot timer whose client call blocks until the timer's interrupt: the
 * scenario of seed 000 (block a user-client call until a hardware interrupt without busy
 * waiting), offered four ways so that they can be compared. Applications find it as an OSGi
 * service; calls may come from any thread, and several callers may wait at once without blocking
 * each other.
 */
public interface HardwareTimer {

    /** How the calling thread waits for the interrupt. */
    enum Method {
        /** The caller sleeps in IOCommandGate.commandSleep; the interrupt action commandWakeup()s it. */
        COMMAND_GATE,
        /** The caller's block sleeps on a REENTRANT IODispatchQueue; the interrupt path Wakeup()s it on the queue. */
        DISPATCH_QUEUE,
        /** The caller willWait()s on an OSAction and waitForInvocation()s; the interrupt action invokes it. */
        OS_ACTION,
        /** Seed 000's baseline: the timer's interrupt is left disabled and the caller spins reading RIS. */
        POLLING
    }

    /** Largest delay: the 32-bit counter at 1 MHz. */
    long MAX_MICROS = 0xFFFF_FFFFL;

    /**
     * Arms a hardware one-shot counter for {@code micros} ticks of the 1 MHz timer clock and
     * returns once it has expired and its interrupt was delivered (for {@link Method#POLLING}:
     * once RIS reads 1).
     *
     * @param micros 1 .. {@link #MAX_MICROS}
     * @param method how to wait
     * @return the wakeup, with the measured latency
     * @throws IllegalArgumentException for a delay out of range or a null method
     * @throws IllegalStateException if the interrupt did not come within the delay plus 10 s, or
     *                               the driver stopped meanwhile
     */
    Wakeup waitForInterrupt(long micros, Method method);

    /**
     * What {@link #waitForInterrupt} observed.
     *
     * @param method        how the caller waited
     * @param timer         which hardware counter served the call (1 or 2)
     * @param latencyNanos  from the counter's expiry (arm time + delay, on the host's nanoTime) to the
     *                      caller running again after its wait
     * @param valueAtWake   the counter's Value register read by the woken caller: 0 once a one-shot
     *                      count has expired, so a non-zero value would mean an early wakeup
     * @param risSeen       the raw interrupt status (RIS) that ended the wait, as read by the interrupt
     *                      action (or by the polling caller): 1
     */
    record Wakeup(Method method, int timer, long latencyNanos, long valueAtWake, int risSeen) {
    }
}
