package dev.sluice.models.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;
import dev.sluice.models.SystemDeviceClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SP804 on the real device clock: interrupts arrive by themselves, as a driver sees them. */
class Sp804RealClockTest {

    @Test
    @DisplayName("2.2 periodic mode on the real clock: a 5 ms period (Load 4999 at 1 MHz) interrupts repeatedly; each IntClr re-arms it; the n-th interrupt never comes before n periods")
    void periodicInterruptsOnTheSystemClock() throws Exception {
        RecordingInterruptLine irq = new RecordingInterruptLine("timint1");
        try (SystemDeviceClock clock = new SystemDeviceClock();
                Sp804 timer = Sp804.create(DeviceModelContext.builder("timer@10011000").reg(0x1001_1000L, 0x1000)
                        .interrupt(irq).interrupt(new RecordingInterruptLine("timint2")).clock(clock)
                        .guestMemory(new GuestMemory(0x8000_0000L, 1 << 20)).build())) {
            MmioRegion r = timer.mmio(0);
            r.write32(0x00, 4999);
            long start = System.nanoTime();
            r.write32(0x08, 0x80 | 0x40 | 0x20 | 0x02);
            for (int i = 1; i <= 4; i++) {
                assertTrue(irq.awaitLevel(true, 5, TimeUnit.SECONDS), "interrupt " + i);
                // raiseCount counts low->high transitions: reaching i proves every earlier IntClr
                // lowered the line (a check of the level right after IntClr would race the next period)
                assertEquals(i, irq.raiseCount(), "each IntClr lowers the line before the next period raises it");
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed >= i * 5_000_000L - 1_000, "interrupt " + i + " came early, after " + elapsed + " ns");
                assertEquals(1, r.read32(0x14));
                r.write32(0x0C, 0);
            }
            assertTrue(irq.raiseCount() >= 4, "each IntClr lowered the line and the next zero raised it: " + irq);
            long value = r.read32(0x04) & 0xFFFF_FFFFL;
            assertTrue(value <= 4999, "Value within the period: " + value);
        }
    }
}
