package dev.sluice.kernel.registry;

import dev.sluice.kernel.catalog.IOPersonality;

/**
 * Kernel SPI behind {@link IOService}: what the kernel's service manager (matching engine,
 * OSGi publication, termination thread) does for services of one {@link IORegistry}. Drivers
 * never call it; the kernel bundle installs one per registry.
 */
public interface IOServiceManager {

    /** Called by {@link IOService#registerService()}: publish the service and start matching for it, off this thread. */
    void registerService(IOService service);

    /** Called when termination phase 1 reaches a service: unpublish it and deliver terminated notifications. */
    void terminated(IOService service);

    /** Runs termination phase 2 on the kernel's {@code IOTerminate} thread. */
    void runTermination(Runnable phase2);

    /** Logs a driver failure (probe or start threw, stop threw, a resource failed to release). */
    void failure(IOService service, String what, Throwable cause);

    /**
     * Publishes (once per nub and interface) a stable front for a driver's client interface
     * and makes {@code implementation} its current target; see {@link IOService#registerClientInterface}.
     */
    default <T> void provideInterface(IOService driver, Class<T> iface, T implementation) {
        throw new UnsupportedOperationException("this kernel has no client fronts");
    }

    /** @return the kernel's timer service (the shared {@code IOTimer} thread) for passive timers */
    default dev.sluice.kernel.workloop.IOTimerService timerService() {
        throw new UnsupportedOperationException("this kernel has no timer service");
    }

    /** Puts a work loop under the kernel's watchdog and into the {@code workloops} listing until it shuts down. */
    default void watch(dev.sluice.kernel.workloop.IOWorkLoop loop) {
    }

    /** @return the work loops the kernel knows of, for the {@code workloops} listing */
    default java.util.List<dev.sluice.kernel.workloop.IOWorkLoop> workLoops() {
        return java.util.List.of();
    }

    /** @return how many watchdog reports (gate held too long, deadlock) named this loop */
    default long stalls(dev.sluice.kernel.workloop.IOWorkLoop loop) {
        return 0;
    }

    /** Takes a loop out of the watchdog and the listing. */
    default void unwatch(dev.sluice.kernel.workloop.IOWorkLoop loop) {
    }

    /**
     * Logs a driver's debug message (see {@link IOService#debug(long, String)}); called on the
     * driver's thread only when its mask has one of the message's bits on. Default: dropped.
     *
     * @param bits the message's bits that are on
     */
    default void debugLog(IOService service, long bits, String message) {
    }

    /** @return the personality a driver instance was created from, or null for nubs */
    default IOPersonality personalityOf(IOService service) {
        return service.personality();
    }
}
