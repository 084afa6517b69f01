package dev.sluice.kernel.workloop.internal;

import dev.sluice.kernel.workloop.SleepResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;

/**
 * The work loop's gate: a non-fair recursive mutex that records its owner thread, plus per-gate
 * sleep queues keyed by event objects (SEMANTICS S1-S9). Implementation detail of
 * {@code IOWorkLoop}; not exported.
 *
 * <p>The mutex is an {@link AbstractQueuedSynchronizer} whose state is the recursion count, so an
 * uncontended close/open costs what a {@code ReentrantLock} costs: one CAS and one volatile
 * store. Sleep queues live outside the AQS (its condition objects require the waker to hold the
 * lock, and S8 says the waker need not) in a map guarded by a small internal monitor that is only
 * taken on the sleep and wakeup paths.
 */
public final class GateLock {

    private final Sync sync = new Sync();

    /** Guards {@link #sleepers}, {@link #sleeperCount} and {@link #closedResult}. */
    private final Object waitLock = new Object();
    private final Map<Object, ArrayDeque<Waiter>> sleepers = new HashMap<>();
    private int sleeperCount;
    private SleepResult closedResult;

    /** Recursion count in the AQS state; the owner in the exclusive-owner slot. */
    private static final class Sync extends AbstractQueuedSynchronizer {
        private static final long serialVersionUID = 1L;

        /**
         * Number of 0-to-held transitions. Written only by the thread taking the gate, before the
         * volatile state write that publishes the release; read by the watchdog after it has read
         * the volatile state, so it sees a value at least as new as the last release.
         */
        long acquisitions;

        @Override
        protected boolean tryAcquire(int count) {
            Thread me = Thread.currentThread();
            int c = getState();
            if (c == 0) {
                if (compareAndSetState(0, count)) {
                    setExclusiveOwnerThread(me);
                    acquisitions++;
                    return true;
                }
                return false;
            }
            if (getExclusiveOwnerThread() == me) {
                int n = c + count;
                if (n < 0) {
                    throw new IllegalStateException("gate recursion count overflow");
                }
                setState(n);
                return true;
            }
            return false;
        }

        @Override
        protected boolean tryRelease(int count) {
            if (getExclusiveOwnerThread() != Thread.currentThread()) {
                throw new IllegalStateException("openGate by " + Thread.currentThread().getName()
                        + ", which does not hold the gate (owner: " + ownerName() + ")");
            }
            int c = getState() - count;
            if (c < 0) {
                throw new IllegalStateException("gate opened more often than closed");
            }
            if (c == 0) {
                setExclusiveOwnerThread(null);
            }
            setState(c);
            return c == 0;
        }

        @Override
        protected boolean isHeldExclusively() {
            return getExclusiveOwnerThread() == Thread.currentThread();
        }

        boolean fastLock() {
            if (compareAndSetState(0, 1)) {
                setExclusiveOwnerThread(Thread.currentThread());
                acquisitions++;
                return true;
            }
            return false;
        }

        Thread owner() {
            return getState() == 0 ? null : getExclusiveOwnerThread();
        }

        String ownerName() {
            Thread t = owner();
            return t == null ? "none" : t.getName();
        }

        int count() {
            return getState();
        }
    }

    /** One sleeping thread. {@code result} is written under {@link #waitLock}. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final Object event;
        final Object tag;
        volatile SleepResult result;

        Waiter(Object event, Object tag) {
            this.event = event;
            this.tag = tag;
        }
    }

    // ---------------------------------------------------------------- mutex

    /** Closes the gate, waiting uninterruptibly; recursive for the owner. */
    public void lock() {
        if (!sync.fastLock()) {
            sync.acquire(1);
        }
    }

    /** Closes the gate; an interrupt while waiting throws and leaves the gate as it was. */
    public void lockInterruptibly() throws InterruptedException {
        sync.acquireInterruptibly(1);
    }

    /** @return true if the gate was taken (always for the owner); never blocks */
    public boolean tryLock() {
        return sync.fastLock() || sync.tryAcquire(1);
    }

    /** Opens the gate once. @throws IllegalStateException if the caller does not hold it */
    public void unlock() {
        sync.release(1);
    }

    /** @return true if the calling thread owns the gate */
    public boolean isHeldByCurrentThread() {
        return sync.isHeldExclusively();
    }

    /** @return the calling thread's recursion count, 0 if it does not own the gate */
    public int holdCount() {
        return sync.isHeldExclusively() ? sync.count() : 0;
    }

    /** @return the owner, or null; a monitoring snapshot that may be stale at once */
    public Thread owner() {
        return sync.owner();
    }

    /** @return the number of times the gate went from open to held; a monitoring value */
    public long acquisitions() {
        sync.count(); // volatile read first: see the counter of the last release at least
        return sync.acquisitions;
    }

    /** @return threads waiting to close the gate (including woken sleepers re-taking it) */
    public Collection<Thread> queuedThreads() {
        return sync.getQueuedThreads();
    }

    /** @return how many threads wait to close the gate */
    public int queueLength() {
        return sync.getQueueLength();
    }

    // ---------------------------------------------------------------- sleep / wakeup

