package dev.sluice.models.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conformance of the SP804 model to the ARM Dual-Timer Module (SP804) Technical Reference Manual
 * (DDI 0271): chapter 2 (functional description: counter, modes, prescaler, interrupts) and
 * chapter 3 (programmer's model: register summary and descriptions). TIMCLK is 1 MHz, so one
 * unprescaled tick is 1 µs of the manual clock.
 */
class Sp804ConformanceTest {

    // register offsets from the TRM, per timer
    static final int LOAD = 0x00, VALUE = 0x04, CONTROL = 0x08, INTCLR = 0x0C, RIS = 0x10, MIS = 0x14, BGLOAD = 0x18;
    static final int T1 = 0x00, T2 = 0x20;
    // control bits from the TRM
    static final int ONESHOT = 0x01, SIZE32 = 0x02, PRE16 = 0x04, PRE256 = 0x08, IE = 0x20, PERIODIC = 0x40,
            ENABLE = 0x80;
    static final long US = 1_000L;

    private final ManualClock clock = new ManualClock(5_000_000L);
    private final RecordingInterruptLine irq1 = new RecordingInterruptLine("timint1");
    private final RecordingInterruptLine irq2 = new RecordingInterruptLine("timint2");
    private Sp804 timer;
    private MmioRegion r;

    @BeforeEach
    void setUp() throws Exception {
        timer = Sp804.create(context(irq1, irq2));
        r = timer.mmio(0);
    }

    @AfterEach
    void tearDown() {
        timer.close();
    }

    private DeviceModelContext context(RecordingInterruptLine... lines) {
        DeviceModelContext.Builder b = DeviceModelContext.builder("timer@10011000").compatible("arm,sp804")
                .reg(0x1001_1000L, 0x1000).clock(clock).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20));
        for (RecordingInterruptLine l : lines) {
            b.interrupt(l);
        }
        return b.build();
    }

    private long value(int t) {
        return r.read32(t + VALUE) & 0xFFFF_FFFFL;
    }

    private void advanceUs(long us) {
        clock.advance(us * US);
    }

    @Test
    @DisplayName("3.2 register summary, reset values: Load 0, Value 0xFFFFFFFF, Control 0x20, RIS/MIS 0, for both timers; lines low")
    void resetValues() {
        for (int t : new int[] {T1, T2}) {
            assertEquals(0, r.read32(t + LOAD));
            assertEquals(0xFFFF_FFFFL, value(t));
            assertEquals(0x20, r.read32(t + CONTROL));
            assertEquals(0, r.read32(t + RIS));
            assertEquals(0, r.read32(t + MIS));
            assertEquals(0, r.read32(t + BGLOAD));
        }
        advanceUs(1000);
        assertEquals(0xFFFF_FFFFL, value(T1), "disabled at reset: the counter does not move");
        assertFalse(irq1.isRaised());
        assertFalse(irq2.isRaised());
    }

    @Test
    @DisplayName("3.3.9 TimerPeriphID0-3 = 0x04 0x18 0x14 0x00 and TimerPCellID0-3 = 0x0D 0xF0 0x05 0xB1 at 0xFE0-0xFFC")
    void identificationRegisters() {
        int[] expected = {0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.read32(0xFE0 + 4 * i), "offset 0x" + Integer.toHexString(0xFE0 + 4 * i));
        }
        r.write32(0xFE0, 0x55);
        assertEquals(0x04, r.read32(0xFE0), "read-only");
    }

    @Test
    @DisplayName("2.2 free-running mode, 32-bit: counts down from 0xFFFFFFFF at 1 MHz; Value is computed from the clock")
    void freeRunningCountsDown() {
        r.write32(T1 + CONTROL, ENABLE | SIZE32);
        assertEquals(0xFFFF_FFFFL, value(T1));
        advanceUs(1000);
        assertEquals(0xFFFF_FFFFL - 1000, value(T1));
        clock.advance(999);
        assertEquals(0xFFFF_FFFFL - 1000, value(T1), "no decrement before the next TIMCLK edge");
        clock.advance(1);
        assertEquals(0xFFFF_FFFFL - 1001, value(T1));
        assertEquals(0xFFFF_FFFFL, value(T2), "timer 2 untouched");
    }

    @Test
    @DisplayName("2.2 periodic mode: interrupt when the count reaches zero, reload from Load on the next tick; IntClr clears RIS and the line")
    void periodicInterrupt() {
        r.write32(T1 + LOAD, 100);
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | IE | SIZE32);
        assertEquals(100, value(T1));
        advanceUs(99);
        assertEquals(1, value(T1));
        assertEquals(0, r.read32(T1 + RIS));
        assertFalse(irq1.isRaised());
        advanceUs(1);
        assertEquals(0, value(T1));
        assertTrue(irq1.isRaised(), "scheduled on the device clock, no register access needed");
        assertEquals(1, r.read32(T1 + RIS));
        assertEquals(1, r.read32(T1 + MIS));
        advanceUs(1);
        assertEquals(100, value(T1), "reloaded");
        r.write32(T1 + INTCLR, 0);
        assertFalse(irq1.isRaised());
        assertEquals(0, r.read32(T1 + RIS));
        advanceUs(99);
        assertEquals(1, value(T1));
        assertFalse(irq1.isRaised());
        advanceUs(1);
        assertTrue(irq1.isRaised(), "next period: Load + 1 ticks after the previous zero");
        assertEquals(2, irq1.raiseCount());
        assertFalse(irq2.isRaised(), "timer 1 drives only the first line");
    }

    @Test
    @DisplayName("2.2 one-shot: one interrupt, then the counter halts at zero until Load is written")
    void oneShot() {
        r.write32(T2 + LOAD, 50);
        r.write32(T2 + CONTROL, ENABLE | ONESHOT | IE | SIZE32 | PERIODIC);
        advanceUs(50);
        assertTrue(irq2.isRaised());
        r.write32(T2 + INTCLR, 1);
        assertFalse(irq2.isRaised());
        advanceUs(10_000);
        assertEquals(0, value(T2), "halted at zero");
        assertEquals(0, r.read32(T2 + RIS), "no second interrupt");
        assertEquals(ENABLE | ONESHOT | IE | SIZE32 | PERIODIC, r.read32(T2 + CONTROL), "enable bit unchanged");
        r.write32(T2 + LOAD, 20);
        assertEquals(20, value(T2));
        advanceUs(20);
        assertTrue(irq2.isRaised(), "a new Load restarts the one-shot count");
        assertFalse(irq1.isRaised(), "timer 2 drives only the second line");
    }

    @Test
    @DisplayName("2.2 / 3.3.3 16-bit free-running: after zero the counter wraps to 0xFFFF")
    void sixteenBitWrap() {
        r.write32(T1 + LOAD, 5);
        r.write32(T1 + CONTROL, ENABLE | IE);
        assertEquals(5, value(T1));
        advanceUs(5);
        assertEquals(0, value(T1));
        assertTrue(irq1.isRaised());
        advanceUs(1);
        assertEquals(0xFFFF, value(T1));
        r.write32(T1 + INTCLR, 0);
        advanceUs(0xFFFF);
        assertEquals(0, value(T1));
        assertTrue(irq1.isRaised(), "next zero after a full 16-bit period");
    }

    @ParameterizedTest(name = "TimerPre {0}: divide by {1}")
    @CsvSource({"0, 1", "1, 16", "2, 256"})
    @DisplayName("3.3.3 Control bits 3:2 prescale: the counter decrements every 1, 16 or 256 TIMCLK cycles")
    void prescale(int pre, int divisor) {
        r.write32(T1 + LOAD, 10);
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | IE | SIZE32 | (pre << 2));
        advanceUs(divisor * 3L);
        assertEquals(7, value(T1));
        advanceUs(divisor * 7L - 1);
        assertEquals(1, value(T1));
        assertFalse(irq1.isRaised());
        advanceUs(1);
        assertEquals(0, value(T1));
        assertTrue(irq1.isRaised());
    }

    @Test
    @DisplayName("3.3.1 / 3.3.7 Load restarts the count at once; BGLoad changes only the reload value and reads back through Load")
    void loadAndBackgroundLoad() {
        r.write32(T1 + LOAD, 1000);
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | SIZE32);
        advanceUs(400);
        assertEquals(600, value(T1));
        r.write32(T1 + BGLOAD, 50);
        assertEquals(50, r.read32(T1 + LOAD), "Load reads the value that takes effect at the next reload");
        assertEquals(50, r.read32(T1 + BGLOAD));
        assertEquals(600, value(T1), "the current count is not affected");
        advanceUs(600);
        assertEquals(0, value(T1));
        advanceUs(1);
        assertEquals(50, value(T1), "reloaded from BGLoad");
        r.write32(T1 + LOAD, 7000);
        assertEquals(7000, value(T1), "a Load write replaces the count immediately");
        advanceUs(1);
        assertEquals(6999, value(T1));
    }

    @Test
    @DisplayName("3.3.1 note: writing 0 to Load raises the interrupt immediately")
    void loadZeroInterruptsImmediately() {
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | IE | SIZE32);
        r.write32(T1 + INTCLR, 0);
        r.write32(T1 + LOAD, 0);
        assertTrue(irq1.isRaised());
        assertEquals(1, r.read32(T1 + RIS));
    }

    @Test
    @DisplayName("3.3.3 Control bit 7: disabling freezes Value, enabling resumes from it")
    void disableFreezes() {
        r.write32(T1 + LOAD, 500);
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | SIZE32);
        advanceUs(100);
        r.write32(T1 + CONTROL, PERIODIC | SIZE32);
        assertEquals(400, value(T1));
        advanceUs(1000);
        assertEquals(400, value(T1), "frozen");
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | SIZE32);
        advanceUs(150);
        assertEquals(250, value(T1));
    }

    @Test
    @DisplayName("3.3.5 / 3.3.6 Control bit 5 masks the interrupt: RIS is set regardless, MIS and the line only while enabled")
    void interruptEnableMasks() {
        r.write32(T1 + LOAD, 10);
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | SIZE32);
        advanceUs(10);
        assertEquals(1, r.read32(T1 + RIS));
        assertEquals(0, r.read32(T1 + MIS));
        assertFalse(irq1.isRaised());
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | SIZE32 | IE);
        assertEquals(1, r.read32(T1 + MIS));
        assertTrue(irq1.isRaised());
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | SIZE32);
        assertFalse(irq1.isRaised());
        assertEquals(1, r.read32(T1 + RIS), "masking does not clear RIS");
    }

    @Test
    @DisplayName("2.1 interrupts: with one line in the node it carries TIMINTC, the OR of both timers")
    void combinedLine() throws Exception {
        timer.close();
        RecordingInterruptLine combined = new RecordingInterruptLine("timintc");
        timer = Sp804.create(context(combined));
        r = timer.mmio(0);
        r.write32(T1 + LOAD, 10);
        r.write32(T1 + CONTROL, ENABLE | ONESHOT | IE | SIZE32);
        r.write32(T2 + LOAD, 20);
        r.write32(T2 + CONTROL, ENABLE | ONESHOT | IE | SIZE32);
        advanceUs(10);
        assertTrue(combined.isRaised());
        advanceUs(10);
        r.write32(T1 + INTCLR, 0);
        assertTrue(combined.isRaised(), "timer 2 still pending");
        r.write32(T2 + INTCLR, 0);
        assertFalse(combined.isRaised());
    }

    @Test
    @DisplayName("Model contract: reset() restores the reset values and lowers the lines; close() cancels clock callbacks and makes registers read 0")
    void resetAndClose() {
        r.write32(T1 + LOAD, 10);
        r.write32(T1 + CONTROL, ENABLE | PERIODIC | IE | SIZE32);
        advanceUs(10);
        assertTrue(irq1.isRaised());
        timer.reset();
        assertFalse(irq1.isRaised());
        assertEquals(0x20, r.read32(T1 + CONTROL));
        assertEquals(0xFFFF_FFFFL, value(T1));
        r.write32(T2 + LOAD, 10);
        r.write32(T2 + CONTROL, ENABLE | PERIODIC | IE | SIZE32);
        assertEquals(1, clock.pending());
        timer.close();
        assertEquals(0, clock.pending(), "callback cancelled");
        advanceUs(100);
        assertFalse(irq2.isRaised());
        assertEquals(0, r.read32(T2 + CONTROL));
    }
}
