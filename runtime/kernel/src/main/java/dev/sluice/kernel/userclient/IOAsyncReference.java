package dev.sluice.kernel.userclient;

import dev.sluice.kernel.IOReturn;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The handle through which a driver completes one asynchronous external method call (I/O
 * Kit's async reference / DriverKit's {@code AsyncCompletion}). The driver keeps it and calls
 * {@link #complete} once, from any thread, including an interrupt action on its work loop or
 * primary interrupt context: completing never blocks and never runs the application's
 * completion on the completing thread; the kernel hands the result to the connection's
 * completion context. Completing with outputs whose shape differs from the method's entry
 * delivers {@link IOReturn#ERROR} naming the mismatch instead.
 */
public final class IOAsyncReference {

    private final IOExternalMethodDispatch dispatch;
    private final String owner;
    private final Consumer<IOCallResult> sink;
    private final AtomicBoolean done = new AtomicBoolean();

    /**
     * Kernel use: creates the reference for one accepted call.
     *
     * @param owner    the method table's owner (for messages)
     * @param dispatch the method's entry
     * @param sink     receives the result once; must not run application code on the calling thread
     */
    public IOAsyncReference(String owner, IOExternalMethodDispatch dispatch, Consumer<IOCallResult> sink) {
        this.owner = owner;
        this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** @return the method this reference completes */
    public IOExternalMethodDispatch method() {
        return dispatch;
    }

    /**
     * Completes the call.
     *
     * @param status  the call's result
     * @param scalars the scalar outputs (exactly the method's scalar output count when SUCCESS)
     * @param struct  the struct output (the method's struct output size when SUCCESS), or null
     * @return true if this call completed it; false if it was already completed or aborted
     */
    public boolean complete(IOReturn status, long[] scalars, byte[] struct) {
        Objects.requireNonNull(status, "status");
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        IOCallResult result;
        if (status != IOReturn.SUCCESS) {
            result = IOCallResult.failure(status, owner + "." + dispatch.name() + " completed with " + status);
        } else {
            String problem = IOExternalMethodTable.outputProblem(owner, dispatch, scalars, struct);
            result = problem == null ? IOCallResult.success(scalars, struct) : IOCallResult.failure(IOReturn.ERROR, problem);
        }
        sink.accept(result);
        return true;
    }

    /** Completes successfully with these scalar outputs and no struct. */
    public boolean complete(long... scalars) {
        return complete(IOReturn.SUCCESS, scalars, null);
    }

    /** Kernel use: completes with a failure carrying {@code message} (connection closed, driver gone). */
    public boolean abort(IOReturn status, String message) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        sink.accept(IOCallResult.failure(status, message));
        return true;
    }

    /** @return true once completed or aborted */
    public boolean isDone() {
        return done.get();
    }

    @Override
    public String toString() {
        return "IOAsyncReference(" + owner + "." + dispatch.name() + (isDone() ? ", done)" : ")");
    }
}
