package dev.sluice.models;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The guest's RAM: {@code size} bytes at guest-physical address {@code base}, shared by the
 * drivers and the device models (DMA). It is sparse: 64 KiB pages are allocated on the first
 * write that touches them, and untouched pages read as zeros, so a 128 MiB guest commits only
 * what is used. Pages are direct (off-heap) buffers, so guest RAM does not count against the
 * Java heap, and devices can hand {@link #buffers views} of it to file channels.
 *
 * <h2>Accesses</h2>
 * Bytes, little-endian u16/u32/u64 and byte-array copies at any address. Every access is
 * bounds-checked: one that does not lie wholly inside {@code [base, base + size)} throws
 * {@link DmaException} naming the address and length, and nothing is transferred.
 *
 * <h2>Threads and ordering</h2>
 * Any thread may access any address. Like RAM, concurrent accesses to the same bytes are not
 * atomic with respect to each other, but the u16/u32/u64 accessors carry barriers: a
 * {@code write16/32/64} has release semantics (everything written before it is visible to a
 * thread that reads it) and a {@code read16/32/64} has acquire semantics. That is what a
 * virtqueue's index fields need, as on real hardware with its memory barriers.
 */
public final class GuestMemory {

    /** Page size of the lazy backing store. */
    public static final int PAGE_SIZE = 64 * 1024;
    private static final int PAGE_SHIFT = 16;
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Zeros for clearing a page; never written. */
    private static final byte[] ZEROS = new byte[PAGE_SIZE];

    private final long base;
    private final long size;
    /** Direct buffers, so file channels move data straight to and from guest RAM (see {@link #buffers}). */
    private final AtomicReferenceArray<ByteBuffer> pages;

    /**
     * @param base guest-physical address of the first byte (e.g. 0x8000_0000)
     * @param size bytes of RAM, a positive multiple of 64 KiB up to 128 GiB
     * @throws IllegalArgumentException otherwise, or if the range wraps around
     */
    public GuestMemory(long base, long size) {
        if (size <= 0 || size % PAGE_SIZE != 0 || size / PAGE_SIZE > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("guest memory size " + size + " is not a positive multiple of "
                    + PAGE_SIZE + " (and at most 128 GiB)");
        }
        if (base < 0 || base + size < 0) {
            throw new IllegalArgumentException(String.format("guest memory [0x%x, +0x%x) does not fit in the "
                    + "positive 64-bit address space", base, size));
        }
        this.base = base;
        this.size = size;
        this.pages = new AtomicReferenceArray<>((int) (size / PAGE_SIZE));
    }

    public long base() { return base; }

    public long size() { return size; }

    /** @return the address one past the last byte */
    public long end() { return base + size; }

    /** @return true if {@code [address, address + length)} lies inside guest RAM */
    public boolean contains(long address, long length) {
        return length >= 0 && address >= base && address - base <= size - length;
    }

    /** @return bytes currently committed by touched pages */
    public long committedBytes() {
        long n = 0;
        for (int i = 0; i < pages.length(); i++) {
            if (pages.get(i) != null) {
                n += PAGE_SIZE;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- scalar accesses

    public int read8(long address) {
        long off = check(address, 1);
        ByteBuffer p = pages.get(page(off));
        return p == null ? 0 : p.get(inPage(off)) & 0xff;
    }

    public void write8(long address, int value) {
        long off = check(address, 1);
        writablePage(page(off)).put(inPage(off), (byte) value);
    }

    /** @return the little-endian u16 at {@code address} (acquire) */
    public int read16(long address) {
        long off = check(address, 2);
        int v;
        if (fits(off, 2)) {
            ByteBuffer p = pages.get(page(off));
            v = p == null ? 0 : (short) SHORT.get(p, inPage(off)) & 0xffff;
        } else {
            v = (int) readSlow(off, 2);
        }
        VarHandle.acquireFence();
        return v;
    }

    /** Writes a little-endian u16 (release). */
    public void write16(long address, int value) {
        long off = check(address, 2);
        VarHandle.releaseFence();
        if (fits(off, 2)) {
            SHORT.set(writablePage(page(off)), inPage(off), (short) value);
        } else {
            writeSlow(off, 2, value);
        }
    }

    /** @return the little-endian u32 at {@code address} as an unsigned long (acquire) */
    public long read32(long address) {
        long off = check(address, 4);
        long v;
        if (fits(off, 4)) {
            ByteBuffer p = pages.get(page(off));
            v = p == null ? 0 : (int) INT.get(p, inPage(off)) & 0xffff_ffffL;
        } else {
            v = readSlow(off, 4);
        }
        VarHandle.acquireFence();
        return v;
    }

    /** Writes a little-endian u32 (release). */
    public void write32(long address, long value) {
        long off = check(address, 4);
        VarHandle.releaseFence();
        if (fits(off, 4)) {
            INT.set(writablePage(page(off)), inPage(off), (int) value);
        } else {
            writeSlow(off, 4, value);
        }
    }

    /** @return the little-endian u64 at {@code address} (acquire) */
    public long read64(long address) {
        long off = check(address, 8);
        long v;
        if (fits(off, 8)) {
            ByteBuffer p = pages.get(page(off));
            v = p == null ? 0 : (long) LONG.get(p, inPage(off));
        } else {
            v = readSlow(off, 8);
        }
        VarHandle.acquireFence();
        return v;
    }

    /** Writes a little-endian u64 (release). */
    public void write64(long address, long value) {
        long off = check(address, 8);
        VarHandle.releaseFence();
        if (fits(off, 8)) {
            LONG.set(writablePage(page(off)), inPage(off), value);
        } else {
            writeSlow(off, 8, value);
        }
    }

    // ---------------------------------------------------------------- bulk accesses

    /** Copies {@code length} bytes from guest memory into {@code dst[dstOffset..]}. */
    public void read(long address, byte[] dst, int dstOffset, int length) {
        if (dstOffset < 0 || length < 0 || dstOffset > dst.length - length) {
            throw new IndexOutOfBoundsException("destination range " + dstOffset + "+" + length
                    + " outside array of " + dst.length);
        }
        long off = check(address, length);
        int done = 0;
        while (done < length) {
            int chunk = Math.min(length - done, PAGE_SIZE - inPage(off));
            ByteBuffer p = pages.get(page(off));
            if (p == null) {
                java.util.Arrays.fill(dst, dstOffset + done, dstOffset + done + chunk, (byte) 0);
            } else {
                p.get(inPage(off), dst, dstOffset + done, chunk);
            }
            done += chunk;
            off += chunk;
        }
        VarHandle.acquireFence();
    }

    /** @return a new array with the {@code length} bytes at {@code address} */
    public byte[] read(long address, int length) {
        byte[] b = new byte[length];
        read(address, b, 0, length);
        return b;
    }

    /** Copies {@code src[srcOffset..srcOffset+length)} into guest memory at {@code address}. */
    public void write(long address, byte[] src, int srcOffset, int length) {
        if (srcOffset < 0 || length < 0 || srcOffset > src.length - length) {
            throw new IndexOutOfBoundsException("source range " + srcOffset + "+" + length
                    + " outside array of " + src.length);
        }
        long off = check(address, length);
        VarHandle.releaseFence();
        int done = 0;
        while (done < length) {
            int chunk = Math.min(length - done, PAGE_SIZE - inPage(off));
            writablePage(page(off)).put(inPage(off), src, srcOffset + done, chunk);
            done += chunk;
            off += chunk;
        }
    }

    /** Copies all of {@code src} into guest memory at {@code address}. */
    public void write(long address, byte[] src) {
        write(address, src, 0, src.length);
    }

    /**
     * Views of guest RAM for a device's own I/O: direct buffers that together cover
     * {@code [address, address + length)} in order, each inside one page, positioned at 0 with
     * their length as limit. Reading or writing them reads or writes guest memory, so a file
     * channel moves data between a file and guest RAM without any intermediate copy. Pages not
     * touched yet are committed. Nothing is returned if the range is outside RAM.
     *
     * <p>The views carry no barriers: a device that fills them publishes the data the usual way,
     * with a releasing {@code write16/32/64} (e.g. of the used ring index) afterwards.
     */
    public ByteBuffer[] buffers(long address, int length) {
        long off = check(address, length);
        long end = off + length;
        int count = length == 0 ? 0 : page(end - 1) - page(off) + 1;
        ByteBuffer[] out = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            int chunk = (int) Math.min(end - off, PAGE_SIZE - inPage(off));
            out[i] = writablePage(page(off)).slice(inPage(off), chunk);
            off += chunk;
        }
        return out;
    }

    /** Sets {@code length} bytes to {@code value}; zero-filling untouched pages commits nothing. */
    public void fill(long address, long length, int value) {
        long off = check(address, length);
        long end = off + length;
        while (off < end) {
            int chunk = (int) Math.min(end - off, PAGE_SIZE - inPage(off));
            ByteBuffer p = pages.get(page(off));
            if (p != null || value != 0) {
                ByteBuffer w = p != null ? p : writablePage(page(off));
                if (value == 0) {
                    w.put(inPage(off), ZEROS, 0, chunk);
                } else {
                    for (int i = 0; i < chunk; i++) {
                        w.put(inPage(off) + i, (byte) value);
                    }
                }
            }
            off += chunk;
        }
        VarHandle.releaseFence();
    }

    @Override
    public String toString() {
        return String.format("GuestMemory[0x%x, %d MiB, %d KiB committed]", base, size >> 20, committedBytes() >> 10);
    }

    // ---------------------------------------------------------------- internals

    private long check(long address, long length) {
        if (!contains(address, length)) {
            throw new DmaException(address, length, String.format("guest memory access outside RAM [0x%x, 0x%x)",
                    base, base + size));
        }
        return address - base;
    }

    private static int page(long off) {
        return (int) (off >>> PAGE_SHIFT);
    }

    private static int inPage(long off) {
        return (int) (off & (PAGE_SIZE - 1));
    }

    private static boolean fits(long off, int width) {
        return inPage(off) <= PAGE_SIZE - width;
    }

    private ByteBuffer writablePage(int index) {
        ByteBuffer p = pages.get(index);
        if (p == null) {
            ByteBuffer fresh = ByteBuffer.allocateDirect(PAGE_SIZE); // zeroed
            p = pages.compareAndExchange(index, null, fresh);
            if (p == null) {
                p = fresh;
            }
        }
        return p;
    }

    private long readSlow(long off, int width) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            ByteBuffer p = pages.get(page(off + i));
            long b = p == null ? 0 : p.get(inPage(off + i)) & 0xff;
            v |= b << (8 * i);
        }
        return v;
    }

    private void writeSlow(long off, int width, long value) {
        for (int i = 0; i < width; i++) {
            writablePage(page(off + i)).put(inPage(off + i), (byte) (value >>> (8 * i)));
        }
    }
}
