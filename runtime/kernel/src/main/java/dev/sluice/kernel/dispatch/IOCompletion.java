package dev.sluice.kernel.dispatch;

import dev.sluice.kernel.IOReturn;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;

/**
 * The completion of one asynchronous I/O request (SEMANTICS S56; seed 003, pitfall P2).
 *
 * <p>The submitter creates the completion, registers what should happen on completion on its
 * {@link #promise()} (an OSGi {@link Promise}: {@code onResolve}, {@code onSuccess},
 * {@code then}, ...) and passes it with the request; the driver calls {@link #complete(Object)}
 * or {@link #fail(Throwable)} exactly once, from any thread, possibly (the seed 003 mistake)
 * before the submit call has even returned.
 *
 * <h2>Contract</h2>
 * Promise callbacks never run on the completing thread: they always go through the completion's
 * callback executor, even when registered after the completion (the factory is built with
 * {@link PromiseFactory.Option#CALLBACKS_EXECUTOR_THREAD}). With a dispatch queue as executor
 * ({@link #on(IODispatchQueue)}), callbacks run on that queue, serialised with its other blocks; a
 * submitter running on that queue sees them only after its current block has returned, so a
 * completion never runs on the submitting thread before the submit call returns, even if the
 * driver completes synchronously inside it. Callbacks addressed to a queue that has been
 * cancelled are discarded, as DriverKit discards blocks dispatched to a cancelled queue (they are
 * counted in {@link #discardedCallbacks()}); they never fall back to the completing thread.
 *
 * <p>{@link #on(Executor)} accepts any executor: it must run tasks on some other thread (a
 * direct executor such as {@code Runnable::run} would void the guarantee), and tasks it rejects
 * are discarded as for a cancelled queue.
 *
 * <p>{@link #complete(Object)} and {@link #fail(Throwable)} never block and may be called in
 * primary interrupt context. The promise's own blocking getters ({@code getValue},
 * {@code getFailure} before resolution) belong to the OSGi library and are not guarded: do not
 * call them there, nor on the callback queue while waiting for a completion delivered to it.
 *
 * @param <T> the result type, e.g. a byte count
 */
public final class IOCompletion<T> {

    private final Deferred<T> deferred;
    private final AtomicBoolean resolved = new AtomicBoolean();
    private final AtomicLong discarded = new AtomicLong();

    private IOCompletion(Executor target) {
        Executor guarded = task -> {
            try {
                target.execute(task);
            } catch (RejectedExecutionException e) {
                // The promise implementation would run a rejected callback on the current thread,
                // which may be the submitter's stack: discard it instead.
                discarded.incrementAndGet();
            }
        };
        PromiseFactory factory = new PromiseFactory(guarded, null, PromiseFactory.Option.CALLBACKS_EXECUTOR_THREAD);
        this.deferred = factory.deferred();
    }

    /**
     * Creates a completion whose promise callbacks run on {@code queue}.
     *
     * @param <T>   the result type
     * @param queue the queue that runs the callbacks, typically the submitter's own queue
     * @return an unresolved completion
     */
    public static <T> IOCompletion<T> on(IODispatchQueue queue) {
        Objects.requireNonNull(queue, "queue");
        return new IOCompletion<>(task -> {
            if (queue.dispatchAsync(task) != IOReturn.SUCCESS) {
                throw new RejectedExecutionException(queue + " is cancelled");
            }
        });
    }

    /**
     * Creates a completion whose promise callbacks run on {@code executor}, which must not run
     * tasks on the submitting thread.
     *
     * @param <T>      the result type
     * @param executor runs the callbacks
     * @return an unresolved completion
     */
    public static <T> IOCompletion<T> on(Executor executor) {
        return new IOCompletion<>(Objects.requireNonNull(executor, "executor"));
    }

    /** @return the promise of the result; its callbacks run on the completion's executor */
    public Promise<T> promise() {
        return deferred.getPromise();
    }

    /**
     * Completes successfully. Any thread; never blocks; never runs a callback on this thread.
     *
     * @param result the result
     * @return true if this call completed it; false if it was already completed or failed
     */
    public boolean complete(T result) {
        if (!resolved.compareAndSet(false, true)) {
            return false;
        }
        deferred.resolve(result);
        return true;
    }

    /**
     * Completes with a failure. Any thread; never blocks; never runs a callback on this thread.
     *
     * @param failure why the request failed
     * @return true if this call completed it; false if it was already completed or failed
     */
    public boolean fail(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        if (!resolved.compareAndSet(false, true)) {
            return false;
        }
        deferred.fail(failure);
        return true;
    }

    /** @return true once {@link #complete(Object)} or {@link #fail(Throwable)} was called */
    public boolean isDone() {
        return resolved.get();
    }

    /** @return how many callbacks were discarded because the executor refused them */
    public long discardedCallbacks() {
        return discarded.get();
    }
}
