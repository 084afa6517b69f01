package dev.sluice.models.uart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;
import dev.sluice.models.SystemDeviceClock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The UART on the real device clock, as a driver would use it: polling and interrupt-driven
 * transfers of a burst through a real TCP client. 1200 baud (divisor 96, 8N1: 8.3 ms per
 * character) leaves a 16-character FIFO about 130 ms of slack, so a busy shared machine does not
 * make a correct driver overrun.
 */
class Ns16550aRealClockTest {

    static final int BYTES = 60;
    static final long CHAR_NS = 10L * 16 * 96 * 1_000_000_000L / 1_843_200L;
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
    /** A polling driver's pause: far below the FIFO's slack. */
    static final long PAUSE_NS = TimeUnit.MICROSECONDS.toNanos(500);

    private final SystemDeviceClock clock = new SystemDeviceClock();
    private final RecordingInterruptLine irq = new RecordingInterruptLine("uart");
    private Ns16550a uart;
    private MmioRegion regs;
    private Socket client;

    @BeforeEach
    void setUp() throws Exception {
        uart = Ns16550a.create(DeviceModelContext.builder("serial@10000000").reg(0x1000_0000L, 0x100).interrupt(irq)
                .clock(clock).backend(BackendSpec.parse("tcp:127.0.0.1:0"))
                .guestMemory(new GuestMemory(0x8000_0000L, 1 << 20)).build());
        regs = uart.mmio(0);
        regs.write8(3, 0x80);
        regs.write8(0, 96);
        regs.write8(1, 0);
        regs.write8(3, 0x03);
        assertEquals(CHAR_NS, uart.characterTimeNanos());
        client = new Socket(InetAddress.getLoopbackAddress(), uart.port());
        client.setSoTimeout(10_000);
        UartHarness.awaitTrue("the UART accepts the client", uart::isClientConnected);
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        uart.close();
        clock.close();
    }

    private static byte[] pattern() {
        byte[] data = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            data[i] = (byte) (i * 7 + 3);
        }
        return data;
    }

    @Test
    @DisplayName("8.4 / 8.6 polled receive: a burst from the client is paced at the baud rate into the FIFO; a driver polling LSR.DR gets every byte in order, never OE")
    void polledReceiveOfABurst() throws Exception {
        regs.write8(2, 0x07);
        byte[] data = pattern();
        long start = System.nanoTime();
        client.getOutputStream().write(data);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < BYTES) {
            int lsr = regs.read8(5);
            assertEquals(0, lsr & 0x02, "overrun after " + got.size() + " bytes");
            if ((lsr & 0x01) != 0) {
                got.write(regs.read8(0));
            } else if (System.nanoTime() - start > DEADLINE_NS) {
                fail("received only " + got.size() + " of " + BYTES);
            } else {
                LockSupport.parkNanos(PAUSE_NS);
            }
        }
        long elapsed = System.nanoTime() - start;
        assertArrayEquals(data, got.toByteArray());
        assertTrue(elapsed >= (BYTES - 1) * CHAR_NS, "a burst cannot arrive faster than the line: " + elapsed + " ns");
    }

    @Test
    @DisplayName("8.6 / Table IV interrupt-driven receive, trigger level 8: RDA interrupts for full groups, a character-timeout interrupt for the tail")
    void interruptDrivenReceive() throws Exception {
        regs.write8(2, 0x87);
        regs.write8(1, 0x01);
        byte[] data = pattern(); // 60 = 7 x 8 + 4: the last 4 bytes need the timeout
        client.getOutputStream().write(data);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean sawTimeout = false;
        long start = System.nanoTime();
        while (got.size() < BYTES) {
            if (!irq.awaitLevel(true, 5, TimeUnit.SECONDS)) {
                fail("no interrupt after " + got.size() + " bytes: " + uart.describe());
            }
            int iir = regs.read8(2);
            if (iir == 0xCC) {
                sawTimeout = true;
            } else if (iir != 0xC4 && iir != 0xC1) { // 0xC1: a new character ended the timeout meanwhile
                fail(String.format("IIR 0x%02x: only received-data interrupts are enabled", iir));
            }
            while ((regs.read8(5) & 0x01) != 0) {
                got.write(regs.read8(0));
            }
            assertTrue(System.nanoTime() - start < DEADLINE_NS, "took too long");
        }
        assertArrayEquals(data, got.toByteArray());
        assertTrue(sawTimeout, "the last 4 bytes (below the trigger) were signalled by a character timeout");
    }

    @Test
    @DisplayName("8.6 LSR.THRE-paced transmit: a driver writing up to 16 bytes whenever THRE is set gets all bytes to the client in order, at the baud rate")
    void thrEPacedTransmit() throws Exception {
        regs.write8(2, 0x07);
        byte[] data = pattern();
        long start = System.nanoTime();
        int sent = 0;
        while (sent < BYTES) {
            if ((regs.read8(5) & 0x20) != 0) {
                for (int n = 0; n < 16 && sent < BYTES; n++) {
                    regs.write8(0, data[sent++] & 0xFF);
                }
            } else if (System.nanoTime() - start > DEADLINE_NS) {
                fail("sent only " + sent);
            } else {
                LockSupport.parkNanos(PAUSE_NS);
            }
        }
        byte[] got = new byte[BYTES];
        InputStream in = client.getInputStream();
        for (int n = 0; n < BYTES; ) {
            int r = in.read(got, n, BYTES - n);
            if (r < 0) {
                fail("client closed after " + n);
            }
            n += r;
        }
        long elapsed = System.nanoTime() - start;
        assertArrayEquals(data, got);
        assertTrue(elapsed >= (BYTES - 1) * CHAR_NS, "transmission cannot beat the line: " + elapsed + " ns");
    }
}
