package dev.sluice.drivers.virtio;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.DmaBuffer;
import dev.sluice.models.DmaException;
import dev.sluice.models.GuestMemory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The virtio-blk request engine (virtio 1.x, 5.2), independent of the kernel glue so it can be
 * tested against the device model directly: device initialisation and configuration, splitting
 * requests into virtio requests that respect seg_max and size_max, bounce buffers from the DMA
 * allocator, interrupt service (InterruptStatus/InterruptACK, harvesting every used element),
 * DEVICE_NEEDS_RESET recovery and shutdown.
 *
 * <h2>Threads</h2>
 * Not thread-safe: every method runs serialised by the owner (in the driver, under the work loop's
 * gate, i.e. on a client thread holding the gate or on the loop thread for interrupts). Nothing here
 * blocks. A request's callback runs inside {@link #submit} (only for a request that fails before
 * reaching the device), {@link #submitPolled}, {@link #service()}, or {@link #shutdown}; it must not
 * block either.
 */
public final class BlockEngine implements VirtioEngine {

    public static final int SECTOR = 512;
    public static final int DEVICE_ID = 2;

    static final int F_SIZE_MAX = 1;
    static final int F_SEG_MAX = 2;
    static final int F_RO = 5;
    static final int F_BLK_SIZE = 6;
    static final int F_FLUSH = 9;
    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;

    /** Largest data segment used when the device does not state size_max. */
    static final int DEFAULT_SEGMENT = 64 * 1024;
    /** Preferred queue size (capped by QueueNumMax). */
    static final int QUEUE_SIZE = 128;

    /** The kinds of request. */
    public enum Kind { READ, WRITE, FLUSH }

    /**
     * One client request. {@code done} is called once, when every part has finished, with the
     * request whose {@link #failure()} is null on success.
     */
    public static final class Request {
        final Kind kind;
        final long sector;
        final byte[] buffer;
        final Consumer<Request> done;
        int partsLeft;
        IOReturnException failure;

        public Request(Kind kind, long sector, byte[] buffer, Consumer<Request> done) {
            this.kind = kind;
            this.sector = sector;
            this.buffer = buffer == null ? new byte[0] : buffer;
            this.done = done;
        }

        public Kind kind() { return kind; }

        public int length() { return buffer.length; }

        /** @return null on success, else the exception (with its IOReturn) to report */
        public IOReturnException failure() { return failure; }

        void partFinished(IOReturnException partFailure) {
            if (partFailure != null && failure == null) {
                failure = partFailure;
            }
            if (--partsLeft == 0) {
                done.accept(this);
            }
        }
    }

    /** One virtio request: a slice of a client request. */
    private static final class Part {
        final Request parent;
        final long sector;
        final int offset;
        final int length;
        DmaBuffer header;
        DmaBuffer data;

        Part(Request parent, long sector, int offset, int length) {
            this.parent = parent;
            this.sector = sector;
            this.offset = offset;
            this.length = length;
        }
    }

    private final VirtioMmio transport;
    private final GuestMemory mem;
    private final DmaAllocator dma;
    private final Deque<Part> backlog = new ArrayDeque<>();
    private final Set<Part> inFlight = new LinkedHashSet<>();
    /** Bounce buffers kept for reuse, by size (allocation zeroes memory; reuse does not need it). */
    private final java.util.Map<Long, Deque<DmaBuffer>> spare = new java.util.HashMap<>();
    private long spareBytes;
    private Virtqueue queue;
    private long features;
    private long capacity;
    private int segMax;
    private int segmentBytes;
    private int blkSize;
    private long partsSubmitted;
    private long interruptsServiced;
    private long resets;
    private boolean stopped;

    public BlockEngine(VirtioMmio transport, GuestMemory mem, DmaAllocator dma) {
        this.transport = transport;
        this.mem = mem;
        this.dma = dma;
    }

    /**
     * Initialises the device (3.1.1): negotiation, configuration, queue 0, DRIVER_OK.
     *
     * @throws IOReturnException if the device is not a virtio-blk device or refuses the driver
     */
    @Override
    public void start() {
        transport.requireDevice(DEVICE_ID, "block");
        features = transport.negotiate(bit(F_SIZE_MAX) | bit(F_SEG_MAX) | bit(F_RO) | bit(F_BLK_SIZE) | bit(F_FLUSH));
        capacity = transport.config64(0);
        int max = transport.requireQueue(0, "request queue");
        int qsize = Integer.highestOneBit(Math.min(max, QUEUE_SIZE));
        long sizeMax = has(F_SIZE_MAX) ? transport.config32(8) : DEFAULT_SEGMENT;
        segmentBytes = (int) Math.max(SECTOR, Math.min(sizeMax, 1 << 20) / SECTOR * SECTOR);
        long segs = has(F_SEG_MAX) ? transport.config32(12) : qsize - 2;
        segMax = (int) Math.max(1, Math.min(segs, Math.max(1, qsize - 2)));
        blkSize = has(F_BLK_SIZE) ? (int) transport.config32(20) : SECTOR;
        try {
            queue = new Virtqueue(mem, dma, 0, qsize);
            transport.setupQueue(queue);
        } catch (RuntimeException e) {
            transport.fail();
            throw e;
        }
        transport.driverOk();
    }

    /** @return the request queue (for tests that play a misbehaving party) */
    Virtqueue queue() { return queue; }

    public long capacitySectors() { return capacity; }

    public int blockSize() { return blkSize; }

    public boolean readOnly() { return has(F_RO); }

    /** @return the largest data length of one virtio request (seg_max segments of size_max) */
    public int maxRequestBytes() { return segMax * segmentBytes; }

    /** @return virtio requests made available to the device so far */
    public long partsSubmitted() { return partsSubmitted; }

    public long interruptsServiced() { return interruptsServiced; }

    /** @return how many DEVICE_NEEDS_RESET recoveries happened */
    public long resets() { return resets; }

    /** @return virtio requests on the device plus those waiting for ring space or DMA memory */
    public int pending() { return inFlight.size() + backlog.size(); }

    /**
     * Checks, splits and queues a request, and makes as many parts available to the device as the
     * ring and the DMA pool allow.
     *
     * @throws IllegalArgumentException for a buffer length that is not a multiple of 512
     */
    public void submit(Request r) {
        if (r.kind != Kind.FLUSH && r.buffer.length % SECTOR != 0) {
            throw new IllegalArgumentException("buffer length " + r.buffer.length + " is not a multiple of " + SECTOR);
        }
        IOReturnException refused = refusal(r);
        if (refused != null) {
            r.partsLeft = 1;
            r.partFinished(refused);
            return;
        }
        if (r.kind == Kind.FLUSH || r.buffer.length == 0) {
            r.partsLeft = 1;
            backlog.add(new Part(r, r.kind == Kind.FLUSH ? 0 : r.sector, 0, 0));
        } else {
            int max = maxRequestBytes();
            r.partsLeft = (r.buffer.length + max - 1) / max;
            for (int off = 0; off < r.buffer.length; off += max) {
                backlog.add(new Part(r, r.sector + off / SECTOR, off, Math.min(max, r.buffer.length - off)));
            }
        }
        pump();
    }

    /**
     * Submits a request with completion polling (hybrid polling, as Linux's virtio-blk poll
     * queues): used-buffer interrupts are suppressed (VIRTQ_AVAIL_F_NO_INTERRUPT, 2.7.7) while the
     * request is made available and the used ring is harvested, then enabled again and the ring
     * checked once more. A device that processed the notification inline has the request done
     * before this returns, with no interrupt and no thread hand-off; whatever the device completes
     * later (it was busy) interrupts as usual. Requests of other clients harvested here complete
     * here too (their callbacks must not block, as for {@link #service()}).
     *
     * @return the number of used elements harvested
     * @throws IllegalArgumentException for a buffer length that is not a multiple of 512
     */
    public int submitPolled(Request r) {
        if (queue == null || stopped) {
            submit(r);
            return 0;
        }
        int n = 0;
        queue.suppressInterrupts(true);
        try {
            submit(r);
            n += harvestAll();
        } finally {
            queue.suppressInterrupts(false);
            n += harvestAll();
        }
        return n;
    }

    /** Harvests until the ring has nothing more (a refill from the backlog may complete at once). */
    private int harvestAll() {
        int total = 0;
        int n;
        while ((n = harvest()) > 0) {
            total += n;
        }
        return total;
    }

    /** Completes every used element, then refills the ring from the backlog. */
    private int harvest() {
        int n = 0;
        Virtqueue.Used u;
        while ((u = queue.poll()) != null) {
            n++;
            Part p = (Part) u.token();
            inFlight.remove(p);
            p.parent.partFinished(finish(p));
        }
        pump();
        return n;
    }

    private IOReturnException refusal(Request r) {
        if (stopped) {
            return new IOReturnException(IOReturn.OFFLINE, "the virtio-blk driver has stopped");
        }
        if (r.kind == Kind.FLUSH) {
            return null;
        }
        if (r.sector < 0 || r.sector > capacity || r.buffer.length / SECTOR > capacity - r.sector) {
            return new IOReturnException(IOReturn.BAD_ARGUMENT, String.format(
                    "sectors [%d, +%d) are beyond the capacity of %d sectors", r.sector, r.buffer.length / SECTOR, capacity));
        }
        if (r.kind == Kind.WRITE && readOnly()) {
            return new IOReturnException(IOReturn.NOT_PERMITTED, "the device is read-only");
        }
        return null;
    }

    /** Makes backlog parts available while there are descriptors and DMA memory; notifies once. */
    private void pump() {
        boolean added = false;
        while (!backlog.isEmpty()) {
            Part p = backlog.peek();
            if (p.parent.kind == Kind.FLUSH && !has(F_FLUSH)) {
                backlog.poll();
                p.parent.partFinished(null); // no write cache to flush
                continue;
            }
            int segs = p.length == 0 ? 0 : (p.length + segmentBytes - 1) / segmentBytes;
            if (queue.freeDescriptors() < segs + 2) {
                break;
            }
            try {
                p.header = take(32, 16);
                if (p.length > 0) {
                    p.data = take(p.length, 64);
                }
            } catch (DmaException e) {
                freeBuffers(p);
                if (!inFlight.isEmpty()) {
                    break; // memory comes back as requests complete
                }
                backlog.poll();
                p.parent.partFinished(new IOReturnException(IOReturn.NO_RESOURCES, e.getMessage()));
                continue;
            }
            backlog.poll();
            int type = p.parent.kind == Kind.READ ? T_IN : p.parent.kind == Kind.WRITE ? T_OUT : T_FLUSH;
            long h = p.header.address();
            mem.write32(h, type);
            mem.write32(h + 4, 0);
            mem.write64(h + 8, p.sector);
            mem.write8(h + 16, 0xff); // status: overwritten by the device
            boolean toDevice = p.parent.kind == Kind.WRITE;
            if (toDevice) {
                mem.write(p.data.address(), p.parent.buffer, p.offset, p.length);
            }
            Virtqueue.Segment[] chain = new Virtqueue.Segment[segs + 2];
            chain[0] = new Virtqueue.Segment(h, 16, false);
            for (int i = 0; i < segs; i++) {
                int len = Math.min(segmentBytes, p.length - i * segmentBytes);
                chain[1 + i] = new Virtqueue.Segment(p.data.address() + (long) i * segmentBytes, len, !toDevice);
            }
            chain[segs + 1] = new Virtqueue.Segment(h + 16, 1, true);
            queue.add(p, chain);
            inFlight.add(p);
            partsSubmitted++;
            added = true;
        }
        if (added) {
            transport.notifyQueue(0);
        }
    }

    /**
     * Interrupt service (secondary half): reads and acknowledges InterruptStatus, recovers from
     * DEVICE_NEEDS_RESET, harvests every used element (several completions may be coalesced into
     * one interrupt, and an element may be there before its interrupt), completes the requests
     * whose parts have all finished, and refills the ring from the backlog.
     *
     * @return the number of used elements harvested
     */
    @Override
    public int service() {
        interruptsServiced++;
        int isr = transport.takeInterruptStatus();
        if ((isr & VirtioMmio.INT_CONFIG_CHANGE) != 0 && transport.needsReset()) {
            recover();
            return 0;
        }
        if (queue == null) {
            return 0;
        }
        return harvest();
    }

    private IOReturnException finish(Part p) {
        int status = mem.read8(p.header.address() + 16);
        IOReturnException failure = null;
        if (status == S_OK) {
            if (p.parent.kind == Kind.READ) {
                mem.read(p.data.address(), p.parent.buffer, p.offset, p.length);
            }
        } else {
            IOReturn code = status == S_UNSUPP ? IOReturn.UNSUPPORTED : IOReturn.ERROR;
            failure = new IOReturnException(code, String.format("virtio-blk %s at sector %d (%d bytes) failed: %s",
                    p.parent.kind, p.sector, p.length, status == S_UNSUPP ? "UNSUPP" : status == S_IOERR ? "IOERR" : "status " + status));
        }
        freeBuffers(p);
        return failure;
    }

    /** DEVICE_NEEDS_RESET (2.1.2): fail what the device held, reset and re-initialise, resume the backlog. */
    private void recover() {
        resets++;
        transport.reset();
        failInFlight(new IOReturnException(IOReturn.ERROR, transport.region().name() + " needed a reset; request abandoned"));
        try {
            transport.negotiate(features);
            queue.resetState();
            transport.setupQueue(queue);
            transport.driverOk();
        } catch (RuntimeException e) {
            transport.fail();
            shutdown(IOReturn.OFFLINE, transport.region().name() + " could not be re-initialised: " + e.getMessage());
            return;
        }
        pump();
    }

    private void failInFlight(IOReturnException why) {
        List<Part> parts = new ArrayList<>(inFlight);
        inFlight.clear();
        for (Part p : parts) {
            freeBuffers(p);
            p.parent.partFinished(why);
        }
    }

    /**
     * Resets the device (so it no longer touches guest memory), fails every outstanding and queued
     * request with {@code code}, and returns all DMA memory. Idempotent; later submissions fail
     * with OFFLINE.
     */
    @Override
    public void shutdown(IOReturn code, String message) {
        if (!stopped) {
            stopped = true;
            transport.region().write32(VirtioMmio.STATUS, 0);
        }
        IOReturnException why = new IOReturnException(code, message);
        failInFlight(why);
        while (!backlog.isEmpty()) {
            backlog.poll().parent.partFinished(why);
        }
        releaseSpares();
        if (queue != null) {
            queue.release();
        }
    }

    private void freeBuffers(Part p) {
        if (p.header != null) {
            give(p.header);
            p.header = null;
        }
        if (p.data != null) {
            give(p.data);
            p.data = null;
        }
    }

    /** Largest total of bounce buffers kept for reuse. */
    static final long SPARE_LIMIT = 4L << 20;

    private DmaBuffer take(long size, long alignment) {
        Deque<DmaBuffer> d = spare.get(size);
        DmaBuffer b = d == null ? null : d.poll();
        if (b != null) {
            spareBytes -= size;
            return b;
        }
        try {
            return dma.allocate(size, alignment);
        } catch (DmaException e) {
            releaseSpares(); // give the pool back what we hoard, then try once more
            return dma.allocate(size, alignment);
        }
    }

    private void give(DmaBuffer b) {
        if (!stopped && spareBytes + b.size() <= SPARE_LIMIT) {
            spare.computeIfAbsent(b.size(), k -> new ArrayDeque<>()).push(b);
            spareBytes += b.size();
        } else {
            dma.free(b);
        }
    }

    private void releaseSpares() {
        for (Deque<DmaBuffer> d : spare.values()) {
            for (DmaBuffer b : d) {
                dma.free(b);
            }
        }
        spare.clear();
        spareBytes = 0;
    }

    private boolean has(int feature) {
        return (features & bit(feature)) != 0;
    }

    private static long bit(int b) {
        return 1L << b;
    }
}
