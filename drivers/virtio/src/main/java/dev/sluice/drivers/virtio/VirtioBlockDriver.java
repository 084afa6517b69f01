package dev.sluice.drivers.virtio;

import dev.sluice.drivers.storage.api.BlockStorage;
import dev.sluice.drivers.virtio.BlockEngine.Kind;
import dev.sluice.drivers.virtio.BlockEngine.Request;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.dispatch.IOCompletion;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.userclient.IOUserClientCaller;
import dev.sluice.kernel.userclient.IOUserClientProvider;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.platform.IOPlatformDevice;

import java.util.Objects;

/**
 * The virtio-blk driver (virtio 1.x, 5.2) for virtio-mmio nubs of the platform expert, serving
 * {@link BlockStorage} to applications through a client interface that survives driver swaps.
 *
 * <h2>Threads</h2>
 * The driver has a dedicated work loop. Every touch of the device and the virtqueue happens under
 * its gate: submissions run on the client's thread with the gate closed (they only queue and
 * notify, never wait), interrupts run on the loop thread through a level-triggered
 * {@link IOInterruptEventSource} that harvests every used element. Synchronous calls wait for their
 * completion outside the gate. Asynchronous completions are delivered through the client's
 * {@link IOCompletion}, whose callbacks never run on the submitting thread (S56). Requests go
 * through a {@link BlockSubmitter}: a caller that finds the gate taken hands its request to the
 * loop instead of waiting for the gate. Tools and the shell reach the sectors through the user
 * client ({@link BlockUserClient}: {@code ioclient VirtioBlock read 2048 512}).
 *
 * <h2>Lifecycle</h2>
 * As every {@link VirtioDriver}: start initialises the device and then registers the client
 * interface ({@link #publish}). When the driver stops (or a later step of start fails), a managed
 * resource resets the device, fails outstanding requests with {@code ABORTED} and returns all DMA
 * memory, after the interrupt source is removed and before the gate and the dedicated loop go.
 */
@Personality(name = "VirtioBlock", providerClass = "IOPlatformDevice", nameMatch = "virtio,mmio",
        propertyMatch = "sluice,device-id=2", probeScore = 1000)
public final class VirtioBlockDriver extends VirtioDriver<BlockEngine> implements BlockStorage, IOUserClientProvider {

    private volatile BlockSubmitter submitter;
    private volatile long capacity;
    private volatile int blockSize;
    private volatile boolean readOnly;

    @Override
    protected int deviceId() {
        return BlockEngine.DEVICE_ID;
    }

    @Override
    public IOWorkLoop getWorkLoop() {
        return dedicatedWorkLoop();
    }

    @Override
    protected BlockEngine newEngine(IOPlatformDevice nub) {
        return new BlockEngine(new VirtioMmio(nub.getDeviceMemory(0)), nub.guestMemory(), nub.dmaAllocator());
    }

    @Override
    protected String stopReason() {
        return "the virtio-blk driver stopped with the request outstanding";
    }

    @Override
    protected boolean publish(IOPlatformDevice nub, BlockEngine e) {
        BlockSubmitter s = new BlockSubmitter(gate(), e);
        if (addEventSource(s.doorbell()) != IOReturn.SUCCESS) {
            return false;
        }
        manage(s::close); // runs first on stop: requests still handed off fail with OFFLINE
        submitter = s;
        capacity = e.capacitySectors();
        blockSize = e.blockSize();
        readOnly = e.readOnly();
        setProperty("capacity-sectors", capacity);
        setProperty("max-request-bytes", (long) e.maxRequestBytes());
        registerClientInterface(BlockStorage.class, this);
        return true;
    }

    /** Type 0: raw sector access for tools and the shell ({@link BlockUserClient}). */
    @Override
    public IOUserClient newUserClient(int type, IOUserClientCaller caller) {
        return type == 0 ? new BlockUserClient(this) : null;
    }

    @Override
    public long capacitySectors() {
        return capacity;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long sector, byte[] into) {
        await(Kind.READ, sector, into);
    }

    @Override
    public void write(long sector, byte[] from) {
        await(Kind.WRITE, sector, from);
    }

    @Override
    public void flush() {
        await(Kind.FLUSH, 0, null);
    }

    @Override
    public void readAsync(long sector, byte[] into, IOCompletion<Integer> done) {
        submit(Kind.READ, sector, into, done);
    }

    @Override
    public void writeAsync(long sector, byte[] from, IOCompletion<Integer> done) {
        submit(Kind.WRITE, sector, from, done);
    }

    @Override
    public void flushAsync(IOCompletion<Integer> done) {
        submit(Kind.FLUSH, 0, null, done);
    }

    /** @return virtio requests made available to the device so far (diagnostics) */
    public long partsSubmitted() {
        long[] n = new long[1];
        withEngine(e -> {
            n[0] = e.partsSubmitted();
            return IOReturn.SUCCESS;
        });
        return n[0];
    }

    private void submit(Kind kind, long sector, byte[] buffer, IOCompletion<Integer> done) {
        Objects.requireNonNull(done, "completion");
        int length = buffer == null ? 0 : buffer.length;
        enqueue(new Request(kind, sector, buffer, r -> {
            if (r.failure() == null) {
                done.complete(length);
            } else {
                done.fail(r.failure());
            }
        }));
    }

    /** Submits and blocks the caller (outside the gate) until the request completed. */
    private void await(Kind kind, long sector, byte[] buffer) {
        check(kind, buffer);
        submitter.await(kind, sector, buffer);
    }

    /** Through the {@link BlockSubmitter}: the gate if it is free, else handed to the loop. */
    private void enqueue(Request r) {
        check(r.kind(), r.buffer);
        submitter.submit(r);
    }

    private static void check(Kind kind, byte[] buffer) {
        if (kind != Kind.FLUSH && buffer != null && buffer.length % SECTOR_SIZE != 0) {
            throw new IllegalArgumentException("buffer length " + buffer.length + " is not a multiple of " + SECTOR_SIZE);
        }
    }
}
