package dev.sluice.drivers.rtc;

import dev.sluice.drivers.clock.api.RealTimeClock;
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
 * Driver for the ARM PL031 real-time clock ({@code arm,pl031} platform nubs). Probe accepts the nub
 * only if it has a 4 KiB register window whose PrimeCell/peripheral ID registers read as a PL031
 * and an interrupt line. Start builds {@link Pl031Clock} on the driver's work loop (its
 * provider's, or a dedicated one) and offers it to applications as {@link RealTimeClock} through
 * {@code registerClientInterface}, and to applications and the shell through user clients
 * ({@link Pl031UserClient}, type 0: {@code ioclient Pl031Rtc getTime}; setting the time needs
 * entitlement {@value Pl031UserClient#SET_TIME}). Stop masks the match interrupt and drops pending
 * alarms; the event source and callback queue are released with the driver.
 *
 * <p>Threads: probe/start/stop run on the kernel's matching thread; client calls on the callers'
 * threads (see {@link Pl031Clock}). No static state.
 */
@Personality(name = "Pl031Rtc", providerClass = "IOPlatformDevice", nameMatch = "arm,pl031", probeScore = 1000)
public final class Pl031Driver extends IOService implements IOUserClientProvider {

    private volatile Pl031Clock clock;

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
        return regs.size() >= 0x1000 && Pl031Clock.checkIds(regs) == null ? this : null;
    }

    @Override
    public IOWorkLoop getWorkLoop() {
        IOWorkLoop provided = super.getWorkLoop();
        return provided != null ? provided : dedicatedWorkLoop();
    }

    @Override
    public boolean start(IOService provider) {
        IOPlatformDevice nub = (IOPlatformDevice) provider;
        Pl031Clock t = new Pl031Clock(getName(), nub.getDeviceMemory(0), nub, this::addEventSource);
        manage(t::close);
        clock = t;
        registerClientInterface(RealTimeClock.class, t);
        return true;
    }

    /** Opening thread: a user client for connection type 0, none for other types. */
    @Override
    public IOUserClient newUserClient(int type, IOUserClientCaller caller) {
        Pl031Clock c = clock;
        return type == 0 && c != null ? Pl031UserClient.create(c) : null;
    }

    @Override
    public void stop(IOService provider) {
        Pl031Clock t = clock;
        if (t != null) {
            t.stop();
        }
    }
}
