package dev.sluice.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.virtio.Virtqueue.Segment;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;

import org.junit.jupiter.api.Test;

/** Split-ring bookkeeping in guest memory, with the test playing the device (2.7). */
class VirtqueueTest {

    private final GuestMemory mem = new GuestMemory(0x8000_0000L, 1 << 20);
    private final DmaAllocator dma = new DmaAllocator(mem);
    private final Virtqueue q = new Virtqueue(mem, dma, 0, 4);

    private void deviceUses(int usedIdx, int head, int len) {
        long e = q.usedAddress() + 4 + 8L * (usedIdx % 4);
        mem.write32(e, head);
        mem.write32(e + 4, len);
        mem.write16(q.usedAddress() + 2, usedIdx + 1);
    }

    @Test
    void aChainIsWrittenAsLinkedDescriptorsAndPublishedInTheAvailRing() {
        assertTrue(q.add("a", new Segment(0x8001_0000L, 16, false), new Segment(0x8002_0000L, 1, true)));
        assertEquals(1, mem.read16(q.availAddress() + 2), "avail idx");
        int head = mem.read16(q.availAddress() + 4);
        long d0 = q.descAddress() + 16L * head;
        assertEquals(0x8001_0000L, mem.read64(d0));
        assertEquals(16, mem.read32(d0 + 8));
        assertEquals(Virtqueue.DESC_F_NEXT, mem.read16(d0 + 12));
        long d1 = q.descAddress() + 16L * mem.read16(d0 + 14);
        assertEquals(0x8002_0000L, mem.read64(d1));
        assertEquals(Virtqueue.DESC_F_WRITE, mem.read16(d1 + 12));
        assertEquals(2, q.freeDescriptors());
    }

    @Test
    void aFullRingRefusesAChainUntilTheDeviceReturnsDescriptors() {
        assertTrue(q.add("a", new Segment(1, 1, false), new Segment(2, 1, true)));
        assertTrue(q.add("b", new Segment(3, 1, false)));
        assertFalse(q.add("c", new Segment(4, 1, false), new Segment(5, 1, false)), "only one descriptor left");
        assertEquals(1, q.freeDescriptors());
        assertFalse(q.hasUsed());
        assertNull(q.poll());
        int headA = mem.read16(q.availAddress() + 4);
        deviceUses(0, headA, 1);
        Virtqueue.Used u = q.poll();
        assertEquals("a", u.token());
        assertEquals(1, u.writtenLength());
        assertEquals(3, q.freeDescriptors());
        assertTrue(q.add("c", new Segment(4, 1, false), new Segment(5, 1, false)));
        assertEquals(2, q.outstanding());
    }

    @Test
    void indicesWrapAroundAfter65536Uses() {
        for (int i = 0; i < 70_000; i++) {
            assertTrue(q.add(i, new Segment(1, 1, true)));
            int head = mem.read16(q.availAddress() + 4 + 2L * (i % 4));
            deviceUses(i & 0xffff, head, 0);
            assertEquals(i, q.poll().token());
        }
        assertEquals(4, q.freeDescriptors());
        assertEquals(70_000 & 0xffff, mem.read16(q.availAddress() + 2));
    }

    @Test
    void aUsedElementNamingNoOutstandingChainIsADeviceError() {
        deviceUses(0, 3, 0);
        assertThrows(IllegalStateException.class, q::poll);
    }
}
