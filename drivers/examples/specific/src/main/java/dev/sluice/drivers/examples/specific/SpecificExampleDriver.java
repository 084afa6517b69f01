package dev.sluice.drivers.examples.specific;

import dev.sluice.drivers.examples.api.ExampleDevice;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;

/**
 * The specific example driver: matches the same nubs as the generic one with a higher probe
 * score, and its probe looks at the device before accepting it: it declines a device whose
 * {@code sluice,example-revision} property is below 2, leaving it to the generic driver.
 *
 * <p>If its provider has an interrupt line (an {@link IOInterruptProvider} with interrupt 0), the
 * driver also services it: its interrupt action adds each call's count to the provider's
 * {@value #INTERRUPTS_PROPERTY} property, a lifetime total of the device that outlives driver
 * instances, so an update of this bundle can be seen to lose no interrupt.
 */
@Personality(name = "SpecificExample", providerClass = "IOService", nameMatch = "sluice,example-device", probeScore = 1000)
public final class SpecificExampleDriver extends IOService implements ExampleDevice {

    /** The provider property holding how many interrupts the device's drivers have handled. */
    public static final String INTERRUPTS_PROPERTY = "sluice,example-interrupts";

    private IOCommandGate<SpecificExampleDriver> gate;
    private long answered; // guarded by the work loop's gate

    @Override
    public IOService probe(IOService provider, IOProbeScore score) {
        Object revision = provider.getProperty("sluice,example-revision");
        if (revision instanceof Number && ((Number) revision).intValue() < 2) {
            return null;
        }
        return this;
    }

    @Override
    public IOWorkLoop getWorkLoop() {
        IOWorkLoop provided = super.getWorkLoop();
        return provided != null ? provided : dedicatedWorkLoop();
    }

    @Override
    public boolean start(IOService provider) {
        gate = IOCommandGate.commandGate(this);
        if (addEventSource(gate) != IOReturn.SUCCESS) {
            return false;
        }
        if (provider instanceof IOInterruptProvider lines && lines.getInterruptType(0) != null) {
            IOInterruptEventSource<SpecificExampleDriver> irq = IOInterruptEventSource.interruptEventSource(this,
                    (self, source, count) -> self.interrupted(count), lines, 0);
            if (addEventSource(irq) != IOReturn.SUCCESS) {
                return false;
            }
            irq.enable();
        }
        registerClientInterface(ExampleDevice.class, this);
        return true;
    }

    /** The interrupt action: on the work loop thread, gate closed. */
    private void interrupted(int count) {
        IOService device = getProvider();
        if (device == null) {
            return;
        }
        Object before = device.getProperty(INTERRUPTS_PROPERTY);
        device.setProperty(INTERRUPTS_PROPERTY, (before instanceof Long n ? n : 0L) + count);
    }

    @Override
    public String driver() {
        return "specific";
    }

    @Override
    public long echo(long request) {
        gate.runAction(self -> {
            self.answered++;
            return IOReturn.SUCCESS;
        });
        return request;
    }

    @Override
    public long answered() {
        long[] n = new long[1];
        gate.runAction(self -> {
            n[0] = self.answered;
            return IOReturn.SUCCESS;
        });
        return n[0];
    }
}
