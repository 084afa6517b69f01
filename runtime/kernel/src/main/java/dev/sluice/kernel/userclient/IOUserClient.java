package dev.sluice.kernel.userclient;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One application connection to a driver (I/O Kit's {@code IOUserClient}). The driver creates
 * one per {@link IOKitLib#open open} in {@link IOUserClientProvider#newUserClient}, giving it a
 * {@link IOExternalMethodTable dispatch table} and optionally the {@link Entitlement} the caller
 * must hold; the kernel checks the entitlement, then attaches the user client to the driver in
 * the service plane (it shows in {@code ioreg} below the driver), initialises and starts it.
 *
 * <h2>Calls</h2>
 * The kernel checks every call against the table before any driver code runs. Methods run on
 * the caller's thread, concurrently with other connections' calls; a method that must wait for
 * the hardware should sleep with its work loop's gate released ({@code IOCommandGate.commandSleep}
 * inside {@code runAction}, woken by an interrupt action) so that other clients keep going
 * (seed 000), or be asynchronous and complete its {@link IOAsyncReference} from the interrupt
 * action.
 *
 * <h2>End of a connection (S70)</h2>
 * Closing the connection, the calling bundle stopping, or the driver terminating terminates the
 * user client: {@link #clientClose()} runs first when the application closed it, then the usual
 * {@code willTerminate / didTerminate / stop} with the driver's gate held. Resources it
 * {@link #manage manages} are released after stop. Asynchronous calls still pending complete
 * with {@link IOReturn#ABORTED} (closed) or {@link IOReturn#OFFLINE} (driver gone). A user
 * client always agrees to terminate with its driver.
 */
public class IOUserClient extends IOService {

    private final IOExternalMethodTable table;
    private final String requiredEntitlement;
    private volatile IOUserClientCaller caller;
    private volatile int type;

    /** A user client anyone may open. */
    public IOUserClient(IOExternalMethodTable table) {
        this(table, null);
    }

    /**
     * @param table               the external methods
     * @param requiredEntitlement the entitlement the opening bundle must declare, or null for none
     */
    public IOUserClient(IOExternalMethodTable table, String requiredEntitlement) {
        super(Objects.requireNonNull(table, "table").owner() + "UserClient", null);
        this.table = table;
        this.requiredEntitlement = requiredEntitlement;
    }

    /** @return the dispatch table */
    public final IOExternalMethodTable methodTable() {
        return table;
    }

    /** @return the entitlement an opener must hold, or null */
    public final String requiredEntitlement() {
        return requiredEntitlement;
    }

    /** @return who opened this connection (null until the kernel opened it) */
    public final IOUserClientCaller caller() {
        return caller;
    }

    /** @return the type asked for at open */
    public final int type() {
        return type;
    }

    /** Kernel use: records the opener before the user client is started. */
    public final void opened(IOUserClientCaller by, int connectionType) {
        this.caller = by;
        this.type = connectionType;
        setProperty("IOUserClientCreator", by.toString());
        setProperty("IOUserClientType", connectionType);
    }

    /**
     * Called on the closing thread when the application closes the connection (or its bundle
     * stops), before the user client terminates (I/O Kit's clientClose). Default: nothing.
     */
    protected void clientClose() {
    }

    /** Kernel use: runs {@link #clientClose()}, reporting what it throws. */
    public final void closedByClient() {
        try {
            clientClose();
        } catch (RuntimeException e) {
            report("clientClose", e);
        }
    }

    /** A user client always terminates with its driver. */
    @Override
    public final boolean requestTerminate(IOService provider) {
        return true;
    }

    /**
     * Kernel use: checks a synchronous call and runs it on this thread.
     *
     * @return the method's result; BAD_ARGUMENT for a malformed call; OFFLINE once terminated;
     * ERROR if the method threw (reported to the kernel log)
     */
    public final IOCallResult externalMethod(Object method, long[] scalarInput, byte[] structInput) {
        if (isInactive()) {
            return IOCallResult.failure(IOReturn.OFFLINE, table.owner() + ": the connection's user client is terminated");
        }
        try {
            return table.call(method, scalarInput, structInput, caller);
        } catch (RuntimeException e) {
            report("external method " + method, e);
            return IOCallResult.failure(IOReturn.ERROR, table.owner() + "." + method + " failed: " + e);
        }
    }

    /**
     * Kernel use: checks an asynchronous call and starts it on this thread; see
     * {@link IOExternalMethodTable#callAsync}.
     */
    public final IOCallResult externalMethodAsync(Object method, long[] scalarInput, byte[] structInput,
            Consumer<IOCallResult> sink, Consumer<IOAsyncReference> accepted) {
        if (isInactive()) {
            return IOCallResult.failure(IOReturn.OFFLINE, table.owner() + ": the connection's user client is terminated");
        }
        try {
            return table.callAsync(method, scalarInput, structInput, caller, sink, accepted);
        } catch (RuntimeException e) {
            report("external method " + method, e);
            return IOCallResult.failure(IOReturn.ERROR, table.owner() + "." + method + " failed: " + e);
        }
    }

    private void report(String what, RuntimeException e) {
        IORegistry r = getRegistry();
        if (r != null && r.manager() != null) {
            r.manager().failure(this, what, e);
        }
    }
}
