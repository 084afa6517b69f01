package dev.sluice.models.virtio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.RecordingInterruptLine;

/** Builds models through the factory, as the platform would, and closes them after each test. */
final class VirtioFixture implements AutoCloseable {

    static final long RAM = 0x8000_0000L;
    static final long MMIO = 0xd000_0000L;

    final GuestMemory mem = new GuestMemory(RAM, 16L << 20);
    final DmaAllocator dma = new DmaAllocator(mem);
    final Path dir;
    private final List<VirtioMmioDevice> devices = new ArrayList<>();

    VirtioFixture(Path dir) {
        this.dir = dir;
    }

    DeviceModelContext.Builder node(String name, int deviceId) {
        return DeviceModelContext.builder(name)
                .path("/soc/" + name)
                .compatible("virtio,mmio")
                .propertyU32(VirtioMmioFactory.PROP_DEVICE_ID, deviceId)
                .reg(MMIO, 0x200)
                .guestMemory(mem)
                .clock(new ManualClock())
                .baseDirectory(dir);
    }

    VirtioMmioDevice create(DeviceModelContext.Builder b) throws DeviceModelException {
        VirtioMmioDevice d = (VirtioMmioDevice) new VirtioMmioFactory().create(b.build());
        devices.add(d);
        return d;
    }

    /** A device and a spec driver on it. */
    record Rig(VirtioMmioDevice device, SpecDriver driver, RecordingInterruptLine irq) { }

    Rig rig(DeviceModelContext.Builder b) throws DeviceModelException {
        RecordingInterruptLine irq = new RecordingInterruptLine("virtio-irq");
        VirtioMmioDevice d = create(b.interrupt(irq));
        return new Rig(d, new SpecDriver(d.mmio(0), mem, dma, irq), irq);
    }

    Rig entropy() throws DeviceModelException {
        return rig(node("rng@d0000000", Virtio.ID_ENTROPY).propertyU32(VirtioMmioFactory.PROP_RNG_SEED, 42));
    }

    Rig block(long sectors) throws DeviceModelException {
        return rig(node("blk@d0000000", Virtio.ID_BLOCK).propertyU32(VirtioMmioFactory.PROP_CAPACITY, sectors)
                .propertyStrings("sluice,backend", "file:disk0.img"));
    }

    @Override
    public void close() {
        for (VirtioMmioDevice d : devices) {
            d.close();
        }
    }
}
