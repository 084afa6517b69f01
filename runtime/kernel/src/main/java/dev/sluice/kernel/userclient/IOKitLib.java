package dev.sluice.kernel.userclient;

import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.registry.IOService;

/**
 * The application side of user clients (IOKitLib's {@code IOServiceOpen}), an OSGi service of
 * the kernel. Each bundle gets its own instance (a bundle-scoped service), so the kernel knows
 * who calls: the bundle's {@link Entitlement entitlements} are checked at open, and when the
 * bundle stops (releases the service) its connections are closed.
 */
public interface IOKitLib {

    /**
     * Opens a connection; completions of asynchronous calls run on the kernel's completion
     * thread for this bundle ({@code IOCompletion-<bundle>}), one at a time in completion order.
     *
     * @param service the driver, or a nub whose single active driver implements {@link IOUserClientProvider}
     * @param type    the connection type (driver-defined; usually 0)
     * @return the open connection
     * @throws dev.sluice.kernel.workloop.IOReturnException UNSUPPORTED (no user client / type),
     *         NOT_PERMITTED (entitlement missing, named in the message), OFFLINE (inactive
     *         service), BAD_ARGUMENT (null service), ERROR (the driver failed)
     */
    IOConnect open(IOService service, int type);

    /** As {@link #open(IOService, int)}, with completions delivered on {@code completionQueue}. */
    IOConnect open(IOService service, int type, IODispatchQueue completionQueue);

    /** @return the calling bundle as the kernel sees it (name and entitlements) */
    IOUserClientCaller caller();
}
