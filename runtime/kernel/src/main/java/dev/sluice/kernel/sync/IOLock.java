package dev.sluice.kernel.sync;

import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A non-recursive mutex with event sleep and wakeup, after xnu's {@code IOLock}
 * (SEMANTICS S51).
 *
 * <h2>Locking</h2>
 * {@link #lock()} blocks until the lock is free; {@link #tryLock()} never blocks;
 * {@link #unlock()} must be called by the owner. The lock is <em>not</em> recursive: an owner
 * that locks it again has a bug that would deadlock a real kernel, so the call throws
 * {@link IllegalStateException} instead. Lock hand-off is not fair (barging allowed), like a
 * kernel mutex.
 *
 * <h2>Sleep and wakeup</h2>
 * {@link #sleep(Object)} / {@link #sleepDeadline(Object, long)} must be called by the owner.
 * They register the caller as a sleeper on the event <em>before</em> releasing the lock, sleep,
 * and re-take the lock before returning, whatever ended the sleep. Any thread that takes the lock
 * after the sleeper released it and then calls {@link #wakeup(Object, boolean)} therefore always
 * finds the sleeper: the wakeup cannot be lost (the same rule as the gate's S5). Wakeups are not
 * stored: a wakeup with no sleeper on that event does nothing. Events are keys compared with
 * {@code equals} and scoped to this lock (unlike xnu, whose event space is global to the
 * kernel: a wakeup here never reaches sleepers of another lock). The waker need not hold the
 * lock, but only a waker that changes the awaited state under the lock is race free.
 *
 * <p>Results are {@link SleepResult}s. Deadlines are absolute {@link System#nanoTime()} values.
 * An interruptible sleep returns {@link SleepResult#INTERRUPTED} when the thread is interrupted
 * (also when it was already interrupted on entry) and clears the interrupt status, as an
 * {@link InterruptedException} would; an uninterruptible sleep ignores interrupts and leaves the
 * interrupt status set for the caller to see. Sleepers on one event are woken in FIFO order.
 *
 * <h2>Threads and interrupt context</h2>
 * Everything runs on the calling thread. {@link #lock()} and the sleeps are refused in primary
 * interrupt context (S43) with a {@link dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation}
 * naming the operation; {@link #tryLock()}, {@link #unlock()} and {@link #wakeup(Object, boolean)}
 * never block and are allowed there.
 */
public final class IOLock {

    /** The mutex the driver sees. */
    private final ReentrantLock mutex = new ReentrantLock();
    /** Guards the sleeper table; never held while blocking on {@link #mutex}. */
    private final ReentrantLock sleepers = new ReentrantLock();
    /** FIFO sleepers per event; guarded by {@link #sleepers}. */
    private final Map<Object, ArrayDeque<Sleeper>> byEvent = new HashMap<>();

    private static final class Sleeper {
        final Condition woken;
        boolean awakened;

        Sleeper(Condition woken) {
            this.woken = woken;
        }
    }

    /** Creates an unlocked lock (xnu {@code IOLockAlloc}). */
    public IOLock() {
    }

    /**
     * Takes the lock, blocking until it is free (xnu {@code IOLockLock}).
     *
     * @throws IllegalStateException if the caller already owns it (not recursive)
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public void lock() {
        PrimaryInterruptContext.checkMayBlock("IOLock.lock");
        refuseRecursion("IOLock.lock");
        mutex.lock();
    }

    /**
     * Takes the lock if it is free, never blocking (xnu {@code IOLockTryLock}).
     *
     * @return true if the caller now owns the lock
     * @throws IllegalStateException if the caller already owns it (not recursive)
     */
    public boolean tryLock() {
        refuseRecursion("IOLock.tryLock");
        return mutex.tryLock();
    }

    /**
     * Releases the lock (xnu {@code IOLockUnlock}).
     *
     * @throws IllegalStateException if the caller does not own it
     */
    public void unlock() {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalStateException("IOLock.unlock by thread " + Thread.currentThread().getName()
                    + " that does not own the lock");
        }
        mutex.unlock();
    }

    /** @return true if the calling thread owns the lock */
    public boolean isHeldByCurrentThread() {
        return mutex.isHeldByCurrentThread();
    }

    /** @return true if some thread owns the lock (diagnostics only: may be stale at once) */
    public boolean isLocked() {
        return mutex.isLocked();
    }

    /**
     * Interruptibly sleeps on {@code event} until woken, releasing the lock meanwhile
     * (xnu {@code IOLockSleep(lock, event, THREAD_INTERRUPTIBLE)}).
     *
     * @param event the key to sleep on
     * @return {@link SleepResult#AWAKENED} or {@link SleepResult#INTERRUPTED}; the lock is held again
     * @throws IllegalStateException if the caller does not own the lock
     */
    public SleepResult sleep(Object event) {
        return sleep(event, true);
    }

    /**
     * Sleeps on {@code event} until woken, releasing the lock meanwhile (xnu {@code IOLockSleep}).
     *
     * @param event         the key to sleep on
     * @param interruptible whether a thread interrupt ends the sleep
     * @return {@link SleepResult#AWAKENED} or (interruptible only) {@link SleepResult#INTERRUPTED};
     *         the lock is held again
     * @throws IllegalStateException if the caller does not own the lock
     */
    public SleepResult sleep(Object event, boolean interruptible) {
        PrimaryInterruptContext.checkMayBlock("IOLock.sleep");
        return doSleep("IOLock.sleep", event, false, 0L, interruptible);
    }

    /**
     * Interruptibly sleeps on {@code event} until woken or until the deadline, releasing the lock
     * meanwhile (xnu {@code IOLockSleepDeadline(lock, event, deadline, THREAD_INTERRUPTIBLE)}).
     *
     * @param event         the key to sleep on
     * @param nanoDeadline  absolute deadline in {@link System#nanoTime()} units
     * @return AWAKENED, TIMED_OUT or INTERRUPTED; the lock is held again
     * @throws IllegalStateException if the caller does not own the lock
     */
    public SleepResult sleepDeadline(Object event, long nanoDeadline) {
        return sleepDeadline(event, nanoDeadline, true);
    }

    /**
     * Sleeps on {@code event} until woken or until the deadline, releasing the lock meanwhile
     * (xnu {@code IOLockSleepDeadline}).
     *
     * @param event         the key to sleep on
     * @param nanoDeadline  absolute deadline in {@link System#nanoTime()} units; a past deadline
     *                      still releases and re-takes the lock, then reports TIMED_OUT
     * @param interruptible whether a thread interrupt ends the sleep
     * @return AWAKENED, TIMED_OUT or (interruptible only) INTERRUPTED; the lock is held again
     * @throws IllegalStateException if the caller does not own the lock
     */
    public SleepResult sleepDeadline(Object event, long nanoDeadline, boolean interruptible) {
        PrimaryInterruptContext.checkMayBlock("IOLock.sleepDeadline");
        return doSleep("IOLock.sleepDeadline", event, true, nanoDeadline, interruptible);
    }

    /**
     * Wakes sleepers on {@code event} (xnu {@code IOLockWakeup}). Never blocks; any thread, in
     * any context, with or without the lock. A wakeup with no sleeper does nothing (not stored).
     *
     * @param event     the key
     * @param oneThread true: wake the longest-sleeping one only; false: wake all
     * @return how many sleepers were woken
     */
    public int wakeup(Object event, boolean oneThread) {
        Objects.requireNonNull(event, "event");
        sleepers.lock();
        try {
            ArrayDeque<Sleeper> queue = byEvent.get(event);
            if (queue == null) {
                return 0;
            }
            int woken = 0;
            do {
                Sleeper s = queue.poll();
                s.awakened = true;
                s.woken.signal();
                woken++;
            } while (!oneThread && !queue.isEmpty());
            if (queue.isEmpty()) {
                byEvent.remove(event);
            }
            return woken;
        } finally {
            sleepers.unlock();
        }
    }

    /**
     * @param event the key
     * @return how many threads sleep on {@code event} now (diagnostics and tests)
     */
    public int sleeperCount(Object event) {
        sleepers.lock();
        try {
            ArrayDeque<Sleeper> queue = byEvent.get(event);
            return queue == null ? 0 : queue.size();
        } finally {
            sleepers.unlock();
        }
    }

    private void refuseRecursion(String operation) {
        if (mutex.isHeldByCurrentThread()) {
            throw new IllegalStateException(operation + ": IOLock is not recursive and thread "
                    + Thread.currentThread().getName() + " already owns it");
        }
    }

    private SleepResult doSleep(String operation, Object event, boolean timed, long deadline,
            boolean interruptible) {
        Objects.requireNonNull(event, "event");
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalStateException(operation + " requires the caller to hold the lock");
        }
        SleepResult result;
        boolean interrupted = false;
        sleepers.lock();
        try {
            // Register first, then release the driver's lock: a waker that takes the lock after
            // this point finds us in the table (S5/S51).
            Sleeper me = new Sleeper(sleepers.newCondition());
            byEvent.computeIfAbsent(event, k -> new ArrayDeque<>()).add(me);
            mutex.unlock();
            boolean timedOut = false;
            while (!me.awakened && !timedOut && !(interruptible && interrupted)) {
                try {
                    if (timed) {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0L) {
                            timedOut = true;
                        } else {
                            me.woken.awaitNanos(remaining);
                        }
                    } else {
                        me.woken.await();
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the status is cleared now; restored below unless consumed
                }
            }
            if (me.awakened) {
                result = SleepResult.AWAKENED; // a wakeup that raced the timeout or interrupt wins
            } else {
                ArrayDeque<Sleeper> queue = byEvent.get(event);
                queue.remove(me);
                if (queue.isEmpty()) {
                    byEvent.remove(event);
                }
                result = timedOut ? SleepResult.TIMED_OUT : SleepResult.INTERRUPTED;
            }
        } finally {
            sleepers.unlock();
        }
        // Re-take the driver's lock whatever woke us; outside the table lock (lock order).
        mutex.lock();
        if (interrupted && result != SleepResult.INTERRUPTED) {
            Thread.currentThread().interrupt(); // not consumed: keep it for the caller
        }
        return result;
    }
}
