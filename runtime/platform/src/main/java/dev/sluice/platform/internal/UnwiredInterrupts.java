package dev.sluice.platform.internal;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptHandler;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.models.InterruptLine;
import java.util.List;

/**
 * Stand-in until the platform's interrupt controller lands (branch intc): lines remember their
 * level and deliver nothing; nub providers refuse registrations with UNSUPPORTED.
 */
final class UnwiredInterrupts implements Interrupts {

    @Override
    public void configure(int line, InterruptType type) {
    }

    @Override
    public InterruptLine line(int line) {
        return new InterruptLine() {
            private volatile boolean raised;
            @Override public void raise() { raised = true; }
            @Override public void lower() { raised = false; }
            @Override public void pulse() { }
            @Override public boolean isRaised() { return raised; }
        };
    }

    @Override
    public IOInterruptProvider provider(String nubName, int[] lines) {
        return new IOInterruptProvider() {
            @Override public IOReturn registerInterrupt(int index, Object source, InterruptHandler handler) { return IOReturn.UNSUPPORTED; }
            @Override public IOReturn unregisterInterrupt(int index, Object source) { return IOReturn.BAD_ARGUMENT; }
            @Override public IOReturn enableInterrupt(int index, Object source) { return IOReturn.BAD_ARGUMENT; }
            @Override public IOReturn disableInterrupt(int index, Object source) { return IOReturn.BAD_ARGUMENT; }
            @Override public InterruptType getInterruptType(int index) { return null; }
            @Override public IOReturn causeInterrupt(int index) { return IOReturn.UNSUPPORTED; }
        };
    }

    @Override
    public List<String> statusTable() {
        return List.of("no interrupt controller yet");
    }

    @Override
    public void close() {
    }
}
