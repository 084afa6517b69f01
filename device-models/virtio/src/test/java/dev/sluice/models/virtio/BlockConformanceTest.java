package dev.sluice.models.virtio;

import static dev.sluice.models.virtio.Virtio.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sluice.models.DmaBuffer;

class BlockConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long SECTORS = 2048; // 1 MiB

    @TempDir
    Path dir;
    private VirtioFixture fx;
    private VirtioFixture.Rig rig;
    private SpecDriver d;
    private SpecDriver.Queue q;

    @BeforeEach
    void setUp() throws Exception {
        fx = new VirtioFixture(dir);
        rig = fx.block(SECTORS);
        d = rig.driver();
        q = d.init(1, 64).get(0);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** Replaces the default rig by one with {@code sluice,iothread}: every request on the io thread. */
    private void useIoThreadRig() throws Exception {
        rig.device().close();
        rig = fx.rig(fx.node("blk@d0000000", ID_BLOCK).propertyU32(VirtioMmioFactory.PROP_CAPACITY, SECTORS)
                .propertyStrings("sluice,backend", "file:disk0.img").property(VirtioMmioFactory.PROP_IOTHREAD, new byte[0]));
        d = rig.driver();
        q = d.init(1, 64).get(0);
    }

    /** Occupies the device's io thread (as a device task) until the returned latch is released. */
    private java.util.concurrent.CountDownLatch occupyIoThread() throws InterruptedException {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        rig.device().runOnIo(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(running.await(5, java.util.concurrent.TimeUnit.SECONDS), "the io thread took the task");
        return release;
    }

    private Path image() {
        return dir.resolve("disk0.img");
    }

    /** A pending request: its status buffer and head. */
    private record Req(int head, DmaBuffer status) { }

    private Req submit(int type, long sector, SpecDriver.Buf... data) {
        DmaBuffer hdr = d.buffer(16);
        fx.mem.write32(hdr.address(), type);
        fx.mem.write32(hdr.address() + 4, 0);
        fx.mem.write64(hdr.address() + 8, sector);
        DmaBuffer status = d.buffer(1);
        fx.mem.write8(status.address(), 0xff);
        List<SpecDriver.Buf> bufs = new ArrayList<>();
        bufs.add(SpecDriver.Buf.ro(hdr));
        bufs.addAll(Arrays.asList(data));
        bufs.add(SpecDriver.Buf.wo(status));
        return new Req(q.submit(bufs.toArray(SpecDriver.Buf[]::new)), status);
    }

    /** Submits one request, notifies, waits; returns {status byte, used len}. */
    private int[] request(int type, long sector, SpecDriver.Buf... data) throws InterruptedException {
        Req r = submit(type, sector, data);
        q.notifyDevice();
        SpecDriver.Used u = q.awaitUsed(1, WAIT).get(0);
        assertEquals(r.head(), u.id());
        return new int[] {fx.mem.read8(r.status().address()), u.len()};
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + seed);
        }
        return b;
    }

    private byte[] fileBytes(long offset, int n) throws Exception {
        try (FileChannel ch = FileChannel.open(image(), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(n);
            ch.read(b, offset);
            return b.array();
        }
    }

    private DmaBuffer filled(byte[] data) {
        DmaBuffer b = d.buffer(data.length);
        fx.mem.write(b.address(), data);
        return b;
    }

    @Test
    @DisplayName("virtio 5.2.4 config: capacity, size_max, seg_max, blk_size; the image is created with the capacity")
    void config() throws Exception {
        ByteBuffer cfg = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 24; i += 4) {
            cfg.putInt(i, d.regs.read32(CONFIG + i));
        }
        assertEquals(SECTORS, cfg.getLong(0));
        assertEquals(64 * 1024, cfg.getInt(8), "size_max");
        assertEquals(8, cfg.getInt(12), "seg_max");
        assertEquals(512, cfg.getInt(20), "blk_size");
        assertEquals(SECTORS & 0xff, d.regs.read8(CONFIG), "8-bit config access");
        assertEquals(SECTORS * 512, Files.size(image()));
    }

    @Test
    @DisplayName("virtio 5.2.6 OUT writes the data into the real image file at sector * 512, status OK")
    void out() throws Exception {
        byte[] data = pattern(1024, 3);
        int[] r = request(BLK_T_OUT, 10, SpecDriver.Buf.ro(filled(data)));
        assertEquals(BLK_S_OK, r[0]);
        assertArrayEquals(data, fileBytes(10 * 512, 1024));
        assertArrayEquals(new byte[512], fileBytes(9 * 512, 512), "the sector before is untouched");
    }

    @Test
    @DisplayName("virtio 5.2.6 IN reads the image file's bytes into guest memory, used len = data + status")
    void in() throws Exception {
        byte[] data = pattern(2048, 11);
        try (FileChannel ch = FileChannel.open(image(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), 100 * 512);
        }
        DmaBuffer a = d.buffer(1024);
        DmaBuffer b = d.buffer(1024);
        int[] r = request(BLK_T_IN, 100, SpecDriver.Buf.wo(a), SpecDriver.Buf.wo(b));
        assertEquals(BLK_S_OK, r[0]);
        assertEquals(2049, r[1]);
        assertArrayEquals(Arrays.copyOf(data, 1024), fx.mem.read(a.address(), 1024));
        assertArrayEquals(Arrays.copyOfRange(data, 1024, 2048), fx.mem.read(b.address(), 1024));
    }

    @Test
    @DisplayName("virtio 5.2.6 OUT then IN round trip through the file, with the header split across descriptors (2.6.4)")
    void roundTripAnyLayout() throws Exception {
        byte[] data = pattern(4096, 5);
        DmaBuffer hdr = d.buffer(16);
        fx.mem.write32(hdr.address(), BLK_T_OUT);
        fx.mem.write64(hdr.address() + 8, 64);
        DmaBuffer status = d.buffer(1);
        q.submit(new SpecDriver.Buf(hdr.address(), 8, false), new SpecDriver.Buf(hdr.address() + 8, 8, false),
                SpecDriver.Buf.ro(filled(data)), SpecDriver.Buf.wo(status));
        q.notifyDevice();
        q.awaitUsed(1, WAIT);
        assertEquals(BLK_S_OK, fx.mem.read8(status.address()));
        assertArrayEquals(data, fileBytes(64 * 512, 4096));
        DmaBuffer back = d.buffer(4096);
        assertEquals(BLK_S_OK, request(BLK_T_IN, 64, SpecDriver.Buf.wo(back))[0]);
        assertArrayEquals(data, fx.mem.read(back.address(), 4096));
    }

    @Test
    @DisplayName("virtio 5.2.6 FLUSH completes OK (FileChannel.force) and GET_ID returns the 20-byte id string")
    void flushAndGetId() throws Exception {
        assertEquals(BLK_S_OK, request(BLK_T_FLUSH, 0)[0]);
        DmaBuffer id = d.buffer(20);
        fx.mem.fill(id.address(), 20, 0xee);
        int[] r = request(BLK_T_GET_ID, 0, SpecDriver.Buf.wo(id));
        assertEquals(BLK_S_OK, r[0]);
        byte[] expected = Arrays.copyOf("blk@d0000000".getBytes(StandardCharsets.US_ASCII), 20);
        assertArrayEquals(expected, fx.mem.read(id.address(), 20), "id string zero-padded to 20 bytes");
    }

    @Test
    @DisplayName("virtio 5.2.6 an unknown request type completes with UNSUPP")
    void unsupported() throws Exception {
        assertEquals(BLK_S_UNSUPP, request(77, 0)[0]);
    }

    @Test
    @DisplayName("virtio 5.2.6 requests beyond the capacity or with a length not a multiple of 512 complete with IOERR")
    void ioerrBounds() throws Exception {
        assertEquals(BLK_S_IOERR, request(BLK_T_IN, SECTORS - 1, SpecDriver.Buf.wo(d.buffer(1024)))[0]);
        assertEquals(BLK_S_IOERR, request(BLK_T_OUT, SECTORS, SpecDriver.Buf.ro(filled(pattern(512, 1))))[0]);
        assertEquals(BLK_S_IOERR, request(BLK_T_OUT, 0, SpecDriver.Buf.ro(filled(pattern(100, 1))))[0]);
        assertArrayEquals(new byte[512], fileBytes(0, 512), "nothing was written");
        assertEquals(BLK_S_OK, request(BLK_T_IN, SECTORS - 1, SpecDriver.Buf.wo(d.buffer(512)))[0], "the last sector is readable");
        assertEquals(false, d.needsReset(), "IOERR is a request status, not a device error");
    }

    @Test
    @DisplayName("virtio 5.2.4 seg_max: 9 data segments complete with IOERR and change nothing; 8 are fine")
    void segMax() throws Exception {
        SpecDriver.Buf[] nine = new SpecDriver.Buf[9];
        for (int i = 0; i < 9; i++) {
            nine[i] = SpecDriver.Buf.ro(filled(pattern(512, i + 1)));
        }
        assertEquals(BLK_S_IOERR, request(BLK_T_OUT, 0, nine)[0]);
        assertArrayEquals(new byte[9 * 512], fileBytes(0, 9 * 512));
        assertEquals(BLK_S_OK, request(BLK_T_OUT, 0, Arrays.copyOf(nine, 8))[0]);
        assertArrayEquals(pattern(512, 8), fileBytes(7 * 512, 512));
    }

    @Test
    @DisplayName("virtio 4.2.2.1 a reset while IN requests read the image straight into guest memory (on the io thread): once the Status write has returned, no guest byte changes")
    void resetStopsDirectDma() throws Exception {
        useIoThreadRig(); // inline, the notify would have finished every read before the reset
        try (FileChannel ch = FileChannel.open(image(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(pattern((int) SECTORS * 512, 9)), 0);
        }
        List<DmaBuffer> data = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            DmaBuffer b = d.buffer(64 * 1024);
            fx.mem.fill(b.address(), b.size(), 0xee);
            data.add(b);
            submit(BLK_T_IN, i * 256L, SpecDriver.Buf.wo(b));
        }
        q.notifyDevice();
        d.reset();
        List<byte[]> atReset = new ArrayList<>();
        for (DmaBuffer b : data) {
            atReset.add(fx.mem.read(b.address(), (int) b.size()));
        }
        rig.device().close(); // waits for the io thread: whatever it still had to do is over
        for (int i = 0; i < data.size(); i++) {
            assertArrayEquals(atReset.get(i), fx.mem.read(data.get(i).address(), (int) data.get(i).size()),
                    "buffer " + i + " changed after the reset returned");
        }
    }

    @Test
    @DisplayName("virtio 5.2.4 size_max: a 128 KiB segment completes with IOERR; two 64 KiB segments are fine")
    void sizeMax() throws Exception {
        assertEquals(BLK_S_IOERR, request(BLK_T_IN, 0, SpecDriver.Buf.wo(d.buffer(128 * 1024)))[0]);
        assertEquals(BLK_S_OK, request(BLK_T_IN, 0, SpecDriver.Buf.wo(d.buffer(64 * 1024)),
                SpecDriver.Buf.wo(d.buffer(64 * 1024)))[0]);
    }

    @Test
    @DisplayName("virtio 2.7.13 several requests in flight: 8 writes made available before one notify all complete, with one interrupt")
    void severalInFlight() throws Exception {
        List<Req> reqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reqs.add(submit(BLK_T_OUT, 200 + i * 2L, SpecDriver.Buf.ro(filled(pattern(1024, 40 + i)))));
        }
        long raisesBefore = rig.irq().raiseCount();
        q.notifyDevice();
        List<SpecDriver.Used> used = q.awaitUsed(8, WAIT);
        assertEquals(8, used.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(reqs.get(i).head(), used.get(i).id(), "completed in order");
            assertEquals(BLK_S_OK, fx.mem.read8(reqs.get(i).status().address()));
            assertArrayEquals(pattern(1024, 40 + i), fileBytes((200 + i * 2L) * 512, 1024));
        }
        assertEquals(1, rig.irq().raiseCount() - raisesBefore, "the completions were coalesced into one interrupt");
    }

    @Test
    @DisplayName("virtio 5.2.3 / 5.2.6 a read-only image offers VIRTIO_BLK_F_RO and fails OUT with IOERR, leaving the file unchanged")
    void readOnly() throws Exception {
        byte[] content = pattern(4096, 9);
        Path ro = dir.resolve("ro.img");
        Files.write(ro, content);
        VirtioFixture.Rig r = fx.rig(fx.node("ro@d0001000", ID_BLOCK).propertyStrings("sluice,backend", "file:ro.img")
                .property(VirtioMmioFactory.PROP_READ_ONLY, new byte[0]));
        assertTrue((r.driver().deviceFeatures() & bit(BLK_F_RO)) != 0);
        assertEquals(8, r.driver().regs.read32(CONFIG), "capacity taken from the existing image");
        SpecDriver.Queue rq = r.driver().init(1, 8).get(0);
        DmaBuffer hdr = r.driver().buffer(16);
        fx.mem.write32(hdr.address(), BLK_T_OUT);
        DmaBuffer st = r.driver().buffer(1);
        rq.submit(SpecDriver.Buf.ro(hdr), SpecDriver.Buf.ro(filled(new byte[512])), SpecDriver.Buf.wo(st));
        rq.notifyDevice();
        rq.awaitUsed(1, WAIT);
        assertEquals(BLK_S_IOERR, fx.mem.read8(st.address()));
        assertArrayEquals(content, Files.readAllBytes(ro));
    }

    @Test
    @DisplayName("virtio 5.2.6 a request without a device-writable status byte sets DEVICE_NEEDS_RESET")
    void noStatusByte() throws Exception {
        DmaBuffer hdr = d.buffer(16);
        q.submit(SpecDriver.Buf.ro(hdr));
        q.notifyDevice();
        assertTrue(rig.irq().awaitLevel(true, 5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(d.needsReset());
        assertTrue(rig.device().lastError().contains("status byte"), rig.device().lastError());
    }

    @Test
    @DisplayName("the block model's backend file is released by close() (no open descriptor on the image remains)")
    void closeReleasesFile() throws Exception {
        assertEquals(BLK_S_OK, request(BLK_T_OUT, 1, SpecDriver.Buf.ro(filled(pattern(512, 2))))[0]);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
        assertTrue(openDescriptorsOn(image()) > 0);
        rig.device().close();
        assertEquals(0, openDescriptorsOn(image()));
        assertTrue(rig.device().describe().stream().anyMatch(l -> l.contains("1 writes")), rig.device().describe().toString());
    }

    @Test
    @DisplayName("a notification that finds the block device idle is processed inside the QueueNotify write: the used element and its interrupt are there when it returns")
    void idleNotifyIsProcessedInline() throws Exception {
        Req r = submit(BLK_T_OUT, 3, SpecDriver.Buf.ro(filled(pattern(4096, 5))));
        long raises = rig.irq().raiseCount();
        q.notifyDevice();
        assertEquals(1, q.deviceUsedIdx(), "completed before the write returned");
        assertEquals(raises + 1, rig.irq().raiseCount());
        assertEquals(BLK_S_OK, fx.mem.read8(r.status().address()));
        assertArrayEquals(pattern(4096, 5), fileBytes(3 * 512, 4096));
        assertTrue(rig.device().describe().stream().anyMatch(l -> l.contains("1 drains on the notifying thread")),
                rig.device().describe().toString());
    }

    @Test
    @DisplayName("a notification that finds a device task running is not processed inline: it waits for the io thread, and the two never overlap")
    void busyNotifyGoesToTheIoThread() throws Exception {
        java.util.concurrent.CountDownLatch release = occupyIoThread();
        Req r = submit(BLK_T_OUT, 7, SpecDriver.Buf.ro(filled(pattern(2048, 6))));
        q.notifyDevice();
        assertEquals(0, q.deviceUsedIdx(), "nothing processed while the device task runs");
        release.countDown();
        assertEquals(r.head(), q.awaitUsed(1, WAIT).get(0).id());
        assertEquals(BLK_S_OK, fx.mem.read8(r.status().address()));
        assertArrayEquals(pattern(2048, 6), fileBytes(7 * 512, 2048));
    }

    @Test
    @DisplayName("with sluice,iothread the QueueNotify write only schedules: every request is processed on the io thread")
    void iothreadProcessesOnTheIoThread() throws Exception {
        useIoThreadRig();
        java.util.concurrent.CountDownLatch release = occupyIoThread();
        Req r = submit(BLK_T_IN, 0, SpecDriver.Buf.wo(d.buffer(512)));
        q.notifyDevice();
        assertEquals(0, q.deviceUsedIdx(), "the write returned before the request was processed");
        release.countDown();
        assertEquals(r.head(), q.awaitUsed(1, WAIT).get(0).id());
        assertTrue(rig.device().describe().stream().anyMatch(l -> l.contains("processed on the io thread")),
                rig.device().describe().toString());
    }

    private static long openDescriptorsOn(Path file) throws Exception {
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (Exception e) {
                    return false;
                }
            }).count();
        }
    }
}
