package dev.sluice.models.virtio;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.models.GuestMemory;

/**
 * The device side of one split virtqueue (virtio 2.7) that the driver made ready: descriptor
 * table, available (driver) ring and used (device) ring in guest memory.
 *
 * <p>A {@code VirtQueue} lives from QueueReady = 1 until the device is reset; a reset makes it
 * stale and every later {@link #complete} or {@link DescriptorChain#write} of it is dropped. Its
 * methods are for the device's io thread only. Protocol errors found while reading the rings
 * (index out of range, buffer outside guest memory, loop, bad indirect table) throw an internal
 * exception that the transport turns into DEVICE_NEEDS_RESET.
 */
public final class VirtQueue {

    private final VirtioMmioDevice transport;
    private final int index;
    private final int size;
    private final long descTable;
    private final long availRing;
    private final long usedRing;
    private final boolean indirect;
    private volatile int lastAvail;
    private volatile int usedIdx;
    private boolean completedSinceInterrupt;

    VirtQueue(VirtioMmioDevice transport, int index, int size, long descTable, long availRing, long usedRing,
              boolean indirect) {
        this.transport = transport;
        this.index = index;
        this.size = size;
        this.descTable = descTable;
        this.availRing = availRing;
        this.usedRing = usedRing;
        this.indirect = indirect;
    }

    /** @return the queue's index on its device */
    public int index() { return index; }

    /** @return the queue size the driver chose (QueueNum) */
    public int size() { return size; }

    GuestMemory memory() {
        return transport.memory();
    }

    /** @return true if the driver made at least one more chain available */
    public boolean hasAvailable() {
        return memory().read16(availRing + 2) != lastAvail;
    }

