package dev.sluice.kernel.dispatch;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A callback object a driver hands out, after DriverKit's {@code OSAction} (SEMANTICS S55).
 *
 * <h2>Invocation</h2>
 * {@link #invoke(Object)} may be called from any thread, in any context (an interrupt handler
 * included): it never runs the callback on the invoker's stack but dispatches it to the action's
 * target {@link IODispatchQueue}, where callbacks run one at a time in invocation order.
 *
 * <h2>Waiting for an invocation</h2>
 * One thread may wait for the next invocation, the way seed 000 blocks a user-client call until an
 * interrupt: call {@link #willWait()} <em>before</em> anything can invoke the action (for example
 * before arming the device), then {@link #waitForInvocation(WaitToken, long)}, then
 * {@link #endWait(WaitToken)}. An invocation that happens between willWait and the wait is
 * recorded in the token, so it is never lost. Only one token may be outstanding: a second
 * willWait before endWait is refused. The wait returns {@link IOReturn#SUCCESS} as soon as the
 * action has been invoked (the invocation's arguments are in the token); the callback itself is
 * queued on the target queue and may not have run yet. (DriverKit documents the wait as lasting
 * until the invocation "has completed"; here the waiter does not wait for the callback, because a
 * waiter that sits on the target queue, as an external method does, would otherwise wait for
 * itself.) Waiting on the target queue blocks that queue, as seed 000 warns.
 *
 * <h2>Cancel</h2>
 * {@link #cancel(Runnable)} is permanent: later invocations are refused with ABORTED, callbacks
 * queued but not started are dropped, a waiter gets ABORTED (unless the action was invoked
 * first), and the cancel handler runs on the target queue once every callback in progress has
 * returned (including one asleep on a reentrant queue). If the target queue is already cancelled,
 * no callback can be in progress and the handler runs on the cancelling thread.
 *
 * @param <T> the type of the invocation's arguments
 */
public final class OSAction<T> {

    private final IODispatchQueue queue;
    private final Consumer<? super T> callback;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The outstanding wait token or null; guarded by lock. */
    private WaitToken token;
    private boolean cancelled;
    /** Callbacks dispatched and not yet returned (or skipped); guarded by lock. */
    private int inFlight;
    private Runnable pendingCancelHandler;

    /**
     * The permission to wait for one invocation, from {@link #willWait()} to
     * {@link #endWait(WaitToken)} (DriverKit {@code OSActionWaitToken}).
     */
    public final class WaitToken {
        private boolean invoked;
        private boolean ended;
        private T arguments;

        private WaitToken() {
        }

        /** @return true once the action was invoked after this token was issued */
        public boolean invoked() {
            lock.lock();
            try {
                return invoked;
            } finally {
                lock.unlock();
            }
        }

        /** @return the arguments of the first invocation after this token was issued, or null */
        public T arguments() {
            lock.lock();
            try {
                return arguments;
            } finally {
                lock.unlock();
            }
        }
    }

    private OSAction(IODispatchQueue queue, Consumer<? super T> callback) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.callback = Objects.requireNonNull(callback, "callback");
    }

    /**
     * Creates an action.
     *
     * @param <T>      the type of the invocation's arguments
     * @param queue    the target queue on which the callback runs
     * @param callback the asynchronous callback, run on {@code queue}; use {@code args -> { }}
     *                 for an action that is only waited for
     * @return the action
     */
    public static <T> OSAction<T> create(IODispatchQueue queue, Consumer<? super T> callback) {
        return new OSAction<>(queue, callback);
    }

    /** @return the queue the callback runs on */
    public IODispatchQueue targetQueue() {
        return queue;
    }

    /**
     * Invokes the action: records the invocation in the outstanding wait token (waking the waiter)
     * and queues the callback on the target queue. Never blocks for long and never runs the
     * callback on the caller's stack; allowed in primary interrupt context.
     *
     * @param arguments the invocation's arguments (may be null)
     * @return SUCCESS; ABORTED if the action is cancelled; OFFLINE if the target queue is cancelled
     */
    public IOReturn invoke(T arguments) {
        lock.lock();
        try {
            if (cancelled) {
                return IOReturn.ABORTED;
            }
            IOReturn r = queue.dispatchAsync(() -> runCallback(arguments));
            if (r != IOReturn.SUCCESS) {
                return r;
            }
            inFlight++; // before the block can start: it needs this lock first
            if (token != null && !token.invoked) {
                token.invoked = true;
                token.arguments = arguments;
                changed.signalAll();
            }
            return IOReturn.SUCCESS;
        } finally {
            lock.unlock();
        }
    }

    /** Runs on the target queue. */
    private void runCallback(T arguments) {
        boolean run;
        lock.lock();
        try {
            run = !cancelled;
        } finally {
            lock.unlock();
        }
        try {
            if (run) {
                callback.accept(arguments);
            }
        } finally {
            Runnable handler = null;
            lock.lock();
            try {
                inFlight--;
                if (inFlight == 0 && pendingCancelHandler != null) {
                    handler = pendingCancelHandler;
                    pendingCancelHandler = null;
                }
            } finally {
                lock.unlock();
            }
            if (handler != null) {
                handler.run(); // on the target queue, after the last callback returned
            }
        }
    }

    /**
     * Announces that the caller will wait for the next invocation (DriverKit WillWait). Call it
     * before anything can invoke the action.
     *
     * @return the token to pass to {@link #waitForInvocation(WaitToken, long)} and {@link #endWait(WaitToken)}
     * @throws IllegalStateException if a token is outstanding (one waiter only)
     */
    public WaitToken willWait() {
        lock.lock();
        try {
            if (token != null) {
                throw new IllegalStateException("OSAction.willWait: the action already has a waiter"
                        + " (one waiter only; call endWait first)");
            }
            token = new WaitToken();
            return token;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits without deadline for the invocation (DriverKit Wait with deadline 0).
     *
     * @param token from {@link #willWait()}
     * @return SUCCESS when invoked; ABORTED when cancelled, when the token was ended by another
     *         thread, or when the waiting thread is interrupted (its interrupt status is kept)
     * @throws IllegalStateException if {@code token} is not this action's outstanding token
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public IOReturn waitForInvocation(WaitToken token) {
        PrimaryInterruptContext.checkMayBlock("OSAction.waitForInvocation");
        return doWait(token, false, 0L);
    }

    /**
     * Waits for the invocation until an absolute deadline (DriverKit Wait). Returns at once if
     * the action was invoked since {@link #willWait()}.
     *
     * @param token        from {@link #willWait()}
     * @param nanoDeadline absolute deadline in {@link System#nanoTime()} units
     * @return SUCCESS when invoked; ABORTED when cancelled (or the token was ended, or the thread
     *         was interrupted: its interrupt status is kept); TIMEOUT at the deadline
     * @throws IllegalStateException if {@code token} is not this action's outstanding token
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context
     */
    public IOReturn waitForInvocation(WaitToken token, long nanoDeadline) {
        PrimaryInterruptContext.checkMayBlock("OSAction.waitForInvocation");
        return doWait(token, true, nanoDeadline);
    }

    private IOReturn doWait(WaitToken t, boolean timed, long deadline) {
        Objects.requireNonNull(t, "token");
        lock.lock();
        try {
            if (t.ended || t != token) {
                throw new IllegalStateException("OSAction.waitForInvocation with a token that is not the"
                        + " action's outstanding token (ended, or from another willWait)");
            }
            for (;;) {
                if (t.invoked) {
                    return IOReturn.SUCCESS;
                }
                if (cancelled || t.ended) {
                    return IOReturn.ABORTED;
                }
                try {
                    if (timed) {
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0L) {
                            return IOReturn.TIMEOUT;
                        }
                        changed.awaitNanos(remaining);
                    } else {
                        changed.await();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return t.invoked ? IOReturn.SUCCESS : IOReturn.ABORTED;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Releases the token (DriverKit EndWait) so that a later {@link #willWait()} may issue a new
     * one. Never blocks. A thread still waiting on the token returns ABORTED.
     *
     * @param token from {@link #willWait()}
     * @throws IllegalStateException if {@code token} is not this action's outstanding token
     */
    public void endWait(WaitToken token) {
        Objects.requireNonNull(token, "token");
        lock.lock();
        try {
            if (token != this.token) {
                throw new IllegalStateException("OSAction.endWait with a token that is not the action's"
                        + " outstanding token");
            }
            token.ended = true;
            this.token = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels the action for good (DriverKit Cancel). Returns at once.
     *
     * @param handler run once every callback in progress has returned: on the target queue, or on
     *                the calling thread if that queue is cancelled; may be null
     * @return true if this call cancelled the action; false if it was cancelled already (the
     *         handler is then ignored)
     */
    public boolean cancel(Runnable handler) {
        Runnable runHere = null;
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            changed.signalAll();
            if (handler != null) {
                if (inFlight > 0) {
                    pendingCancelHandler = handler; // the last callback to return runs it
                } else if (queue.dispatchAsync(handler) != IOReturn.SUCCESS) {
                    runHere = handler;
                }
            }
        } finally {
            lock.unlock();
        }
        if (runHere != null) {
            runHere.run();
        }
        return true;
    }

    /** @return true once {@link #cancel(Runnable)} was called */
    public boolean isCancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }
}
