package dev.sluice.drivers.examples.specific;

import dev.sluice.drivers.examples.api.ExampleDevice;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;

/**
 * The specific example driver: matches the same nubs as the generic one with a higher probe
 * score, and its probe looks at the device before accepting it: it declines a device whose
 * {@code sluice,example-revision} property is below 2, leaving it to the generic driver.
 */
@Personality(name = "SpecificExample", providerClass = "IOService", nameMatch = "sluice,example-device", probeScore = 1000)
public final class SpecificExampleDriver extends IOService implements ExampleDevice {

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
        registerClientInterface(ExampleDevice.class, this);
        return true;
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
