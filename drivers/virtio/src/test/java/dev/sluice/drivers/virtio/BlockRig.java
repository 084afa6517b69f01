package dev.sluice.drivers.virtio;

import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.ManualClock;
import dev.sluice.models.virtio.VirtioMmioDevice;
import dev.sluice.models.virtio.VirtioMmioFactory;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A virtio-mmio device model and a single-thread "work loop" that serialises the engine like the
 * driver's gate does: the model's interrupt line posts a service call to that thread, as the
 * kernel's interrupt event source would.
 */
final class BlockRig implements AutoCloseable {

    static final long RAM = 0x8000_0000L;

    final GuestMemory mem = new GuestMemory(RAM, 16L << 20);
    final DmaAllocator dma = new DmaAllocator(mem);
    final ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-workloop"));
    final VirtioMmioDevice device;
    final VirtioMmio transport;
    volatile Runnable onInterrupt = () -> { };
    /** Times the device raised its line. */
    final java.util.concurrent.atomic.AtomicLong raises = new java.util.concurrent.atomic.AtomicLong();

    BlockRig(Path dir, int deviceId, DeviceModelContext.Builder extra) throws DeviceModelException {
        InterruptLine line = new InterruptLine() {
            private volatile boolean raised;
            @Override public void raise() { raised = true; raises.incrementAndGet(); loop.execute(() -> onInterrupt.run()); }
            @Override public void lower() { raised = false; }
            @Override public void pulse() { loop.execute(() -> onInterrupt.run()); }
            @Override public boolean isRaised() { return raised; }
        };
        DeviceModelContext.Builder b = extra == null ? DeviceModelContext.builder("virtio@d0000000") : extra;
        b.path("/soc/virtio@d0000000").compatible("virtio,mmio").propertyU32(VirtioMmioFactory.PROP_DEVICE_ID, deviceId)
                .reg(0xd000_0000L, 0x200).guestMemory(mem).clock(new ManualClock()).baseDirectory(dir).interrupt(line);
        device = (VirtioMmioDevice) new VirtioMmioFactory().create(b.build());
        transport = new VirtioMmio(device.mmio(0));
    }

    static DeviceModelContext.Builder block(long sectors) {
        return DeviceModelContext.builder("virtio@d0000000").propertyU32(VirtioMmioFactory.PROP_CAPACITY, sectors)
                .propertyStrings("sluice,backend", "file:disk0.img");
    }

    /** Runs {@code r} on the loop thread and waits for it. */
    <T> T onLoop(java.util.concurrent.Callable<T> r) throws Exception {
        return loop.submit(r).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        loop.shutdown();
        loop.awaitTermination(5, TimeUnit.SECONDS);
        device.close();
    }
}
