package dev.sluice.models.rtc;

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

/** The PL031 on the real device clock: the match interrupt arrives by itself at the next second. */
class Pl031RealClockTest {

    @Test
    @DisplayName("2.1 match on the real clock: RTCMR = RTCDR + 1 raises the line within a second, when RTCDR reaches it")
    void matchOnTheSystemClock() throws Exception {
        RecordingInterruptLine irq = new RecordingInterruptLine("rtc");
        try (SystemDeviceClock clock = new SystemDeviceClock();
                Pl031 rtc = Pl031.create(DeviceModelContext.builder("rtc@10010000").reg(0x1001_0000L, 0x1000)
                        .interrupt(irq).clock(clock).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20)).build())) {
            MmioRegion r = rtc.mmio(0);
            r.write32(0x010, 1);
            int now = r.read32(0x000);
            r.write32(0x004, now + 1);
            assertTrue(irq.awaitLevel(true, 5, TimeUnit.SECONDS));
            int reached = r.read32(0x000);
            assertTrue(reached == now + 1 || reached == now + 2,
                    "raised when the counter reached the match value (a slow host may read a second later): " + reached);
            assertEquals(1, r.read32(0x018));
        }
    }
}
