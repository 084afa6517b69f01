package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.serial.api.LineSettings;
import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.models.uart.Ns16550a;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.PlatformExpert;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
 * The 16550 driver on the platform's UART nubs, seen from outside: through its {@link SerialPort}
 * service and through a real TCP client on the model's backend port, as a person with
 * {@code nc 127.0.0.1 PORT} would see it.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class UartDriverIT {

    static final String DRIVER = "dev.sluice.drivers.uart";
    static final String CONSOLE_UART = "serial@9000000";
    static final String PLAIN_UART = "serial@9030000";
    static final Duration DEADLINE = Duration.ofSeconds(10);
    /** The default board plus a second UART that is not the chosen console. */
    static final String TWO_UARTS = "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
            + "\tcompatible = \"sluice,microvm\";\n\tinterrupt-parent = <&intc>;\n"
            + "\taliases { serial0 = &uart0; };\n\tchosen { stdout-path = \"serial0:115200n8\"; };\n"
            + "\tmemory@80000000 { device_type = \"memory\"; reg = <0x0 0x80000000 0x0 0x01000000>; };\n"
            + "\tintc: interrupt-controller@8000000 { compatible = \"sluice,intc\"; reg = <0x0 0x08000000 0x0 0x10000>;"
            + " interrupt-controller; #interrupt-cells = <2>; #address-cells = <0>; sluice,num-lines = <64>; };\n"
            + "\tuart0: serial@9000000 { compatible = \"ns16550a\"; reg = <0x0 0x09000000 0x0 0x100>;"
            + " clock-frequency = <1843200>; current-speed = <115200>; interrupts = <1 4>; sluice,backend = \"tcp:127.0.0.1:0\"; };\n"
            + "\tserial@9030000 { compatible = \"ns16550a\"; reg = <0x0 0x09030000 0x0 0x100>;"
            + " clock-frequency = <1843200>; current-speed = <115200>; interrupts = <5 4>; sluice,backend = \"tcp:127.0.0.1:0\"; };\n"
            + "};\n";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

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
        Await.matchingSettled(PlatformIT.nub(platform, CONSOLE_UART));
    }

    // ------------------------------------------------------------------ helpers

    Bundle bundle() {
        return TestBundles.installed(context, DRIVER);
    }


    IOPlatformDevice loadTwoUarts(Path dir) throws Exception {
        Path board = dir.resolve("two-uarts.dts");
        Files.writeString(board, TWO_UARTS);
        platform.load(board);
        boardChanged = true;
        IOPlatformDevice nub = PlatformIT.nub(platform, PLAIN_UART);
        Await.matchingSettled(nub);
        Await.matchingSettled(PlatformIT.nub(platform, CONSOLE_UART));
        return nub;
    }

    /** @return the SerialPort front published for {@code nub} */
    SerialPort port(IOPlatformDevice nub) throws Exception {
        return SerialPorts.of(context, nub, "Uart16550Driver", DEADLINE);
    }

    static IOService driverOf(IOPlatformDevice nub) {
        return nub.getClients().stream().filter(c -> c.getClass().getSimpleName().equals("Uart16550Driver")).findFirst()
                .orElseThrow(() -> new AssertionError("no Uart16550Driver on " + nub.getPathComponent() + ": " + nub.getClients()));
    }

    Socket connect(IOPlatformDevice nub) throws Exception {
        Ns16550a model = (Ns16550a) nub.model().orElseThrow();
        client = new Socket(InetAddress.getLoopbackAddress(), model.port());
        client.setSoTimeout(200);
        client.setTcpNoDelay(true);
        Await.until(model::isClientConnected, DEADLINE, "the UART model accepts the client");
        return client;
    }

    /** Reads at the socket until the text seen so far contains {@code expected} or the deadline passes. */
    static String readUntil(Socket socket, String expected) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!seen.toString(StandardCharsets.UTF_8).contains(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + expected + "' within " + DEADLINE + "; got: " + seen.toString(StandardCharsets.UTF_8));
            }
            try {
                int n = in.read(buf);
                if (n < 0) {
                    throw new AssertionError("socket closed; got: " + seen.toString(StandardCharsets.UTF_8));
                }
                seen.write(buf, 0, n);
            } catch (SocketTimeoutException again) {
                // keep reading until the deadline
            }
        }
        return seen.toString(StandardCharsets.UTF_8);
    }

    static byte[] readExactly(SerialPort port, int n) {
        byte[] got = new byte[n];
        int have = 0;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (have < n && System.nanoTime() < deadline) {
            have += port.read(got, have, n - have, 100);
        }
        assertEquals(n, have, "bytes read through SerialPort: " + new String(got, 0, have, StandardCharsets.UTF_8));
        return got;
    }

    static List<String> consoleThreads() {
        return ExampleDriversIT.liveThreads().stream().filter(n -> n.contains("uart-console-")).toList();
    }

    // ------------------------------------------------------------------ tests

    @Test
    @DisplayName("the default board's UART is driven by Uart16550Driver at the chosen 115200 8N1, with the console on it")
    void defaultBoardUartGetsTheDriver() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, CONSOLE_UART);
        Await.matchingSettled(nub);
        IOService driver = driverOf(nub);
        assertEquals("115200 8N1", driver.getProperty("IOSerialLine"));
        assertTrue(List.of("interrupt", "polled").contains(driver.getProperty("IOSerialMode")), String.valueOf(driver.getProperty("IOSerialMode")));
        Ns16550a model = (Ns16550a) nub.model().orElseThrow();
        assertTrue(String.valueOf(driver.getProperty("IOSerialBackend")).contains(":" + model.port() + ","),
                "the backend port is shown in the registry: " + driver.getProperty("IOSerialBackend"));
        assertEquals(LineSettings.of8N1(115200), port(nub).lineSettings());
        assertTrue(consoleThreads().contains("uart-console-" + CONSOLE_UART), "the console session thread runs: " + consoleThreads());
    }

    @Test
    @DisplayName("bytes written through SerialPort arrive at a real socket on the model's port, and the socket's bytes are read back")
    void bytesBothWaysThroughARealSocket(@TempDir Path dir) throws Exception {
        IOPlatformDevice nub = loadTwoUarts(dir);
        SerialPort port = port(nub);
        port.setLineSettings(LineSettings.parse("9600n8"));
        assertEquals(LineSettings.of8N1(9600), port.lineSettings());
        Ns16550a model = (Ns16550a) nub.model().orElseThrow();
        assertEquals(10L * 1_000_000_000L / 9600, model.characterTimeNanos(), 1_000, "the model runs at 9600 8N1");
        Socket socket = connect(nub);
        byte[] out = "ping from the driver, longer than one 16-byte FIFO load\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(out.length, port.write(out, 0, out.length, 1_000));
        assertTrue(port.drain(2_000), "the transmitter empties");
        assertTrue(readUntil(socket, "FIFO load\n").endsWith(new String(out, StandardCharsets.US_ASCII)));
        byte[] in = "pong from the socket: 0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        // One FIFO load at a time, each once the driver has delivered the previous one: the model,
        // like the chip, loses a 17th character that completes before the (interrupt or polled)
        // driver empties the FIFO, and how soon the driver runs is up to the machine's scheduler.
        for (int off = 0; off < in.length; off += Ns16550a.FIFO_DEPTH) {
            int n = Math.min(Ns16550a.FIFO_DEPTH, in.length - off);
            socket.getOutputStream().write(in, off, n);
            assertArrayEquals(Arrays.copyOfRange(in, off, off + n), readExactly(port, n));
        }
        assertEquals(0, port.read(new byte[1], 0, 1, 50), "nothing more arrives: the read times out with 0");
        assertEquals(0, port.statistics().overruns());
        assertTrue(port.statistics().received() >= in.length);
    }

    @Test
    @DisplayName("the console: a real socket types ioreg at the kernel console and reads the registry tree back")
    void consoleAnswersIoreg() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, CONSOLE_UART);
        Await.matchingSettled(nub);
        Socket socket = connect(nub);
        socket.getOutputStream().write("\n".getBytes(StandardCharsets.US_ASCII));
        readUntil(socket, "sluice> ");
        socket.getOutputStream().write("ioreg\n".getBytes(StandardCharsets.US_ASCII));
        String tree = readUntil(socket, "+-o Uart16550Driver");
        assertTrue(tree.contains("+-o IOResources"), tree);
        assertTrue(tree.contains("+-o serial@9000000"), tree);
    }

    @Test
    @DisplayName("the console's shell starts at the first key: until then only the console thread waits, then the banner greets whoever pressed Enter")
    void consoleShellStartsAtTheFirstKey() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, CONSOLE_UART);
        Bundle driver = bundle();
        driver.stop();
        driver.start();
        Await.matchingSettled(nub);
        String console = "uart-console-" + CONSOLE_UART;
        Await.until(() -> consoleThreads().equals(List.of(console)), DEADLINE,
                "only the waiting console thread, no terminal input pump");
        Socket socket = connect(nub);
        socket.getOutputStream().write("\n".getBytes(StandardCharsets.US_ASCII));
        String seen = readUntil(socket, "sluice> ");
        // an eager session would have printed its banner to the unconnected line, where it is lost
        assertTrue(seen.contains("Sluice kernel console on " + console), seen);
        assertTrue(consoleThreads().stream().anyMatch(n -> n.contains("input pump")), "the session's terminal runs: " + consoleThreads());
    }

    @Test
    @DisplayName("a driver update keeps the SerialPort service object working, and the old console thread is gone")
    void driverUpdateKeepsTheSerialPort(@TempDir Path dir) throws Exception {
        IOPlatformDevice nub = loadTwoUarts(dir);
        SerialPort port = port(nub);
        IOService before = driverOf(nub);
        Socket socket = connect(nub);
        bundle().update();
        Await.matchingSettled(nub);
        Await.matchingSettled(PlatformIT.nub(platform, CONSOLE_UART));
        assertTrue(driverOf(nub) != before, "a new driver instance serves the nub");
        byte[] out = "after the update\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(out.length, port.write(out, 0, out.length, 1_000), "the same front takes bytes");
        readUntil(socket, "after the update\n");
        byte[] in = "still here".getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(in);
        assertArrayEquals(in, readExactly(port, in.length));
        assertSame(port, port(nub), "clients keep their service object");
        Await.until(() -> consoleThreads().stream().filter(("uart-console-" + CONSOLE_UART)::equals).count() == 1, DEADLINE,
                "exactly one console session thread, the new driver's");
        assertTrue(consoleThreads().size() <= 2, "the session and at most its terminal's input pump: " + consoleThreads());
    }

    @Test
    @DisplayName("stopping the driver bundle stops the console: no console thread is left")
    void consoleStopsWithTheDriver() throws Exception {
        IOPlatformDevice nub = PlatformIT.nub(platform, CONSOLE_UART);
        Await.matchingSettled(nub);
        assertTrue(consoleThreads().contains("uart-console-" + CONSOLE_UART), "the console runs: " + consoleThreads());
        bundle().stop();
        Await.matchingSettled(nub);
        assertTrue(consoleThreads().stream().noneMatch(("uart-console-" + CONSOLE_UART)::equals), "stop waited for the session thread");
        Await.until(() -> consoleThreads().isEmpty(), DEADLINE, "the terminal's input pump ends too");
        assertNotNull(nub.model().orElseThrow(), "the nub and its model stay");
    }
}
