package dev.sluice.models.virtio;

import static dev.sluice.models.virtio.Virtio.*;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.sluice.models.DmaAllocator;
import dev.sluice.models.DmaBuffer;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;

/**
 * A minimal driver written from the virtio 1.x specification alone (3.1.1 driver initialisation,
 * 4.2.3 virtio-mmio queue setup, 2.7.13 supplying buffers), used by the conformance tests. It
 * talks to the model only through its MMIO region, guest memory and interrupt line.
 */
final class SpecDriver {

    /** One buffer of a chain: guest address, length, device-writable or not. */
    record Buf(long addr, int len, boolean writable) {
        static Buf ro(DmaBuffer b) { return new Buf(b.address(), (int) b.size(), false); }
        static Buf wo(DmaBuffer b) { return new Buf(b.address(), (int) b.size(), true); }
    }

    /** One used-ring element. */
    record Used(int id, int len) { }

    final MmioRegion regs;
    final GuestMemory mem;
    final DmaAllocator dma;
    final RecordingInterruptLine irq;

    SpecDriver(MmioRegion regs, GuestMemory mem, DmaAllocator dma, RecordingInterruptLine irq) {
        this.regs = regs;
        this.mem = mem;
        this.dma = dma;
        this.irq = irq;
    }

    int status() {
        return regs.read32(STATUS);
    }

    void addStatus(int bits) {
        regs.write32(STATUS, status() | bits);
    }

    void reset() {
        regs.write32(STATUS, 0);
        if (status() != 0) {
            throw new AssertionError("status did not read back 0 after reset (2.4.1)");
        }
    }

    long deviceFeatures() {
        regs.write32(DEVICE_FEATURES_SEL, 0);
        long low = regs.read32(DEVICE_FEATURES) & 0xffff_ffffL;
        regs.write32(DEVICE_FEATURES_SEL, 1);
        long high = regs.read32(DEVICE_FEATURES) & 0xffff_ffffL;
        return low | (high << 32);
    }

    void writeDriverFeatures(long features) {
        regs.write32(DRIVER_FEATURES_SEL, 0);
        regs.write32(DRIVER_FEATURES, (int) features);
        regs.write32(DRIVER_FEATURES_SEL, 1);
        regs.write32(DRIVER_FEATURES, (int) (features >>> 32));
    }

    /**
     * 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, read features, write {@code accepted},
     * FEATURES_OK, re-read.
     *
     * @return true if the device kept FEATURES_OK
     */
    boolean negotiate(long accepted) {
        if (regs.read32(MAGIC_VALUE) != MAGIC || regs.read32(VERSION) != MMIO_VERSION) {
            throw new AssertionError("not a virtio-mmio version 2 device");
        }
        reset();
        addStatus(STATUS_ACKNOWLEDGE);
        addStatus(STATUS_DRIVER);
        deviceFeatures();
        writeDriverFeatures(accepted);
        addStatus(STATUS_FEATURES_OK);
        return (status() & STATUS_FEATURES_OK) != 0;
    }

    /** Negotiates everything offered (or fails the test), leaving DRIVER_OK to the caller. */
    long negotiateAll() {
        long f = deviceFeatures();
        if (!negotiate(f)) {
            throw new AssertionError("device refused its own features");
        }
        return f;
    }

    void driverOk() {
        addStatus(STATUS_DRIVER_OK);
    }

    /** 4.2.3.2: select, check not ready, read max, allocate and zero, QueueNum, addresses, QueueReady. */
    Queue setupQueue(int index, int size) {
        regs.write32(QUEUE_SEL, index);
        if (regs.read32(QUEUE_READY) != 0) {
            throw new AssertionError("queue " + index + " already ready");
        }
        DmaBuffer desc = dma.allocate(16L * size, 16);
        DmaBuffer avail = dma.allocate(6 + 2L * size, 2);
        DmaBuffer used = dma.allocate(6 + 8L * size, 4);
        regs.write32(QUEUE_NUM, size);
        writeAddress(QUEUE_DESC_LOW, desc.address());
        writeAddress(QUEUE_DRIVER_LOW, avail.address());
        writeAddress(QUEUE_DEVICE_LOW, used.address());
        regs.write32(QUEUE_READY, 1);
        return new Queue(index, size, desc, avail, used);
    }

    void writeAddress(int lowReg, long address) {
        regs.write32(lowReg, (int) address);
        regs.write32(lowReg + 4, (int) (address >>> 32));
    }

    /** Full initialisation with all offered features and {@code queues} queues of {@code size}. */
    List<Queue> init(int queues, int size) {
        negotiateAll();
        List<Queue> out = new ArrayList<>();
        for (int i = 0; i < queues; i++) {
            out.add(setupQueue(i, size));
        }
        driverOk();
        return out;
    }

    int interruptStatus() {
        return regs.read32(INTERRUPT_STATUS);
    }

