package dev.sluice.platform;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptHandler;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.MmioRegion;
import dev.sluice.platform.devicetree.DeviceTreeNode;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A device nub: the I/O registry's face of one enabled Devicetree node with a
 * {@code compatible}, made by the {@link PlatformExpert}. The same object is the node's entry in
 * the {@code IODeviceTree} plane and, in the {@code IOService} plane, a client of the
 * {@link IOPlatformExpertDevice}, whose work loop it shares ({@link #getWorkLoop()}, S64).
 *
 * <p>Name and location are the node's base name and unit address ({@code serial@9000000});
 * properties are the node's, converted by {@link dev.sluice.platform.devicetree.DeviceTreeProperty#naturalValue()},
 * with {@code name} (base name), {@code compatible} (always a {@code List<String>}),
 * {@code reg} (decoded {@code List<Long>} of address, size pairs) and {@code interrupts}
 * (a {@code List<Long>} of controller line numbers, in the node's order).
 *
 * <p>What a driver may touch: the model's registers through {@link #getDeviceMemory(int)}, guest
 * RAM through {@link #guestMemory()} and {@link #dmaAllocator()}, and the node's interrupt
 * lines through the {@link IOInterruptProvider} methods, by index in the node's
 * {@code interrupts} list. A nub whose model factory failed is published without a model:
 * {@link #model()} is empty, {@link #getDeviceMemoryCount()} is 0 and {@link #modelError()} says
 * why, so a driver's probe can decline it.
 *
 * <p>Threads: every method may be called from any thread; the interrupt methods also from
 * primary interrupt context (they never block).
 */
public class IOPlatformDevice extends IOService implements IOInterruptProvider {

    private final DeviceTreeNode node;
    private final DeviceModel model;
    private final String modelError;
    private final GuestMemory memory;
    private final DmaAllocator dma;
    private final IOInterruptProvider interrupts;

    /**
     * Made by the platform expert; drivers never construct nubs.
     *
     * @param node        the Devicetree node
     * @param properties  the registry properties (see the class comment)
     * @param model       the device model, or null when it could not be built
     * @param modelError  why there is no model (null when there is one)
     * @param memory      the guest RAM shared by every device
     * @param dma         the one DMA allocator over guest RAM
     * @param interrupts  the controller's provider for this node's lines, in {@code interrupts} order
     */
    public IOPlatformDevice(DeviceTreeNode node, Map<String, ?> properties, DeviceModel model, String modelError,
            GuestMemory memory, DmaAllocator dma, IOInterruptProvider interrupts) {
        super(node.baseName(), node.unitAddress().orElse(null));
        this.node = node;
        this.model = model;
        this.modelError = model != null ? null : Objects.requireNonNullElse(modelError, "no device model");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.dma = Objects.requireNonNull(dma, "dma");
        this.interrupts = Objects.requireNonNull(interrupts, "interrupts");
        setProperties(properties);
    }

    /** @return the Devicetree node this nub stands for */
    public final DeviceTreeNode deviceTreeNode() {
        return node;
    }

    /**
     * @param index position in the node's {@code reg} list
     * @return the driver's view of that register window
     * @throws IndexOutOfBoundsException naming the nub if there is no such window (always, when
     *                                   the nub has no model)
     */
    public final MmioRegion getDeviceMemory(int index) {
        int count = getDeviceMemoryCount();
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(getPathComponent() + " has " + count + " device memory range(s)"
                    + (model == null ? " (no model: " + modelError + ")" : "") + ", no index " + index);
        }
        return model.mmio(index);
    }

    /** @return how many register windows the device has; 0 without a model */
    public final int getDeviceMemoryCount() {
        return model == null ? 0 : model.mmioCount();
    }

    /** @return the guest RAM, shared by every device (DMA target) */
    public final GuestMemory guestMemory() {
        return memory;
    }

    /** @return the platform's one DMA allocator over guest RAM */
    public final DmaAllocator dmaAllocator() {
        return dma;
    }

    /** @return the device model behind this nub (for diagnostics), empty when it could not be built */
    public final Optional<DeviceModel> model() {
        return Optional.ofNullable(model);
    }

    /** @return why the nub has no model, empty when it has one */
    public final Optional<String> modelError() {
        return Optional.ofNullable(modelError);
    }

    // ------------------------------------------------------------ IOInterruptProvider

    @Override
    public final IOReturn registerInterrupt(int index, Object source, InterruptHandler handler) {
        return interrupts.registerInterrupt(index, source, handler);
    }

    @Override
    public final IOReturn unregisterInterrupt(int index, Object source) {
        return interrupts.unregisterInterrupt(index, source);
    }

    @Override
    public final IOReturn enableInterrupt(int index, Object source) {
        return interrupts.enableInterrupt(index, source);
    }

    @Override
    public final IOReturn disableInterrupt(int index, Object source) {
        return interrupts.disableInterrupt(index, source);
    }

    @Override
    public final InterruptType getInterruptType(int index) {
        return interrupts.getInterruptType(index);
    }

    @Override
    public final IOReturn causeInterrupt(int index) {
        return interrupts.causeInterrupt(index);
    }
}