    /**
     * Sleeps on {@code event}: registers the sleeper, releases the gate fully, waits, re-takes the
     * gate with the saved recursion count (S4, S5).
     *
     * @param event         the key (equals/hashCode), not null
     * @param tag           who the sleep belongs to (a command gate), for {@link #wakeupTagged}; may be null
     * @param timed         whether {@code deadline} applies
     * @param deadline      absolute {@link System#nanoTime()} deadline
     * @param interruptible whether a Java interrupt ends the sleep
     * @param bypassClosed  sleep even after {@link #close} (the kernel's own drain waits)
     * @throws IllegalStateException if the caller does not hold the gate
     */
    public SleepResult sleep(Object event, Object tag, boolean timed, long deadline,
                             boolean interruptible, boolean bypassClosed) {
        Objects.requireNonNull(event, "event");
        if (!sync.isHeldExclusively()) {
            throw new IllegalStateException("sleeping on the gate requires holding it; "
                    + Thread.currentThread().getName() + " does not (owner: " + sync.ownerName() + ")");
        }
        if (interruptible && Thread.interrupted()) {
            return SleepResult.INTERRUPTED;
        }
        if (timed && deadline - System.nanoTime() <= 0) {
            return SleepResult.TIMED_OUT;
        }
        Waiter w = new Waiter(event, tag);
        synchronized (waitLock) {
            if (closedResult != null && !bypassClosed) {
                return closedResult;
            }
            sleepers.computeIfAbsent(event, k -> new ArrayDeque<>()).addLast(w);
            sleeperCount++;
        }
        // Registered before the gate is released: a waker that takes the gate after us cannot miss us.
        int saved = sync.count();
        sync.release(saved);
        boolean swallowedInterrupt = false;
        try {
            while (w.result == null) {
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        cancel(w, SleepResult.TIMED_OUT);
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    if (interruptible) {
                        if (!cancel(w, SleepResult.INTERRUPTED)) {
                            swallowedInterrupt = true; // woken at the same time: keep the interrupt
                        }
                        break;
                    }
                    swallowedInterrupt = true;
                }
            }
        } finally {
            sync.acquire(saved);
            if (swallowedInterrupt) {
                Thread.currentThread().interrupt();
            }
        }
        return w.result;
    }

    /** Ends {@code w}'s sleep with {@code r} unless a waker got there first. @return true if r won */
    private boolean cancel(Waiter w, SleepResult r) {
        synchronized (waitLock) {
            if (w.result != null) {
                return false;
            }
            ArrayDeque<Waiter> q = sleepers.get(w.event);
            if (q != null) {
                q.remove(w);
                if (q.isEmpty()) {
                    sleepers.remove(w.event);
                }
            }
            sleeperCount--;
            w.result = r;
            return true;
        }
    }

    /**
     * Wakes sleepers on {@code event}: the longest-waiting one, or all (S8). Nothing is stored when
     * nobody sleeps (S6). The caller need not hold the gate.
     *
     * @return how many were woken
     */
    public int wakeup(Object event, boolean oneThread) {
        Objects.requireNonNull(event, "event");
        synchronized (waitLock) {
            ArrayDeque<Waiter> q = sleepers.get(event);
            if (q == null) {
                return 0;
            }
            int n = 0;
            Waiter w;
            while ((w = q.pollFirst()) != null) {
                w.result = SleepResult.AWAKENED;
                sleeperCount--;
                LockSupport.unpark(w.thread);
                n++;
                if (oneThread) {
                    break;
                }
            }
            if (q.isEmpty()) {
                sleepers.remove(event);
            }
            return n;
        }
    }

    /** Wakes every sleeper whose tag is {@code tag} (any event) with {@code result}. @return count */
    public int wakeupTagged(Object tag, SleepResult result) {
        return wakeupMatching(tag, true, result);
    }

    private int wakeupMatching(Object tag, boolean matchTag, SleepResult result) {
        synchronized (waitLock) {
            int n = 0;
            for (Iterator<ArrayDeque<Waiter>> qi = sleepers.values().iterator(); qi.hasNext(); ) {
                ArrayDeque<Waiter> q = qi.next();
                for (Iterator<Waiter> wi = q.iterator(); wi.hasNext(); ) {
                    Waiter w = wi.next();
                    if (!matchTag || w.tag == tag) {
                        wi.remove();
                        w.result = result;
                        sleeperCount--;
                        LockSupport.unpark(w.thread);
                        n++;
                    }
                }
                if (q.isEmpty()) {
                    qi.remove();
                }
            }
            return n;
        }
    }

    /**
     * Refuses further sleeps (they return {@code result} at once) and wakes the untagged
     * sleepers with it. Tagged sleepers are left to their owners ({@link #wakeupTagged}).
     */
    public void close(SleepResult result) {
        synchronized (waitLock) {
            closedResult = result;
        }
        wakeupMatching(null, true, result);
    }

    /** Wakes every remaining sleeper with {@code result}. */
    public void wakeupEverybody(SleepResult result) {
        wakeupMatching(null, false, result);
    }

    /** @return how many threads sleep on {@code event} */
    public int sleeperCount(Object event) {
        synchronized (waitLock) {
            ArrayDeque<Waiter> q = sleepers.get(event);
            return q == null ? 0 : q.size();
        }
    }

    /** @return how many threads sleep on any event of this gate */
    public int sleeperCount() {
        synchronized (waitLock) {
            return sleeperCount;
        }
    }

    /** @return the threads asleep on this gate, for diagnostics */
    public List<Thread> sleepingThreads() {
        synchronized (waitLock) {
            List<Thread> out = new ArrayList<>(sleeperCount);
            for (ArrayDeque<Waiter> q : sleepers.values()) {
                for (Waiter w : q) {
                    out.add(w.thread);
                }
            }
            return out;
        }
    }
}
