package dev.sluice.models.uart;

import static dev.sluice.models.uart.UartHarness.DLL;
import static dev.sluice.models.uart.UartHarness.DLM;
import static dev.sluice.models.uart.UartHarness.FCR;
import static dev.sluice.models.uart.UartHarness.IER;
import static dev.sluice.models.uart.UartHarness.IIR;
import static dev.sluice.models.uart.UartHarness.LCR;
import static dev.sluice.models.uart.UartHarness.LSR;
import static dev.sluice.models.uart.UartHarness.MCR;
import static dev.sluice.models.uart.UartHarness.MSR;
import static dev.sluice.models.uart.UartHarness.RBR;
import static dev.sluice.models.uart.UartHarness.SCR;
import static dev.sluice.models.uart.UartHarness.THR;
import static dev.sluice.models.uart.UartHarness.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conformance of the ns16550a model to the PC16550D datasheet (National/TI, "PC16550D Universal
 * Asynchronous Receiver/Transmitter with FIFOs"): section 8 (registers), Table II (reset), Table
 * IV (interrupt control functions). Bytes cross a real loopback TCP socket; time is a manual clock
 * (115200 baud, 8N1: one character = {@link UartHarness#CHAR_NS} ns).
 */
class Ns16550aConformanceTest {

    private UartHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new UartHarness();
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    @DisplayName("Table II reset: IER=0, IIR=0x01, LCR=0, MCR=0, LSR=0x60 (THRE, TEMT), MSR=0 without a client, line low")
    void resetValues() {
        assertEquals(0x00, h.read(IER));
        assertEquals(0x01, h.read(IIR));
        assertEquals(0x00, h.read(LCR));
        assertEquals(0x00, h.read(MCR));
        assertEquals(0x60, h.read(LSR));
        assertEquals(0x00, h.read(MSR));
        h.assertLine(false);
    }

    @Test
    @DisplayName("8.2 / Table II: reset() restores the reset configuration after use (FIFOs, IER, LCR, MCR, pending data)")
    void modelResetRestoresResetState() throws Exception {
        h.connect();
        h.write(FCR, 0x01);
        h.write(IER, 0x0F);
        h.write(MCR, 0x1F);
        h.write(LCR, 0x1B);
        h.sendFromClient("abc");
        h.advanceChars(3);
        h.assertLine(true);
        h.uart.reset();
        h.assertLine(false);
        assertEquals(0x00, h.read(IER));
        assertEquals(0x01, h.read(IIR));
        assertEquals(0x00, h.read(LCR));
        assertEquals(0x00, h.read(MCR));
        assertEquals(0x60, h.read(LSR));
        assertEquals(0xB0, h.read(MSR), "client still connected: CTS, DSR, DCD, no pending deltas");
    }

    @Test
    @DisplayName("8.1 / LCR bit 7 (DLAB): offsets 0 and 1 reach DLL/DLM while set, RBR/THR and IER otherwise; the divisor sets the character time")
    void divisorLatchAccess() {
        h.write(LCR, 0x80);
        h.write(DLL, 0x34);
        h.write(DLM, 0x12);
        assertEquals(0x34, h.read(DLL));
        assertEquals(0x12, h.read(DLM));
        h.write(LCR, 0x03);
        h.write(IER, 0x05);
        assertEquals(0x05, h.read(IER), "IER, not DLM, at offset 1 with DLAB=0");
        assertEquals(0x60, h.read(LSR), "nothing was transmitted by the DLL writes");
        h.write(LCR, 0x83);
        assertEquals(0x34, h.read(DLL), "DLL kept its value");
        assertEquals(0x12, h.read(DLM), "DLM kept its value");
        h.write(LCR, 0x03);
        assertEquals(10L * 16 * 0x1234 * 1_000_000_000L / 1_843_200L, h.uart.characterTimeNanos(),
                "8N1 character = 10 bits of 16 clocks x divisor at 1.8432 MHz");
    }

    @Test
    @DisplayName("8.3 Table II: IER keeps only bits 3:0, bits 7:4 read 0; SCR holds any byte")
    void ierBitsAndScratch() {
        h.write(IER, 0xF0);
        assertEquals(0x00, h.read(IER));
        h.write(SCR, 0xA5);
        assertEquals(0xA5, h.read(SCR));
        h.write(SCR, 0x5A);
        assertEquals(0x5A, h.read(SCR));
    }

    @ParameterizedTest(name = "LCR=0x{0}: {1} half-bits per character")
    @CsvSource({"00, 14", "04, 15", "03, 20", "07, 22", "0B, 22", "1F, 24", "3B, 22"})
    @DisplayName("8.3 LCR bits 0-5 (word length, stop bits, parity) set the character time: start + data + parity + 1, 1.5 or 2 stop bits")
    void frameFormatSetsCharacterTime(String lcrHex, int halfBits) {
        h.program115200();
        h.write(LCR, Integer.parseInt(lcrHex, 16));
        assertEquals(halfBits * 16L * 1_000_000_000L / (2 * 1_843_200L), h.uart.characterTimeNanos());
        h.write(FCR, 0x01);
        h.write(THR, 'x');
        h.clock.advance(h.uart.characterTimeNanos() - 1);
        assertEquals(0x00, h.read(LSR) & 0x40, "still shifting");
        h.clock.advance(1);
        assertEquals(0x40, h.read(LSR) & 0x40, "TEMT after exactly one character time");
    }

    @Test
    @DisplayName("Table IV THRE: enabling ETBEI while the TX FIFO holds data gives no interrupt until it empties")
    void etbeiWithBusyTransmitter() {
        h.program115200();
        h.write(FCR, 0x01);
        h.write(THR, 'a');
        h.write(THR, 'b');
        h.write(IER, 0x02);
        h.assertLine(false);
        h.assertIir(0xC1);
        h.advanceChars(1);
        h.assertLine(true);
        h.assertIir(0xC2);
    }

    @Test
    @DisplayName("8.6 / 8.8 LSR and MSR are read-only in use: writes (the chip's factory test) change nothing")
    void lsrAndMsrWritesIgnored() throws Exception {
        h.connect();
        h.write(LSR, 0xFF);
        h.write(MSR, 0x00);
        assertEquals(0x60, h.read(LSR));
        assertEquals(0xBB, h.read(MSR), "connect deltas still pending, inputs unchanged");
    }

    @Test
    @DisplayName("8.6 LSR bits 5/6: THRE clears while the TX FIFO holds data and sets when it empties; TEMT only when the shift register is empty too; bytes reach the client in order")
    void transmitThreAndTemt() throws Exception {
        h.program115200();
        h.write(FCR, 0x01);
        h.connect();
        h.write(THR, 'A');
        h.write(THR, 'B');
        h.write(THR, 'C');
        assertEquals(0x00, h.read(LSR) & 0x60, "B and C wait in the FIFO, A is shifting");
        h.advanceChars(1);
        assertEquals(0x00, h.read(LSR) & 0x60, "C still in the FIFO");
        h.advanceChars(1);
        assertEquals(0x20, h.read(LSR) & 0x60, "FIFO empty (THRE) while C shifts out (TEMT=0)");
        h.clock.advance(UartHarness.CHAR_NS - 1);
        assertEquals(0x20, h.read(LSR) & 0x60, "C's stop bit not finished");
        h.clock.advance(1);
        assertEquals(0x60, h.read(LSR) & 0x60, "transmitter empty");
        assertEquals("ABC", h.receiveAtClient(3));
    }

    @Test
    @DisplayName("Table IV THRE interrupt: set by enabling ETBEI with THR empty and when the TX FIFO empties; reading IIR while it is the source clears it")
    void threInterruptClearedByIirRead() throws Exception {
        h.program115200();
        h.write(FCR, 0x01);
        h.write(IER, 0x02);
        h.assertLine(true);
        h.assertIir(0xC2);
        h.assertIir(0xC1);
        h.assertLine(false);
        h.write(THR, '1');
        h.write(THR, '2');
        h.assertLine(false);
        h.advanceChars(1);
        h.assertLine(true);
        h.assertIir(0xC2);
        h.assertLine(false);
        assertEquals(0x20, h.read(LSR) & 0x60, "THRE bit stays set in LSR after the interrupt was cleared");
    }

    @Test
    @DisplayName("Table IV THRE interrupt: writing THR clears it, without reading IIR")
    void threInterruptClearedByThrWrite() {
        h.program115200();
        h.write(FCR, 0x01);
        h.write(THR, 'a');
        h.write(THR, 'b');
        h.write(IER, 0x02);
        h.assertLine(false);
        h.advanceChars(1);
        h.assertLine(true);
        h.write(THR, 'c');
        h.assertLine(false);
        assertEquals(0xC1, h.read(IIR));
    }

    @Test
    @DisplayName("8.4 RBR / LSR bit 0: bytes from the TCP client are received in order at the baud rate; DR set while data remains")
    void receiveFromClient() throws Exception {
        h.program115200();
        h.connect();
        h.sendFromClient("hi");
        assertEquals(0x00, h.read(LSR) & 0x01, "first character still on the line");
        h.advanceChars(1);
        assertEquals(0x01, h.read(LSR) & 0x01);
        assertEquals('h', h.read(RBR));
        assertEquals(0x00, h.read(LSR) & 0x01, "non-FIFO mode: RBR empty until the next character completes");
        h.advanceChars(1);
        assertEquals('i', h.read(RBR));
        assertEquals(0x60, h.read(LSR));
    }

    @ParameterizedTest(name = "FCR=0x{0}: trigger level {1}")
    @CsvSource({"01, 1", "41, 4", "81, 8", "C1, 14"})
    @DisplayName("8.5 FCR bits 7:6 / Table IV: received-data interrupt when the RX FIFO reaches the trigger level, cleared when it drops below")
    void rxTriggerLevels(String fcrHex, int level) throws Exception {
        h.program115200();
        h.write(FCR, Integer.parseInt(fcrHex, 16));
        h.write(IER, 0x01);
        h.connect();
        if (level > 1) {
            h.sendFromClient("x".repeat(level - 1));
            h.advanceChars(level - 1);
            h.assertLine(false);
            h.assertIir(0xC1);
            assertEquals(level - 1, h.uart.rxFifoLevel());
        }
        h.sendFromClient("y");
        h.advanceChars(1);
        h.assertLine(true);
        h.assertIir(0xC4);
        h.read(RBR);
        h.assertLine(false);
        h.assertIir(0xC1);
        assertEquals(level - 1, h.uart.rxFifoLevel());
    }

    @Test
    @DisplayName("Table IV character timeout: data below the trigger and no FIFO activity for 4 character times gives IIR=0xCC; reading RBR clears it and restarts the timer")
    void characterTimeout() throws Exception {
        h.program115200();
        h.write(FCR, 0xC1);
        h.write(IER, 0x01);
        h.connect();
        h.sendFromClient("abc");
        h.advanceChars(3);
        h.assertLine(false);
        h.clock.advance(4 * UartHarness.CHAR_NS - 1);
        h.assertLine(false);
        h.assertIir(0xC1);
        h.clock.advance(1);
        h.assertLine(true);
        h.assertIir(0xCC);
        assertEquals('a', h.read(RBR));
        h.assertLine(false);
        h.assertIir(0xC1);
        h.advanceChars(4);
        h.assertLine(true);
        h.assertIir(0xCC);
        assertEquals('b', h.read(RBR));
        assertEquals('c', h.read(RBR));
        h.advanceChars(8);
        h.assertLine(false);
        h.assertIir(0xC1);
    }

    @Test
    @DisplayName("Table IV priority: line status (OE) > received data > THR empty > modem status; the level line stays raised until none is pending")
    void interruptPriority() throws Exception {
        h.program115200();
        h.write(FCR, 0x01);
        h.connect(); // CTS, DSR, DCD rise: a modem-status change is pending
        h.sendFromClient("0123456789ABCDEFG"); // 17 characters: one overrun
        h.advanceChars(17);
        h.assertLine(false);
        h.write(IER, 0x0F);
        h.assertLine(true);
        h.assertIir(0xC6);
        assertEquals(0x63, h.read(LSR), "DR, OE, THRE, TEMT");
        h.assertLine(true);
        h.assertIir(0xC4);
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            got.append((char) h.read(RBR));
        }
        assertEquals("0123456789ABCDEF", got.toString());
        h.assertLine(true);
        h.assertIir(0xC2);
        h.assertLine(true);
        h.assertIir(0xC0);
        assertEquals(0xBB, h.read(MSR), "DCD, DSR, CTS with their delta bits");
        h.assertLine(false);
        h.assertIir(0xC1);
    }

    @Test
    @DisplayName("8.6 LSR bit 1 (FIFO mode): a character completing with the RX FIFO full is lost, OE is set and raises a line-status interrupt; reading LSR clears OE")
    void overrunFifoMode() throws Exception {
        h.program115200();
        h.write(FCR, 0x01);
        h.write(IER, 0x04);
        h.connect();
        h.sendFromClient("ABCDEFGHIJKLMNOPQ");
        h.advanceChars(16);
        h.assertLine(false);
        h.advanceChars(1);
        h.assertLine(true);
        h.assertIir(0xC6);
        assertEquals(0x63, h.read(LSR));
        h.assertLine(false);
        assertEquals(0x61, h.read(LSR), "OE cleared by the previous read");
        StringBuilder got = new StringBuilder();
        while ((h.read(LSR) & 0x01) != 0) {
            got.append((char) h.read(RBR));
        }
        assertEquals("ABCDEFGHIJKLMNOP", got.toString(), "the 17th character was lost");
        assertEquals(1, h.uart.overruns(), "one character counted as lost");
        assertEquals(0, h.uart.linePauses(), "the manual clock is never late");
    }

    @Test
    @DisplayName("8.6 LSR bit 1 (16450 mode, FIFOs off): the next character overwrites an unread RBR and sets OE")
    void overrunWithoutFifo() throws Exception {
        h.program115200();
        h.connect();
        h.sendFromClient("XY");
        h.advanceChars(2);
        assertEquals(0x63, h.read(LSR));
        assertEquals('Y', h.read(RBR));
        assertEquals(0x60, h.read(LSR));
    }

    @Test
    @DisplayName("8.5 FCR bits 1/2 reset the RX/TX FIFOs; bit 0 toggles the FIFOs (clearing both) and IIR bits 7:6 follow it")
    void fifoResetsAndEnable() throws Exception {
        h.program115200();
        assertEquals(0x01, h.read(IIR) & 0xC1, "FIFOs off at reset");
        h.write(FCR, 0x01);
        assertEquals(0xC1, h.read(IIR));
        h.connect();
        h.sendFromClient("abcd");
        h.advanceChars(4);
        assertEquals(4, h.uart.rxFifoLevel());
        h.write(FCR, 0x03);
        assertEquals(0, h.uart.rxFifoLevel());
        assertEquals(0x00, h.read(LSR) & 0x01);

        for (int i = 0; i < 5; i++) {
            h.write(THR, 'a' + i);
        }
        assertEquals(0x00, h.read(LSR) & 0x60);
        h.write(FCR, 0x05);
        assertEquals(0x20, h.read(LSR) & 0x60, "FIFO cleared; the shift register keeps its character");
        h.advanceChars(1);
        assertEquals(0x60, h.read(LSR) & 0x60);
        assertEquals("a", h.receiveAtClient(1));

        h.sendFromClient("z");
        h.advanceChars(1);
        assertEquals(1, h.uart.rxFifoLevel());
        h.write(FCR, 0x00);
        assertEquals(0x01, h.read(IIR), "IIR bits 7:6 clear with the FIFOs off");
        assertEquals(0, h.uart.rxFifoLevel(), "turning the FIFOs off cleared them");
    }

    @Test
    @DisplayName("8.7 MCR bit 4 loopback: transmitted characters are received, nothing reaches the client, client bytes are lost; MSR inputs follow RTS/DTR/OUT1/OUT2")
    void loopback() throws Exception {
        h.program115200();
        h.write(FCR, 0x01);
        h.connect();
        h.read(MSR); // clear the connect deltas
        h.write(MCR, 0x1F);
        assertEquals(0xFF & 0xF0, h.read(MSR) & 0xF0, "CTS<-RTS, DSR<-DTR, RI<-OUT1, DCD<-OUT2");
        h.write(MCR, 0x10);
        assertEquals(0x0B | 0x04, h.read(MSR), "CTS, DSR, DCD fell (deltas); RI trailing edge (TERI)");
        h.write(THR, 'Z');
        h.sendFromClient("L");
        h.advanceChars(1);
        assertEquals(0x01, h.read(LSR) & 0x01);
        assertEquals('Z', h.read(RBR));
        h.advanceChars(2);
        assertEquals(0x00, h.read(LSR) & 0x01, "the client's L was not received in loopback");
        h.write(MCR, 0x03);
        h.write(THR, 'Q');
        h.advanceChars(1);
        assertEquals("Q", h.receiveAtClient(1), "Z never went to the client");
        assertEquals(0x00, h.read(LSR) & 0x01, "Q was not looped back");
    }

    @Test
    @DisplayName("8.8 MSR / Table IV modem status: a client connecting and leaving toggles CTS/DSR/DCD with delta bits; reading MSR clears the deltas and the interrupt")
    void modemStatusFollowsClient() throws Exception {
        h.write(IER, 0x08);
        assertEquals(0x00, h.read(MSR));
        h.assertLine(false);
        h.connect();
        h.assertLine(true);
        h.assertIir(0x00);
        assertEquals(0xBB, h.read(MSR));
        assertEquals(0xB0, h.read(MSR));
        h.assertLine(false);
        h.client.close();
        awaitTrue("the UART sees the client leave", () -> !h.uart.isClientConnected());
        h.assertLine(true);
        assertEquals(0x0B, h.read(MSR));
        h.assertLine(false);
    }

    @Test
    @DisplayName("Backend: one client at a time (a second one is closed at once); after the client leaves a new one is accepted and exchanges bytes")
    void reconnect() throws Exception {
        h.program115200();
        Socket first = h.connect();
        try (Socket second = new Socket(InetAddress.getLoopbackAddress(), h.uart.port())) {
            second.setSoTimeout((int) UartHarness.DEADLINE_MS);
            assertEquals(-1, second.getInputStream().read(), "the second client is closed by the UART");
        }
        first.close();
        awaitTrue("the first client is gone", () -> !h.uart.isClientConnected());
        h.connect();
        h.sendFromClient("x");
        h.advanceChars(1);
        assertEquals('x', h.read(RBR));
        h.write(THR, 'y');
        h.advanceChars(1);
        assertEquals("y", h.receiveAtClient(1));
    }

    @Test
    @DisplayName("Backend threads: a client that stops reading never blocks the driver; what the output queue cannot hold is dropped and counted, the rest arrives in order")
    void slowClientNeverBlocksTheDriver() throws Exception {
        h.program115200();
        h.write(FCR, 0x01);
        h.client = new Socket();
        h.client.setReceiveBufferSize(4096);
        h.client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), h.uart.port()));
        h.client.setSoTimeout((int) UartHarness.DEADLINE_MS);
        awaitTrue("the UART accepts the client", h.uart::isClientConnected);
        byte[] sent = new byte[300_000];
        new Random(16550).nextBytes(sent);
        long start = System.nanoTime();
        for (int i = 0; i < sent.length; i += 16) {
            for (int j = i; j < i + 16; j++) {
                h.write(THR, sent[j] & 0xFF);
            }
            h.advanceChars(16);
        }
        assertEquals(0x60, h.read(LSR) & 0x60, "everything was shifted out");
        assertTrue(System.nanoTime() - start < 15_000_000_000L, "the driver thread was never held up by the socket");
        long dropped = h.uart.bytesDroppedByBackend();
        assertTrue(dropped > 0, "a 300 KB burst to a client that does not read overflows the output queue");
        byte[] got = new byte[(int) (sent.length - dropped)];
        new DataInputStream(h.client.getInputStream()).readFully(got); // every byte not counted as dropped arrives
        assertArrayEquals(Arrays.copyOf(sent, 65_536), Arrays.copyOf(got, 65_536),
                "nothing can be dropped before the 64 KiB queue has filled");
        int s = 0;
        for (int g = 0; g < got.length; g++, s++) {
            while (s < sent.length && sent[s] != got[g]) {
                s++; // skip what was dropped
            }
            assertTrue(s < sent.length, "delivered byte " + g + " is not in sending order");
        }
    }

    @Test
    @DisplayName("Devicetree reg-shift = 2, reg-io-width = 4: registers at a 4-byte stride with 32-bit accesses; other offsets read 0 without side effects")
    void regShiftAndIoWidth() throws Exception {
        h.close();
        h = new UartHarness(2, 4);
        assertEquals(0x60, h.regs.read32(5 * 4));
        h.regs.write32(7 * 4, 0x5A);
        assertEquals(0x5A, h.regs.read32(7 * 4));
        assertEquals(0x5A, h.regs.read8(7 * 4), "narrower access to the register's first byte");
        assertEquals(0, h.regs.read8(7 * 4 + 1), "a byte inside the register stride is not a register");
        h.regs.write32(3 * 4, 0x80);
        h.regs.write32(0, 1);
        h.regs.write32(3 * 4, 0x03);
        assertEquals(UartHarness.CHAR_NS, h.uart.characterTimeNanos());
        assertEquals(0, h.regs.read64(0), "wider than reg-io-width: absorbed");
    }

    @Test
    @DisplayName("Threads: socket I/O runs on model-<name>-io; close() stops it, releases the port and makes registers read 0")
    void ioThreadAndClose() throws Exception {
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("model-serial@10000000-io") && t.isAlive()));
        int port = h.uart.port();
        h.connect();
        h.uart.close();
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("model-serial@10000000-io") && t.isAlive()),
                "close() returned only after the I/O thread ended");
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        assertEquals(0, h.read(LSR), "a closed model reads 0");
        h.write(THR, 'x');
        h.assertLine(false);
    }
}
