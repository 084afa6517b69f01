package dev.sluice.itest;

import static dev.sluice.kernel.userclient.IOExternalMethodDispatch.VARIABLE;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.userclient.IOAsyncReference;
import dev.sluice.kernel.userclient.IOExternalMethodArguments;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOExternalMethodTable;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.userclient.IOUserClientCaller;
import dev.sluice.kernel.userclient.IOUserClientProvider;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.kernel.workloop.SleepResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A driver with user clients for the in-framework tests, matched to nubs compatible with
 * {@code sluice,uc-test}. Its "hardware" is a doorbell interrupt source that tests ring.
 *
 * <p>Seed 000's question, answered: {@code waitIrq} blocks its caller until the next interrupt by
 * sleeping in {@link IOCommandGate#commandSleep} inside a gate action. The sleep releases the
 * gate, so other clients' calls (all of which take the gate) run meanwhile; the interrupt action
 * (on the work loop, gate held) counts the interrupt and wakes the sleepers, and completes the
 * asynchronous {@code irqAsync} calls. No spinning, no lock in the interrupt path.
 *
 * <p>Type 0 user clients require entitlement {@value #ENTITLEMENT}; type 1 ones are open to all.
 * Debug bits: 0x1 calls, 0x2 interrupts.
 */
@Personality(name = "UCTest", providerClass = "IOService", nameMatch = "sluice,uc-test")
public final class UserClientTestDriver extends IOService implements IOUserClientProvider {

    static final String ENTITLEMENT = "sluice.test.userclient";
    static final long DEBUG_CALLS = 0x1;
    static final long DEBUG_IRQ = 0x2;

    private final Object irqEvent = new Object();
    private IOCommandGate<UserClientTestDriver> gate;
    private IOInterruptEventSource<UserClientTestDriver> doorbell;
    // guarded by the work loop's gate
    private long interrupts;
    private int sleepers;
    private long calls;
    private final List<IOAsyncReference> irqWaiters = new ArrayList<>();

    @Override
    public IOWorkLoop getWorkLoop() {
        return dedicatedWorkLoop();
    }

    @Override
    public boolean start(IOService provider) {
        gate = IOCommandGate.commandGate(this);
        doorbell = IOInterruptEventSource.interruptEventSource(this, (self, source, count) -> self.interrupt(count));
        return addEventSource(gate) == IOReturn.SUCCESS && addEventSource(doorbell) == IOReturn.SUCCESS;
    }

    @Override
    public IOUserClient newUserClient(int type, IOUserClientCaller caller) {
        IOExternalMethodTable table = IOExternalMethodTable.of("UCTest",
                IOExternalMethodDispatch.sync(0, "add", 2, 1, 0, 0, this::add),
                IOExternalMethodDispatch.sync(1, "echo", 0, 0, VARIABLE, VARIABLE, this::echo),
                IOExternalMethodDispatch.sync(2, "id", 0, 1, 0, 8, this::id),
                IOExternalMethodDispatch.sync(3, "waitIrq", 0, 1, 0, 0, this::waitIrq),
                IOExternalMethodDispatch.async(4, "addAsync", 2, 1, 0, 0, this::addAsync),
                IOExternalMethodDispatch.async(5, "irqAsync", 0, 1, 0, 0, this::irqAsync));
        switch (type) {
            case 0: return new IOUserClient(table, ENTITLEMENT);
            case 1: return new IOUserClient(table);
            default: return null;
        }
    }

    /** The interrupt action: on the loop thread, gate held. */
    private void interrupt(int count) {
        interrupts += count;
        debug(DEBUG_IRQ, "doorbell, %s interrupts so far", interrupts);
        gate.commandWakeup(irqEvent, false);
        for (IOAsyncReference r : irqWaiters) {
            r.complete(interrupts);
        }
        irqWaiters.clear();
    }

    /** "Hardware": rings the doorbell. Any thread. */
    void ringDoorbell() {
        doorbell.interruptOccurred();
    }

    /** @return how many callers sleep in waitIrq now */
    int sleepers() {
        int[] n = new int[1];
        gate.runAction(self -> {
            n[0] = self.sleepers;
            return IOReturn.SUCCESS;
        });
        return n[0];
    }

    private IOReturn add(IOExternalMethodArguments a) {
        long x = a.scalarInput(0);
        long y = a.scalarInput(1);
        debug(DEBUG_CALLS, "add %s + %s from %s", x, y, a.caller().bundle());
        return gate.runAction(self -> {
            self.calls++;
            a.setScalarOutput(0, x + y);
            return IOReturn.SUCCESS;
        });
    }

    private IOReturn echo(IOExternalMethodArguments a) {
        byte[] in = a.structInput();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[in.length - 1 - i];
        }
        a.setStructOutput(out);
        return IOReturn.SUCCESS;
    }

    private IOReturn id(IOExternalMethodArguments a) {
        a.setScalarOutput(0, getRegistryEntryID());
        a.setStructOutput("UCTEST01".getBytes(StandardCharsets.US_ASCII));
        return IOReturn.SUCCESS;
    }

    /** Blocks the caller until the next interrupt, with the gate released meanwhile (seed 000). */
    private IOReturn waitIrq(IOExternalMethodArguments a) {
        return gate.runAction(self -> {
            long before = self.interrupts;
            self.sleepers++;
            try {
                while (self.interrupts == before) {
                    if (gate.commandSleep(irqEvent) != SleepResult.AWAKENED) {
                        return IOReturn.ABORTED;
                    }
                }
            } finally {
                self.sleepers--;
            }
            a.setScalarOutput(0, self.interrupts);
            return IOReturn.SUCCESS;
        });
    }

    /** Completes inside the method, on the caller's thread: the kernel must still not run the completion here. */
    private IOReturn addAsync(IOExternalMethodArguments a) {
        a.asyncReference().complete(a.scalarInput(0) + a.scalarInput(1));
        return IOReturn.SUCCESS;
    }

    /** Completes at the next interrupt, from the interrupt action. */
    private IOReturn irqAsync(IOExternalMethodArguments a) {
        return gate.runAction(self -> {
            self.irqWaiters.add(a.asyncReference());
            return IOReturn.SUCCESS;
        });
    }
}
