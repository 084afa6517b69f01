package dev.sluice.benchmarks.blk;

import dev.sluice.drivers.virtio.BlockEngine;
import dev.sluice.drivers.virtio.BlockEngine.Kind;
import dev.sluice.drivers.virtio.BlockEngine.Request;
import dev.sluice.drivers.virtio.BlockSubmitter;
import dev.sluice.drivers.virtio.VirtioMmio;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.virtio.VirtioMmioDevice;
import dev.sluice.models.virtio.VirtioMmioFactory;
import dev.sluice.platform.interrupt.InterruptController;

import java.nio.file.Path;

/**
 * The virtio-blk driver's data path without OSGi: the production {@link BlockEngine} (virtio-mmio
 * transport, split virtqueue, request splitting, bounce buffers, interrupt harvesting) on the
 * virtio-blk model over the image file, driven the way {@code VirtioBlockDriver} drives it: a
 * dedicated {@link IOWorkLoop}, submissions through its {@link BlockSubmitter} (the gate on the
 * caller's thread, or handed to the loop when the gate is taken), and a level {@link IOInterruptEventSource} on the platform's real
 * {@link InterruptController} (two CPU threads, line 16, as the microvm board) whose action
 * services the engine. Synchronous calls wait like the driver's; asynchronous ones complete from
 * the interrupt action. Not in the path: the registry, the client front and IOCompletion.
 */
final class EngineTarget implements BlockTarget {

    static final long RAM = 0x8000_0000L;
    static final int LINE = 16;

    private final SystemDeviceClock clock = new SystemDeviceClock();
    private final InterruptController controller = new InterruptController("intc", 64, 2, problem -> { });
    private final GuestMemory mem = new GuestMemory(RAM, 128L << 20);
    private final DmaAllocator dma = new DmaAllocator(mem);
    private final VirtioMmioDevice device;
    private final IOWorkLoop loop = IOWorkLoop.create("blk-bench");
    private final IOCommandGate<EngineTarget> gate = IOCommandGate.commandGate(this);
    private final IOInterruptEventSource<EngineTarget> irq;
    private final BlockEngine engine;
    private final BlockSubmitter submitter;

    /**
     * @param dir     the models' base directory; the image is {@code dir/image}
     * @param image   the image file name
     * @param sectors the capacity
     */
    EngineTarget(Path dir, String image, long sectors) throws Exception {
        controller.configure(LINE, InterruptType.LEVEL);
        DeviceModelContext ctx = DeviceModelContext.builder("virtio@a000000").path("/virtio@a000000")
                .compatible("virtio,mmio").propertyU32(VirtioMmioFactory.PROP_DEVICE_ID, 2)
                .propertyU32(VirtioMmioFactory.PROP_CAPACITY, sectors).propertyStrings("sluice,backend", "file:" + image)
                .reg(0xa000000L, 0x200).guestMemory(mem).clock(clock).baseDirectory(dir)
                .interrupt(controller.line(LINE)).build();
        device = (VirtioMmioDevice) new VirtioMmioFactory().create(ctx);
        engine = new BlockEngine(new VirtioMmio(device.mmio(0)), mem, dma);
        check(loop.addEventSource(gate));
        check(gate.runAction(self -> {
            self.engine.start();
            return IOReturn.SUCCESS;
        }));
        submitter = new BlockSubmitter(gate, engine);
        check(loop.addEventSource(submitter.doorbell()));
        irq = IOInterruptEventSource.interruptEventSource(this, (self, source, count) -> self.engine.service(),
                controller.provider("virtio@a000000", new int[] {LINE}), 0);
        check(loop.addEventSource(irq));
        irq.enable();
    }

    private static void check(IOReturn rc) {
        if (rc != IOReturn.SUCCESS) {
            throw new IllegalStateException("benchmark set-up failed: " + rc);
        }
    }

    @Override
    public String name() {
        return "driver engine";
    }

    @Override
    public boolean async() {
        return true;
    }

    @Override
    public void read(long sector, byte[] into) throws Exception {
        await(Kind.READ, sector, into);
    }

    @Override
    public void write(long sector, byte[] from) throws Exception {
        await(Kind.WRITE, sector, from);
    }

    @Override
    public void flush() throws Exception {
        await(Kind.FLUSH, 0, null);
    }

    @Override
    public void readAsync(long sector, byte[] into, Done done) {
        submit(new Request(Kind.READ, sector, into, r -> done.finished(r.failure())));
    }

    @Override
    public void writeAsync(long sector, byte[] from, Done done) {
        submit(new Request(Kind.WRITE, sector, from, r -> done.finished(r.failure())));
    }

    /** What {@code VirtioBlockDriver}'s synchronous calls do. */
    private void await(Kind kind, long sector, byte[] buffer) {
        submitter.await(kind, sector, buffer);
    }

    /** What its asynchronous calls do (they complete an IOCompletion in the callback). */
    private void submit(Request r) {
        submitter.submit(r);
    }

    @Override
    public void close() throws Exception {
        gate.runAction(self -> {
            self.engine.shutdown(IOReturn.ABORTED, "benchmark over");
            self.submitter.close();
            return IOReturn.SUCCESS;
        });
        loop.close();
        device.close();
        controller.close();
        clock.close();
    }
}
