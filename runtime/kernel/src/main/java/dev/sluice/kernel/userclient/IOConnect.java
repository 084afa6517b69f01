package dev.sluice.kernel.userclient;

import dev.sluice.kernel.registry.IOService;
import java.util.List;

/**
 * An application's open connection to a driver's user client ({@code io_connect_t}), from
 * {@link IOKitLib#open}. Thread-safe: several threads may call at once; each call runs the
 * driver's method on the calling thread.
 *
 * <p>A method is named by an {@link Integer} selector or a {@link String} name. Malformed calls
 * (unknown method, wrong argument shapes) fail with BAD_ARGUMENT before the driver sees them;
 * calls on a closed connection fail with OFFLINE.
 */
public interface IOConnect extends AutoCloseable {

    /** @return the driver this connection reaches */
    IOService service();

    /** @return the user client serving this connection */
    IOUserClient userClient();

    /** @return the connection type asked for at open */
    int type();

    /** @return the user client's external methods, by selector */
    List<IOExternalMethodDispatch> methods();

    /**
     * Calls a synchronous method on this thread; returns when the driver does (possibly after
     * waiting for the hardware).
     *
     * @param method an Integer selector or a String name
     * @param scalars scalar inputs (null = none)
     * @param struct  struct input (null = none)
     * @return the result; never null
     */
    IOCallResult call(Object method, long[] scalars, byte[] struct);

    /** Calls a synchronous method with scalar inputs only. */
    default IOCallResult call(Object method, long... scalars) {
        return call(method, scalars, null);
    }

    /**
     * Starts an asynchronous method and returns at once. If the result is SUCCESS the call was
     * accepted and {@code completion} will run exactly once, on the connection's completion
     * context, never on this thread's stack (S56); otherwise the completion never runs.
     *
     * @return SUCCESS (accepted) or the immediate failure
     */
    IOCallResult callAsync(Object method, long[] scalars, byte[] struct, IOAsyncCompletion completion);

    /** @return false once closed, or released because the driver or the calling bundle went away */
    boolean isOpen();

    /**
     * Closes the connection: pending asynchronous calls complete with ABORTED, the user client
     * terminates. Idempotent.
     */
    @Override
    void close();
}