    boolean needsReset() {
        return (status() & STATUS_DEVICE_NEEDS_RESET) != 0;
    }

    DmaBuffer buffer(int size) {
        return dma.allocate(size, 8);
    }

    /** The driver side of one split virtqueue. */
    final class Queue {
        final int index;
        final int size;
        final DmaBuffer desc;
        final DmaBuffer avail;
        final DmaBuffer used;
        private final Deque<Integer> free = new ArrayDeque<>();
        private int availIdx;
        private int usedSeen;

        Queue(int index, int size, DmaBuffer desc, DmaBuffer avail, DmaBuffer used) {
            this.index = index;
            this.size = size;
            this.desc = desc;
            this.avail = avail;
            this.used = used;
            for (int i = 0; i < size; i++) {
                free.add(i);
            }
        }

        /** Writes descriptor {@code i} directly (for malformed-chain tests). */
        void writeDescriptor(int i, long addr, int len, int flags, int next) {
            long d = desc.address() + 16L * i;
            mem.write64(d, addr);
            mem.write32(d + 8, len & 0xffff_ffffL);
            mem.write16(d + 12, flags);
            mem.write16(d + 14, next);
        }

        /** Puts a head index in the available ring and publishes the new idx (2.7.13.1-3). */
        void publish(int head) {
            mem.write16(avail.address() + 4 + 2L * (availIdx % size), head);
            availIdx = (availIdx + 1) & 0xffff;
            mem.write16(avail.address() + 2, availIdx);
        }

        /** Builds a chain from free descriptors and makes it available; returns its head. */
        int submit(Buf... bufs) {
            int[] ids = new int[bufs.length];
            for (int i = 0; i < bufs.length; i++) {
                ids[i] = free.pop();
            }
            for (int i = 0; i < bufs.length; i++) {
                int flags = (bufs[i].writable() ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < bufs.length ? VIRTQ_DESC_F_NEXT : 0);
                writeDescriptor(ids[i], bufs[i].addr(), bufs[i].len(), flags, i + 1 < bufs.length ? ids[i + 1] : 0);
            }
            publish(ids[0]);
            return ids[0];
        }

        /** Makes a chain available whose only descriptor points at an indirect table of {@code bufs}. */
        int submitIndirect(Buf... bufs) {
            DmaBuffer table = dma.allocate(16L * bufs.length, 16);
            for (int i = 0; i < bufs.length; i++) {
                long d = table.address() + 16L * i;
                mem.write64(d, bufs[i].addr());
                mem.write32(d + 8, bufs[i].len());
                mem.write16(d + 12, (bufs[i].writable() ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < bufs.length ? VIRTQ_DESC_F_NEXT : 0));
                mem.write16(d + 14, i + 1);
            }
            int head = free.pop();
            writeDescriptor(head, table.address(), (int) table.size(), VIRTQ_DESC_F_INDIRECT, 0);
            publish(head);
            return head;
        }

        void notifyDevice() {
            regs.write32(QUEUE_NOTIFY, index);
        }

        int deviceUsedIdx() {
            return mem.read16(used.address() + 2);
        }

        void setNoInterrupt(boolean suppress) {
            mem.write16(avail.address(), suppress ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0);
        }

        /**
         * Waits (interrupt-driven, with a deadline) until {@code n} more used elements are there,
         * acknowledging interrupts as a driver would, and returns them.
         */
        List<Used> awaitUsed(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (((deviceUsedIdx() - usedSeen) & 0xffff) < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("queue " + index + ": " + n + " used buffers expected, "
                            + ((deviceUsedIdx() - usedSeen) & 0xffff) + " arrived within " + timeout);
                }
                if (irq.awaitLevel(true, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS)) {
                    int isr = interruptStatus();
                    regs.write32(INTERRUPT_ACK, isr);
                }
            }
            return takeUsed(n);
        }

        /** Waits for used elements by polling the used ring with a deadline (no interrupts). */
        List<Used> pollUsed(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (((deviceUsedIdx() - usedSeen) & 0xffff) < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("queue " + index + ": " + n + " used buffers expected within " + timeout);
                }
                Thread.onSpinWait();
            }
            return takeUsed(n);
        }

        private List<Used> takeUsed(int n) {
            List<Used> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long e = used.address() + 4 + 8L * (usedSeen % size);
                int id = (int) mem.read32(e);
                int len = (int) mem.read32(e + 4);
                out.add(new Used(id, len));
                usedSeen = (usedSeen + 1) & 0xffff;
                releaseChain(id);
            }
            return out;
        }

        private void releaseChain(int head) {
            int i = head;
            for (int guard = 0; guard < size; guard++) {
                long d = desc.address() + 16L * i;
                int flags = mem.read16(d + 12);
                free.push(i);
                if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                    return;
                }
                i = mem.read16(d + 14);
            }
        }
    }
}
