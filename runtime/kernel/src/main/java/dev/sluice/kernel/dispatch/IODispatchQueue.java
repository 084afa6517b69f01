package dev.sluice.kernel.dispatch;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A serial dispatch queue after DriverKit's {@code IODispatchQueue} (SEMANTICS S53, S54).
 *
 * <h2>Serial execution</h2>
 * Blocks run one at a time, in the order they were dispatched (FIFO), on the queue's own thread
 * named {@code IODispatchQueue-<name>}. {@link #dispatchAsync(Runnable)} queues a block and
 * returns at once; {@link #dispatchSync(Runnable)} queues it and waits until it has run. A block
 * that throws is reported to the queue's error handler and the queue carries on.
 *
 * <h2>Being "on the queue"</h2>
 * {@link #onQueue()} is true while the calling thread runs a block of this queue (or its cancel
 * handler). On a plain queue that thread is always the queue thread. On a reentrant queue a block
 * that sleeps keeps its Java thread, so the queue lends its work to a helper thread of the same
 * name while the sleeper is away; when the sleeper resumes it owns the queue again. At every
 * moment at most one thread is on the queue.
 *
 * <h2>Sleep and wakeup (reentrant queues only)</h2>
 * A queue created with {@link Option#REENTRANT} lets a block call {@link #sleep(Object)} or
 * {@link #sleepWithDeadline(Object, long)}: the block gives up the queue (other blocks run
 * meanwhile), waits for {@link #wakeup(Object)} / {@link #wakeupAll(Object)} on the same event,
 * then waits for the queue to be free and resumes on it. Sleepers that are woken or time out
 * resume before any block not yet started. Both sleep and wakeup must be called on the queue;
 * since the sleeper gives up the queue only after it is registered, and a waker runs on the queue,
 * a wakeup is never lost between a block's test of its condition and its sleep. Wakeups are not
 * stored; sleepers on one event wake in FIFO order. On a queue without {@link Option#REENTRANT}
 * sleep is refused with {@link IllegalStateException} (it would stall every other block: the
 * trap seed 000 warns about). Thread interrupts do not end a queue sleep; the interrupt status
 * is kept.
 *
 * <h2>Cancel and close</h2>
 * {@link #cancel(Runnable)} refuses new blocks ({@link IOReturn#OFFLINE}), lets blocks already
 * queued run, wakes sleeping blocks with {@link IOReturn#ABORTED} (an addition to DriverKit's
 * SUCCESS / TIMEOUT, so that a cancelled queue cannot be held open by a sleeper), then runs the
 * cancel handler on the queue and lets its threads end. {@link #close()} cancels and waits until
 * no thread of the queue is left.
 *
 * <h2>Interrupt context</h2>
 * {@link #dispatchAsync(Runnable)}, {@link #wakeup(Object)}-style calls from a block, and
 * {@link #cancel(Runnable)} never block for long and are allowed anywhere;
 * {@link #dispatchSync(Runnable)}, the sleeps and {@link #close()} are refused in primary
 * interrupt context (S43). An interrupt handler hands work to a queue with dispatchAsync.
 */
public final class IODispatchQueue implements AutoCloseable {

    /** Creation options. */
    public enum Option {
        /** Blocks may {@link IODispatchQueue#sleep(Object) sleep} and let other blocks run (kIODispatchQueueReentrant). */
        REENTRANT
    }

    private final String name;
    private final String threadName;
    private final boolean reentrant;
    private final Consumer<Throwable> errorHandler;

    private final ReentrantLock mon = new ReentrantLock();
    /** Idle workers wait here for a block (or for termination). */
    private final Condition workAvailable = mon.newCondition();
    /** {@link #close()} waits here for the end of the cancel handler. */
    private final Condition finishedCond = mon.newCondition();

    /** The thread on the queue, or null. Written under {@link #mon}, read anywhere. */
    private volatile Thread owner;
    /** Blocks not started yet; guarded by mon. */
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    /** Sleepers per event, FIFO; guarded by mon. */
    private final Map<Object, ArrayDeque<Sleeper>> sleepers = new HashMap<>();
    /** Sleepers that were woken or timed out and wait to get the queue back; guarded by mon. */
    private final ArrayDeque<Sleeper> resuming = new ArrayDeque<>();
    /** Blocks off the queue in a sleep (asleep or resuming); guarded by mon. */
    private int suspended;
    /** Workers waiting in {@link #workAvailable} or about to enter the loop; guarded by mon. */
    private int idle;
    private int starting;
    /** Every worker thread started (dead ones pruned on spawn); guarded by mon. */
    private final List<Thread> threads = new ArrayList<>();
    private boolean cancelled;
    private boolean terminating;
    private boolean finished;
    private Runnable cancelHandler;

    private static final class Sleeper {
        final Condition cond;
        /** null while asleep; SUCCESS, TIMEOUT or ABORTED once it may resume. */
        IOReturn result;

        Sleeper(Condition cond) {
            this.cond = cond;
        }
    }

    private IODispatchQueue(String name, Consumer<Throwable> errorHandler, Option... options) {
        this.name = Objects.requireNonNull(name, "name");
        this.threadName = "IODispatchQueue-" + name;
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        boolean re = false;
        for (Option o : options) {
            re |= o == Option.REENTRANT;
        }
        this.reentrant = re;
    }

    /**
     * Creates a queue and starts its thread {@code IODispatchQueue-<name>}. A block that throws
     * is reported to the worker thread's {@link Thread.UncaughtExceptionHandler} and the queue
     * carries on.
     *
     * @param name    the queue's name (thread name suffix, diagnostics)
     * @param options e.g. {@link Option#REENTRANT}
     * @return the running queue
     */
    public static IODispatchQueue create(String name, Option... options) {
        return create(name, t -> Thread.currentThread().getUncaughtExceptionHandler()
                .uncaughtException(Thread.currentThread(), t), options);
    }

    /**
     * Creates a queue and starts its thread {@code IODispatchQueue-<name>}.
     *
     * @param name         the queue's name (thread name suffix, diagnostics)
     * @param errorHandler receives, on the queue, whatever a block threw
     * @param options      e.g. {@link Option#REENTRANT}
     * @return the running queue
     */
    public static IODispatchQueue create(String name, Consumer<Throwable> errorHandler, Option... options) {
        IODispatchQueue q = new IODispatchQueue(name, errorHandler, options);
        q.mon.lock();
        try {
            q.spawnWorker();
        } finally {
            q.mon.unlock();
        }
        return q;
    }

    /** @return the name given at creation */
    public String name() {
        return name;
    }

    /** @return the name of the queue's threads, {@code IODispatchQueue-<name>} */
    public String threadName() {
        return threadName;
    }

    /** @return whether blocks may sleep on this queue */
    public boolean isReentrant() {
        return reentrant;
    }

    /** @return true if the calling thread is on this queue (runs one of its blocks) (DriverKit OnQueue) */
    public boolean onQueue() {
        return owner == Thread.currentThread();
    }

    /**
     * Queues a block to run on the queue after every block queued before it (DriverKit
     * DispatchAsync). Returns at once; never runs the block on the caller's stack, even when the
     * caller is on the queue. Allowed from any thread and context.
     *
     * @param block the block
     * @return SUCCESS, or OFFLINE if the queue is cancelled (the block will not run)
     */
    public IOReturn dispatchAsync(Runnable block) {
        Objects.requireNonNull(block, "block");
        mon.lock();
        try {
            if (cancelled) {
                return IOReturn.OFFLINE;
            }
            pending.add(block);
            if (owner == null && resuming.isEmpty()) {
                wakeOrSpawnWorker();
            }
            return IOReturn.SUCCESS;
        } finally {
            mon.unlock();
        }
    }

    /**
     * Runs a block on the queue and waits until it has run (DriverKit DispatchSync). The wait
     * is uninterruptible (the interrupt status is kept). What the block throws is rethrown here
     * (unchecked throwables as they are); it is not passed to the error handler.
     *
     * @param block the block
     * @return SUCCESS once the block has run, or OFFLINE if the queue is cancelled (not run)
     * @throws IllegalStateException if called on this queue: that would wait for itself forever
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public IOReturn dispatchSync(Runnable block) {
        PrimaryInterruptContext.checkMayBlock("IODispatchQueue.dispatchSync");
        Objects.requireNonNull(block, "block");
        if (onQueue()) {
            throw new IllegalStateException("IODispatchQueue.dispatchSync called on queue " + name
                    + " itself: the block would wait for the caller, which waits for the block");
        }
        SyncBlock sync = new SyncBlock(block);
        mon.lock();
        try {
            if (cancelled) {
                return IOReturn.OFFLINE;
            }
            pending.add(sync);
            if (owner == null && resuming.isEmpty()) {
                wakeOrSpawnWorker();
            }
            boolean interrupted = false;
            while (!sync.done) {
                try {
                    sync.doneCond.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            mon.unlock();
        }
        if (sync.failure instanceof RuntimeException) {
            throw (RuntimeException) sync.failure;
        }
        if (sync.failure instanceof Error) {
            throw (Error) sync.failure;
        }
        if (sync.failure != null) {
            throw new IllegalStateException("block dispatched to " + name + " failed", sync.failure);
        }
        return IOReturn.SUCCESS;
    }

    private final class SyncBlock implements Runnable {
        final Runnable block;
        final Condition doneCond = mon.newCondition();
        boolean done;
        Throwable failure;

        SyncBlock(Runnable block) {
            this.block = block;
        }

        @Override
        public void run() {
            Throwable f = null;
            try {
                block.run();
            } catch (Throwable t) {
                f = t;
            }
            mon.lock();
            try {
                failure = f;
                done = true;
                doneCond.signal();
            } finally {
                mon.unlock();
            }
        }
    }

    /**
     * Sleeps on {@code event} until woken, giving the queue to other blocks meanwhile, then
     * resumes on the queue (DriverKit Sleep).
     *
     * @param event the key to sleep on
     * @return SUCCESS when woken; ABORTED if the queue was cancelled
     * @throws IllegalStateException if the queue is not reentrant or the caller is not on it
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public IOReturn sleep(Object event) {
        PrimaryInterruptContext.checkMayBlock("IODispatchQueue.sleep");
        return doSleep("IODispatchQueue.sleep", event, false, 0L);
    }

    /**
     * Sleeps on {@code event} until woken or until the deadline, giving the queue to other blocks
     * meanwhile, then resumes on the queue (DriverKit SleepWithDeadline).
     *
     * @param event        the key to sleep on
     * @param nanoDeadline absolute deadline in {@link System#nanoTime()} units
     * @return SUCCESS when woken, TIMEOUT at the deadline, ABORTED if the queue was cancelled
     * @throws IllegalStateException if the queue is not reentrant or the caller is not on it
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public IOReturn sleepWithDeadline(Object event, long nanoDeadline) {
        PrimaryInterruptContext.checkMayBlock("IODispatchQueue.sleepWithDeadline");
        return doSleep("IODispatchQueue.sleepWithDeadline", event, true, nanoDeadline);
    }

    /**
     * Wakes the longest sleeper on {@code event} (DriverKit Wakeup). Must be called on the queue.
     * The sleeper resumes once the caller's block has finished or slept.
     *
     * @param event the key
     * @return true if a sleeper was woken; false if none slept on the event (nothing is stored)
     * @throws IllegalStateException if the caller is not on the queue
     */
    public boolean wakeup(Object event) {
        return wake("IODispatchQueue.wakeup", event, true) > 0;
    }

    /**
     * Wakes every sleeper on {@code event} (DriverKit WakeupAll). Must be called on the queue.
     *
     * @param event the key
     * @return how many sleepers were woken
     * @throws IllegalStateException if the caller is not on the queue
     */
    public int wakeupAll(Object event) {
        return wake("IODispatchQueue.wakeupAll", event, false);
    }

    /**
     * @param event the key
     * @return how many blocks sleep on {@code event} now (diagnostics and tests)
     */
    public int sleeperCount(Object event) {
        mon.lock();
        try {
            ArrayDeque<Sleeper> q = sleepers.get(event);
            return q == null ? 0 : q.size();
        } finally {
            mon.unlock();
        }
    }

    /** @return how many blocks are queued and not started (diagnostics) */
    public int pendingCount() {
        mon.lock();
        try {
            return pending.size();
        } finally {
            mon.unlock();
        }
    }

    /**
     * Cancels the queue for good (DriverKit Cancel): new blocks are refused, blocks already queued
     * still run, sleepers are woken with ABORTED; once the queue is idle the handler runs on the
     * queue and the queue's threads end. Returns at once; may be called from a block.
     *
     * @param handler run on the queue after the last block, or null
     * @return true if this call cancelled the queue; false if it was cancelled already (the
     *         handler is then ignored)
     */
    public boolean cancel(Runnable handler) {
        mon.lock();
        try {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            cancelHandler = handler;
            for (ArrayDeque<Sleeper> q : sleepers.values()) {
                for (Sleeper s : q) {
                    s.result = IOReturn.ABORTED;
                    resuming.add(s);
                    s.cond.signal();
                }
            }
            sleepers.clear();
            if (owner == null && !resuming.isEmpty()) {
                resuming.peek().cond.signal();
            }
            // Some worker is always idle, starting, on the queue or asleep in a block (a worker
            // leaves only when another one is idle), so one of them will see the end.
            workAvailable.signalAll();
            return true;
        } finally {
            mon.unlock();
        }
    }

    /** @return true once {@link #cancel(Runnable)} or {@link #close()} was called */
    public boolean isCancelled() {
        mon.lock();
        try {
            return cancelled;
        } finally {
            mon.unlock();
        }
    }

    /**
     * Waits until a cancelled queue has run its last block and its cancel handler and until its
     * threads have ended.
     *
     * @param nanoDeadline absolute deadline in {@link System#nanoTime()} units
     * @return true if the queue has terminated; false at the deadline or if it is not cancelled
     * @throws IllegalStateException if called on the queue
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public boolean awaitTermination(long nanoDeadline) {
        PrimaryInterruptContext.checkMayBlock("IODispatchQueue.awaitTermination");
        if (onQueue()) {
            throw new IllegalStateException("IODispatchQueue.awaitTermination called on queue " + name
                    + ": the queue cannot end while the caller is on it");
        }
        List<Thread> toJoin;
        boolean interrupted = false;
        mon.lock();
        try {
            if (!cancelled) {
                return false;
            }
            while (!finished) {
                long remaining = nanoDeadline - System.nanoTime();
                if (remaining <= 0L) {
                    return false;
                }
                try {
                    finishedCond.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            toJoin = new ArrayList<>(threads);
        } finally {
            mon.unlock();
        }
        try {
            for (Thread t : toJoin) {
                if (t == Thread.currentThread()) {
                    continue;
                }
                long remaining = nanoDeadline - System.nanoTime();
                while (t.isAlive() && remaining > 0L) {
                    try {
                        t.join(Math.max(1L, remaining / 1_000_000L));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    remaining = nanoDeadline - System.nanoTime();
                }
                if (t.isAlive()) {
                    return false;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Cancels the queue (without handler, if not cancelled yet) and waits, uninterruptibly, until
     * its blocks and cancel handler have run and no thread of the queue is left.
     *
     * @throws IllegalStateException if called on the queue (it would wait for itself)
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    @Override
    public void close() {
        PrimaryInterruptContext.checkMayBlock("IODispatchQueue.close");
        if (onQueue()) {
            throw new IllegalStateException("IODispatchQueue.close called on queue " + name
                    + ": it would wait for its own block; use cancel(handler) there");
        }
        cancel(null);
        while (!awaitTermination(System.nanoTime() + 60_000_000_000L)) {
            // keep waiting: a block that never returns keeps the queue alive, as in DriverKit
        }
    }

    @Override
    public String toString() {
        return "IODispatchQueue[" + name + (reentrant ? ", reentrant" : "") + "]";
    }

    // ---- internals; all below run with mon held unless stated ----

    private void wakeOrSpawnWorker() {
        if (idle > 0) {
            workAvailable.signal();
        } else if (starting == 0) {
            spawnWorker();
        }
    }

    private void spawnWorker() {
        threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
        Thread t = new Thread(this::workerLoop, threadName);
        t.setDaemon(true);
        threads.add(t);
        starting++;
        t.start();
    }

    private void workerLoop() {
        Thread me = Thread.currentThread();
        mon.lock();
        try {
            starting--;
            for (;;) {
                if (terminating) {
                    return;
                }
                if (owner == null && resuming.isEmpty() && !pending.isEmpty()) {
                    Runnable block = pending.poll();
                    owner = me;
                    runOwned(block, true);
                    owner = null;
                    if (!resuming.isEmpty()) {
                        resuming.peek().cond.signal();
                    }
                    continue;
                }
                if (cancelled && owner == null && resuming.isEmpty() && pending.isEmpty() && suspended == 0) {
                    terminating = true;
                    workAvailable.signalAll();
                    Runnable handler = cancelHandler;
                    cancelHandler = null;
                    if (handler != null) {
                        owner = me;
                        runOwned(handler, true);
                        owner = null;
                    }
                    finished = true;
                    finishedCond.signalAll();
                    return;
                }
                if (idle > 0 && !cancelled) {
                    return; // surplus helper: one idle worker is enough
                }
                idle++;
                try {
                    workAvailable.awaitUninterruptibly();
                } finally {
                    idle--;
                }
            }
        } finally {
            mon.unlock();
        }
    }

    /** Runs {@code block} with mon released; the caller owns the queue. */
    private void runOwned(Runnable block, boolean report) {
        mon.unlock();
        try {
            block.run();
        } catch (Throwable t) {
            if (report) {
                try {
                    errorHandler.accept(t);
                } catch (Throwable ignored) {
                    // the error handler itself failed: nothing sane left to report to
                }
            }
        } finally {
            mon.lock();
        }
    }

    private IOReturn doSleep(String operation, Object event, boolean timed, long deadline) {
        Objects.requireNonNull(event, "event");
        Thread me = Thread.currentThread();
        mon.lock();
        try {
            if (!reentrant) {
                throw new IllegalStateException(operation + " on queue " + name
                        + " which was not created REENTRANT: sleeping would stall every other block");
            }
            if (owner != me) {
                throw new IllegalStateException(operation + " must be called on queue " + name
                        + " (from one of its blocks)");
            }
            if (cancelled) {
                return IOReturn.ABORTED;
            }
            Sleeper s = new Sleeper(mon.newCondition());
            sleepers.computeIfAbsent(event, k -> new ArrayDeque<>()).add(s);
            suspended++;
            // Registered: now give the queue away.
            owner = null;
            if (!resuming.isEmpty()) {
                resuming.peek().cond.signal();
            } else if (!pending.isEmpty()) {
                wakeOrSpawnWorker();
            }
            boolean interrupted = false;
            while (s.result == null) {
                try {
                    if (timed) {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0L) {
                            ArrayDeque<Sleeper> q = sleepers.get(event);
                            q.remove(s);
                            if (q.isEmpty()) {
                                sleepers.remove(event);
                            }
                            s.result = IOReturn.TIMEOUT;
                            resuming.add(s);
                        } else {
                            s.cond.awaitNanos(remaining);
                        }
                    } else {
                        s.cond.await();
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            // Woken (or timed out / aborted): wait for the queue, sleepers before new blocks.
            while (owner != null || resuming.peek() != s) {
                try {
                    s.cond.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            resuming.poll();
            owner = me;
            suspended--;
            if (interrupted) {
                me.interrupt();
            }
            return s.result;
        } finally {
            mon.unlock();
        }
    }

    private int wake(String operation, Object event, boolean one) {
        Objects.requireNonNull(event, "event");
        mon.lock();
        try {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException(operation + " must be called on queue " + name
                        + " (from one of its blocks): dispatch a block that changes the state and wakes");
            }
            ArrayDeque<Sleeper> q = sleepers.get(event);
            if (q == null) {
                return 0;
            }
            int n = 0;
            do {
                Sleeper s = q.poll();
                s.result = IOReturn.SUCCESS;
                resuming.add(s);
                s.cond.signal();
                n++;
            } while (!one && !q.isEmpty());
            if (q.isEmpty()) {
                sleepers.remove(event);
            }
            return n;
        } finally {
            mon.unlock();
        }
    }
}
