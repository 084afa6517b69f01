package dev.sluice.models.virtio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.osgi.service.component.annotations.Component;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DeviceModelFactory;

/**
 * Builds virtio-mmio models for nodes with {@code compatible = "virtio,mmio"}. The device type
 * comes from the node's {@code sluice,device-id} (u32):
 * <ul>
 * <li>2, block: {@code sluice,capacity-sectors} (u32 or u64; optional if the image exists),
 * {@code sluice,backend = "file:PATH"} (default {@code <node name>.img}, under the platform's base
 * directory), optional {@code sluice,read-only} (present = read-only), {@code sluice,serial}
 * (GET_ID string, default the node name), {@code sluice,seg-max} and {@code sluice,size-max}
 * (defaults 8 and 64 KiB), optional {@code sluice,iothread} (present = every request is processed
 * on the model's io thread, like QEMU's {@code iothread=}; absent = a notification that finds the
 * device idle is processed on the notifying thread);</li>
 * <li>3, console: {@code sluice,backend = "tcp:127.0.0.1:PORT"} or none for the in-memory pipe;</li>
 * <li>4, entropy: optional {@code sluice,rng-seed} (u32) for a repeatable source instead of
 * SecureRandom.</li>
 * </ul>
 * Anything else is refused with a {@link DeviceModelException} naming the node and the value.
 * Stateless: {@link #create} may be called from any thread.
 */
@Component(service = DeviceModelFactory.class, property = DeviceModelFactory.COMPATIBLE + "=virtio,mmio")
public final class VirtioMmioFactory implements DeviceModelFactory {

    /** The compatible string this factory builds. */
    public static final String COMPATIBLE_VIRTIO_MMIO = "virtio,mmio";
    public static final String PROP_DEVICE_ID = "sluice,device-id";
    public static final String PROP_CAPACITY = "sluice,capacity-sectors";
    public static final String PROP_READ_ONLY = "sluice,read-only";
    public static final String PROP_SERIAL = "sluice,serial";
    public static final String PROP_SEG_MAX = "sluice,seg-max";
    public static final String PROP_SIZE_MAX = "sluice,size-max";
    public static final String PROP_IOTHREAD = "sluice,iothread";
    public static final String PROP_RNG_SEED = "sluice,rng-seed";

    @Override
    public DeviceModel create(DeviceModelContext context) throws DeviceModelException {
        String node = context.nodePath();
        try {
            long id = context.u32(PROP_DEVICE_ID).orElseThrow(() -> new IllegalArgumentException(
                    "missing " + PROP_DEVICE_ID + " (2 = block, 3 = console, 4 = entropy)"));
            VirtioDevice device;
            if (id == Virtio.ID_BLOCK) {
                device = block(context);
            } else if (id == Virtio.ID_CONSOLE) {
                device = console(context);
            } else if (id == Virtio.ID_ENTROPY) {
                OptionalLong seed = context.u32(PROP_RNG_SEED);
                device = seed.isPresent() ? new EntropyDevice(new java.util.Random(seed.getAsLong())) : new EntropyDevice();
            } else {
                throw new IllegalArgumentException(PROP_DEVICE_ID + " " + id
                        + " is not a supported virtio device (2 = block, 3 = console, 4 = entropy)");
            }
            try {
                return new VirtioMmioDevice(context, device);
            } catch (RuntimeException e) {
                device.close();
                throw e;
            }
        } catch (IllegalArgumentException e) {
            throw new DeviceModelException("virtio-mmio node " + node + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DeviceModelException("virtio-mmio node " + node + ": backend: " + e.getMessage(), e);
        }
    }

    private static BlockDevice block(DeviceModelContext c) throws IOException {
        BackendSpec spec = c.backend().orElse(new BackendSpec.FileBackend(c.nodeName().replaceAll("[^A-Za-z0-9._@-]", "_")
                + ".img"));
        if (!(spec instanceof BackendSpec.FileBackend file)) {
            throw new IllegalArgumentException("a block device needs a file: backend, not " + spec.text());
        }
        Path image = file.resolve(c.baseDirectory());
        long capacity = c.u64(PROP_CAPACITY).orElse(0);
        int segMax = (int) c.u32(PROP_SEG_MAX).orElse(BlockDevice.DEFAULT_SEG_MAX);
        int sizeMax = (int) c.u32(PROP_SIZE_MAX).orElse(BlockDevice.DEFAULT_SIZE_MAX);
        boolean readOnly = c.property(PROP_READ_ONLY).isPresent();
        String serial = c.string(PROP_SERIAL).orElse(c.nodeName());
        boolean iothread = c.property(PROP_IOTHREAD).isPresent();
        return new BlockDevice(image, capacity, readOnly, serial, segMax, sizeMax, iothread);
    }

    private static ConsoleDevice console(DeviceModelContext c) throws IOException {
        if (c.backend().isEmpty()) {
            return ConsoleDevice.inMemory();
        }
        if (!(c.backend().get() instanceof BackendSpec.TcpBackend tcp)) {
            throw new IllegalArgumentException("a console needs a tcp: backend (or none), not " + c.backend().get().text());
        }
        return ConsoleDevice.tcp(tcp.socketAddress(), c.threadFactory());
    }
}
