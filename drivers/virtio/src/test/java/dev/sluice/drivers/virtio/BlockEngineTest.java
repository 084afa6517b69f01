package dev.sluice.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.virtio.BlockEngine.Kind;
import dev.sluice.drivers.virtio.BlockEngine.Request;
import dev.sluice.kernel.IOReturn;
import dev.sluice.models.virtio.VirtioMmioFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtio-blk engine against the virtio-blk device model, serialised on a test work loop. */
class BlockEngineTest {

    @TempDir
    Path dir;
    private BlockRig rig;
    private BlockEngine engine;

    private BlockEngine start(BlockRig r) throws Exception {
        rig = r;
        engine = new BlockEngine(r.transport, r.mem, r.dma);
        r.onInterrupt = engine::service;
        r.onLoop(() -> {
            engine.start();
            return null;
        });
        return engine;
    }

    @AfterEach
    void close() throws Exception {
        if (rig != null) {
            rig.onLoop(() -> {
                engine.shutdown(IOReturn.ABORTED, "test over");
                return null;
            });
            rig.close();
        }
    }

    /** Submits on the loop thread and waits for the request's single completion. */
    private Request run(Kind kind, long sector, byte[] buf) throws Exception {
        CompletableFuture<Request> done = new CompletableFuture<>();
        Request r = new Request(kind, sector, buf, req -> {
            if (!done.complete(req)) {
                throw new AssertionError("request completed twice");
            }
        });
        rig.onLoop(() -> {
            engine.submit(r);
            return null;
        });
        return done.get(10, TimeUnit.SECONDS);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed + (i >> 9));
        }
        return b;
    }

    @Test
    void readsTheConfigurationFromTheDevice() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(4096)));
        assertEquals(4096, engine.capacitySectors());
        assertEquals(512, engine.blockSize());
        assertEquals(8 * 64 * 1024, engine.maxRequestBytes(), "seg_max 8 segments of size_max 64 KiB");
        assertEquals(false, engine.readOnly());
    }

    @Test
    void writtenAndFlushedDataIsInTheImageFileAndReadsBack() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(4096)));
        byte[] data = pattern(8 * 512, 7);
        assertNull(run(Kind.WRITE, 3, data).failure());
        assertNull(run(Kind.FLUSH, 0, null).failure());
        byte[] file = Files.readAllBytes(dir.resolve("disk0.img"));
        assertArrayEquals(data, Arrays.copyOfRange(file, 3 * 512, 11 * 512));
        byte[] back = new byte[8 * 512];
        assertNull(run(Kind.READ, 3, back).failure());
        assertArrayEquals(data, back);
    }

    @Test
    void aRequestLargerThanSegMaxTimesSizeMaxIsSplitAndCompletesOnce() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(8192)));
        byte[] data = pattern(1 << 20, 3);
        assertNull(run(Kind.WRITE, 100, data).failure());
        assertEquals(2, engine.partsSubmitted(), "1 MiB = two requests of 512 KiB");
        byte[] back = new byte[1 << 20];
        assertNull(run(Kind.READ, 100, back).failure());
        assertArrayEquals(data, back);
        assertTrue(String.join("\n", rig.device.describe()).contains("2 reads, 2 writes"), rig.device.describe().toString());
    }

    @Test
    void manyRequestsInFlightEachCompleteOnceAndTheRingIsRecycled() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(8192)));
        int n = 200; // more than the ring holds: the backlog refills it as completions arrive
        List<CompletableFuture<Request>> futures = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        List<Request> reqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Request> f = new CompletableFuture<>();
            futures.add(f);
            reqs.add(new Request(Kind.WRITE, 8L * i, pattern(4096, i), r -> {
                calls.incrementAndGet();
                f.complete(r);
            }));
        }
        rig.onLoop(() -> {
            reqs.forEach(engine::submit);
            return null;
        });
        for (CompletableFuture<Request> f : futures) {
            assertNull(f.get(10, TimeUnit.SECONDS).failure());
        }
        assertEquals(n, calls.get());
        assertEquals(0, (int) rig.onLoop(engine::pending));
        byte[] back = new byte[4096];
        assertNull(run(Kind.READ, 8L * 137, back).failure());
        assertArrayEquals(pattern(4096, 137), back);
    }

    /** Submits with completion polling on the loop thread; returns whether it completed inside the call. */
    private boolean submitPolled(Request r, CompletableFuture<Request> done) throws Exception {
        return rig.onLoop(() -> {
            engine.submitPolled(r);
            return done.isDone();
        });
    }

    @Test
    void aPolledRequestOnAnIdleDeviceCompletesInsideTheSubmissionWithNoInterrupt() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(8192)));
        long raises = rig.raises.get();
        byte[] data = pattern(3 << 20, 4); // 6 virtio requests of seg_max x size_max, all polled
        CompletableFuture<Request> written = new CompletableFuture<>();
        assertTrue(submitPolled(new Request(Kind.WRITE, 64, data, written::complete), written));
        assertNull(written.get().failure());
        byte[] back = new byte[data.length];
        CompletableFuture<Request> read = new CompletableFuture<>();
        assertTrue(submitPolled(new Request(Kind.READ, 64, back, read::complete), read));
        assertNull(read.get().failure());
        assertArrayEquals(data, back);
        assertEquals(raises, rig.raises.get(), "used-buffer interrupts were suppressed while polling");
        assertEquals(0, (long) rig.onLoop(engine::interruptsServiced));
        assertEquals(0, (int) rig.onLoop(engine::pending));
    }

    @Test
    void aPolledRequestTheDeviceCompletesLaterArrivesThroughTheInterrupt() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(8192).property(VirtioMmioFactory.PROP_IOTHREAD, new byte[0])));
        CountDownLatch release = new CountDownLatch(1);
        rig.device.runOnIo(() -> { // keeps the device busy: the request waits until after the poll
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Request> done = new CompletableFuture<>();
        assertFalse(submitPolled(new Request(Kind.WRITE, 0, pattern(4096, 8), done::complete), done));
        release.countDown();
        assertNull(done.get(10, TimeUnit.SECONDS).failure());
        assertTrue(rig.raises.get() > 0, "interrupts were enabled again after the poll");
        assertTrue(rig.onLoop(engine::interruptsServiced) > 0);
    }

    @Test
    void requestsBeyondTheCapacityFailWithBadArgumentAndOddLengthsAreRejected() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(64)));
        Request r = run(Kind.READ, 60, new byte[8 * 512]);
        assertSame(IOReturn.BAD_ARGUMENT, r.failure().result());
        assertThrows(IllegalArgumentException.class, () -> engine.submit(new Request(Kind.READ, 0, new byte[100], q -> { })));
        assertNull(run(Kind.READ, 56, new byte[8 * 512]).failure(), "the last 8 sectors are inside");
    }

    @Test
    void afterDeviceNeedsResetTheEngineResetsReinitialisesAndServesRequestsAgain() throws Exception {
        start(new BlockRig(dir, 2, BlockRig.block(4096)));
        byte[] data = pattern(4096, 9);
        assertNull(run(Kind.WRITE, 16, data).failure());
        rig.onLoop(() -> { // a stray chain pointing outside guest RAM: the device must give up on the queue
            Virtqueue q = engine.queue();
            long d = q.descAddress() + 16L * (q.size() - 1);
            rig.mem.write64(d, 0x1000);
            rig.mem.write32(d + 8, 512);
            rig.mem.write16(d + 12, Virtqueue.DESC_F_WRITE);
            int idx = rig.mem.read16(q.availAddress() + 2);
            rig.mem.write16(q.availAddress() + 4 + 2L * (idx % q.size()), q.size() - 1);
            rig.mem.write16(q.availAddress() + 2, (idx + 1) & 0xffff);
            rig.transport.notifyQueue(0);
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (rig.onLoop(engine::resets) == 0) {
            assertTrue(System.nanoTime() < deadline, "no DEVICE_NEEDS_RESET recovery within 10 s");
            Thread.onSpinWait();
        }
        assertEquals(0, rig.transport.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        assertEquals(VirtioMmio.STATUS_DRIVER_OK, rig.transport.status() & VirtioMmio.STATUS_DRIVER_OK);
        byte[] back = new byte[4096];
        assertNull(run(Kind.READ, 16, back).failure());
        assertArrayEquals(data, back, "the data written before the reset is still there");
    }

    @Test
    void aReadOnlyDeviceRefusesWritesWithNotPermitted() throws Exception {
        Files.write(dir.resolve("disk0.img"), new byte[64 * 512]);
        start(new BlockRig(dir, 2, BlockRig.block(64).property(VirtioMmioFactory.PROP_READ_ONLY, new byte[0])));
        assertTrue(engine.readOnly());
        assertSame(IOReturn.NOT_PERMITTED, run(Kind.WRITE, 0, new byte[512]).failure().result());
        assertNull(run(Kind.READ, 0, new byte[512]).failure());
    }

    @Test
    void shutdownResetsTheDeviceReturnsAllDmaMemoryAndLaterRequestsFailOffline() throws Exception {
        BlockRig r = new BlockRig(dir, 2, BlockRig.block(4096));
        long free = r.dma.freeBytes();
        start(r);
        assertNull(run(Kind.WRITE, 0, new byte[1 << 20]).failure());
        assertTrue(rig.dma.freeBytes() < free, "rings (and kept bounce buffers) are allocated");
        rig.onLoop(() -> {
            engine.shutdown(IOReturn.ABORTED, "stopping");
            return null;
        });
        assertEquals(0, rig.transport.status());
        assertEquals(free, rig.dma.freeBytes(), "every DMA byte is back");
        assertSame(IOReturn.OFFLINE, run(Kind.READ, 0, new byte[512]).failure().result());
    }
}
