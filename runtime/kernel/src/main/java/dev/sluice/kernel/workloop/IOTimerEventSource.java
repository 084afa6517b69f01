package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;

import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot timer whose action runs with the work loop's gate closed (SEMANTICS S45-S50).
 *
 * <h2>Priorities (S45)</h2>
 * <ul>
 * <li>{@link Priority#PASSIVE} (the default): when the deadline passes, the {@link IOTimerService}'s
 * thread ({@code IOTimer}) closes the loop's gate and runs the action there: {@code inGate()} is
 * true, {@code onThread()} false. The source is passive: the loop thread never polls it.</li>
 * <li>{@link Priority#WORK_LOOP}: the timer thread only signals the loop; the action runs from
 * {@code checkForWork()} on the loop thread, in chain order with the other active sources.</li>
 * </ul>
 *
 * <h2>Arming (S46-S49)</h2>
 * {@code setTimeout*} and {@link #wakeAtTime(long)} fix an absolute {@link System#nanoTime()}
 * deadline at call time. The timer is one-shot; arming again replaces the pending timeout, also
 * from inside the action (that is how periodic timers are made). Every arm, cancel or disable
 * bumps a generation; a fire runs the action only if its generation is still current and the
 * source enabled, so a fire racing a cancel or re-arm is suppressed. The check is made with the
 * gate closed, so {@link #cancelTimeout()} called with the gate held guarantees the action does
 * not run for that arm, even if the fire is already waiting for the gate (S47, P6).
 *
 * <p>A timer is armed only while it is enabled, has a deadline and is attached to a loop; the
 * deadline is kept otherwise, and a later add or enable arms it (a passed deadline fires at once).
 * {@link #disable()} cancels but keeps the deadline; {@link #cancelTimeout()} forgets it.
 * <b>Difference from xnu:</b> "no deadline" is a separate state, not the value 0, because
 * {@code nanoTime} may legitimately be 0 or negative.
 *
 * <p>The action never runs concurrently with itself (S50): every run holds the loop's gate.
 * Arming and cancelling never block and may be called from any thread.
 *
 * @param <O> the owner's type
 */
public final class IOTimerEventSource<O> extends IOEventSource<O> {

    /** Where the action runs. */
    public enum Priority {
        /** On the timer thread, with the gate closed. */
        PASSIVE,
        /** On the work loop thread, from checkForWork. */
        WORK_LOOP
    }

    /** The timer's action; runs with the gate closed. */
    @FunctionalInterface
    public interface Action<O> {
        /**
         * @param owner  the source's owner
         * @param sender the timer that fired; re-arm it here to make a periodic timer
         */
        void timeout(O owner, IOTimerEventSource<O> sender);
    }

    private final Action<O> action;
    private final IOTimerService timers;
    private final Priority priority;

    private final Object lock = new Object();
    // Guarded by lock.
    private long generation;
    private boolean hasDeadline;
    private long deadline;
    private ScheduledFuture<?> pending;
    private long firedGeneration = -1;

    private IOTimerEventSource(O owner, Action<O> action, IOTimerService timers, Priority priority) {
        super(owner);
        this.action = action;
        this.timers = Objects.requireNonNull(timers, "timers");
        this.priority = Objects.requireNonNull(priority, "priority");
    }

    /**
     * Creates a passive timer.
     *
     * @param action may be null, but then every arm returns NO_RESOURCES (S48)
     * @param timers the kernel's timer service
     */
    public static <O> IOTimerEventSource<O> timerEventSource(O owner, Action<O> action, IOTimerService timers) {
        return new IOTimerEventSource<>(owner, action, timers, Priority.PASSIVE);
    }

    /** Creates a timer of the given priority. */
    public static <O> IOTimerEventSource<O> timerEventSource(O owner, Action<O> action, IOTimerService timers,
                                                             Priority priority) {
        return new IOTimerEventSource<>(owner, action, timers, priority);
    }

    /** @return the priority given at creation */
    public Priority priority() {
        return priority;
    }

    @Override
    protected boolean isPassive() {
        return priority == Priority.PASSIVE;
    }

    // ---------------------------------------------------------------- arming

    /** Arms the timer {@code nanos} from now. @return see {@link #wakeAtTime(long)} */
    public IOReturn setTimeoutNS(long nanos) {
        return wakeAtTime(deadlineIn(nanos));
    }

    /** Arms the timer {@code micros} from now. @return see {@link #wakeAtTime(long)} */
    public IOReturn setTimeoutUS(long micros) {
        return setTimeout(micros, TimeUnit.MICROSECONDS);
    }

    /** Arms the timer {@code millis} from now. @return see {@link #wakeAtTime(long)} */
    public IOReturn setTimeoutMS(long millis) {
        return setTimeout(millis, TimeUnit.MILLISECONDS);
    }

    /** Arms the timer {@code interval} from now. @return see {@link #wakeAtTime(long)} */
    public IOReturn setTimeout(long interval, TimeUnit unit) {
        return wakeAtTime(deadlineIn(unit.toNanos(interval)));
    }

    private static long deadlineIn(long nanos) {
        long now = System.nanoTime();
        long d = now + nanos;
        return nanos > 0 && d - now < 0 ? now + Long.MAX_VALUE : d; // saturate far-future deadlines
    }

    /**
     * Sets the absolute deadline and arms the timer if it is enabled and attached, replacing any
     * pending timeout (S48, S49). Any thread; never blocks.
     *
     * @param deadlineNanos an absolute {@link System#nanoTime()} value; a past one fires at once
     * @return SUCCESS; NO_RESOURCES without an action; OFFLINE if the timer service is closed
     */
    public IOReturn wakeAtTime(long deadlineNanos) {
        if (action == null) {
            return IOReturn.NO_RESOURCES;
        }
        synchronized (lock) {
            deadline = deadlineNanos;
            hasDeadline = true;
            return rearmLocked();
        }
    }

    /**
     * Cancels the pending timeout and forgets the deadline. Called with the gate held it guarantees
     * the action does not run for the cancelled arm (S47). Any thread; never blocks.
     */
    public void cancelTimeout() {
        synchronized (lock) {
            generation++;
            hasDeadline = false;
            firedGeneration = -1;
            cancelPendingLocked();
        }
    }

    /** @return true if a deadline is set (armed, or kept while disabled or detached) */
    public boolean hasDeadline() {
        synchronized (lock) {
            return hasDeadline;
        }
    }

    /** @return the absolute deadline, meaningful only if {@link #hasDeadline()} */
    public long deadline() {
        synchronized (lock) {
            return deadline;
        }
    }

    /** @return true if a fire is scheduled on the timer service */
    public boolean isArmed() {
        synchronized (lock) {
            return pending != null && !pending.isDone();
        }
    }

    private IOReturn rearmLocked() {
        long g = ++generation;
        firedGeneration = -1;
        cancelPendingLocked();
        if (!isEnabled() || !hasDeadline || getWorkLoop() == null) {
            return IOReturn.SUCCESS; // deadline kept; armed by a later enable or add (S49)
        }
        pending = timers.schedule(() -> fire(g), deadline - System.nanoTime());
        return pending == null ? IOReturn.OFFLINE : IOReturn.SUCCESS;
    }

    private void cancelPendingLocked() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    // ---------------------------------------------------------------- enable / attach

    /** Enables the timer and arms a kept deadline; a passed one fires at once (S49). */
    @Override
    public void enable() {
        super.enable();
        synchronized (lock) {
            rearmLocked();
        }
    }

    /** Disables the timer: cancels the pending fire but keeps the deadline (S49). */
    @Override
    public void disable() {
        super.disable();
        synchronized (lock) {
            generation++;
            firedGeneration = -1;
            cancelPendingLocked();
        }
    }

    /** Arms a deadline kept from before the add (S49). */
    @Override
    protected IOReturn attached(IOWorkLoop loop) {
        synchronized (lock) {
            if (hasDeadline && isEnabled()) {
                rearmLocked();
            }
        }
        return IOReturn.SUCCESS;
    }

    @Override
    protected void detached(IOWorkLoop loop) {
        synchronized (lock) {
            generation++;
            firedGeneration = -1;
            cancelPendingLocked();
        }
    }

    // ---------------------------------------------------------------- firing

    /** On the timer thread, for the arm of generation {@code g}. */
    private void fire(long g) {
        IOWorkLoop wl = getWorkLoop();
        if (wl == null) {
            return;
        }
        if (priority == Priority.WORK_LOOP) {
            synchronized (lock) {
                if (g != generation) {
                    return;
                }
                firedGeneration = g;
            }
            wl.signalWorkAvailable();
            return;
        }
        wl.closeGate(); // may wait: the generation is checked after, with the gate held (S47, P6)
        try {
            if (consume(g, wl)) {
                runAction(wl);
            }
        } finally {
            wl.openGate();
        }
    }

    /** With the gate held: is the fire of generation g still wanted? If so, the deadline is used up. */
    private boolean consume(long g, IOWorkLoop wl) {
        synchronized (lock) {
            if (g != generation || !hasDeadline || !isEnabled() || getWorkLoop() != wl) {
                return false; // S46: a cancel, re-arm or disable came first
            }
            hasDeadline = false;
            pending = null;
            firedGeneration = -1;
            return true;
        }
    }

    private void runAction(IOWorkLoop wl) {
        try {
            action.timeout(getOwner(), this);
        } catch (Throwable t) {
            reportFailure(wl, t);
        }
    }

    /** Work-loop priority: runs a due action on the loop thread with the gate held. */
    @Override
    protected boolean checkForWork() {
        if (priority != Priority.WORK_LOOP) {
            return false;
        }
        long g;
        synchronized (lock) {
            g = firedGeneration;
            if (g < 0) {
                return false;
            }
        }
        IOWorkLoop wl = getWorkLoop();
        if (consume(g, wl)) {
            action.timeout(getOwner(), this);
        }
        return false;
    }

    @Override
    public String toString() {
        return "IOTimerEventSource(owner " + ownerName(getOwner()) + ", " + priority + ")";
    }
}
