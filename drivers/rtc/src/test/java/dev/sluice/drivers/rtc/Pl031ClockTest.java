package dev.sluice.drivers.rtc;

import dev.sluice.platform.interrupt.InterruptController;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.clock.api.RealTimeClock.Alarm;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.rtc.Pl031;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The PL031 driver logic against the PL031 model on a {@link ManualClock}, with a minimal
 * level-triggered controller in place of the platform nub.
 */
class Pl031ClockTest {

    private static final long T0 = 1_700_000_000L;

    private final InterruptController controller = new InterruptController("test", 1, 1, problem -> { });
    private final IOInterruptProvider nub = controller.provider("rtc", new int[] {0});
    private final ManualClock clock = new ManualClock();
    private Pl031 model;
    private IOWorkLoop loop;
    private Pl031Clock rtc;

    @BeforeEach
    void boot() throws Exception {
        model = Pl031.create(DeviceModelContext.builder("rtc@9010000").reg(0x0901_0000L, 0x1000)
                .interrupt(controller.line(0)).clock(clock).guestMemory(new GuestMemory(0x4000_0000L, 1 << 16)).build(), T0);
        loop = IOWorkLoop.create("pl031-test");
        rtc = new Pl031Clock("pl031-test", model.mmio(0), nub, loop::addEventSource);
    }

    @AfterEach
    void tearDown() throws Exception {
        rtc.stop();
        loop.close();
        rtc.close();
        model.close();
        controller.close();
    }

    private void seconds(long n) {
        clock.advance(TimeUnit.SECONDS.toNanos(n));
    }

    @Test
    @DisplayName("now() is the counter register, advancing once per device second")
    void nowFollowsTheCounter() {
        assertEquals(Instant.ofEpochSecond(T0), rtc.now());
        seconds(3);
        assertEquals(Instant.ofEpochSecond(T0 + 3), rtc.now());
        assertEquals(T0 + 3, model.counter());
    }

    @Test
    @DisplayName("setTime loads RTCLR: the counter continues from the new time")
    void setTimeLoadsTheCounter() {
        Instant t = Instant.parse("2030-01-02T03:04:05Z");
        rtc.setTime(t);
        assertEquals(t, rtc.now());
        assertEquals(t.getEpochSecond(), model.mmio(0).read32(Pl031Clock.LR) & 0xFFFF_FFFFL);
        seconds(1);
        assertEquals(t.plusSeconds(1), rtc.now());
        assertThrows(IllegalArgumentException.class, () -> rtc.setTime(Instant.ofEpochSecond(-1)));
        assertThrows(IllegalArgumentException.class, () -> rtc.setTime(Instant.ofEpochSecond(1L << 32)));
    }

    @Test
    @DisplayName("an alarm programs RTCMR and fires on the match interrupt, on the callback queue, with the time it fired")
    void alarmFiresOnTheMatchInterrupt() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        List<Instant> at = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        rtc.alarm(Instant.ofEpochSecond(T0 + 2), t -> {
            at.add(t);
            threads.add(Thread.currentThread().getName());
            fired.countDown();
        });
        MmioRegion regs = model.mmio(0);
        assertEquals(T0 + 2, regs.read32(Pl031Clock.MR) & 0xFFFF_FFFFL, "match register");
        assertEquals(1, regs.read32(Pl031Clock.IMSC), "interrupt unmasked");
        seconds(1);
        assertEquals(0, regs.read32(Pl031Clock.RIS), "no match yet");
        assertEquals(1, fired.getCount(), "not fired a second early");
        seconds(1);
        assertTrue(fired.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(Instant.ofEpochSecond(T0 + 2)), at);
        assertTrue(threads.get(0).startsWith("IODispatchQueue-pl031-test-alarms"), threads.get(0));
        assertEquals(0, regs.read32(Pl031Clock.RIS), "the interrupt was cleared through RTCICR");
        assertEquals(0, regs.read32(Pl031Clock.IMSC), "masked again with no alarm pending");
    }

    @Test
    @DisplayName("an alarm already due fires at once, but asynchronously: never on the caller's stack (S56)")
    void pastAlarmFiresAsynchronously() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        Thread[] ran = new Thread[1];
        rtc.alarm(Instant.ofEpochSecond(T0 - 10), t -> {
            ran[0] = Thread.currentThread();
            fired.countDown();
        });
        assertTrue(fired.await(10, TimeUnit.SECONDS));
        assertNotEquals(caller, ran[0]);
    }

    @Test
    @DisplayName("alarms fire in time order; a cancelled one never fires, a later one reprograms the match register")
    void cancelAndOrder() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Alarm third = rtc.alarm(Instant.ofEpochSecond(T0 + 3), t -> order.add("third"));
        rtc.alarm(Instant.ofEpochSecond(T0 + 1), t -> order.add("first"));
        Alarm cancelled = rtc.alarm(Instant.ofEpochSecond(T0 + 2), t -> order.add("cancelled"));
        assertTrue(rtc.cancel(cancelled));
        assertFalse(rtc.cancel(cancelled), "cancelling twice");
        seconds(3);
        rtc.alarm(Instant.ofEpochSecond(T0 + 4), t -> done.countDown());
        seconds(1);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("first", "third"), order, "the callback queue is FIFO, so both ran before the last one");
        assertFalse(rtc.cancel(third), "a fired alarm cannot be cancelled");
    }

    @Test
    @DisplayName("probe's ID check accepts the PL031's PrimeCell IDs")
    void idCheck() {
        assertNull(Pl031Clock.checkIds(model.mmio(0)));
    }
}
