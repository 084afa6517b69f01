package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.storage.api.BlockStorage;
import dev.sluice.drivers.storage.api.EntropySource;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.IOCompletion;
import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.virtio.VirtQueue;
import dev.sluice.models.virtio.VirtioMmioDevice;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.PlatformExpert;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The virtio-blk and virtio-rng drivers on the default board's virtio-mmio nubs. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class VirtioDriversIT {

    static final String DRIVER_BUNDLE = "dev.sluice.drivers.virtio";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

    @InjectService(timeout = 10_000)
    BlockStorage disk;

    @InjectService(timeout = 10_000)
    EntropySource rng;

    private IOPlatformDevice blockNub() {
        return Await.matchingSettled(PlatformIT.nub(platform, "virtio@a000000"));
    }

    private static IOService driverOf(IOService nub, String personality) {
        return nub.getClients().stream().filter(c -> personality.equals(c.getProperty(IOService.IO_PERSONALITY_NAME)))
                .findFirst().orElseThrow(() -> new AssertionError(nub + " has no " + personality + " client: " + nub.getClients()));
    }

    private Path image() {
        return Path.of(context.getProperty("sluice.home"), "var", "disk0.img");
    }

    private byte[] fromImage(long sector, int length) throws Exception {
        try (FileChannel ch = FileChannel.open(image(), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, sector * 512 + b.position()) >= 0) {
                // keep reading until full
            }
            return b.array();
        }
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 13 + seed * 7 + (i >> 9));
        }
        return b;
    }

    private long modelWrites(IOPlatformDevice nub) {
        String d = String.join("\n", nub.model().orElseThrow().describe());
        Matcher m = Pattern.compile("(\\d+) writes").matcher(d);
        assertTrue(m.find(), d);
        return Long.parseLong(m.group(1));
    }

    @Test
    @DisplayName("the default board's virtio-blk nub is driven by VirtioBlock and the rng nub by VirtioEntropy")
    void theBoardsVirtioNubsGetTheDrivers() {
        IOService block = driverOf(blockNub(), "VirtioBlock");
        assertEquals("dev.sluice.drivers.virtio.VirtioBlockDriver", block.getClass().getName());
        assertEquals(65536L, block.getProperty("capacity-sectors"));
        assertEquals(65536L, disk.capacitySectors());
        assertEquals(512, disk.blockSize());
        assertFalse(disk.readOnly());
        IOPlatformDevice rngNub = PlatformIT.nub(platform, "virtio@a000200");
        Await.matchingSettled(rngNub);
        driverOf(rngNub, "VirtioEntropy");
    }

    @Test
    @DisplayName("data written and flushed is in the disk-image file byte for byte, and reads back")
    void writtenAndFlushedDataIsInTheImageFile() throws Exception {
        byte[] data = pattern(16 * 512, 1);
        disk.write(1000, data);
        disk.flush();
        assertArrayEquals(data, fromImage(1000, data.length));
        byte[] back = new byte[data.length];
        disk.read(1000, back);
        assertArrayEquals(data, back);
    }

    @Test
    @DisplayName("a request beyond the capacity fails with an IOReturnException carrying BAD_ARGUMENT")
    void outOfRangeRequestsFail() {
        IOReturnException e = assertThrows(IOReturnException.class, () -> disk.read(65536 - 1, new byte[1024]));
        assertSame(IOReturn.BAD_ARGUMENT, e.result());
        assertThrows(IllegalArgumentException.class, () -> disk.write(0, new byte[100]));
    }

    @Test
    @DisplayName("a 1 MiB write is split into virtio requests of seg_max x size_max and completes once")
    void aLargeRequestIsSplit() throws Exception {
        IOPlatformDevice nub = blockNub();
        long before = modelWrites(nub);
        byte[] data = pattern(1 << 20, 2);
        disk.write(4096, data);
        assertEquals(2, modelWrites(nub) - before, "8 segments x 64 KiB = 512 KiB per request: two requests");
        byte[] back = new byte[data.length];
        disk.read(4096, back);
        assertArrayEquals(data, back);
    }

    @Test
    @DisplayName("S56 several async requests in flight complete through their completions, never on the submitting thread's stack")
    void asyncRequestsCompleteOffTheSubmittingThread() throws Exception {
        int n = 32;
        IODispatchQueue queue = IODispatchQueue.create("virtio-it-client");
        try {
            CountDownLatch done = new CountDownLatch(n);
            AtomicBoolean submitting = new AtomicBoolean();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<String> onStack = new CopyOnWriteArrayList<>();
            queue.dispatchSync(() -> {
                submitting.set(true);
                for (int i = 0; i < n; i++) {
                    IOCompletion<Integer> c = IOCompletion.on(queue);
                    c.promise().onResolve(() -> {
                        if (submitting.get()) {
                            onStack.add(Thread.currentThread().getName());
                        }
                        done.countDown();
                    }).onFailure(failures::add);
                    disk.writeAsync(20_000L + 8L * i, pattern(4096, 100 + i), c);
                }
                submitting.set(false);
            });
            assertTrue(done.await(20, TimeUnit.SECONDS), "all completions arrived: " + done.getCount() + " left");
            assertEquals(List.of(), failures);
            assertEquals(List.of(), onStack, "no completion ran while the submitting block was still running");
            List<byte[]> backs = new ArrayList<>();
            CountDownLatch read = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[4096];
                backs.add(b);
                IOCompletion<Integer> c = IOCompletion.on(queue);
                c.promise().onSuccess(len -> read.countDown());
                disk.readAsync(20_000L + 8L * i, b, c);
            }
            assertTrue(read.await(20, TimeUnit.SECONDS));
            for (int i = 0; i < n; i++) {
                assertArrayEquals(pattern(4096, 100 + i), backs.get(i), "request " + i);
            }
        } finally {
            queue.close();
        }
    }

    @Test
    @DisplayName("data survives a driver bundle update, read back through the same BlockStorage service object")
    void dataSurvivesADriverUpdate() throws Exception {
        IOPlatformDevice nub = blockNub();
        IOService before = driverOf(nub, "VirtioBlock");
        byte[] data = pattern(64 * 512, 3);
        disk.write(30_000, data);
        Bundle driver = TestBundles.installed(context, DRIVER_BUNDLE);
        driver.update();
        blockNub();
        IOService after = driverOf(nub, "VirtioBlock");
        assertNotSame(before, after, "a new driver instance");
        assertNotEquals(before.getClass().getClassLoader(), after.getClass().getClassLoader(), "from the updated bundle");
        byte[] back = new byte[data.length];
        disk.read(30_000, back);
        assertArrayEquals(data, back);
    }

    @Test
    @DisplayName("data written and flushed survives a platform restart (models closed, board booted again, driver matched again)")
    void dataSurvivesAPlatformRestart() throws Exception {
        byte[] data = pattern(32 * 512, 4);
        disk.write(40_000, data);
        disk.flush();
        Bundle bundle = FrameworkUtil.getBundle(PlatformExpert.class);
        bundle.stop();
        try {
            assertEquals(0, context.getServiceReferences(BlockStorage.class, null).size(), "the front left with its nub");
        } finally {
            bundle.start();
        }
        ServiceTracker<BlockStorage, BlockStorage> t = new ServiceTracker<>(context, BlockStorage.class, null);
        t.open();
        try {
            BlockStorage again = t.waitForService(20_000);
            assertNotNull(again, "a BlockStorage service after the restart");
            byte[] back = new byte[data.length];
            again.read(40_000, back);
            assertArrayEquals(data, back);
        } finally {
            t.close();
        }
    }

    private static long modelCount(IOPlatformDevice nub, String what) {
        String d = String.join("\n", nub.model().orElseThrow().describe());
        Matcher m = Pattern.compile("(\\d+) " + what).matcher(d);
        assertTrue(m.find(), d);
        return Long.parseLong(m.group(1));
    }

    /**
     * The driver polls the used ring while it submits, with used-buffer interrupts suppressed, so
     * a request the io thread finishes inside that window completes with no interrupt (on a fast
     * machine, every one of them may). To show the interrupt path, the test holds the io thread
     * until every async write is on the ring and the driver has asked for interrupts again: from
     * then on only an interrupt can bring the completions.
     */
    @Test
    @DisplayName("with sluice,iothread on the disk node the model completes on its io thread: sync requests complete, and 16 async ones held on the ring past the driver's polling complete through the interrupt")
    void interruptDrivenCompletionWithAnIoThreadModel(@TempDir Path dir) throws Exception {
        String dts = new String(FrameworkUtil.getBundle(PlatformExpert.class).getEntry("boards/microvm.dts").openStream()
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String blockNode = "sluice,backend = \"file:disk0.img\";";
        assertTrue(dts.contains(blockNode), "the default board's disk node");
        Path board = dir.resolve("microvm-iothread.dts");
        java.nio.file.Files.writeString(board, dts.replace(blockNode, blockNode + "\n\t\tsluice,iothread;"));
        platform.load(board);
        ServiceTracker<BlockStorage, BlockStorage> t = new ServiceTracker<>(context, BlockStorage.class, null);
        t.open();
        IODispatchQueue completions = IODispatchQueue.create("virtio-it-iothread");
        CountDownLatch release = new CountDownLatch(1);
        try {
            BlockStorage d = t.waitForService(20_000);
            assertNotNull(d, "a BlockStorage service on the io-thread board");
            IOPlatformDevice nub = blockNub();
            VirtioMmioDevice model = (VirtioMmioDevice) nub.model().orElseThrow();
            assertTrue(String.join("\n", model.describe()).contains("processed on the io thread"));
            byte[] data = pattern(64 * 1024, 21);
            d.write(30_000, data);
            byte[] back = new byte[data.length];
            d.read(30_000, back);
            assertArrayEquals(data, back);

            VirtQueue ring = model.queue(0);
            assertNotNull(ring, "the driver set up the request queue");
            model.runOnIo(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int n = 16;
            int target = (ring.driverAvailIdx() + n) & 0xffff;
            CountDownLatch done = new CountDownLatch(n);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int i = 0; i < n; i++) {
                IOCompletion<Integer> c = IOCompletion.on(completions);
                c.promise().onFailure(failures::add).onResolve(done::countDown);
                d.writeAsync(31_000L + 8L * i, pattern(4096, 60 + i), c);
            }
            Await.until(() -> ring.driverAvailIdx() == target && ring.driverWantsInterrupts(),
                    "the " + n + " writes on the ring and interrupts enabled again: " + ring);
            assertEquals(n, done.getCount(), "no write completes while the io thread is held");
            long interrupts = modelCount(nub, "interrupts");
            release.countDown();
            assertTrue(done.await(20, TimeUnit.SECONDS), done.getCount() + " async writes still outstanding");
            assertEquals(List.of(), failures);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(pattern(4096, 60 + i), fromImage(31_000L + 8L * i, 4096), "async write " + i);
            }
            assertTrue(modelCount(nub, "interrupts") > interrupts,
                    "completions came through the interrupt: " + model.describe());
        } finally {
            release.countDown();
            completions.close();
            t.close();
            platform.loadEmbedded("microvm");
        }
    }

    @Test
    @DisplayName("the rng fills a buffer larger than one device request with device bytes")
    void entropyFillsABuffer() {
        byte[] a = new byte[10_000];
        byte[] b = new byte[10_000];
        rng.read(a);
        rng.read(b);
        assertFalse(Arrays.equals(a, b), "two reads differ");
        assertFalse(Arrays.equals(new byte[10_000], a), "not all zeros");
        int zeros = 0;
        for (byte x : Arrays.copyOfRange(a, 8000, 10_000)) {
            zeros += x == 0 ? 1 : 0;
        }
        assertTrue(zeros < 100, "the tail beyond the first 4 KiB request is filled too: " + zeros + " zeros");
    }
}
