package dev.sluice.drivers.virtio;

import dev.sluice.kernel.IOReturn;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.DmaBuffer;
import dev.sluice.models.GuestMemory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The virtio-console engine (virtio 1.x, 5.3) for port 0 without VIRTIO_CONSOLE_F_SIZE,
 * F_MULTIPORT or F_EMERG_WRITE: queue 0 is port 0's receiveq, queue 1 its transmitq (5.3.2).
 *
 * <h2>Receive</h2>
 * Every receiveq descriptor owns one device-writable buffer of {@value #RX_CHUNK} bytes, all made
 * available at start (5.3.6: the driver keeps empty buffers in the receiveq). A used buffer is kept
 * as it is and read from in place by {@link #take}; only once it has been read to its end is it made
 * available again. So the driver never copies received bytes twice and never drops any: while
 * nobody reads, the device runs out of buffers and holds its input (the model stops reading its
 * socket: TCP back-pressure).
 *
 * <h2>Transmit</h2>
 * Every transmitq descriptor owns one device-readable buffer of {@value #TX_CHUNK} bytes.
 * {@link #send} copies as many bytes as there are free buffers for, makes them available and
 * notifies once; the interrupt service frees the buffers the device has used.
 *
 * <h2>Threads</h2>
 * Not thread-safe: the owner serialises every call (the driver's gate; the interrupt service on the
 * work loop thread). Nothing blocks: callers wait for data or buffer space outside, by sleeping on
 * the gate until {@link #service()} has harvested something.
 */
public final class ConsoleEngine implements VirtioEngine {

    public static final int DEVICE_ID = 3;
    static final int RECEIVEQ = 0;
    static final int TRANSMITQ = 1;
    /** Preferred size of each queue (capped by QueueNumMax): the number of buffers per direction. */
    static final int QUEUE_SIZE = 16;
    static final int RX_CHUNK = 1024;
    static final int TX_CHUNK = 1024;

    /** One DMA buffer owned by one descriptor slot. */
    private static final class Slot {
        final DmaBuffer buffer;
        /** Bytes in the buffer: written by the device (receive) or by {@link #send} (transmit). */
        int length;
        /** Receive only: bytes already taken by readers. */
        int read;

        Slot(DmaBuffer buffer) {
            this.buffer = buffer;
        }
    }

    private final VirtioMmio transport;
    private final GuestMemory mem;
    private final DmaAllocator dma;
    private final List<Slot> rxSlots = new ArrayList<>();
    private final List<Slot> txSlots = new ArrayList<>();
    /** Used receive buffers with bytes not read yet, oldest first. */
    private final Deque<Slot> filled = new ArrayDeque<>();
    private final Deque<Slot> txFree = new ArrayDeque<>();
    private Virtqueue rxq;
    private Virtqueue txq;
    private long features;
    private int buffered;
    private long received;
    private long transmitted;
    private long lost;
    private long serviced;
    private long resets;
    private boolean stopped;

    public ConsoleEngine(VirtioMmio transport, GuestMemory mem, DmaAllocator dma) {
        this.transport = transport;
        this.mem = mem;
        this.dma = dma;
    }

    /**
     * 3.1.1: negotiates VERSION_1 only, sets up the receiveq and transmitq of port 0 with one
     * buffer per descriptor, sets DRIVER_OK and makes every receive buffer available.
     */
    @Override
    public void start() {
        transport.requireDevice(DEVICE_ID, "console");
        features = transport.negotiate(0);
        int rxMax = transport.requireQueue(RECEIVEQ, "receiveq for port 0");
        int txMax = transport.requireQueue(TRANSMITQ, "transmitq for port 0");
        try {
            rxq = new Virtqueue(mem, dma, RECEIVEQ, Integer.highestOneBit(Math.min(rxMax, QUEUE_SIZE)));
            txq = new Virtqueue(mem, dma, TRANSMITQ, Integer.highestOneBit(Math.min(txMax, QUEUE_SIZE)));
            for (int i = 0; i < rxq.size(); i++) {
                rxSlots.add(new Slot(dma.allocate(RX_CHUNK, 64)));
            }
            for (int i = 0; i < txq.size(); i++) {
                Slot s = new Slot(dma.allocate(TX_CHUNK, 64));
                txSlots.add(s);
                txFree.push(s);
            }
            transport.setupQueue(rxq);
            transport.setupQueue(txq);
        } catch (RuntimeException e) {
            transport.fail();
            release();
            throw e;
        }
        transport.driverOk();
        for (Slot s : rxSlots) {
            post(s);
        }
        transport.notifyQueue(RECEIVEQ);
    }

    private void post(Slot s) {
        s.length = 0;
        s.read = 0;
        rxq.add(s, new Virtqueue.Segment(s.buffer.address(), RX_CHUNK, true));
    }

    /** @return the receiveq (tests) */
    Virtqueue receiveQueue() { return rxq; }

    /** @return the transmitq (tests) */
    Virtqueue transmitQueue() { return txq; }

    /** @return the negotiated feature bits */
    public long features() { return features; }

    /** @return received bytes not taken yet */
    public int available() { return buffered; }

    /** @return true when the device has consumed every buffer given to it */
    public boolean txIdle() { return txFree.size() == txSlots.size(); }

    /** @return bytes the device delivered into receive buffers */
    public long received() { return received; }

    /** @return bytes the device has consumed from transmit buffers */
    public long transmitted() { return transmitted; }

    /** @return transmit bytes abandoned by a DEVICE_NEEDS_RESET recovery */
    public long lost() { return lost; }

    /** @return interrupt services that harvested at least one element */
    public long serviced() { return serviced; }

    /** @return DEVICE_NEEDS_RESET recoveries */
    public long resets() { return resets; }

    /** @return false once shut down */
    public boolean running() { return !stopped; }

    /**
     * Copies received bytes, oldest first, and makes each buffer read to its end available to the
     * device again (one notification per call).
     *
     * @return bytes copied (0 if none is buffered or the engine stopped)
     */
    public int take(byte[] dst, int off, int len) {
        int n = 0;
        boolean reposted = false;
        while (n < len && !filled.isEmpty()) {
            Slot s = filled.peek();
            int k = Math.min(len - n, s.length - s.read);
            mem.read(s.buffer.address() + s.read, dst, off + n, k);
            s.read += k;
            n += k;
            if (s.read == s.length) {
                filled.poll();
                if (!stopped) {
                    post(s);
                    reposted = true;
                }
            }
        }
        buffered -= n;
        if (reposted) {
            transport.notifyQueue(RECEIVEQ);
        }
        return n;
    }

    /**
     * Copies bytes into free transmit buffers and makes them available (one notification per call).
     *
     * @return bytes accepted: fewer than {@code len} when the buffers ran out, 0 once stopped
     */
    public int send(byte[] src, int off, int len) {
        if (stopped) {
            return 0;
        }
        int n = 0;
        while (n < len && !txFree.isEmpty()) {
            Slot s = txFree.pop();
            s.length = Math.min(TX_CHUNK, len - n);
            mem.write(s.buffer.address(), src, off + n, s.length);
            txq.add(s, new Virtqueue.Segment(s.buffer.address(), s.length, false));
            n += s.length;
        }
        if (n > 0) {
            transport.notifyQueue(TRANSMITQ);
        }
        return n;
    }

    /**
     * Acknowledges InterruptStatus, recovers from DEVICE_NEEDS_RESET, harvests the transmitq
     * (buffers become free) and the receiveq (buffers become readable).
     */
    @Override
    public int service() {
        int isr = transport.takeInterruptStatus();
        if (rxq == null || stopped) {
            return 0;
        }
        if ((isr & VirtioMmio.INT_CONFIG_CHANGE) != 0 && transport.needsReset()) {
            recover();
            return 0;
        }
        int n = 0;
        Virtqueue.Used u;
        while ((u = txq.poll()) != null) {
            Slot s = (Slot) u.token();
            transmitted += s.length;
            txFree.push(s);
            n++;
        }
        while ((u = rxq.poll()) != null) {
            Slot s = (Slot) u.token();
            s.length = Math.min(u.writtenLength(), RX_CHUNK);
            s.read = 0;
            n++;
            if (s.length == 0) {
                post(s); // nothing written: give it straight back
                transport.notifyQueue(RECEIVEQ);
                continue;
            }
            received += s.length;
            buffered += s.length;
            filled.add(s);
        }
        if (n > 0) {
            serviced++;
        }
        return n;
    }

    /**
     * DEVICE_NEEDS_RESET (2.1.2): resets and re-initialises the device. Received bytes not read yet
     * stay readable (they are in the driver's buffers); bytes on the transmitq are lost and counted.
     */
    private void recover() {
        resets++;
        transport.reset();
        for (Slot s : txSlots) {
            if (!txFree.contains(s)) {
                lost += s.length;
                txFree.push(s);
            }
        }
        try {
            transport.negotiate(features);
            rxq.resetState();
            txq.resetState();
            transport.setupQueue(rxq);
            transport.setupQueue(txq);
            transport.driverOk();
        } catch (RuntimeException e) {
            transport.fail();
            shutdown(IOReturn.OFFLINE, transport.region().name() + " could not be re-initialised: " + e.getMessage());
            return;
        }
        for (Slot s : rxSlots) {
            if (!filled.contains(s)) {
                post(s);
            }
        }
        transport.notifyQueue(RECEIVEQ);
    }

    /**
     * Resets the device and returns every DMA buffer and ring. Bytes not read or not transmitted
     * are dropped. Idempotent; afterwards {@link #take} and {@link #send} return 0.
     */
    @Override
    public void shutdown(IOReturn code, String message) {
        if (!stopped) {
            stopped = true;
            transport.region().write32(VirtioMmio.STATUS, 0);
        }
        filled.clear();
        buffered = 0;
        release();
    }

    private void release() {
        for (Slot s : rxSlots) {
            dma.free(s.buffer);
        }
        for (Slot s : txSlots) {
            dma.free(s.buffer);
        }
        rxSlots.clear();
        txSlots.clear();
        txFree.clear();
        if (rxq != null) {
            rxq.release();
        }
        if (txq != null) {
            txq.release();
        }
    }
}
