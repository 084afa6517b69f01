package dev.sluice.drivers.timer;

import dev.sluice.drivers.clock.api.HardwareTimer;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.userclient.IOUserClientCaller;
import dev.sluice.kernel.userclient.IOUserClientProvider;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.MmioRegion;
import dev.sluice.platform.IOPlatformDevice;

/**
 * Driver for the ARM SP804 dual timer ({@code arm,sp804} platform nubs). Probe accepts the nub only
 * if it has a 4 KiB register window whose PrimeCell/peripheral ID registers read as an SP804 and
 * at least one interrupt line. Start builds {@link Sp804Timers} on the driver's work loop (its
 * provider's, or a dedicated one) and offers it to applications as {@link HardwareTimer} through
 * {@code registerClientInterface}, and to applications and the shell through user clients
 * ({@link Sp804UserClient}, type 0, no entitlement: {@code ioclient Sp804Timer waitForInterrupt 1000}).
 * Stop stops the counters and fails callers still waiting; the event sources and queues are
 * released with the driver.
 *
 * <p>Threads: probe/start/stop run on the kernel's matching thread; client calls on the callers'
 * threads (see {@link Sp804Timers}). No static state.
 */
@Personality(name = "Sp804Timer", providerClass = "IOPlatformDevice", nameMatch = "arm,sp804", probeScore = 1000)
public final class Sp804Driver extends IOService implements IOUserClientProvider {

    private volatile Sp804Timers timers;

    @Override
    public IOService probe(IOService provider, IOProbeScore score) {
        if (!(provider instanceof IOPlatformDevice)) {
            return null;
        }
        IOPlatformDevice nub = (IOPlatformDevice) provider;
        if (nub.getDeviceMemoryCount() < 1 || nub.getInterruptType(0) == null) {
            return null;
        }
        MmioRegion regs = nub.getDeviceMemory(0);
        return regs.size() >= 0x1000 && Sp804Timers.checkIds(regs) == null ? this : null;
    }

    @Override
    public IOWorkLoop getWorkLoop() {
        IOWorkLoop provided = super.getWorkLoop();
        return provided != null ? provided : dedicatedWorkLoop();
    }

    @Override
    public boolean start(IOService provider) {
        IOPlatformDevice nub = (IOPlatformDevice) provider;
        int lines = nub.getInterruptType(1) != null ? 2 : 1;
        Sp804Timers t = new Sp804Timers(getName(), nub.getDeviceMemory(0), nub, lines, this::addEventSource);
        manage(t::close);
        timers = t;
        registerClientInterface(HardwareTimer.class, t);
        return true;
    }

    /** Opening thread: a user client for connection type 0, none for other types. */
    @Override
    public IOUserClient newUserClient(int type, IOUserClientCaller caller) {
        Sp804Timers t = timers;
        return type == 0 && t != null ? Sp804UserClient.create(t) : null;
    }

    @Override
    public void stop(IOService provider) {
        Sp804Timers t = timers;
        if (t != null) {
            t.stop();
        }
    }
}
