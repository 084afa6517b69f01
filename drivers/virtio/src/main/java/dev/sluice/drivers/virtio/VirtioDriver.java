package dev.sluice.drivers.virtio;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.DmaException;
import dev.sluice.platform.IOPlatformDevice;

/**
 * What every virtio-mmio driver of this bundle does the same way: probe the nub's registers for
 * the device ID, start a {@link VirtioEngine} under a command gate, shut it down as a managed
 * resource, and service its interrupt line from an {@link IOInterruptEventSource}.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} (final) creates the gate, starts the engine with the gate closed (a failure is
 * recorded as the {@code start-error} property and start returns false), registers the engine's
 * shutdown with {@link #manage} so that it runs after the interrupt source is removed and before
 * the gate and the work loop go, adds and enables the interrupt source on the nub's interrupt 0,
 * and finally calls {@link #publish} for the subclass to offer its service.
 *
 * <h2>Threads</h2>
 * The engine is touched only with the gate closed: {@link #withEngine} on the caller's thread,
 * the interrupt action ({@link VirtioEngine#service()} then {@link #serviced}) on the work loop
 * thread. {@link #getWorkLoop()} is the provider's unless a subclass returns its own.
 *
 * @param <E> the engine type
 */
public abstract class VirtioDriver<E extends VirtioEngine> extends IOService {

    /** Work done with the gate closed on the started engine. */
    @FunctionalInterface
    protected interface EngineAction<E> {
        /** @return the result handed back by {@link #withEngine} */
        IOReturn run(E engine);
    }

    private IOCommandGate<VirtioDriver<E>> gate;
    private E engine; // guarded by the gate

    /** @return the virtio device ID this driver serves (2 block, 3 console, 4 entropy) */
    protected abstract int deviceId();

    /** @return a new, unstarted engine on the nub's registers, guest memory and DMA allocator */
    protected abstract E newEngine(IOPlatformDevice nub);

    /** @return the reason given to requests still outstanding when the driver stops */
    protected abstract String stopReason();

    /**
     * Offers the driver's service once the engine runs and its interrupt is enabled. Matching
     * thread, gate open.
     *
     * @return false to fail the start (everything acquired so far is released)
     */
    protected abstract boolean publish(IOPlatformDevice nub, E engine);

    /**
     * Called on the work loop thread, gate closed, after each interrupt service.
     *
     * @param harvested the used elements the engine harvested
     */
    protected void serviced(E engine, int harvested) {
    }

    /** Accepts a nub whose registers say virtio-mmio version 2 with this driver's device ID. */
    @Override
    public IOService probe(IOService provider, IOProbeScore score) {
        if (!(provider instanceof IOPlatformDevice nub) || nub.getDeviceMemoryCount() < 1) {
            return null;
        }
        return new VirtioMmio(nub.getDeviceMemory(0)).isVirtioDevice(deviceId()) ? this : null;
    }

    @Override
    public final boolean start(IOService provider) {
        IOPlatformDevice nub = (IOPlatformDevice) provider;
        E e = newEngine(nub);
        gate = IOCommandGate.commandGate(this);
        if (addEventSource(gate) != IOReturn.SUCCESS) {
            return false;
        }
        gate.runAction(self -> {
            try {
                e.start();
                self.engine = e;
            } catch (IOReturnException | DmaException x) {
                setProperty("start-error", String.valueOf(x.getMessage()));
            }
            return IOReturn.SUCCESS;
        });
        if (engine == null) {
            return false;
        }
        // released in reverse order: after the interrupt source is gone, before the gate and the loop
        manage(() -> gate.runAction(self -> {
            self.engine.shutdown(IOReturn.ABORTED, stopReason());
            return IOReturn.SUCCESS;
        }));
        IOInterruptEventSource<VirtioDriver<E>> irq = IOInterruptEventSource.interruptEventSource(this,
                (self, source, count) -> self.serviced(self.engine, self.engine.service()), nub, 0);
        if (addEventSource(irq) != IOReturn.SUCCESS) {
            return false;
        }
        irq.enable();
        return publish(nub, e);
    }

    /**
     * Runs {@code action} on the engine with the gate closed, on the caller's thread.
     *
     * @return the action's result, or the gate's refusal (for example ABORTED once the driver stops)
     */
    protected final IOReturn withEngine(EngineAction<E> action) {
        return gate.runAction(self -> action.run(self.engine));
    }

    /** @return the command gate (for commandSleep inside {@link #withEngine}, and commandWakeup) */
    protected final IOCommandGate<?> gate() {
        return gate;
    }
}
