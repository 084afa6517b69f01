package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.workloop.internal.GateLock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A work loop (SEMANTICS S1-S20): a recursive lock called the <em>gate</em>, one dedicated thread
 * named {@code IOWorkLoop-<owner>}, and an ordered chain of {@link IOEventSource}s. Everything a
 * driver does to its device state happens with the gate closed, so interrupt actions, timer
 * actions, command-gate actions and {@link #runAction} never run at the same time.
 *
 * <h2>Threads</h2>
 * <ul>
 * <li>The loop thread closes the gate, calls {@code checkForWork()} on every active source in
 * insertion order, repeats while any source reports more work (rescanning from the head when the
 * chain changed), opens the gate, and sleeps until {@link #signalWorkAvailable()} (S12-S14). It
 * spins briefly before parking so that a signal shortly after a pass is picked up without a
 * park/unpark round trip.</li>
 * <li>{@link #runAction}, {@link #closeGate()}, command-gate actions run on the caller's thread.</li>
 * <li>{@link #signalWorkAvailable()} may be called from any thread, including primary interrupt
 * context; it never blocks.</li>
 * </ul>
 *
 * <h2>Sleeping in the gate</h2>
 * {@link #sleepGate(Object)} and its variants release the gate completely (whatever the recursion
 * count), sleep, and re-take it with the same count (S4). The sleeper is registered before the
 * gate is released, so a waker that takes the gate afterwards cannot lose the wakeup (S5); a
 * wakeup with no sleeper is not remembered (S6). <b>Difference from xnu:</b> events are keys
 * compared with {@code equals}/{@code hashCode} <em>within this gate</em>; a wakeup on one loop never
 * wakes a sleeper on another loop that used an equal key (xnu hashes the event address into one
 * global wait queue, S7). Use keys whose hash does not change while someone sleeps on them.
 *
 * <h2>Blocking and primary interrupt context</h2>
 * Every call that may block (closing the gate, sleeping, {@code runAction}, adding or removing a
 * source, shutdown) refuses at once with a
 * {@link dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation} when called in primary
 * interrupt context (S31, S43).
 *
 * <h2>Lifetime</h2>
 * {@link #create(String)} starts the thread; {@link #shutdown()} (also {@link #close()}) stops it,
 * disables and removes every source, and leaves no thread behind (S20). The gate and
 * {@link #runAction} keep working on a terminated loop (they need no thread), but sources can no
 * longer be added and sleeps return {@link SleepResult#RESTART}.
 */
public final class IOWorkLoop implements AutoCloseable {

    /** An action run with the gate closed by {@link #runAction(Action)}. */
    @FunctionalInterface
    public interface Action {
        /** @return the result handed back by {@code runAction} */
        IOReturn run();
    }

    /** Creation options. Immutable; the {@code with} methods return changed copies. */
    public static final class Options {
        private static final System.Logger LOG = System.getLogger("dev.sluice.kernel.workloop");
        private static final Options DEFAULTS = new Options(
                Runtime.getRuntime().availableProcessors() > 1 ? 20_000L : 0L, (src, t) ->
                LOG.log(System.Logger.Level.ERROR, "action of " + src + " threw; the loop carries on", t));

        private final long spinNanos;
        private final BiConsumer<? super IOEventSource<?>, ? super Throwable> errorHandler;

        private Options(long spinNanos, BiConsumer<? super IOEventSource<?>, ? super Throwable> errorHandler) {
            this.spinNanos = spinNanos;
            this.errorHandler = errorHandler;
        }

        /**
         * @return spin 20 us before parking the idle loop thread (not at all on a single CPU, where
         * spinning only delays the thread that would signal); report action failures to the
         * {@code System.Logger} named {@code dev.sluice.kernel.workloop}
         */
        public static Options defaults() {
            return DEFAULTS;
        }

        /** @param nanos how long the idle loop thread spins before parking; 0 parks at once */
        public Options withSpinNanos(long nanos) {
            if (nanos < 0) {
                throw new IllegalArgumentException("spin time must be >= 0: " + nanos);
            }
            return new Options(nanos, errorHandler);
        }

        /**
         * @param handler receives (source, throwable) when an action run by the loop thread or the
         *                timer thread throws; called on that thread, must not block
         */
        public Options withErrorHandler(BiConsumer<? super IOEventSource<?>, ? super Throwable> handler) {
            return new Options(spinNanos, Objects.requireNonNull(handler, "handler"));
        }

        /** @return the spin time in nanoseconds */
        public long spinNanos() {
            return spinNanos;
        }
    }

    private static final IOEventSource<?>[] NONE = new IOEventSource<?>[0];

    private final String owner;
    private final Options options;
    private final GateLock gate = new GateLock();
    private final Thread thread;

    /** Set by any thread that has work; cleared by the scanner at the start of each pass. */
    private volatile boolean workToDo;
    /** True while the loop thread is (about to be) parked. */
    private volatile boolean parked;
    /** Current idle spin in nanoseconds; confined to the loop thread. */
    private long adaptiveSpin;
    private volatile boolean terminating;

    // Guarded by the gate (written with it held; volatile only so monitors can read a snapshot).
    private volatile IOEventSource<?>[] activeChain = NONE;
    private volatile IOEventSource<?>[] passiveChain = NONE;
    private boolean chainChanged;
    /** The source whose checkForWork the scanner is in, for the watchdog. */
    private volatile IOEventSource<?> currentSource;

    private IOWorkLoop(String owner, Options options) {
        this.owner = owner;
        this.options = options;
        this.adaptiveSpin = options.spinNanos;
        this.thread = new Thread(this::threadMain, "IOWorkLoop-" + owner);
        thread.setDaemon(true);
    }

    /**
     * Creates a work loop and starts its thread, named {@code IOWorkLoop-<owner>}.
     *
     * @param owner the name of what the loop serves, e.g. the driver instance
     */
    public static IOWorkLoop create(String owner) {
        return create(owner, Options.defaults());
    }

    /**
     * @param owner   the name of what the loop serves
     * @param options spin time and error handler
     */
    public static IOWorkLoop create(String owner, Options options) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(options, "options");
        IOWorkLoop loop = new IOWorkLoop(owner, options);
        loop.thread.start();
        return loop;
    }

    /** @return the owner name given at creation */
    public String owner() {
        return owner;
    }

    /** @return the loop's dedicated thread (for diagnostics; do not interrupt or join it) */
    public Thread thread() {
        return thread;
    }

    // ================================================================== gate (S1-S3)

    /**
     * Closes the gate, waiting as long as another thread holds it. Recursive: the owner may close it
     * again and must open it as often (S1). Uninterruptible.
     *
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public void closeGate() {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.closeGate");
        gate.lock();
    }

    /** {@link #closeGate()} for callers in this package that have already made the S31 check. */
    void closeGateChecked() {
        gate.lock();
    }

    /**
     * Like {@link #closeGate()} but gives up when the waiting thread is interrupted. Not in I/O
     * Kit; lets a thread that may deadlock on two loops be freed by an interrupt.
     *
     * @throws InterruptedException if interrupted while waiting; the gate is not taken then
     */
    public void closeGateInterruptibly() throws InterruptedException {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.closeGateInterruptibly");
        gate.lockInterruptibly();
    }

    /**
     * Opens the gate once.
     *
     * @throws IllegalStateException if the calling thread does not hold the gate
     */
    public void openGate() {
        gate.unlock();
    }

    /**
     * Closes the gate if that needs no waiting: always succeeds for the owner (the count goes up),
     * never blocks for others (S2). Allowed in primary interrupt context since it never blocks.
     *
     * @return true if the caller now holds the gate (and must open it)
     */
    public boolean tryCloseGate() {
        return gate.tryLock();
    }

    /** @return true if the calling thread holds the gate (S3) */
    public boolean inGate() {
        return gate.isHeldByCurrentThread();
    }

    /** @return true if the calling thread is this loop's own thread, gate or not (S3) */
    public boolean onThread() {
        return Thread.currentThread() == thread;
    }

    /** @return the calling thread's recursion count on the gate, 0 if it does not hold it */
    public int gateHoldCount() {
        return gate.holdCount();
    }

    /** @return the thread holding the gate now, or null; a monitoring snapshot */
    public Thread gateOwner() {
        return gate.owner();
    }

    /** @return how many threads wait to close the gate; a monitoring snapshot */
    public int gateQueueLength() {
        return gate.queueLength();
    }

    /** @return the threads waiting to close the gate; a monitoring snapshot */
    public Collection<Thread> gateQueuedThreads() {
        return gate.queuedThreads();
    }

    /** @return how often the gate went from open to held since creation; a monitoring value */
    public long gateAcquisitions() {
        return gate.acquisitions();
    }

    // ================================================================== sleep / wakeup (S4-S9)

    /**
     * Sleeps interruptibly until {@code event} is woken (xnu's {@code THREAD_ABORTSAFE}). The caller
     * must hold the gate; it is released completely while sleeping and re-taken with the same
     * recursion count, whatever the result (S4).
     *
     * @param event a key, compared with equals within this gate (S7)
     * @return AWAKENED, INTERRUPTED (interrupt consumed), or RESTART (loop shutting down)
     * @throws IllegalStateException if the caller does not hold the gate
     */
    public SleepResult sleepGate(Object event) {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.sleepGate");
        return gate.sleep(event, null, false, 0L, true, false);
    }

    /**
     * Sleeps interruptibly until woken or until the absolute {@code deadline} (S9).
     *
     * @param deadline an absolute {@link System#nanoTime()} value
     * @return AWAKENED, TIMED_OUT, INTERRUPTED or RESTART
     */
    public SleepResult sleepGate(Object event, long deadline) {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.sleepGate");
        return gate.sleep(event, null, true, deadline, true, false);
    }

    /**
     * Sleeps until woken, ignoring interrupts ({@code THREAD_UNINT}); an interrupt that arrives
     * meanwhile stays set on the thread (S9).
     *
     * @return AWAKENED or RESTART
     */
    public SleepResult sleepGateUninterruptibly(Object event) {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.sleepGate");
        return gate.sleep(event, null, false, 0L, false, false);
    }

    /**
     * Sleeps until woken or the absolute deadline, ignoring interrupts (their status is kept).
     *
     * @return AWAKENED, TIMED_OUT or RESTART
     */
    public SleepResult sleepGateUninterruptibly(Object event, long deadline) {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.sleepGate");
        return gate.sleep(event, null, true, deadline, false, false);
    }

    /**
     * Wakes the sleepers on {@code event} in this gate: the longest-sleeping one if
     * {@code oneThread}, else all (S8). The caller need not hold the gate; nothing happens if
     * nobody sleeps on the event (S6). Never blocks for long; any thread.
     */
    public void wakeupGate(Object event, boolean oneThread) {
        gate.wakeup(event, oneThread);
    }

    /** @return how many threads sleep on {@code event} in this gate; a monitoring snapshot */
    public int sleeperCount(Object event) {
        return gate.sleeperCount(event);
    }

    /** @return how many threads sleep on any event of this gate; a monitoring snapshot */
    public int sleeperCount() {
        return gate.sleeperCount();
    }

    SleepResult sleepTagged(Object event, Object tag, boolean timed, long deadline, boolean interruptible) {
        return gate.sleep(event, tag, timed, deadline, interruptible, false);
    }

    SleepResult sleepDrain(Object event) {
        return gate.sleep(event, null, false, 0L, false, true);
    }

    void wakeupTagged(Object tag, SleepResult result) {
        gate.wakeupTagged(tag, result);
    }

    // ================================================================== actions (S18, S19)

    /**
     * Closes the gate (recursively), runs {@code action} on the caller's thread, opens the gate and
     * returns the action's result (S18). An exception from the action opens the gate and propagates.
     * Works on a terminated loop too.
     *
     * @return the action's result, or BAD_ARGUMENT for a null action
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public IOReturn runAction(Action action) {
        if (action == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.runAction");
        gate.lock();
        try {
            return action.run();
        } finally {
            gate.unlock();
        }
    }

    /**
     * Value-returning form of {@link #runAction(Action)}: runs {@code body} with the gate closed on
     * the caller's thread and returns its value.
     */
    public <R> R callInGate(Supplier<R> body) {
        Objects.requireNonNull(body, "body");
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.callInGate");
        gate.lock();
        try {
            return body.get();
        } finally {
            gate.unlock();
        }
    }

    /**
     * Runs pending work of the active sources synchronously on the calling thread, with the gate
     * closed, exactly as the loop thread would (S19).
     *
     * @return false once the loop is terminating (nothing was run), else true
     */
    public boolean runEventSources() {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.runEventSources");
        return scan();
    }

    /**
     * Tells the loop that a source has work: the loop thread makes another full pass (S13). Many
     * signals before a pass merge into one. Any thread, including primary interrupt context; never
     * blocks.
     */
    public void signalWorkAvailable() {
        workToDo = true;
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    // ================================================================== event sources (S15-S17)

    /**
     * Appends {@code source} at the tail of the chain (S16), at once, on the caller's thread, with
     * the gate closed; legal from inside an action (S15). A scan in progress restarts after the
     * current source. An interrupt source registers its handler again if it was removed before
     * (S39); a timer with a kept deadline is armed (S49).
     *
     * @return SUCCESS; BAD_ARGUMENT for null; NOT_READY if the loop is terminating; or the failure
     * of the source's attach hook (e.g. the provider refused the interrupt registration)
     * @throws IllegalStateException if the source already belongs to a loop (this or another). This
     *                               is a deliberate change: xnu silently ignores it.
     */
    public IOReturn addEventSource(IOEventSource<?> source) {
        if (source == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.addEventSource");
        gate.lock();
        try {
            if (terminating) {
                return IOReturn.NOT_READY;
            }
            if (!source.claim(this)) {
                IOWorkLoop other = source.getWorkLoop();
                throw new IllegalStateException(source + " already belongs to "
                        + (other == this ? "this work loop " : "work loop ") + other
                        + "; remove it there first (S16)");
            }
            if (source.isPassive()) {
                passiveChain = append(passiveChain, source);
            } else {
                activeChain = append(activeChain, source);
            }
            chainChanged = true;
            IOReturn r;
            try {
                r = source.attached(this);
            } catch (RuntimeException | Error e) {
                unlink(source);
                source.release(this);
                throw e;
            }
            if (r != IOReturn.SUCCESS) {
                unlink(source);
                source.release(this);
                return r;
            }
            return IOReturn.SUCCESS;
        } finally {
            gate.unlock();
        }
    }

    /**
     * Unlinks {@code source}, disables it and detaches it (S17), at once, on the caller's thread,
     * with the gate closed; legal from inside an action, including the source's own (P5). A scan in
     * progress restarts after the current source. Removing a command gate waits, with the gate
     * released, until its waiters and running actions have left (S30).
     *
     * @return SUCCESS (also when the source is on no loop: a no-op); BAD_ARGUMENT for null or a
     * source on another loop
     */
    public IOReturn removeEventSource(IOEventSource<?> source) {
        if (source == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.removeEventSource");
        gate.lock();
        try {
            IOWorkLoop current = source.getWorkLoop();
            if (current == null) {
                return IOReturn.SUCCESS;
            }
            if (current != this) {
                return IOReturn.BAD_ARGUMENT;
            }
            if (!unlink(source)) {
                return IOReturn.SUCCESS; // another thread's removal of it is in progress
            }
            chainChanged = true;
            try {
                source.disable();
                source.detached(this);
            } finally {
                source.release(this);
            }
            return IOReturn.SUCCESS;
        } finally {
            gate.unlock();
        }
    }

    /** @return the sources in chain order (active ones, then passive ones); a snapshot */
    public List<IOEventSource<?>> eventSources() {
        List<IOEventSource<?>> out = new ArrayList<>(Arrays.asList(activeChain));
        out.addAll(Arrays.asList(passiveChain));
        return out;
    }

    /** @return the source whose checkForWork is running on the scanning thread, or null; a snapshot */
    public IOEventSource<?> currentSource() {
        return currentSource;
    }

    private static IOEventSource<?>[] append(IOEventSource<?>[] chain, IOEventSource<?> s) {
        IOEventSource<?>[] n = Arrays.copyOf(chain, chain.length + 1);
        n[chain.length] = s;
        return n;
    }

    private boolean unlink(IOEventSource<?> s) {
        IOEventSource<?>[] a = activeChain;
        IOEventSource<?>[] r = remove(a, s);
        if (r != a) {
            activeChain = r;
            return true;
        }
        IOEventSource<?>[] p = passiveChain;
        r = remove(p, s);
        if (r != p) {
            passiveChain = r;
            return true;
        }
        return false;
    }

    private static IOEventSource<?>[] remove(IOEventSource<?>[] chain, IOEventSource<?> s) {
        for (int i = 0; i < chain.length; i++) {
            if (chain[i] == s) {
                IOEventSource<?>[] n = new IOEventSource<?>[chain.length - 1];
                System.arraycopy(chain, 0, n, 0, i);
                System.arraycopy(chain, i + 1, n, i, chain.length - i - 1);
                return n;
            }
        }
        return chain;
    }

    // ================================================================== the loop (S12-S14)

    private void threadMain() {
        while (scan()) {
            if (!awaitWork()) {
                break;
            }
        }
        currentSource = null;
    }

    /** One or more passes over the active chain with the gate held (S12, S14). */
    private boolean scan() {
        gate.lock();
        try {
            if (terminating) {
                return false;
            }
            boolean more;
            do {
                workToDo = false;
                more = false;
                chainChanged = false;
                IOEventSource<?>[] chain = activeChain;
                for (int i = 0; i < chain.length; i++) {
                    IOEventSource<?> s = chain[i];
                    currentSource = s;
                    try {
                        if (s.checkForWork()) {
                            more = true;
                        }
                    } catch (Throwable t) {
                        reportFailure(s, t);
                    }
                    if (terminating) {
                        return false;
                    }
                    if (chainChanged) { // S15: restart from the head after the current source
                        chainChanged = false;
                        chain = activeChain;
                        i = -1;
                    }
                }
                currentSource = null;
            } while (more);
            return true;
        } finally {
            currentSource = null;
            gate.unlock();
        }
    }

    /**
     * Waits for a signal (loop thread only). Spins first for an adaptive time: up to
     * {@link Options#spinNanos()}, halved each time the loop then had to park for longer than
     * that anyway, and reset to the maximum when a park ended within it (a spin would have
     * caught that signal). Spinning uses {@link Thread#onSpinWait()} only: yielding made a
     * loaded machine's wakeups milliseconds late, while a parked thread is woken promptly.
     *
     * @return false when terminating
     */
    private boolean awaitWork() {
        long max = options.spinNanos;
        if (adaptiveSpin > 0 && !workToDo) {
            long end = System.nanoTime() + adaptiveSpin;
            int i = 0;
            while (!workToDo && !terminating) {
                Thread.onSpinWait();
                if ((++i & 63) == 0 && System.nanoTime() - end >= 0) {
                    break;
                }
            }
        }
        if (!workToDo && !terminating) {
            long parkedAt = System.nanoTime();
            while (!workToDo && !terminating) {
                Thread.interrupted(); // the loop thread does not use interrupts; never let one spin park
                parked = true;
                if (!workToDo && !terminating) {
                    LockSupport.park(this);
                }
                parked = false;
            }
            adaptiveSpin = System.nanoTime() - parkedAt <= max ? max : adaptiveSpin / 2;
        }
        return !terminating;
    }

    void reportFailure(IOEventSource<?> source, Throwable t) {
        try {
            options.errorHandler.accept(source, t);
        } catch (Throwable ignored) {
            // the error handler itself failed: nothing sensible is left to do with it
        }
    }

    // ================================================================== shutdown (S20)

    /**
     * Shuts the loop down (S20): closes the gate (so gated actions in progress finish first), marks
     * the loop terminating, disables every source, wakes plain gate sleepers with
     * {@link SleepResult#RESTART}, removes (frees) every source, last added first (a command gate's
     * removal wakes its sleepers INTERRUPTED and waits for its actions, S30), then stops the thread
     * and waits for it to end. Idempotent.
     *
     * <p>Called on the loop thread itself or by a thread that holds the gate (from inside an
     * action), it cannot wait for the thread: the thread then ends as soon as the gate is opened.
     * Use {@link #awaitTermination} if that matters.
     */
    public void shutdown() {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.shutdown");
        gate.lock();
        try {
            if (!terminating) {
                terminating = true;
                IOEventSource<?>[] all = eventSources().toArray(NONE);
                for (IOEventSource<?> s : all) {
                    try {
                        s.disable();
                    } catch (RuntimeException e) {
                        reportFailure(s, e);
                    }
                }
                gate.close(SleepResult.RESTART);
                for (int i = all.length - 1; i >= 0; i--) {
                    try {
                        removeEventSource(all[i]);
                    } catch (RuntimeException e) {
                        reportFailure(all[i], e);
                    }
                }
                gate.wakeupEverybody(SleepResult.RESTART);
            }
        } finally {
            gate.unlock();
        }
        LockSupport.unpark(thread);
        if (!onThread() && !inGate()) {
            joinUninterruptibly();
        }
    }

    /** Same as {@link #shutdown()}. */
    @Override
    public void close() {
        shutdown();
    }

    /** @return true once {@link #shutdown()} has begun */
    public boolean isTerminating() {
        return terminating;
    }

    /** @return true once shutdown has begun and the loop thread has ended */
    public boolean isTerminated() {
        return terminating && !thread.isAlive();
    }

    /**
     * Waits for the loop thread to end after {@link #shutdown()}.
     *
     * @return true if it ended within the timeout
     */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        PrimaryInterruptContext.checkMayBlock("IOWorkLoop.awaitTermination");
        if (onThread()) {
            return false;
        }
        thread.join(Math.max(1L, unit.toMillis(timeout)));
        return !thread.isAlive();
    }

    private void joinUninterruptibly() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "IOWorkLoop-" + owner;
    }
}
