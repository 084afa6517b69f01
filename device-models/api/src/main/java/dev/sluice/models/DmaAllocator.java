package dev.sluice.models;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out blocks of guest memory for DMA: virtqueues, request headers, data buffers. Drivers
 * use it the way a kernel uses its DMA allocator; the blocks are plain guest RAM that the device
 * reads and writes by address. First fit over an address-ordered free list; freed neighbours
 * coalesce; each block is zeroed when allocated.
 *
 * <p>Thread-safe (one lock). Allocation never blocks and never grows: when no free block can
 * hold the request, {@link #allocate(long, long)} throws {@link DmaException} saying how much was
 * asked and what is left.
 */
public final class DmaAllocator {

    private final GuestMemory memory;
    private final long start;
    private final long length;
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final Map<Long, Long> allocated = new HashMap<>();
    private long freeBytes;

    /** An allocator over all of {@code memory}. */
    public DmaAllocator(GuestMemory memory) {
        this(memory, memory.base(), memory.size());
    }

    /**
     * An allocator over {@code [start, start + length)}, which must lie inside {@code memory}.
     *
     * @throws DmaException if it does not
     */
    public DmaAllocator(GuestMemory memory, long start, long length) {
        if (length <= 0 || !memory.contains(start, length)) {
            throw new DmaException(start, length, "DMA pool is not inside " + memory);
        }
        this.memory = memory;
        this.start = start;
        this.length = length;
        free.put(start, length);
        freeBytes = length;
    }

    /** @return the memory this allocator carves */
    public GuestMemory memory() {
        return memory;
    }

    /**
     * @param size      bytes, at least 1
     * @param alignment a power of two (1 for none)
     * @return a zeroed block whose address is a multiple of {@code alignment}
     * @throws IllegalArgumentException for a non-positive size or an alignment that is not a power of two
     * @throws DmaException when the pool cannot hold it (exhaustion or fragmentation)
     */
    public synchronized DmaBuffer allocate(long size, long alignment) {
        if (size <= 0) {
            throw new IllegalArgumentException("DMA allocation size must be positive, was " + size);
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("DMA alignment must be a power of two, was " + alignment);
        }
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long blockStart = e.getKey();
            long blockEnd = blockStart + e.getValue();
            long addr = (blockStart + alignment - 1) & -alignment;
            if (addr >= blockStart && addr <= blockEnd - size) {
                free.remove(blockStart);
                if (addr > blockStart) {
                    free.put(blockStart, addr - blockStart);
                }
                if (addr + size < blockEnd) {
                    free.put(addr + size, blockEnd - addr - size);
                }
                allocated.put(addr, size);
                freeBytes -= size;
                memory.fill(addr, size, 0);
                return new DmaBuffer(addr, size);
            }
        }
        long largest = free.values().stream().mapToLong(Long::longValue).max().orElse(0);
        throw new DmaException(start, size, String.format("DMA pool exhausted: cannot allocate %d bytes aligned to %d; "
                + "%d of %d bytes free, largest free block %d bytes", size, alignment, freeBytes, length, largest));
    }

    /**
     * Returns a block to the pool.
     *
     * @throws IllegalArgumentException if it was not allocated here or was already freed
     */
    public synchronized void free(DmaBuffer buffer) {
        Long size = allocated.get(buffer.address());
        if (size == null || size != buffer.size()) {
            throw new IllegalArgumentException(buffer + " was not allocated by this allocator or was already freed");
        }
        allocated.remove(buffer.address());
        freeBytes += size;
        long s = buffer.address();
        long len = size;
        Map.Entry<Long, Long> below = free.floorEntry(s);
        if (below != null && below.getKey() + below.getValue() == s) {
            s = below.getKey();
            len += below.getValue();
            free.remove(below.getKey());
        }
        Long aboveLen = free.remove(s + len);
        if (aboveLen != null) {
            len += aboveLen;
        }
        free.put(s, len);
    }

    /** @return bytes not allocated */
    public synchronized long freeBytes() {
        return freeBytes;
    }

    @Override
    public synchronized String toString() {
        return String.format("DmaAllocator[0x%x, %d bytes, %d free in %d blocks]", start, length, freeBytes, free.size());
    }
}