    /**
     * Takes the next available chain.
     *
     * @return the validated chain, or null if none is available
     */
    public DescriptorChain pop() {
        int availIdx = memory().read16(availRing + 2);
        if (availIdx == lastAvail) {
            return null;
        }
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending > size) {
            throw new VirtioProtocolException("queue " + index + ": available idx " + availIdx + " is " + pending
                    + " entries ahead of the device (" + lastAvail + "), more than the queue size " + size);
        }
        int head = memory().read16(availRing + 4 + 2L * (lastAvail % size));
        lastAvail = (lastAvail + 1) & 0xffff;
        return new DescriptorChain(this, head, walk(head));
    }

    /**
     * Returns a chain to the driver: writes the used element {@code (head, len)} and publishes
     * the new used index (virtio 2.7.8). The transport interrupts after the current io task.
     *
     * @param writtenBytes bytes the device wrote into the chain's device-writable buffers
     */
    public void complete(DescriptorChain chain, int writtenBytes) {
        int slot = usedIdx % size;
        int next = (usedIdx + 1) & 0xffff;
        dma(() -> {
            long elem = usedRing + 4 + 8L * slot;
            memory().write32(elem, chain.head());
            memory().write32(elem + 4, writtenBytes & 0xffff_ffffL);
            memory().write16(usedRing + 2, next);
        });
        usedIdx = next;
        completedSinceInterrupt = true;
    }

    /** @return the device's count of chains taken (mod 2^16) */
    public int lastAvailIdx() { return lastAvail; }

    /** @return the device's used index (mod 2^16) */
    public int usedIdx() { return usedIdx; }

    /**
     * @return the driver's available index as guest memory holds it now (mod 2^16): chains the
     *         driver has made available, whether or not the device took them yet. A snapshot, for
     *         diagnostics and tests; any thread.
     */
    public int driverAvailIdx() {
        return memory().read16(availRing + 2);
    }

    /**
     * @return true if the driver's available-ring flags ask for used-buffer interrupts now (no
     *         VIRTQ_AVAIL_F_NO_INTERRUPT, 2.7.7). A snapshot, for diagnostics and tests; any thread.
     */
    public boolean driverWantsInterrupts() {
        return (memory().read16(availRing) & Virtio.VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }

    void dma(Runnable writes) {
        transport.dma(this, writes);
    }

    void directDma(VirtioMmioDevice.DirectTransfer transfer) throws java.io.IOException {
        transport.directDma(this, transfer);
    }

    /** @return true if chains completed since the last call and the driver wants interrupts */
    boolean takeInterruptNeed() {
        if (!completedSinceInterrupt) {
            return false;
        }
        completedSinceInterrupt = false;
        // mb() between the used index written and the flag read: a driver that clears the flag and
        // then checks the used index (with its own full barrier) sees the element or gets the interrupt
        java.lang.invoke.VarHandle.fullFence();
        return (memory().read16(availRing) & Virtio.VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }

    private List<DescriptorChain.Segment> walk(int head) {
        if (head >= size) {
            throw new VirtioProtocolException("queue " + index + ": available ring names descriptor " + head
                    + ", beyond the queue size " + size);
        }
        List<DescriptorChain.Segment> out = new ArrayList<>();
        int i = head;
        int count = 0;
        while (true) {
            if (++count > size) {
                throw new VirtioProtocolException("queue " + index + ": descriptor chain at head " + head
                        + " loops (longer than the queue size " + size + ")");
            }
            long d = descTable + 16L * i;
            long addr = memory().read64(d);
            long len = memory().read32(d + 8);
            int flags = memory().read16(d + 12);
            int next = memory().read16(d + 14);
            if ((flags & Virtio.VIRTQ_DESC_F_INDIRECT) != 0) {
                if (!indirect) {
                    throw new VirtioProtocolException("queue " + index + ": descriptor " + i
                            + " is indirect but VIRTIO_F_INDIRECT_DESC was not negotiated");
                }
                if ((flags & Virtio.VIRTQ_DESC_F_NEXT) != 0) {
                    throw new VirtioProtocolException("queue " + index + ": descriptor " + i + " sets both INDIRECT and NEXT");
                }
                walkIndirect(i, addr, len, out);
                return out;
            }
            add(out, i, addr, len, (flags & Virtio.VIRTQ_DESC_F_WRITE) != 0);
            if ((flags & Virtio.VIRTQ_DESC_F_NEXT) == 0) {
                return out;
            }
            if (next >= size) {
                throw new VirtioProtocolException("queue " + index + ": descriptor " + i + " chains to " + next
                        + ", beyond the queue size " + size);
            }
            i = next;
        }
    }

    private void walkIndirect(int at, long table, long len, List<DescriptorChain.Segment> out) {
        if (len == 0 || len % 16 != 0) {
            throw new VirtioProtocolException("queue " + index + ": indirect table of descriptor " + at + " is " + len
                    + " bytes, not a non-zero multiple of 16");
        }
        if (!memory().contains(table, len)) {
            throw new VirtioProtocolException(String.format("queue %d: indirect table [0x%x, %d bytes] of descriptor %d "
                    + "is outside guest memory", index, table, len, at));
        }
        int n = (int) (len / 16);
        int j = 0;
        int count = 0;
        while (true) {
            if (++count > n) {
                throw new VirtioProtocolException("queue " + index + ": indirect chain of descriptor " + at + " loops");
            }
            long d = table + 16L * j;
            long addr = memory().read64(d);
            long l = memory().read32(d + 8);
            int flags = memory().read16(d + 12);
            int next = memory().read16(d + 14);
            if ((flags & Virtio.VIRTQ_DESC_F_INDIRECT) != 0) {
                throw new VirtioProtocolException("queue " + index + ": indirect table of descriptor " + at
                        + " contains another indirect descriptor");
            }
            add(out, j, addr, l, (flags & Virtio.VIRTQ_DESC_F_WRITE) != 0);
            if ((flags & Virtio.VIRTQ_DESC_F_NEXT) == 0) {
                return;
            }
            if (next >= n) {
                throw new VirtioProtocolException("queue " + index + ": indirect descriptor " + j + " chains to " + next
                        + ", beyond its table of " + n);
            }
            j = next;
        }
    }

    private void add(List<DescriptorChain.Segment> out, int i, long addr, long len, boolean writable) {
        if (!memory().contains(addr, len)) {
            throw new VirtioProtocolException(String.format("queue %d: descriptor %d buffer [0x%x, %d bytes] is outside "
                    + "guest memory", index, i, addr, len));
        }
        if (!writable && !out.isEmpty() && out.get(out.size() - 1).writable()) {
            throw new VirtioProtocolException("queue " + index + ": descriptor " + i
                    + " is device-readable but follows a device-writable one (2.7.4.2)");
        }
        out.add(new DescriptorChain.Segment(addr, (int) len, writable));
    }

    @Override
    public String toString() {
        return String.format("queue %d: size %d, desc 0x%x, driver 0x%x, device 0x%x, avail %d, used %d",
                index, size, descTable, availRing, usedRing, lastAvail, usedIdx);
    }
}
