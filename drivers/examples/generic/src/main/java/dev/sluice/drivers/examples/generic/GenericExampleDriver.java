package dev.sluice.drivers.examples.generic;

import dev.sluice.drivers.examples.api.ExampleDevice;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;

/**
 * The generic example driver: drives any {@code sluice,example-device} nub with a low probe
 * score, so a more specific driver wins when present and this one takes over when it goes.
 *
 * <p>The pattern to copy: every piece of state belongs to the instance; work is serialised by a
 * command gate on the driver's work loop (the provider's, or a dedicated one when the provider
 * has none); the client interface is offered with {@link #registerClientInterface}; everything
 * acquired through the runtime (the gate, the loop) is released by the kernel when the driver
 * stops.
 */
@Personality(name = "GenericExample", providerClass = "IOService", nameMatch = "sluice,example-device", probeScore = 0)
public final class GenericExampleDriver extends IOService implements ExampleDevice {

    private IOCommandGate<GenericExampleDriver> gate;
    private long answered; // guarded by the work loop's gate

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
        return "generic";
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
