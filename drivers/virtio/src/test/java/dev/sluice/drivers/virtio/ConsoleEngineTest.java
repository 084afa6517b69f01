package dev.sluice.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.virtio.ConsoleDevice;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtio-console engine against the console device model (virtio 1.x, 5.3), serialised on a
 * test work loop whose interrupt line runs the engine's service, as the driver's gate and
 * interrupt source do.
 */
class ConsoleEngineTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;
    private BlockRig rig;
    private ConsoleEngine engine;
    private long dmaFreeBefore;

    private ConsoleEngine start(DeviceModelContext.Builder node) throws Exception {
        rig = new BlockRig(dir, ConsoleEngine.DEVICE_ID, node);
        dmaFreeBefore = rig.dma.freeBytes();
        engine = new ConsoleEngine(rig.transport, rig.mem, rig.dma);
        rig.onInterrupt = engine::service;
        rig.onLoop(() -> {
            engine.start();
            return null;
        });
        return engine;
    }

    private ConsoleDevice model() {
        return (ConsoleDevice) rig.device.device();
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

    /** Polls {@code condition} on the loop thread until it holds, parking 1 ms between tries. */
    private void awaitOnLoop(Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!rig.onLoop(condition)) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Takes exactly {@code n} received bytes, waiting for the device to deliver them. */
    private byte[] takeExactly(int n) throws Exception {
        byte[] got = new byte[n];
        int[] have = new int[1];
        awaitOnLoop(() -> {
            have[0] += engine.take(got, have[0], n - have[0]);
            return have[0] == n;
        }, n + " received bytes (have " + have[0] + ")");
        return got;
    }

    /** Sends all of {@code data}, waiting for transmit buffers to come back when they run out. */
    private void sendAll(byte[] data) throws Exception {
        int[] sent = new int[1];
        awaitOnLoop(() -> {
            sent[0] += engine.send(data, sent[0], data.length - sent[0]);
            return sent[0] == data.length;
        }, "transmit buffers for " + data.length + " bytes");
    }

    /** Reads exactly {@code n} bytes the guest transmitted from the in-memory host side. */
    private byte[] hostReadExactly(int n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (out.size() < n) {
            assertTrue(System.nanoTime() < deadline, "host got " + out.size() + " of " + n + " bytes");
            int k = model().hostRead(buf, 100, TimeUnit.MILLISECONDS);
            out.write(buf, 0, k);
        }
        assertEquals(n, out.size(), "no more than was sent");
        return out.toByteArray();
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + seed + (i >> 8));
        }
        return b;
    }

    @Test
    @DisplayName("start negotiates VERSION_1 only, readies receiveq and transmitq and posts every receive buffer (5.3.6)")
    void startPostsEveryReceiveBuffer() throws Exception {
        start(null);
        assertEquals(1L << VirtioMmio.F_VERSION_1, engine.features(), "no SIZE, MULTIPORT or EMERG_WRITE");
        assertEquals(VirtioMmio.STATUS_DRIVER_OK, rig.transport.status() & VirtioMmio.STATUS_DRIVER_OK);
        Virtqueue rx = engine.receiveQueue();
        assertEquals(ConsoleEngine.QUEUE_SIZE, rx.size());
        assertEquals(rx.size(), rig.onLoop(rx::outstanding), "every receive descriptor is on the device");
        assertEquals(0, rig.onLoop(engine.transmitQueue()::outstanding));
        assertTrue(rig.onLoop(engine::txIdle));
        assertEquals(0, rig.onLoop(engine::available));
    }

    @Test
    @DisplayName("host bytes arrive through receive buffers in order, and guest bytes reach the host through the transmitq")
    void bytesBothWays() throws Exception {
        start(null);
        byte[] in = "typed at the host side\n".getBytes();
        assertEquals(in.length, model().hostWrite(in));
        assertArrayEquals(in, takeExactly(in.length));
        byte[] out = "printed by the guest\n".getBytes();
        rig.onLoop(() -> engine.send(out, 0, out.length));
        assertArrayEquals(out, hostReadExactly(out.length));
        awaitOnLoop(engine::txIdle, "the transmit buffer back from the device");
        assertEquals(in.length, rig.onLoop(engine::received));
        assertEquals(out.length, rig.onLoop(engine::transmitted));
        assertEquals(ConsoleEngine.QUEUE_SIZE, rig.onLoop(engine.receiveQueue()::outstanding),
                "the buffer read to its end is on the device again");
    }

    @Test
    @DisplayName("more data than all transmit buffers hold is sent in order as the device frees buffers")
    void largeTransmitReusesBuffers() throws Exception {
        start(null);
        byte[] data = pattern(ConsoleEngine.QUEUE_SIZE * ConsoleEngine.TX_CHUNK * 3 + 123, 1);
        int first = rig.onLoop(() -> engine.send(data, 0, data.length));
        assertTrue(first <= ConsoleEngine.QUEUE_SIZE * ConsoleEngine.TX_CHUNK, "one call takes at most the buffers there are: " + first);
        int[] sent = {first};
        byte[] host = new byte[data.length];
        int got = 0;
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        byte[] chunk = new byte[4096];
        while (got < data.length) {
            assertTrue(System.nanoTime() < deadline, "host got " + got + " of " + data.length);
            int k = model().hostRead(chunk, 20, TimeUnit.MILLISECONDS);
            assertTrue(got + k <= data.length, "no more than was sent");
            System.arraycopy(chunk, 0, host, got, k);
            got += k;
            if (sent[0] < data.length) {
                sent[0] += rig.onLoop(() -> engine.send(data, sent[0], data.length - sent[0]));
            }
        }
        assertArrayEquals(data, host);
        awaitOnLoop(engine::txIdle, "every transmit buffer back");
        assertEquals(data.length, rig.onLoop(engine::transmitted));
    }

    @Test
    @DisplayName("while nobody reads, the device keeps its input: no byte is lost and reading lets the rest in, in order")
    void receiveFlowControlLosesNothing() throws Exception {
        start(null);
        int window = ConsoleEngine.QUEUE_SIZE * ConsoleEngine.RX_CHUNK;
        byte[] data = pattern(window + 5000, 2);
        assertEquals(data.length, model().hostWrite(data));
        awaitOnLoop(() -> engine.available() == window, "every receive buffer filled");
        assertEquals(0, rig.onLoop(engine.receiveQueue()::outstanding), "no buffer left on the device");
        assertTrue(rig.device.describe().stream().anyMatch(l -> l.contains("(5000 pending)")), rig.device.describe().toString());
        assertArrayEquals(data, takeExactly(data.length));
        assertEquals(data.length, rig.onLoop(engine::received));
    }

    @Test
    @DisplayName("over the model's real TCP backend: a socket client's bytes are received, and sent bytes reach the socket")
    void realSocketBackend() throws Exception {
        start(DeviceModelContext.builder("virtio@d0000000").propertyStrings("sluice,backend", "tcp:127.0.0.1:0"));
        int port = model().boundPort().orElseThrow();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(100);
            byte[] in = pattern(3000, 3);
            client.getOutputStream().write(in);
            assertArrayEquals(in, takeExactly(in.length));
            byte[] out = pattern(2500, 4);
            sendAll(out);
            InputStream s = client.getInputStream();
            byte[] back = new byte[out.length];
            int got = 0;
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (got < out.length) {
                assertTrue(System.nanoTime() < deadline, "socket got " + got + " of " + out.length);
                try {
                    int k = s.read(back, got, out.length - got);
                    assertTrue(k > 0, "socket closed early");
                    got += k;
                } catch (java.net.SocketTimeoutException again) {
                    // keep reading until the deadline
                }
            }
            assertArrayEquals(out, back);
        }
    }

    @Test
    @DisplayName("after DEVICE_NEEDS_RESET the engine resets and re-initialises; unread bytes stay readable and new ones flow")
    void recoversFromDeviceNeedsReset() throws Exception {
        start(null);
        byte[] before = "kept across the reset".getBytes();
        model().hostWrite(before);
        awaitOnLoop(() -> engine.available() == before.length, "the first bytes");
        rig.onLoop(() -> { // a transmit chain pointing outside guest RAM: the device must give up
            Virtqueue q = engine.transmitQueue();
            long d = q.descAddress() + 16L * (q.size() - 1);
            rig.mem.write64(d, 0x1000);
            rig.mem.write32(d + 8, 16);
            rig.mem.write16(d + 12, 0);
            int idx = rig.mem.read16(q.availAddress() + 2);
            rig.mem.write16(q.availAddress() + 4 + 2L * (idx % q.size()), q.size() - 1);
            rig.mem.write16(q.availAddress() + 2, (idx + 1) & 0xffff);
            rig.transport.notifyQueue(ConsoleEngine.TRANSMITQ);
            return null;
        });
        awaitOnLoop(() -> engine.resets() == 1, "a DEVICE_NEEDS_RESET recovery");
        assertEquals(0, rig.transport.status() & VirtioMmio.STATUS_DEVICE_NEEDS_RESET);
        assertEquals(VirtioMmio.STATUS_DRIVER_OK, rig.transport.status() & VirtioMmio.STATUS_DRIVER_OK);
        assertArrayEquals(before, takeExactly(before.length));
        byte[] after = "and after it".getBytes();
        model().hostWrite(after);
        assertArrayEquals(after, takeExactly(after.length));
        byte[] out = "the guest speaks again".getBytes();
        sendAll(out);
        assertArrayEquals(out, hostReadExactly(out.length));
    }

    @Test
    @DisplayName("shutdown resets the device and returns every DMA byte; afterwards nothing is taken or sent")
    void shutdownReleasesEverything() throws Exception {
        start(null);
        model().hostWrite("unread".getBytes());
        awaitOnLoop(() -> engine.available() == 6, "bytes buffered");
        rig.onLoop(() -> {
            engine.shutdown(IOReturn.ABORTED, "test");
            engine.shutdown(IOReturn.ABORTED, "twice is harmless");
            return null;
        });
        assertEquals(dmaFreeBefore, rig.dma.freeBytes(), "rings and buffers are back");
        assertEquals(0, rig.transport.status(), "the device is reset");
        assertFalse(rig.onLoop(engine::running));
        assertEquals(0, rig.onLoop(() -> engine.take(new byte[8], 0, 8)));
        assertEquals(0, rig.onLoop(() -> engine.send(new byte[8], 0, 8)));
    }

    @Test
    @DisplayName("an entropy device is refused with UNSUPPORTED naming the registers")
    void refusesOtherDevices() throws Exception {
        rig = new BlockRig(dir, 4, null);
        engine = new ConsoleEngine(rig.transport, rig.mem, rig.dma);
        ExecutionException e = assertThrows(ExecutionException.class, () -> rig.onLoop(() -> {
            engine.start();
            return null;
        }));
        IOReturnException cause = (IOReturnException) e.getCause();
        assertSame(IOReturn.UNSUPPORTED, cause.result());
        assertTrue(cause.getMessage().contains("is not a virtio-mmio v2 console device"), cause.getMessage());
    }
}
