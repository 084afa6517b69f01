package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {

    private static final long BASE = 0x8000_0000L;
    private final GuestMemory mem = new GuestMemory(BASE, 128L << 20);

    @Test
    @DisplayName("128 MiB is not committed up front; untouched pages read as zeros without committing")
    void lazy() {
        assertEquals(0, mem.committedBytes());
        assertEquals(0, mem.read64(BASE + (100L << 20)));
        assertArrayEquals(new byte[10], mem.read(BASE + 5, 10));
        mem.fill(BASE, 1 << 20, 0);
        assertEquals(0, mem.committedBytes());
        mem.write8(BASE + 3, 0xab);
        assertEquals(GuestMemory.PAGE_SIZE, mem.committedBytes());
    }

    @Test
    @DisplayName("little-endian scalars, also across a page boundary")
    void scalars() {
        long a = BASE + 0x100;
        mem.write32(a, 0x1122_3344L);
        assertEquals(0x44, mem.read8(a));
        assertEquals(0x3344, mem.read16(a));
        assertEquals(0x1122_3344L, mem.read32(a));
        mem.write16(a + 4, 0xfffe);
        assertEquals(0xfffe, mem.read16(a + 4));
        long edge = BASE + GuestMemory.PAGE_SIZE - 3;
        mem.write64(edge, 0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, mem.read64(edge));
        assertEquals(0x08, mem.read8(edge));
        assertEquals(0x01, mem.read8(edge + 7));
        mem.write32(edge + 1, 0xdead_beefL);
        assertEquals(0xdead_beefL, mem.read32(edge + 1));
    }

    @Test
    @DisplayName("byte-array copies spanning pages round-trip")
    void bulk() {
        byte[] data = new byte[3 * GuestMemory.PAGE_SIZE + 17];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        long a = BASE + GuestMemory.PAGE_SIZE - 5;
        mem.write(a, data);
        assertArrayEquals(data, mem.read(a, data.length));
        mem.fill(a + 1, 2, 0x5a);
        assertEquals(0x5a, mem.read8(a + 2));
    }

    @Test
    @DisplayName("buffers() are direct views of guest RAM covering the range page by page: writes through them are read back, and vice versa")
    void views() {
        long a = BASE + 2 * GuestMemory.PAGE_SIZE - 100;
        ByteBuffer[] v = mem.buffers(a, GuestMemory.PAGE_SIZE + 200);
        assertEquals(3, v.length);
        assertEquals(100, v[0].remaining());
        assertEquals(GuestMemory.PAGE_SIZE, v[1].remaining());
        assertEquals(100, v[2].remaining());
        assertTrue(v[1].isDirect());
        v[0].put(99, (byte) 0x11);
        v[1].put(0, (byte) 0x22);
        v[2].put(99, (byte) 0x33);
        assertEquals(0x11, mem.read8(a + 99));
        assertEquals(0x22, mem.read8(a + 100));
        assertEquals(0x33, mem.read8(a + 100 + GuestMemory.PAGE_SIZE + 99));
        mem.write32(a + 96, 0xcafe_f00dL);
        assertEquals((byte) 0x0d, v[0].get(96));
        assertEquals(0, mem.buffers(a, 0).length);
        assertThrows(DmaException.class, () -> mem.buffers(mem.end() - 10, 11));
    }

    @Test
    @DisplayName("every access outside RAM throws DmaException naming address and length, transferring nothing")
    void bounds() {
        DmaException e = assertThrows(DmaException.class, () -> mem.read32(BASE - 4));
        assertEquals(BASE - 4, e.address());
        assertEquals(4, e.length());
        assertTrue(e.getMessage().contains("0x7ffffffc"), e.getMessage());
        long end = mem.end();
        assertThrows(DmaException.class, () -> mem.read64(end - 7));
        assertThrows(DmaException.class, () -> mem.write(end - 2, new byte[3]));
        assertEquals(0, mem.read8(end - 1), "the failed bulk write changed nothing");
        assertThrows(DmaException.class, () -> mem.write8(end, 1));
        assertThrows(DmaException.class, () -> mem.read(Long.MAX_VALUE, 2));
        assertEquals(0xff, mem.read8(end - 1) | 0xff);
        mem.write8(end - 1, 9);
        assertEquals(9, mem.read8(end - 1));
    }

    @Test
    @DisplayName("the allocator aligns, zeroes, never overlaps, coalesces on free and reports exhaustion clearly")
    void allocator() {
        GuestMemory small = new GuestMemory(BASE, 1 << 16);
        DmaAllocator alloc = new DmaAllocator(small);
        small.write8(BASE + 4096, 0x77);
        DmaBuffer a = alloc.allocate(100, 4096);
        DmaBuffer b = alloc.allocate(100, 16);
        DmaBuffer c = alloc.allocate(4096, 4096);
        Set<Long> starts = new HashSet<>();
        for (DmaBuffer x : new DmaBuffer[] {a, b, c}) {
            starts.add(x.address());
        }
        assertEquals(3, starts.size());
        assertEquals(0, a.address() % 4096);
        assertEquals(0, b.address() % 16);
        assertEquals(0, c.address() % 4096);
        assertTrue(b.address() >= a.end() || b.end() <= a.address());
        assertTrue(c.address() >= b.end());
        assertEquals(0, small.read8(BASE + 4096), "allocated memory is zeroed");
        DmaException full = assertThrows(DmaException.class, () -> alloc.allocate(1 << 16, 1));
        assertTrue(full.getMessage().contains("exhausted") && full.getMessage().contains("65536"), full.getMessage());
        alloc.free(a);
        alloc.free(b);
        alloc.free(c);
        assertEquals(1 << 16, alloc.freeBytes());
        DmaBuffer all = alloc.allocate(1 << 16, 1 << 16);
        assertEquals(BASE, all.address(), "freed blocks coalesced back into one");
        assertThrows(IllegalArgumentException.class, () -> alloc.free(a));
        assertThrows(IllegalArgumentException.class, () -> alloc.allocate(8, 3));
    }
}
