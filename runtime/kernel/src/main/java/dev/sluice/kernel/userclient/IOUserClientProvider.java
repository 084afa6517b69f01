package dev.sluice.kernel.userclient;

/**
 * Implemented by a driver (an {@code IOService}) that applications may open: I/O Kit's
 * {@code IOService::newUserClient}. Without it, opening the driver fails with
 * {@code UNSUPPORTED}.
 */
public interface IOUserClientProvider {

    /**
     * Creates the user client for one new connection. Runs on the opening thread. Do not attach
     * or start it: the kernel checks its {@link IOUserClient#requiredEntitlement() entitlement}
     * first, then attaches it to this driver, initialises and starts it.
     *
     * @param type   the connection type the application asked for (driver-defined; 0 by default)
     * @param caller who is opening
     * @return the user client, or null if this driver has no user client of that type
     */
    IOUserClient newUserClient(int type, IOUserClientCaller caller);
}
