package dev.sluice.drivers.virtio;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.DmaBuffer;
import dev.sluice.models.GuestMemory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * The virtio-rng engine (virtio 1.x, 5.4): one request queue of device-writable buffers; each
 * used element carries how many random bytes the device wrote. A client request is refilled until
 * its array is full.
 *
 * <p>Not thread-safe: the owner serialises every call (the driver's gate, or its loop thread for
 * interrupts). Nothing blocks; callbacks run inside {@link #submit}, {@link #service()} or
 * {@link #shutdown} and must not block.
 */
public final class EntropyEngine implements VirtioEngine {

    public static final int DEVICE_ID = 4;
    /** Bytes asked of the device per buffer. */
    static final int CHUNK = 4096;

    /** One client request; {@code done} gets null on success, else the failure. */
    public static final class Request {
        final byte[] into;
        final Consumer<IOReturnException> done;
        int filled;
        DmaBuffer buffer;

        public Request(byte[] into, Consumer<IOReturnException> done) {
            this.into = into;
            this.done = done;
        }
    }

    private final VirtioMmio transport;
    private final GuestMemory mem;
    private final DmaAllocator dma;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private Virtqueue queue;
    private Request active;
    private boolean stopped;

    public EntropyEngine(VirtioMmio transport, GuestMemory mem, DmaAllocator dma) {
        this.transport = transport;
        this.mem = mem;
        this.dma = dma;
    }

    /** Initialises the device: VERSION_1 only, queue 0, DRIVER_OK. */
    @Override
    public void start() {
        transport.requireDevice(DEVICE_ID, "entropy");
        transport.negotiate(0);
        int max = transport.requireQueue(0, "request queue");
        queue = new Virtqueue(mem, dma, 0, Integer.highestOneBit(Math.min(max, 8)));
        transport.setupQueue(queue);
        transport.driverOk();
    }

    /** Queues a request (one is on the device at a time; the rest wait in order). */
    public void submit(Request r) {
        if (stopped) {
            r.done.accept(new IOReturnException(IOReturn.OFFLINE, "the virtio-rng driver has stopped"));
            return;
        }
        if (r.into.length == 0) {
            r.done.accept(null);
            return;
        }
        waiting.add(r);
        next();
    }

    private void next() {
        if (active != null || waiting.isEmpty()) {
            return;
        }
        active = waiting.poll();
        active.buffer = dma.allocate(CHUNK, 64);
        issue();
    }

    private void issue() {
        int want = Math.min(CHUNK, active.into.length - active.filled);
        queue.add(active, new Virtqueue.Segment(active.buffer.address(), want, true));
        transport.notifyQueue(0);
    }

    /** Interrupt service: acknowledges, harvests, copies, refills or completes. */
    @Override
    public int service() {
        transport.takeInterruptStatus();
        if (queue == null) {
            return 0;
        }
        int n = 0;
        Virtqueue.Used u;
        while ((u = queue.poll()) != null) {
            n++;
            Request r = (Request) u.token();
            int got = Math.min(u.writtenLength(), r.into.length - r.filled);
            mem.read(r.buffer.address(), r.into, r.filled, got);
            r.filled += got;
            if (r.filled < r.into.length) {
                issue();
            } else {
                dma.free(r.buffer);
                r.buffer = null;
                active = null;
                r.done.accept(null);
                next();
            }
        }
        return n;
    }

    /** Resets the device, fails what is outstanding with {@code code}, returns all DMA memory. */
    @Override
    public void shutdown(IOReturn code, String message) {
        if (!stopped) {
            stopped = true;
            transport.region().write32(VirtioMmio.STATUS, 0);
        }
        IOReturnException why = new IOReturnException(code, message);
        if (active != null) {
            dma.free(active.buffer);
            active.done.accept(why);
            active = null;
        }
        while (!waiting.isEmpty()) {
            waiting.poll().done.accept(why);
        }
        if (queue != null) {
            queue.release();
        }
    }
}
