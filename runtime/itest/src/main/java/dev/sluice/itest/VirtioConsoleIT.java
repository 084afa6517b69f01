package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.serial.api.SerialStatistics;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.models.virtio.ConsoleDevice;
import dev.sluice.models.virtio.VirtioMmioDevice;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.PlatformExpert;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The virtio-console driver on the platform's virtio-mmio nubs, seen from outside: through its
 * {@link SerialPort} service and through real TCP clients on the console model's backend port, as
 * a person with {@code nc 127.0.0.1 PORT} would see it.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class VirtioConsoleIT {

    static final String DRIVER_BUNDLE = "dev.sluice.drivers.virtio";
    static final String SESSION_CONSOLE = "virtio@a000400";
    static final String PLAIN_CONSOLE = "virtio@a000600";
    static final Duration DEADLINE = Duration.ofSeconds(10);
    /** A board with the default board's console (a Gogo session) and a second, plain one. */
    static final String TWO_CONSOLES = "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
            + "\tcompatible = \"sluice,microvm\";\n\tinterrupt-parent = <&intc>;\n"
            + "\tmemory@80000000 { device_type = \"memory\"; reg = <0x0 0x80000000 0x0 0x01000000>; };\n"
            + "\tintc: interrupt-controller@8000000 { compatible = \"sluice,intc\"; reg = <0x0 0x08000000 0x0 0x10000>;"
            + " interrupt-controller; #interrupt-cells = <2>; #address-cells = <0>; sluice,num-lines = <64>; };\n"
            + "\tvirtio@a000400 { compatible = \"virtio,mmio\"; reg = <0x0 0x0a000400 0x0 0x200>; interrupts = <18 4>;"
            + " sluice,device-id = <3>; sluice,backend = \"tcp:127.0.0.1:0\"; sluice,gogo-session; };\n"
            + "\tvirtio@a000600 { compatible = \"virtio,mmio\"; reg = <0x0 0x0a000600 0x0 0x200>; interrupts = <19 4>;"
            + " sluice,device-id = <3>; sluice,backend = \"tcp:127.0.0.1:0\"; };\n"
            + "};\n";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    private boolean boardChanged;
    private Socket client;

    @AfterEach
    void restore() throws Exception {
        if (client != null) {
            client.close();
        }
        Bundle driver = bundle();
        if (driver.getState() != Bundle.ACTIVE) {
            driver.start();
        }
        if (boardChanged) {
            platform.loadEmbedded("microvm");
        }
        Await.matchingSettled(PlatformIT.nub(platform, SESSION_CONSOLE));
    }

    // ------------------------------------------------------------------ helpers

    Bundle bundle() {
        return TestBundles.installed(context, DRIVER_BUNDLE);
    }


    static IOService driverOf(IOService nub) {
        return nub.getClients().stream().filter(c -> "VirtioConsole".equals(c.getProperty(IOService.IO_PERSONALITY_NAME)))
                .findFirst().orElseThrow(() -> new AssertionError("no VirtioConsole on " + nub.getPathComponent() + ": " + nub.getClients()));
    }

    static int port(IOPlatformDevice nub) {
        ConsoleDevice model = (ConsoleDevice) ((VirtioMmioDevice) nub.model().orElseThrow()).device();
        return model.boundPort().orElseThrow();
    }

    IOPlatformDevice loadTwoConsoles(Path dir) throws Exception {
        Path board = dir.resolve("two-consoles.dts");
        Files.writeString(board, TWO_CONSOLES);
        platform.load(board);
        boardChanged = true;
        IOPlatformDevice nub = PlatformIT.nub(platform, PLAIN_CONSOLE);
        Await.matchingSettled(nub);
        Await.matchingSettled(PlatformIT.nub(platform, SESSION_CONSOLE));
        return nub;
    }

    /** @return the SerialPort front published for {@code nub} */
    SerialPort serialPort(IOPlatformDevice nub) throws Exception {
        return SerialPorts.of(context, nub, "VirtioConsoleDriver", DEADLINE);
    }

    Socket connect(IOPlatformDevice nub) throws Exception {
        client = new Socket(InetAddress.getLoopbackAddress(), port(nub));
        client.setSoTimeout(200);
        client.setTcpNoDelay(true);
        return client;
    }

    static byte[] socketReadExactly(Socket socket, int n) throws Exception {
        InputStream in = socket.getInputStream();
        byte[] got = new byte[n];
        int have = 0;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (have < n) {
            assertTrue(System.nanoTime() < deadline, "the socket got " + have + " of " + n + " bytes");
            try {
                int k = in.read(got, have, n - have);
                assertTrue(k > 0, "socket closed after " + have + " bytes");
                have += k;
            } catch (SocketTimeoutException again) {
                // keep reading until the deadline
            }
        }
        return got;
    }

    static List<String> sessionThreads() {
        return ExampleDriversIT.liveThreads().stream().filter(n -> n.contains("virtio-console-")).toList();
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 29 + (i >> 10));
        }
        return b;
    }

    // ------------------------------------------------------------------ tests

    @Test
    @DisplayName("the default board's virtio console is driven by VirtioConsoleDriver, ioreg shows it, and a Gogo session runs on its TCP port")
    void defaultBoardConsoleGetsTheDriver() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, SESSION_CONSOLE);
        Await.matchingSettled(nub);
        IOService driver = driverOf(nub);
        assertEquals("dev.sluice.drivers.virtio.VirtioConsoleDriver", driver.getClass().getName());
        assertEquals("tcp:127.0.0.1:" + port(nub), driver.getProperty("IOSerialBackend"), "the backend port is shown in the registry");
        assertEquals("gogo", driver.getProperty("IOConsoleSession"));
        assertEquals("interrupt", driver.getProperty("IOSerialMode"));
        assertTrue(sessionThreads().contains("virtio-console-" + SESSION_CONSOLE), "the session thread runs: " + sessionThreads());
        try (GogoShell shell = new GogoShell(processor)) {
            String tree = shell.run("ioreg");
            assertTrue(tree.contains("+-o " + SESSION_CONSOLE), tree);
            assertTrue(tree.contains("+-o VirtioConsoleDriver"), tree);
        }
    }

    @Test
    @DisplayName("issue 6 done means: every device of the default board has its driver")
    void everyDefaultBoardDeviceHasADriver() {
        for (IOPlatformDevice nub : platform.devices()) {
            Await.matchingSettled(nub);
            assertFalse(nub.getClients().isEmpty(), nub.getPathComponent() + " has no driver");
        }
    }

    @Test
    @DisplayName("the Gogo session: a real socket types ioreg on the virtio console and reads the registry tree back")
    void sessionAnswersIoreg() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, SESSION_CONSOLE);
        Await.matchingSettled(nub);
        Socket socket = connect(nub);
        socket.getOutputStream().write("\n".getBytes(StandardCharsets.US_ASCII));
        UartDriverIT.readUntil(socket, "sluice> ");
        socket.getOutputStream().write("ioreg\n".getBytes(StandardCharsets.US_ASCII));
        String tree = UartDriverIT.readUntil(socket, "+-o VirtioConsoleDriver");
        assertTrue(tree.contains("+-o IOResources"), tree);
        assertTrue(tree.contains("+-o " + SESSION_CONSOLE), tree);
    }

    @Test
    @DisplayName("byte stream: a real socket's bytes (more than the receive buffers hold) are read through SerialPort and echoed back to it")
    void bytesFromASocketAndBack(@TempDir Path dir) throws Exception {
        IOPlatformDevice nub = loadTwoConsoles(dir);
        assertEquals("none", driverOf(nub).getProperty("IOConsoleSession"), "no session on a plain console");
        assertFalse(sessionThreads().contains("virtio-console-" + PLAIN_CONSOLE), "no session thread: " + sessionThreads());
        SerialPort port = serialPort(nub);
        Socket socket = connect(nub);
        byte[] in = pattern(40 * 1024);
        socket.getOutputStream().write(in);
        byte[] read = UartDriverIT.readExactly(port, in.length);
        assertArrayEquals(in, read, "every byte, in order");
        assertEquals(in.length, port.write(read, 0, read.length, 5_000));
        assertTrue(port.drain(5_000), "the device consumed every transmit buffer");
        assertArrayEquals(in, socketReadExactly(socket, in.length));
        assertEquals(0, port.read(new byte[1], 0, 1, 50), "nothing more arrives: the read times out with 0");
        SerialStatistics stats = port.statistics();
        assertEquals(in.length, stats.received());
        assertEquals(in.length, stats.transmitted());
        assertEquals(0, stats.overruns());
        assertTrue(stats.interrupts() > 0, "completed by interrupts: " + stats);
    }

    @Test
    @DisplayName("a driver update keeps the SerialPort service object working, and exactly one session thread is left")
    void driverUpdateKeepsTheSerialPort(@TempDir Path dir) throws Exception {
        IOPlatformDevice nub = loadTwoConsoles(dir);
        SerialPort port = serialPort(nub);
        IOService before = driverOf(nub);
        Socket socket = connect(nub);
        bundle().update();
        Await.matchingSettled(nub);
        Await.matchingSettled(PlatformIT.nub(platform, SESSION_CONSOLE));
        assertNotSame(before, driverOf(nub), "a new driver instance serves the nub");
        byte[] out = "after the update\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(out.length, port.write(out, 0, out.length, 1_000), "the same front takes bytes");
        assertArrayEquals(out, socketReadExactly(socket, out.length));
        byte[] in = "still here".getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(in);
        assertArrayEquals(in, UartDriverIT.readExactly(port, in.length));
        assertSame(port, serialPort(nub), "clients keep their service object");
        Await.until(() -> sessionThreads().stream().filter(("virtio-console-" + SESSION_CONSOLE)::equals).count() == 1, DEADLINE,
                "exactly one session thread, the new driver's");
    }

    @Test
    @DisplayName("stopping the driver bundle ends the session: no session thread is left, and starting it brings one back")
    void sessionStopsWithTheDriver() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, SESSION_CONSOLE);
        Await.matchingSettled(nub);
        assertTrue(sessionThreads().contains("virtio-console-" + SESSION_CONSOLE), "the session runs: " + sessionThreads());
        bundle().stop();
        Await.matchingSettled(nub);
        assertTrue(sessionThreads().stream().noneMatch(("virtio-console-" + SESSION_CONSOLE)::equals), "stop waited for the session thread");
        Await.until(() -> sessionThreads().isEmpty(), DEADLINE, "the terminal's input pump ends too");
        bundle().start();
        Await.matchingSettled(nub);
        Await.until(() -> sessionThreads().contains("virtio-console-" + SESSION_CONSOLE), DEADLINE, "a new session");
    }
}
