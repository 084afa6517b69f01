package dev.sluice.drivers.virtio;

import dev.sluice.kernel.IOReturn;

/**
 * The device side of a virtio driver, independent of the kernel glue so it can be tested against
 * the device model directly: initialisation (virtio 1.x, 3.1.1), interrupt service and shutdown.
 *
 * <h2>Threads</h2>
 * Not thread-safe: the owner serialises every call (in a {@link VirtioDriver}, under the work
 * loop's gate: {@link #start} on the matching thread, {@link #service} on the loop thread,
 * {@link #shutdown} on the thread stopping the driver). None of them blocks.
 */
public interface VirtioEngine {

    /**
     * Initialises the device: reset, feature negotiation, virtqueues, DRIVER_OK.
     *
     * @throws dev.sluice.kernel.workloop.IOReturnException if the device is not the expected
     *         virtio-mmio device or refuses the driver (FAILED is set then)
     * @throws dev.sluice.models.DmaException if the rings or buffers do not fit in DMA memory
     */
    void start();

    /**
     * Interrupt service (secondary half): reads and acknowledges InterruptStatus and harvests every
     * used element (interrupts may be coalesced, and an element may be there before its interrupt).
     *
     * @return the number of used elements harvested
     */
    int service();

    /**
     * Resets the device so it no longer touches guest memory, fails what is outstanding with
     * {@code code}, and returns all DMA memory. Idempotent; later requests fail with OFFLINE.
     */
    void shutdown(IOReturn code, String message);
}
