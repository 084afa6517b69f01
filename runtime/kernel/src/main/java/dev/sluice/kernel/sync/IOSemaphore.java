package dev.sluice.kernel.sync;

import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counting semaphore with IRIX semantics ({@code sema_t}; SEMANTICS S52, seed 004).
 *
 * <p>The count may go negative: then its magnitude is the number of waiting threads.
 * {@link #psema()} decrements and, if the result is negative, blocks until a {@link #vsema()}
 * hands it the unit; {@link #vsema()} increments and, if threads were waiting, wakes exactly one,
 * the longest waiting (FIFO). Because a post is <em>counted</em>, a post that happens before the
 * wait is never lost: this is the fix seed 004 gives for the lost-interrupt race of
 * "test a flag, then sleep". {@link #cvsema()} posts only if somebody waits, so a semaphore used
 * as a wakeup signal cannot be pushed above its initial value by several posters (a timeout and
 * an interrupt, say).
 *
 * <p>Threads: every method runs on the calling thread. {@link #psema()} and
 * {@link #psemaInterruptibly()} may block and are refused in primary interrupt context (S43);
 * {@link #vsema()}, {@link #cvsema()} and {@link #cpsema()} never block and are what an
 * interrupt handler uses.
 */
public final class IOSemaphore {

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private int count;
    /** Waiting threads in arrival order; guarded by {@link #lock}. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    private static final class Waiter {
        final Condition granted;
        boolean posted;

        Waiter(Condition granted) {
            this.granted = granted;
        }
    }

    /**
     * Creates a semaphore (IRIX {@code initnsema}).
     *
     * @param initialCount the starting count, zero or more: 0 for a wakeup signal, 1 for a mutex,
     *                     n for n units of a resource
     * @throws IllegalArgumentException for a negative count
     */
    public IOSemaphore(int initialCount) {
        if (initialCount < 0) {
            throw new IllegalArgumentException("initial semaphore count must be >= 0: " + initialCount);
        }
        this.count = initialCount;
    }

    /**
     * Takes one unit, waiting uninterruptibly while none is available (IRIX {@code psema} with
     * {@code PZERO}). A thread interrupt does not end the wait; the interrupt status is kept.
     *
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public void psema() {
        PrimaryInterruptContext.checkMayBlock("IOSemaphore.psema");
        acquire(false);
    }

    /**
     * Takes one unit, waiting interruptibly (IRIX {@code psema} with {@code PCATCH}).
     *
     * @return 0 when the unit was taken; -1 when the thread was interrupted (also when it was
     *         already interrupted and would have had to wait): the count is then restored and the
     *         interrupt consumed (its status cleared). If a post and an interrupt race, the post
     *         wins, 0 is returned and the interrupt status is kept.
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public int psemaInterruptibly() {
        PrimaryInterruptContext.checkMayBlock("IOSemaphore.psemaInterruptibly");
        return acquire(true);
    }

    /**
     * Takes one unit only if that needs no wait (IRIX {@code cpsema}). Never blocks.
     *
     * @return true if the count was positive and has been decremented; false (count unchanged)
     *         otherwise
     */
    public boolean cpsema() {
        lock.lock();
        try {
            if (count > 0) {
                count--;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Posts one unit (IRIX {@code vsema}): increments the count and, if threads were waiting,
     * wakes the longest-waiting one. Never blocks; any thread, any context.
     */
    public void vsema() {
        lock.lock();
        try {
            post();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Posts only if a thread is waiting (IRIX {@code cvsema}): wakes the longest-waiting thread,
     * or does nothing at all (the count stays as it is) when nobody waits. Never blocks.
     *
     * @return true if a waiter was woken
     */
    public boolean cvsema() {
        lock.lock();
        try {
            if (count < 0) {
                post();
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @return the count for diagnostics (IRIX {@code valusema}): positive = free units, negative =
     *         minus the number of waiting threads; may be stale at once
     */
    public int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many threads wait in psema now (diagnostics and tests) */
    public int waiterCount() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private void post() {
        count++;
        if (count <= 0) {
            Waiter w = waiters.poll(); // non-null: count < 0 before the increment
            w.posted = true;
            w.granted.signal();
        }
    }

    private int acquire(boolean interruptible) {
        lock.lock();
        try {
            count--;
            if (count >= 0) {
                return 0;
            }
            Waiter me = new Waiter(lock.newCondition());
            waiters.add(me);
            boolean interrupted = false;
            while (!me.posted && !(interruptible && interrupted)) {
                try {
                    me.granted.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (me.posted) {
                if (interrupted) {
                    Thread.currentThread().interrupt(); // not consumed: keep it for the caller
                }
                return 0;
            }
            waiters.remove(me);
            count++; // undo our decrement: we no longer wait
            return -1;
        } finally {
            lock.unlock();
        }
    }
}
