package dev.sluice.models.virtio;

import static dev.sluice.models.virtio.Virtio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sluice.models.DmaBuffer;

class ConsoleConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private VirtioFixture fx;

    @BeforeEach
    void setUp() {
        fx = new VirtioFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void transmit(SpecDriver d, SpecDriver.Queue tx, String text) throws InterruptedException {
        byte[] b = ascii(text);
        DmaBuffer buf = d.buffer(b.length);
        fx.mem.write(buf.address(), b);
        tx.submit(SpecDriver.Buf.ro(buf));
        tx.notifyDevice();
        assertEquals(0, tx.awaitUsed(1, WAIT).get(0).len(), "transmit buffers are only read");
    }

    private static String readExactly(InputStream in, int n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[n];
        while (out.size() < n) {
            int r = in.read(buf, 0, n - out.size());
            if (r < 0) {
                break;
            }
            out.write(buf, 0, r);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    @DisplayName("virtio 5.3.6 console over a real loopback socket: guest transmitq bytes reach the client, client bytes fill receiveq buffers")
    void tcpBothWays() throws Exception {
        VirtioFixture.Rig rig = fx.rig(fx.node("console@d0003000", ID_CONSOLE)
                .propertyStrings("sluice,backend", "tcp:127.0.0.1:0"));
        ConsoleDevice console = (ConsoleDevice) rig.device().device();
        int port = console.boundPort().orElseThrow();
        assertTrue(port > 0);
        assertTrue(rig.device().describe().stream().anyMatch(l -> l.contains("127.0.0.1:" + port)), rig.device().describe().toString());
        SpecDriver d = rig.driver();
        List<SpecDriver.Queue> qs = d.init(2, 16);
        SpecDriver.Queue rx = qs.get(ConsoleDevice.RECEIVEQ);
        SpecDriver.Queue tx = qs.get(ConsoleDevice.TRANSMITQ);
        DmaBuffer rxBuf = d.buffer(64);
        rx.submit(SpecDriver.Buf.wo(rxBuf));
        rx.notifyDevice();

        transmit(d, tx, "boot: "); // before any client: kept and delivered on connect
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(5000);
            transmit(d, tx, "hello");
            assertEquals("boot: hello", readExactly(client.getInputStream(), 11));

            client.getOutputStream().write(ascii("world\n"));
            client.getOutputStream().flush();
            SpecDriver.Used u = rx.awaitUsed(1, WAIT).get(0);
            assertEquals(6, u.len());
            assertEquals("world\n", new String(fx.mem.read(rxBuf.address(), 6), StandardCharsets.US_ASCII));
        }
        assertTrue(threadAlive("model-console@d0003000-io-2"), "the socket thread is named after the node");
        rig.device().close();
        assertTrue(!threadAlive("model-console@d0003000-io-2") && !threadAlive("model-console@d0003000-io-3"),
                "close() stopped the socket threads");
        assertThrows(java.io.IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "close() released the port");
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    @DisplayName("virtio 5.3.6 console without a backend: the in-memory pipe carries bytes both ways; input waits for receive buffers")
    void inMemoryPipe() throws Exception {
        VirtioFixture.Rig rig = fx.rig(fx.node("console@d0004000", ID_CONSOLE));
        ConsoleDevice console = (ConsoleDevice) rig.device().device();
        assertTrue(console.boundPort().isEmpty());
        SpecDriver d = rig.driver();
        List<SpecDriver.Queue> qs = d.init(2, 8);
        SpecDriver.Queue rx = qs.get(ConsoleDevice.RECEIVEQ);
        SpecDriver.Queue tx = qs.get(ConsoleDevice.TRANSMITQ);

        assertEquals(9, console.hostWrite(ascii("login: \r\n")));
        DmaBuffer small = d.buffer(4);
        DmaBuffer big = d.buffer(16);
        rx.submit(SpecDriver.Buf.wo(small));
        rx.submit(SpecDriver.Buf.wo(big));
        rx.notifyDevice();
        List<SpecDriver.Used> used = rx.awaitUsed(2, WAIT);
        assertEquals(4, used.get(0).len());
        assertEquals(5, used.get(1).len());
        assertEquals("logi", new String(fx.mem.read(small.address(), 4), StandardCharsets.US_ASCII));
        assertEquals("n: \r\n", new String(fx.mem.read(big.address(), 5), StandardCharsets.US_ASCII));

        transmit(d, tx, "ls\n");
        byte[] out = new byte[16];
        int n = console.hostRead(out, 5, TimeUnit.SECONDS);
        assertEquals("ls\n", new String(out, 0, n, StandardCharsets.US_ASCII));
    }

    @Test
    @DisplayName("virtio 5.3.4 config: max_nr_ports 1; VIRTIO_CONSOLE_F_EMERG_WRITE: a write to emerg_wr emits the byte")
    void emergencyWrite() throws Exception {
        VirtioFixture.Rig rig = fx.rig(fx.node("console@d0005000", ID_CONSOLE));
        ConsoleDevice console = (ConsoleDevice) rig.device().device();
        SpecDriver d = rig.driver();
        assertTrue((d.deviceFeatures() & bit(CONSOLE_F_EMERG_WRITE)) != 0);
        assertEquals(0, d.deviceFeatures() & bit(CONSOLE_F_MULTIPORT));
        assertEquals(1, d.regs.read32(CONFIG + 4));
        d.init(2, 8);
        d.regs.write32(CONFIG + 8, '!');
        byte[] out = new byte[4];
        assertEquals(1, console.hostRead(out, 5, TimeUnit.SECONDS));
        assertEquals('!', out[0]);
    }
}
