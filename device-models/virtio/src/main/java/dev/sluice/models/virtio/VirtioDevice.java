package dev.sluice.models.virtio;

import java.util.List;

/**
 * One virtio device type behind the {@link VirtioMmioDevice} transport: its ID, feature bits,
 * queues, configuration space and request processing.
 *
 * <h2>Threads</h2>
 * <ul>
 * <li>{@link #config()}, {@link #configWrite}, {@link #activated(long)} and {@link #reset()} run
 * on the driver's thread with the transport's lock held: they must not block.</li>
 * <li>{@link #queueNotified(VirtQueue)} and any task given to {@link VirtioMmioDevice#runOnIo(Runnable)}
 * run on the model's single {@code model-<name>-io} thread, in order, or (only
 * {@code queueNotified}, only if {@link #processesNotifyInline()}) on the driver's thread inside
 * its QueueNotify write, without the transport's lock. Either way one at a time. That is where
 * requests are processed, files read and written. Chains come from {@link VirtQueue#pop()} and go
 * back with {@link VirtQueue#complete(DescriptorChain, int)}; the transport sends one (coalesced)
 * used-buffer interrupt after the task.</li>
 * <li>{@link #close()} runs once, after the io thread has stopped.</li>
 * </ul>
 */
public abstract class VirtioDevice {

    private VirtioMmioDevice transport;

    /** @return the virtio device ID (5: 2 block, 3 console, 4 entropy) */
    public abstract int deviceId();

    /** @return a short name for messages, e.g. "block" */
    public abstract String typeName();

    /** @return the device-specific feature bits offered (the transport adds VERSION_1 and INDIRECT_DESC) */
    protected abstract long deviceFeatures();

    /** @return the number of virtqueues */
    public abstract int queueCount();

    /** @return QueueNumMax for queue {@code index} (a power of two) */
    public int queueMaxSize(int index) {
        return 256;
    }

    /** @return the current device configuration space (little-endian fields); empty if none */
    protected abstract byte[] config();

    /** A driver write into the configuration space; ignored by default. */
    protected void configWrite(int offset, int widthBytes, long value) {
    }

    /** The driver set DRIVER_OK with these negotiated features. */
    protected void activated(long negotiatedFeatures) {
    }

    /**
     * The driver notified a ready queue (io thread): take its chains with {@link VirtQueue#pop()}.
     * Notifications that arrive while a call is pending are merged into one call.
     */
    protected abstract void queueNotified(VirtQueue queue);

    /**
     * @return true if a notification may be processed on the notifying thread, inside its
     *         QueueNotify write, when no device task is running: for devices whose requests take
     *         bounded time (file I/O), never for one that may wait for a peer (a socket). False by
     *         default.
     */
    protected boolean processesNotifyInline() {
        return false;
    }

    /** Device reset (status 0 written, or {@link VirtioMmioDevice#reset()}): drop per-driver state. */
    protected void reset() {
    }

    /**
     * Called once at the end of the transport's construction (its io thread starts later, with its
     * first task): the place to start the device's own host-side threads.
     */
    protected void attached() {
    }

    /** Releases the backend (files, sockets, threads). */
    protected void close() {
    }

    /** @return device-specific status lines for {@code describe()} */
    protected List<String> describe() {
        return List.of();
    }

    /** @return the transport this device is attached to */
    protected final VirtioMmioDevice transport() {
        return transport;
    }

    final void attach(VirtioMmioDevice t) {
        if (transport != null) {
            throw new IllegalStateException(typeName() + " device is already attached");
        }
        transport = t;
    }
}
