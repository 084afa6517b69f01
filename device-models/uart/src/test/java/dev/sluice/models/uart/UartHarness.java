package dev.sluice.models.uart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A UART on a manual clock with a recording interrupt line and a real loopback TCP client, plus
 * register helpers named after the datasheet. Register offsets here are the PC16550D's, written
 * out independently of the model's constants.
 */
final class UartHarness implements AutoCloseable {

    static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
            MSR = 6, SCR = 7;
    static final long DEADLINE_MS = 5_000;
    /** 1.8432 MHz / (16 x 1) = 115200 baud; 8N1 = 10 bits per character. */
    static final long CHAR_NS = 10L * 16 * 1_000_000_000L / 1_843_200L;

    final ManualClock clock = new ManualClock(1_000_000_000L);
    final RecordingInterruptLine irq = new RecordingInterruptLine("uart");
    final Ns16550a uart;
    final MmioRegion regs;
    final int stride;
    Socket client;

    UartHarness() throws Exception {
        this(0, 1);
    }

    UartHarness(int regShift, int ioWidth) throws Exception {
        DeviceModelContext.Builder b = DeviceModelContext.builder("serial@10000000")
                .compatible("ns16550a")
                .reg(0x1000_0000L, 0x100)
                .interrupt(irq)
                .clock(clock)
                .backend(BackendSpec.parse("tcp:127.0.0.1:0"))
                .guestMemory(new GuestMemory(0x8000_0000L, 1 << 20));
        if (regShift != 0) {
            b.propertyU32("reg-shift", regShift);
        }
        if (ioWidth != 1) {
            b.propertyU32("reg-io-width", ioWidth);
        }
        uart = Ns16550a.create(b.build());
        regs = uart.mmio(0);
        stride = 1 << regShift;
    }

    int read(int reg) {
        return regs.read8((long) reg * stride);
    }

    void write(int reg, int value) {
        regs.write8((long) reg * stride, value);
    }

    /** LCR = 8N1, divisor 1 (115200 baud at 1.8432 MHz). */
    void program115200() {
        write(LCR, 0x80);
        write(DLL, 1);
        write(DLM, 0);
        write(LCR, 0x03);
        assertEquals(CHAR_NS, uart.characterTimeNanos());
    }

    /** Connects a real TCP client and waits until the UART has accepted it. */
    Socket connect() throws Exception {
        client = new Socket(InetAddress.getLoopbackAddress(), uart.port());
        client.setSoTimeout((int) DEADLINE_MS);
        client.setTcpNoDelay(true);
        awaitTrue("the UART accepts the client", uart::isClientConnected);
        return client;
    }

    /** Sends bytes from the client and waits until the UART has taken them onto its line. */
    void sendFromClient(String text) throws Exception {
        long before = uart.bytesFromClient();
        client.getOutputStream().write(text.getBytes("ISO-8859-1"));
        client.getOutputStream().flush();
        awaitTrue("the UART takes " + text.length() + " byte(s) from the socket",
                () -> uart.bytesFromClient() >= before + text.length());
    }

    /** Reads exactly n bytes at the client, with the socket's deadline. */
    String receiveAtClient(int n) throws IOException {
        byte[] buf = new byte[n];
        InputStream in = client.getInputStream();
        int got = 0;
        while (got < n) {
            int r = in.read(buf, got, n - got);
            if (r < 0) {
                fail("client socket closed after " + got + " of " + n + " bytes");
            }
            got += r;
        }
        return new String(buf, "ISO-8859-1");
    }

    void advanceChars(long chars) {
        clock.advance(chars * CHAR_NS);
    }

    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    void assertLine(boolean raised) {
        assertEquals(raised, irq.isRaised(), "interrupt line level; " + irq);
    }

    void assertIir(int expected) {
        int v = read(IIR);
        assertEquals(expected, v, () -> String.format("IIR expected 0x%02x, was 0x%02x", expected, v));
    }

    @Override
    public void close() throws IOException {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            uart.close();
        }
    }
}
