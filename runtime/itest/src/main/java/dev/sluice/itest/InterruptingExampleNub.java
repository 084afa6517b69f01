package dev.sluice.itest;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptHandler;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.util.List;

/**
 * An example device nub, matched by the example drivers, that owns a work loop and offers one
 * interrupt line of a real {@link dev.sluice.platform.interrupt.InterruptController} as its
 * interrupt 0, the way a platform nub does. Its drivers share the nub's loop.
 */
final class InterruptingExampleNub extends IOService implements IOInterruptProvider {

    private final IOInterruptProvider lines;
    private final IOWorkLoop loop;

    InterruptingExampleNub(String name, IOInterruptProvider lines, IOWorkLoop loop) {
        super(name, null);
        this.lines = lines;
        this.loop = loop;
        setProperty("compatible", List.of("sluice,example-device"));
    }

    @Override
    public IOWorkLoop getWorkLoop() {
        return loop;
    }

    @Override
    public IOReturn registerInterrupt(int index, Object source, InterruptHandler handler) {
        return lines.registerInterrupt(index, source, handler);
    }

    @Override
    public IOReturn unregisterInterrupt(int index, Object source) {
        return lines.unregisterInterrupt(index, source);
    }

    @Override
    public IOReturn enableInterrupt(int index, Object source) {
        return lines.enableInterrupt(index, source);
    }

    @Override
    public IOReturn disableInterrupt(int index, Object source) {
        return lines.disableInterrupt(index, source);
    }

    @Override
    public InterruptType getInterruptType(int index) {
        return lines.getInterruptType(index);
    }

    @Override
    public IOReturn causeInterrupt(int index) {
        return lines.causeInterrupt(index);
    }

    @Override
    public IOReturn requeueInterrupts(int index, int count) {
        return lines.requeueInterrupts(index, count);
    }
}
