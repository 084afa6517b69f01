package dev.sluice.models.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelFactory;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;
import dev.sluice.models.rtc.internal.Pl031Factory;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Conformance of the PL031 model to the ARM PrimeCell Real Time Clock (PL031) Technical Reference
 * Manual (DDI 0224): chapter 2 (functional overview: 1 Hz counter, load, match comparator,
 * interrupt) and chapter 3 (programmer's model: register summary and descriptions). Time is a
 * manual device clock.
 */
class Pl031ConformanceTest {

    // offsets from the TRM's register summary
    static final int DR = 0x000, MR = 0x004, LR = 0x008, CR = 0x00C, IMSC = 0x010, RIS = 0x014, MIS = 0x018,
            ICR = 0x01C;
    static final long SECOND = 1_000_000_000L;
    static final long START = 1_767_225_600L; // 2026-01-01T00:00:00Z

    private final ManualClock clock = new ManualClock(42 * SECOND + 123);
    private final RecordingInterruptLine irq = new RecordingInterruptLine("rtc");
    private Pl031 rtc;
    private MmioRegion r;

    @BeforeEach
    void setUp() throws Exception {
        rtc = Pl031.create(context(), START);
        r = rtc.mmio(0);
    }

    @AfterEach
    void tearDown() {
        rtc.close();
    }

    private DeviceModelContext context() {
        return DeviceModelContext.builder("rtc@10010000").compatible("arm,pl031").reg(0x1001_0000L, 0x1000)
                .interrupt(irq).clock(clock).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20)).build();
    }

    private long dr() {
        return r.read32(DR) & 0xFFFF_FFFFL;
    }

    @Test
    @DisplayName("3.2 register summary, reset values: RTCDR = the initial wall-clock time, RTCMR/RTCLR/RTCIMSC/RTCRIS/RTCMIS = 0, RTCCR = 1 (started); line low")
    void resetValues() {
        assertEquals(START, dr());
        assertEquals(0, r.read32(MR));
        assertEquals(0, r.read32(LR));
        assertEquals(1, r.read32(CR));
        assertEquals(0, r.read32(IMSC));
        assertEquals(0, r.read32(RIS));
        assertEquals(0, r.read32(MIS));
        assertFalse(irq.isRaised());
    }

    @Test
    @DisplayName("3.3.9-3.3.16 RTCPeriphID0-3 = 0x31 0x10 0x14 0x00 and RTCPCellID0-3 = 0x0D 0xF0 0x05 0xB1")
    void identificationRegisters() {
        int[] expected = {0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.read32(0xFE0 + 4 * i), "offset 0x" + Integer.toHexString(0xFE0 + 4 * i));
        }
    }

    @Test
    @DisplayName("2.1 / 3.3.1 RTCDR increments once per second of CLK1HZ (the device clock)")
    void counterCountsSeconds() {
        clock.advance(SECOND - 1);
        assertEquals(START, dr());
        clock.advance(1);
        assertEquals(START + 1, dr());
        clock.advance(3600 * SECOND);
        assertEquals(START + 3601, dr());
        assertEquals(START + 3601, rtc.counter());
    }

    @Test
    @DisplayName("3.3.3 RTCLR: a write loads the counter, which counts on from it; RTCLR reads back the value written; the 1 Hz phase is kept")
    void loadRegister() {
        clock.advance(SECOND / 2);
        r.write32(LR, 1000);
        assertEquals(1000, dr());
        assertEquals(1000, r.read32(LR));
        clock.advance(SECOND / 2);
        assertEquals(1001, dr(), "the next CLK1HZ edge comes half a second after the load");
        clock.advance(10 * SECOND);
        assertEquals(1011, dr());
        assertEquals(1000, r.read32(LR));
    }

    @Test
    @DisplayName("2.1 / 3.3.2 match: when the counter reaches RTCMR, RTCRIS is set and (RTCIMSC=1) the level line rises; RTCICR bit 0 clears both")
    void matchInterrupt() {
        r.write32(IMSC, 1);
        r.write32(MR, (int) (START + 5));
        clock.advance(4 * SECOND);
        assertEquals(0, r.read32(RIS));
        assertFalse(irq.isRaised());
        clock.advance(SECOND);
        assertTrue(irq.isRaised(), "raised by the scheduled match, without a register access");
        assertEquals(1, r.read32(RIS));
        assertEquals(1, r.read32(MIS));
        clock.advance(3 * SECOND);
        assertTrue(irq.isRaised(), "level: stays raised until cleared");
        r.write32(ICR, 1);
        assertFalse(irq.isRaised());
        assertEquals(0, r.read32(RIS));
        assertEquals(0, r.read32(MIS));
        clock.advance(100 * SECOND);
        assertFalse(irq.isRaised(), "the counter has passed the match value");
        assertEquals(1, irq.raiseCount());
    }

    @Test
    @DisplayName("3.3.5-3.3.7 RTCIMSC masks the line only: RTCRIS is set at the match regardless, RTCMIS = RTCRIS & RTCIMSC")
    void maskedMatch() {
        r.write32(MR, (int) (START + 2));
        clock.advance(2 * SECOND);
        assertEquals(1, r.read32(RIS));
        assertEquals(0, r.read32(MIS));
        assertFalse(irq.isRaised());
        r.write32(IMSC, 1);
        assertEquals(1, r.read32(MIS));
        assertTrue(irq.isRaised());
        r.write32(IMSC, 0);
        assertFalse(irq.isRaised());
        assertEquals(1, r.read32(RIS));
        r.write32(ICR, 0);
        assertEquals(1, r.read32(RIS), "writing 0 to RTCICR bit 0 does not clear");
        r.write32(ICR, 1);
        assertEquals(0, r.read32(RIS));
    }

    @Test
    @DisplayName("2.1 comparator: writing RTCMR equal to the counter, or loading RTCLR to equal RTCMR, matches at once")
    void equalityOnWrite() {
        r.write32(IMSC, 1);
        r.write32(MR, (int) START);
        assertTrue(irq.isRaised());
        r.write32(ICR, 1);
        assertFalse(irq.isRaised());
        r.write32(MR, 777);
        assertFalse(irq.isRaised());
        r.write32(LR, 777);
        assertTrue(irq.isRaised());
        assertEquals(1, r.read32(RIS));
    }

    @Test
    @DisplayName("2.1 the 32-bit counter wraps from 0xFFFFFFFF to 0, and a match at 0 fires at the wrap")
    void counterWraps() {
        r.write32(LR, 0xFFFF_FFFE);
        r.write32(MR, 0);
        r.write32(IMSC, 1);
        clock.advance(SECOND);
        assertEquals(0xFFFF_FFFFL, dr());
        assertFalse(irq.isRaised());
        clock.advance(SECOND);
        assertEquals(0, dr());
        assertTrue(irq.isRaised());
    }

    @Test
    @DisplayName("3.3.4 RTCCR: the RTC is started, a write of 0 has no effect (it keeps counting, reads 1)")
    void controlRegister() {
        r.write32(CR, 0);
        assertEquals(1, r.read32(CR));
        clock.advance(3 * SECOND);
        assertEquals(START + 3, dr());
    }

    @Test
    @DisplayName("Model contract: reset() restores the registers and lowers the line but keeps the time; close() cancels the match callback")
    void resetAndClose() {
        r.write32(IMSC, 1);
        r.write32(MR, (int) START);
        assertTrue(irq.isRaised());
        clock.advance(10 * SECOND);
        rtc.reset();
        assertFalse(irq.isRaised());
        assertEquals(0, r.read32(MR));
        assertEquals(0, r.read32(IMSC));
        assertEquals(0, r.read32(RIS));
        assertEquals(START + 10, dr(), "an always-on RTC keeps its time over a peripheral reset");
        r.write32(IMSC, 1);
        r.write32(MR, (int) (START + 20));
        assertEquals(1, clock.pending());
        rtc.close();
        assertEquals(0, clock.pending());
        clock.advance(20 * SECOND);
        assertFalse(irq.isRaised());
        assertEquals(0, r.read32(DR), "a closed model reads 0");
    }

    @Test
    @DisplayName("DS factory: builds a PL031 counting from the host's wall-clock time")
    void factoryUsesWallClock() throws Exception {
        long before = Instant.now().getEpochSecond();
        DeviceModelFactory f = new Pl031Factory();
        try (Pl031 model = (Pl031) f.create(context())) {
            long after = Instant.now().getEpochSecond();
            long count = model.mmio(0).read32(DR) & 0xFFFF_FFFFL;
            assertTrue(count >= before && count <= after, count + " not in [" + before + ", " + after + "]");
        }
    }
}
