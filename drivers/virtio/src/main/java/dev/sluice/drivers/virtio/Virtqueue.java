package dev.sluice.drivers.virtio;

import dev.sluice.models.DmaAllocator;
import dev.sluice.models.DmaBuffer;
import dev.sluice.models.GuestMemory;

/**
 * The driver side of one split virtqueue (virtio 1.x, 2.7): descriptor table, available ring and
 * used ring in guest memory from a {@link DmaAllocator}, a free-descriptor list threaded through
 * the descriptors' {@code next} fields, descriptor chains, and harvesting of used elements.
 *
 * <p>Not thread-safe: the owner serialises every call (the driver's work loop gate). The device
 * reads the rings concurrently; ordering is provided by {@link GuestMemory}'s release/acquire
 * index accesses: descriptors and ring entries are written before the {@code idx} that publishes
 * them.
 */
public final class Virtqueue {

    /** Descriptor flag: the chain continues at {@code next}. */
    public static final int DESC_F_NEXT = 1;
    /** Descriptor flag: the device writes this buffer. */
    public static final int DESC_F_WRITE = 2;
    /** virtq_avail.flags: the driver does not want used-buffer interrupts (2.7.7). */
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    /** One buffer of a chain. */
    public record Segment(long address, int length, boolean deviceWritable) { }

    /** One harvested used element: the token given to {@link #add} and the bytes the device wrote. */
    public record Used(Object token, int writtenLength) { }

    private final GuestMemory mem;
    private final DmaAllocator dma;
    private final int index;
    private final int size;
    private final DmaBuffer desc;
    private final DmaBuffer avail;
    private final DmaBuffer used;
    private final Object[] tokens;
    private int freeHead;
    private int freeCount;
    private int availIdx;
    private int lastUsedIdx;
    private boolean released;

    /**
     * Allocates and zeroes the rings of queue {@code index} with {@code size} entries.
     *
     * @param size a power of two from 1 to 32768 (2.7)
     */
    public Virtqueue(GuestMemory mem, DmaAllocator dma, int index, int size) {
        if (size < 1 || size > 32768 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("virtqueue size " + size + " is not a power of two in [1, 32768]");
        }
        this.mem = mem;
        this.dma = dma;
        this.index = index;
        this.size = size;
        this.tokens = new Object[size];
        DmaBuffer d = dma.allocate(16L * size, 16);
        DmaBuffer a;
        try {
            a = dma.allocate(6 + 2L * size, 2);
        } catch (RuntimeException e) {
            dma.free(d);
            throw e;
        }
        DmaBuffer u;
        try {
            u = dma.allocate(6 + 8L * size, 4);
        } catch (RuntimeException e) {
            dma.free(d);
            dma.free(a);
            throw e;
        }
        desc = d;
        avail = a;
        used = u;
        resetState();
    }

    /** Zeroes the rings and makes every descriptor free again (after a device reset). */
    public void resetState() {
        mem.fill(desc.address(), desc.size(), 0);
        mem.fill(avail.address(), avail.size(), 0);
        mem.fill(used.address(), used.size(), 0);
        java.util.Arrays.fill(tokens, null);
        for (int i = 0; i < size; i++) {
            mem.write16(descAddr(i) + 14, (i + 1) % size);
        }
        freeHead = 0;
        freeCount = size;
        availIdx = 0;
        lastUsedIdx = 0;
    }

    public int index() { return index; }

    public int size() { return size; }

    public long descAddress() { return desc.address(); }

    public long availAddress() { return avail.address(); }

    public long usedAddress() { return used.address(); }

    /** @return descriptors not part of an outstanding chain */
    public int freeDescriptors() { return freeCount; }

    /** @return chains made available and not yet harvested */
    public int outstanding() {
        int n = 0;
        for (Object t : tokens) {
            if (t != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * Builds a chain from free descriptors and publishes its head in the available ring
     * (2.7.13). Does not notify the device.
     *
     * @param token returned with the chain's used element; not null
     * @return false (and nothing changed) if there are not enough free descriptors
     */
    public boolean add(Object token, Segment... segments) {
        if (token == null || segments.length == 0) {
            throw new IllegalArgumentException("a chain needs a token and at least one segment");
        }
        if (segments.length > freeCount) {
            return false;
        }
        int head = freeHead;
        int d = head;
        for (int i = 0; i < segments.length; i++) {
            Segment s = segments[i];
            long a = descAddr(d);
            int next = mem.read16(a + 14);
            mem.write64(a, s.address());
            mem.write32(a + 8, s.length() & 0xffff_ffffL);
            boolean more = i + 1 < segments.length;
            mem.write16(a + 12, (s.deviceWritable() ? DESC_F_WRITE : 0) | (more ? DESC_F_NEXT : 0));
            d = next;
        }
        // the last descriptor keeps its next field: it still points into the free list for release
        freeHead = d;
        freeCount -= segments.length;
        tokens[head] = token;
        mem.write16(avail.address() + 4 + 2L * (availIdx & (size - 1)), head);
        availIdx = (availIdx + 1) & 0xffff;
        mem.write16(avail.address() + 2, availIdx); // release: the entry and descriptors are visible first
        return true;
    }

    /**
     * Asks the device not to send used-buffer interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT, virtio
     * 2.7.7), or to send them again. Re-enabling is followed by a full barrier: a caller that then
     * checks {@link #hasUsed()} either sees a chain the device completed meanwhile or gets its
     * interrupt (the device puts the same barrier between its used index and reading the flag).
     */
    public void suppressInterrupts(boolean suppress) {
        mem.write16(avail.address(), suppress ? AVAIL_F_NO_INTERRUPT : 0);
        if (!suppress) {
            java.lang.invoke.VarHandle.fullFence();
        }
    }

    /** @return true if the device has returned chains not yet harvested */
    public boolean hasUsed() {
        return mem.read16(used.address() + 2) != lastUsedIdx;
    }

    /**
     * Takes the next used element and returns its descriptors to the free list.
     *
     * @return the element, or null if there is none
     * @throws IllegalStateException if the device returned a head that is not outstanding
     */
    public Used poll() {
        int deviceIdx = mem.read16(used.address() + 2); // acquire: the element is visible
        if (deviceIdx == lastUsedIdx) {
            return null;
        }
        long e = used.address() + 4 + 8L * (lastUsedIdx & (size - 1));
        int id = (int) mem.read32(e);
        int len = (int) mem.read32(e + 4);
        lastUsedIdx = (lastUsedIdx + 1) & 0xffff;
        if (id < 0 || id >= size || tokens[id] == null) {
            throw new IllegalStateException("queue " + index + ": device returned descriptor " + id
                    + " which is not the head of an outstanding chain");
        }
        Object token = tokens[id];
        tokens[id] = null;
        // walk the chain to its end, then splice the whole chain in front of the free list
        int d = id;
        int n = 1;
        while ((mem.read16(descAddr(d) + 12) & DESC_F_NEXT) != 0 && n <= size) {
            d = mem.read16(descAddr(d) + 14);
            n++;
        }
        mem.write16(descAddr(d) + 12, 0);
        mem.write16(descAddr(d) + 14, freeHead);
        freeHead = id;
        freeCount += n;
        return new Used(token, len);
    }

    /** Returns the rings to the allocator; the device must have been reset first. Idempotent. */
    public void release() {
        if (!released) {
            released = true;
            dma.free(desc);
            dma.free(avail);
            dma.free(used);
        }
    }

    private long descAddr(int i) {
        return desc.address() + 16L * i;
    }
}
