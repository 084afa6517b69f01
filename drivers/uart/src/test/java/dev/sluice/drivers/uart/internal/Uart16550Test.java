package dev.sluice.drivers.uart.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.drivers.serial.api.LineSettings;
import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.RecordingInterruptLine;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.uart.Ns16550a;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The register-level driver against the ns16550a model on the real clock, with a real TCP client
 * on the model's backend. The test plays the work loop: it calls {@link Uart16550#service()} the
 * way the interrupt action would, whenever the model's interrupt line is raised.
 *
 * <p>The test thread is also the far end of the line, and it never sends more than one FIFO load
 * (16 bytes) ahead of what the driver has taken ({@link #feed}). The model shifts characters in at
 * the baud rate whether or not anyone services the FIFO and, like the chip, loses the 17th
 * (overrun); how soon this thread runs again is up to the machine's scheduler, so a longer burst
 * would make a test depend on it (8 characters after the trigger level take 0.7 ms at 115200).
 */
class Uart16550Test {

    static final long DEADLINE_MS = 5_000;
    /** Capacity of the driver's rings in these tests. */
    static final int RING = 64;
    final SystemDeviceClock clock = new SystemDeviceClock();
    final RecordingInterruptLine irq = new RecordingInterruptLine("uart");
    Ns16550a model;
    Uart16550 uart;
    Socket client;

    @BeforeEach
    void setUp() throws Exception {
        model = Ns16550a.create(DeviceModelContext.builder("serial@9000000").compatible("ns16550a")
                .reg(0x0900_0000L, 0x100).interrupt(irq).clock(clock)
                .backend(BackendSpec.parse("tcp:127.0.0.1:0"))
                .guestMemory(new GuestMemory(0x8000_0000L, 1 << 16)).build());
        uart = new Uart16550(model.mmio(0), 0, 1_843_200L, RING, RING);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        model.close();
        clock.close();
    }

    private void connect() throws Exception {
        client = new Socket(InetAddress.getLoopbackAddress(), model.port());
        client.setSoTimeout((int) DEADLINE_MS);
        client.setTcpNoDelay(true);
        await("the model accepts the client", model::isClientConnected);
    }

    /** Services the chip whenever its line is raised until {@code done}, like the interrupt action. */
    private void serviceUntil(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!done.getAsBoolean()) {
            if (irq.isRaised()) {
                uart.service();
            } else if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what + "; driver: received " + uart.received() + ", overruns "
                        + uart.overruns() + ", ring " + uart.available() + ", IER 0x" + Integer.toHexString(uart.ier())
                        + "; model: " + String.join("; ", model.describe()));
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /**
     * Sends {@code data[off..off+len)} from the client one FIFO load at a time, each once the
     * driver has taken the previous one into its ring, so the FIFO cannot overrun however late
     * this thread services it. The ring must have room for all of it.
     */
    private void feed(byte[] data, int off, int len) throws Exception {
        long target = uart.received();
        for (int at = off; at < off + len; at += Ns16550a.FIFO_DEPTH) {
            int n = Math.min(Ns16550a.FIFO_DEPTH, off + len - at);
            client.getOutputStream().write(data, at, n);
            target += n;
            long expected = target;
            serviceUntil(expected + " bytes are received", () -> uart.received() == expected);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    @Test
    void probeSeesTheScratchRegisterHoldBothPatternsAndRestoresIt() {
        model.mmio(0).write8(7, 0x33);
        assertTrue(uart.scratchRoundTrips());
        assertEquals(0x33, model.mmio(0).read8(7));
    }

    @Test
    void initProgramsDivisorFrameFifosAndOnlyReceiveAndLineStatusInterrupts() {
        uart.init(LineSettings.parse("115200n8"));
        assertEquals(10L * 16 * 1_000_000_000L / 1_843_200L, model.characterTimeNanos(), "divisor 1, 8N1");
        String line = String.join("\n", model.describe());
        assertTrue(line.contains("FIFOs on, trigger 8"), line);
        assertEquals(0x05, uart.ier(), "ERBFI | ELSI, no ETBEI while nothing is queued");
        assertFalse(irq.isRaised(), "no cause pending after init");
    }

    @Test
    void divisorComesFromTheClockAndUnreachableRatesAreRefused() {
        assertEquals(1, uart.divisorFor(115200));
        assertEquals(12, uart.divisorFor(9600));
        assertEquals(0x0900, uart.divisorFor(50));
        assertThrows(IllegalArgumentException.class, () -> uart.divisorFor(230400), "needs divisor 0.5");
        assertThrows(IllegalArgumentException.class, () -> uart.divisorFor(1), "needs divisor 115200 > 65535");
    }

    @Test
    void queuedBytesReachTheSocketAndTransmitInterruptsStopWhenTheRingEmpties() throws Exception {
        uart.init(LineSettings.of8N1(115200));
        connect();
        byte[] text = "the quick brown fox jumps over the lazy dog 0123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(text.length, uart.send(text, 0, text.length));
        assertEquals(0x07, uart.ier(), "ETBEI enabled while bytes wait in the ring");
        serviceUntil("the transmitter is idle", uart::txIdle);
        assertEquals(0x05, uart.ier(), "ETBEI disabled once the ring is empty");
        byte[] got = client.getInputStream().readNBytes(text.length);
        assertArrayEquals(text, got);
        assertEquals(text.length, uart.transmitted());
    }

    @Test
    void sendQueuesWhatFitsInTheRingAndMovesOneFifoLoadToTheIdleTransmitterAtOnce() throws Exception {
        ManualClock stopped = new ManualClock(); // nothing is shifted out while the test looks
        try (Ns16550a still = Ns16550a.create(DeviceModelContext.builder("serial@9010000").compatible("ns16550a")
                .reg(0x0901_0000L, 0x100).clock(stopped).guestMemory(new GuestMemory(0x8000_0000L, 1 << 16)).build())) {
            Uart16550 chip = new Uart16550(still.mmio(0), 0, 1_843_200L, RING, RING);
            chip.init(LineSettings.of8N1(115200));
            byte[] big = new byte[100];
            assertEquals(RING, chip.send(big, 0, big.length), "the ring holds 64");
            assertEquals(Uart16550.FIFO_DEPTH, chip.txFree(), "16 bytes went straight into the empty FIFO");
            assertEquals(Uart16550.FIFO_DEPTH, chip.send(big, RING, 36), "then only that much fits: THR is not empty");
            assertEquals(0, chip.txFree());
            assertEquals(Uart16550.FIFO_DEPTH, chip.transmitted());
        }
    }

    @Test
    void bytesFromTheSocketAreDrainedIntoTheRingAndReadBack() throws Exception {
        uart.init(LineSettings.of8N1(115200));
        connect();
        byte[] text = "hello, uart".getBytes(StandardCharsets.US_ASCII);
        client.getOutputStream().write(text);
        serviceUntil("all bytes are received", () -> uart.available() == text.length);
        byte[] got = new byte[32];
        assertEquals(text.length, uart.take(got, 0, got.length));
        assertEquals("hello, uart", new String(got, 0, text.length, StandardCharsets.US_ASCII));
        assertEquals(0, uart.overruns());
        assertEquals(text.length, uart.received());
    }

    @Test
    void aFullReceiveRingMasksTheReceiveInterruptUntilAReaderMakesRoom() throws Exception {
        uart.init(LineSettings.of8N1(115200));
        connect();
        byte[] text = new byte[RING + 6];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('A' + i % 26);
        }
        feed(text, 0, RING);
        assertEquals(RING, uart.available());
        client.getOutputStream().write(text, RING, 6); // below the trigger level: a character timeout reports them
        serviceUntil("a byte finds the ring full", () -> (uart.ier() & 0x01) == 0);
        assertEquals(RING, uart.available());
        assertEquals(0x04, uart.ier() & 0x05, "ERBFI masked, ELSI kept");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[16];
        int n = uart.take(buf, 0, buf.length);
        all.write(buf, 0, n);
        assertEquals(0x05, uart.ier() & 0x05, "ERBFI enabled again once there is room");
        serviceUntil("the rest is received", () -> uart.received() == text.length);
        while ((n = uart.take(buf, 0, buf.length)) > 0) {
            all.write(buf, 0, n);
        }
        assertArrayEquals(text, all.toByteArray());
        assertEquals(0, uart.overruns(), "the FIFO held the rest while the ring was full");
    }

    @Test
    void anOverrunIsCountedFromTheLineStatus() throws Exception {
        uart.init(LineSettings.of8N1(115200));
        connect();
        byte[] flood = new byte[40]; // more than the 16-byte FIFO, nobody servicing
        client.getOutputStream().write(flood);
        await("the receive FIFO is full", () -> model.rxFifoLevel() == Ns16550a.FIFO_DEPTH);
        await("a character completes into the full FIFO", () -> String.join(" ", model.describe()).matches("(?s).*overruns [1-9].*"));
        serviceUntil("the overrun is seen", () -> uart.overruns() > 0);
    }
}
