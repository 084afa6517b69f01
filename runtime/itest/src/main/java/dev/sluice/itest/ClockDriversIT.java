package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.clock.api.HardwareTimer;
import dev.sluice.drivers.clock.api.HardwareTimer.Method;
import dev.sluice.drivers.clock.api.HardwareTimer.Wakeup;
import dev.sluice.drivers.clock.api.RealTimeClock;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.rtc.Pl031;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.PlatformExpert;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The PL031 and SP804 drivers on the default board's nubs, in the real kernel: matching, the RTC's
 * time and alarms, the four ways of blocking a client call until the timer interrupt (seed 000),
 * concurrent waiters, and a driver update behind the client's service object.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class ClockDriversIT {

    static final String RTC_BUNDLE = "dev.sluice.drivers.rtc";
    static final String TIMER_BUNDLE = "dev.sluice.drivers.timer";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

    @InjectService(timeout = 10_000)
    RealTimeClock rtc;

    @InjectService(timeout = 10_000)
    HardwareTimer timer;

    IOPlatformDevice nub(String pathComponent) {
        return Await.matchingSettled(PlatformIT.nub(platform, pathComponent));
    }


    @Test
    @DisplayName("the PL031 and SP804 drivers match the default board's arm,pl031 and arm,sp804 nubs")
    void driversMatchTheBoard() {
        List<IOService> rtcClients = nub("rtc@9010000").getClients();
        assertEquals(1, rtcClients.size(), rtcClients.toString());
        assertEquals("dev.sluice.drivers.rtc.Pl031Driver", rtcClients.get(0).getClass().getName());
        List<IOService> timerClients = nub("timer@9020000").getClients();
        assertEquals(1, timerClients.size(), timerClients.toString());
        assertEquals("dev.sluice.drivers.timer.Sp804Driver", timerClients.get(0).getClass().getName());
    }

    @Test
    @DisplayName("RealTimeClock: now() is the PL031 counter, setTime loads it, an alarm fires on the match interrupt asynchronously")
    void rtcNowSetAlarm() throws Exception {
        Pl031 model = (Pl031) nub("rtc@9010000").model().orElseThrow();
        long before = model.counter();
        long now = rtc.now().getEpochSecond();
        assertTrue(now >= before && now <= model.counter(), now + " is the counter");

        Instant set = Instant.parse("2031-05-06T07:08:09Z");
        rtc.setTime(set);
        long read = rtc.now().getEpochSecond();
        assertTrue(read >= set.getEpochSecond() && read <= set.getEpochSecond() + 1, "counter after setTime: " + read);

        CountDownLatch fired = new CountDownLatch(1);
        AtomicReference<Instant> firedAt = new AtomicReference<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Instant at = rtc.now().plusSeconds(1);
        rtc.alarm(at, t -> {
            firedAt.set(t);
            ranOn.set(Thread.currentThread());
            fired.countDown();
        });
        assertTrue(fired.await(10, TimeUnit.SECONDS), "the alarm fired");
        assertTrue(!firedAt.get().isBefore(at), "fired at " + firedAt.get() + ", not before " + at);
        assertTrue(model.counter() >= at.getEpochSecond(), "the device's own counter reached the alarm");
        assertFalse(ranOn.get() == Thread.currentThread());
        rtc.setTime(Instant.now());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    @DisplayName("waitForInterrupt returns only after the SP804 counted the whole delay, and wakes the caller")
    void waitForInterrupt(Method method) {
        long start = System.nanoTime(); // the device clock is the host's nanoTime
        Wakeup w = timer.waitForInterrupt(3000, method);
        long elapsed = System.nanoTime() - start;
        assertEquals(method, w.method());
        assertEquals(0, w.valueAtWake(), "the woken caller read the expired counter");
        assertEquals(1, w.risSeen(), "ended by the raw interrupt status");
        assertTrue(elapsed >= 3_000_000, "returned after " + elapsed + " ns, before the 3 ms delay");
        MmioRegion regs = nub("timer@9020000").getDeviceMemory(0);
        assertEquals(0, regs.read32((w.timer() - 1) * 0x20 + 0x10), "interrupt cleared, counter released");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"COMMAND_GATE", "DISPATCH_QUEUE", "OS_ACTION"})
    @DisplayName("two clients waiting at once: the short wait returns while the long one is still counting on the other SP804 timer")
    void twoWaiters(Method method) throws Exception {
        MmioRegion regs = nub("timer@9020000").getDeviceMemory(0);
        Await.until(() -> (regs.read32(0x08) & 0x80) == 0 && (regs.read32(0x28) & 0x80) == 0,
                "both SP804 timers idle (an earlier test's wait may still be ending), so the long wait takes timer 1");
        CompletableFuture<Wakeup> longer = CompletableFuture.supplyAsync(() -> timer.waitForInterrupt(1_000_000, method));
        Await.until(() -> (regs.read32(0x08) & 0x80) != 0, "the long wait armed timer 1");
        Wakeup shorter = CompletableFuture.supplyAsync(() -> timer.waitForInterrupt(2000, method)).get(10, TimeUnit.SECONDS);
        boolean longDone = longer.isDone();
        long longValue = regs.read32(0x04) & 0xFFFF_FFFFL;
        assertEquals(2, shorter.timer());
        assertEquals(0, shorter.valueAtWake());
        if (longValue > 0) { // timer 1 still counting when read, so its waiter cannot have been woken yet
            assertFalse(longDone, "the long waiter returned before its timer expired");
        }
        Wakeup l = longer.get(20, TimeUnit.SECONDS);
        assertEquals(1, l.timer());
        assertEquals(0, l.valueAtWake());
    }

    @Test
    @DisplayName("updating the driver bundles keeps the clients' service objects working")
    void updateKeepsTheFront() throws Exception {
        assertNotNull(timer.waitForInterrupt(1000, Method.OS_ACTION));
        TestBundles.installed(context, TIMER_BUNDLE).update();
        TestBundles.installed(context, RTC_BUNDLE).update();
        nub("timer@9020000");
        nub("rtc@9010000");
        Wakeup w = timer.waitForInterrupt(1000, Method.COMMAND_GATE);
        assertEquals(0, w.valueAtWake());
        assertNotNull(rtc.now());
        ServiceTracker<HardwareTimer, HardwareTimer> t = new ServiceTracker<>(context, HardwareTimer.class, null);
        t.open();
        try {
            assertSame(timer, t.waitForService(10_000), "the same service object before and after the update");
        } finally {
            t.close();
        }
    }
}
