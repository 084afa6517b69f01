package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.userclient.IOCallResult;
import dev.sluice.kernel.userclient.IOConnect;
import dev.sluice.kernel.userclient.IOKitLib;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.rtc.Pl031;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.PlatformExpert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The user clients of the real drivers (SP804, PL031, virtio-rng) on the default board's models,
 * opened through the kernel's IOKitLib from this test bundle and from manifest-only application
 * bundles: seed 000's four blocking waits and its async callback, the RTC's time and alarms,
 * random bytes, the argument and entitlement checks, and what closing a connection withdraws.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class DriverUserClientsIT {

    static final String TIMER = "timer@9020000";
    static final String RTC = "rtc@9010000";
    static final String RNG = "virtio@a000200";
    static final String SET_TIME = "sluice.rtc.set-time";
    static final int LOAD = 0x00, VALUE = 0x04, CONTROL = 0x08, ENABLE = 0x80;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

    @InjectService(timeout = 10_000)
    IOKitLib lib;

    private final List<IOConnect> connections = new ArrayList<>();
    private final List<Bundle> installed = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        connections.forEach(IOConnect::close);
        for (Bundle b : installed) {
            b.uninstall();
        }
    }

    private IOPlatformDevice nub(String pathComponent) {
        return Await.matchingSettled(PlatformIT.nub(platform, pathComponent));
    }

    /** Opens the driver of the nub (the nub's single driver with a user client). */
    private IOConnect open(IOKitLib from, String pathComponent) {
        IOConnect c = from.open(nub(pathComponent), 0);
        connections.add(c);
        return c;
    }

    private IOKitLib app(String bsn, Map<String, String> headers) throws Exception {
        Bundle b = context.installBundle("test:" + bsn, TestBundles.manifestOnly(bsn, headers));
        installed.add(b);
        b.start();
        BundleContext bc = b.getBundleContext();
        ServiceReference<?> ref = bc.getServiceReference(IOKitLib.class.getName());
        assertNotNull(ref, "IOKitLib is visible to " + bsn);
        return (IOKitLib) bc.getService(ref);
    }

    private static void assertFails(IOReturn status, String message, IOCallResult r) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(message, r.message());
    }

    /** @return true if SP804 counter {@code n} (1 or 2) is enabled */
    private static boolean armed(MmioRegion regs, int n) {
        return (regs.read32((n - 1) * 0x20 + CONTROL) & ENABLE) != 0;
    }

    /** Checks a wait's outputs: waited µs (not less than the delay), late µs, counter. */
    private static void assertWaited(long micros, IOCallResult r) {
        assertEquals(IOReturn.SUCCESS, r.status(), r.toString());
        assertEquals(3, r.scalarOutput().length, r.toString());
        assertTrue(r.scalar(0) >= micros, "waited " + r.scalar(0) + " us, at least the " + micros + " us delay");
        assertEquals(r.scalar(0) - micros, r.scalar(1), "late = waited - delay: " + r);
        assertTrue(r.scalar(2) == 1 || r.scalar(2) == 2, "served by counter 1 or 2: " + r);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"waitForInterrupt", "waitForInterruptQueue", "waitForInterruptAction", "waitForInterruptPolling"})
    @DisplayName("seed 000 through a user client: each synchronous way returns once the SP804 counted the delay, with the interrupt cleared")
    void timerWaits(String method) {
        IOConnect c = open(lib, TIMER);
        assertEquals("Sp804Driver", c.service().getName());
        IOCallResult r = c.call(method, 2000);
        assertWaited(2000, r);
        MmioRegion regs = nub(TIMER).getDeviceMemory(0);
        assertEquals(0, regs.read32((int) (r.scalar(2) - 1) * 0x20 + 0x10), "RIS cleared, counter given back");
    }

    @Test
    @DisplayName("S56 waitForInterruptAsync returns at once; the OSAction callback completes it on the completion thread, never on the caller's stack")
    void timerAsyncWait() throws Exception {
        IOConnect c = open(lib, TIMER);
        CountDownLatch returned = new CountDownLatch(1);
        CompletableFuture<String> thread = new CompletableFuture<>();
        CompletableFuture<IOCallResult> done = new CompletableFuture<>();
        Thread caller = Thread.currentThread();
        IOCallResult accepted = c.callAsync("waitForInterruptAsync", new long[] {2000}, null, r -> {
            try {
                boolean first = returned.await(10, TimeUnit.SECONDS);
                thread.complete(Thread.currentThread().getName() + " returnedFirst=" + first
                        + " sameThread=" + (Thread.currentThread() == caller));
                done.complete(r);
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        });
        returned.countDown();
        assertEquals(IOReturn.SUCCESS, accepted.status(), accepted.toString());
        assertWaited(2000, done.get(20, TimeUnit.SECONDS));
        assertEquals("IOCompletion-dev.sluice.itest returnedFirst=true sameThread=false", thread.get());
    }

    @Test
    @DisplayName("seed 000 a client blocked in waitForInterrupt does not block a second client of the same driver")
    void blockedWaitDoesNotBlockOthers() throws Exception {
        IOConnect waiter = open(lib, TIMER);
        IOConnect other = open(lib, TIMER);
        MmioRegion regs = nub(TIMER).getDeviceMemory(0);
        Await.until(() -> !armed(regs, 1) && !armed(regs, 2), "both counters idle, so the armed one below is the long wait's");
        CompletableFuture<IOCallResult> longWait = CompletableFuture.supplyAsync(() -> waiter.call("waitForInterrupt", 10_000_000));
        Await.until(() -> armed(regs, 1) || armed(regs, 2), "the long wait to arm a counter");
        int longCounter = armed(regs, 1) ? 1 : 2;
        int longBase = (longCounter - 1) * 0x20;

        IOCallResult shortWait = other.call("waitForInterrupt", 1000);
        assertWaited(1000, shortWait);
        assertEquals(3 - longCounter, shortWait.scalar(2), "the second client got the other counter");
        CompletableFuture<IOCallResult> async = new CompletableFuture<>();
        assertTrue(other.callAsync("waitForInterruptAsync", new long[] {1000}, null, async::complete).isSuccess());
        assertWaited(1000, async.get(20, TimeUnit.SECONDS));
        assertWaited(500, other.call("waitForInterruptPolling", 500));
        assertTrue((regs.read32(longBase + VALUE) & 0xFFFF_FFFFL) > 0,
                "the first client's 10 s count is still running, so the second client's calls did not wait for it");
        assertFalse(longWait.isDone(), "the first client still waits for its interrupt");

        regs.write32(longBase + LOAD, 0); // the test stands in for time: Load = 0 raises the interrupt at once
        IOCallResult woken = longWait.get(20, TimeUnit.SECONDS);
        assertEquals(IOReturn.SUCCESS, woken.status(), woken.toString());
        assertEquals(longCounter, woken.scalar(2));
        assertTrue(woken.scalar(1) < 0, "woken before its 10 s delay, and the result says so: " + woken);
    }

    @Test
    @DisplayName("closing a connection withdraws its pending async wait: the completion says ABORTED and the counter is stopped")
    void closeWithdrawsAsyncWait() throws Exception {
        IOConnect c = open(lib, TIMER);
        MmioRegion regs = nub(TIMER).getDeviceMemory(0);
        CompletableFuture<IOCallResult> done = new CompletableFuture<>();
        assertTrue(c.callAsync("waitForInterruptAsync", new long[] {10_000_000}, null, done::complete).isSuccess());
        Await.until(() -> armed(regs, 1) || armed(regs, 2), "the 10 s wait to arm a counter");
        c.close();
        IOCallResult r = done.get(20, TimeUnit.SECONDS);
        assertEquals(IOReturn.ABORTED, r.status(), r.toString());
        assertTrue(r.message().contains("closed before waitForInterruptAsync completed"), r.message());
        assertFalse(armed(regs, 1) || armed(regs, 2), "the counter was stopped and given back at close");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"waitForInterrupt", "waitForInterruptQueue", "waitForInterruptAction", "waitForInterruptPolling"})
    @DisplayName("closing a connection ends a synchronous wait blocked in another of its threads: the call returns ABORTED before its 10 s delay and the counter is given back")
    void closeEndsBlockedSyncWait(String method) throws Exception {
        IOConnect c = open(lib, TIMER);
        MmioRegion regs = nub(TIMER).getDeviceMemory(0);
        Await.until(() -> !armed(regs, 1) && !armed(regs, 2), "both counters idle, so the armed one below is this wait's");
        CompletableFuture<IOCallResult> blocked = CompletableFuture.supplyAsync(() -> c.call(method, 10_000_000));
        Await.until(() -> armed(regs, 1) || armed(regs, 2), "the 10 s wait to arm a counter");
        c.close();
        IOCallResult r = blocked.get(20, TimeUnit.SECONDS);
        assertFails(IOReturn.ABORTED, "Sp804Timer." + method
                + ": the connection closed while the call waited for the SP804 interrupt", r);
        Await.until(() -> !armed(regs, 1) && !armed(regs, 2), "the counter to be stopped and given back");
        IOConnect next = open(lib, TIMER);
        assertWaited(1000, next.call(method, 1000));
    }

    @Test
    @DisplayName("bad timer arguments get BAD_ARGUMENT naming the method and what was wrong; the driver keeps working")
    void timerBadArguments() {
        IOConnect c = open(lib, TIMER);
        for (long bad : new long[] {-5, 0, 10_000_001, Long.MAX_VALUE}) {
            assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer.waitForInterrupt: micros must be 1..10000000 (at most 10 s), got " + bad,
                    c.call("waitForInterrupt", bad));
        }
        assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer.waitForInterruptPolling: micros must be 1..10000000 (at most 10 s), got -1",
                c.call("waitForInterruptPolling", -1));
        assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer.waitForInterruptAsync: micros must be 1..10000000 (at most 10 s), got 0",
                c.callAsync("waitForInterruptAsync", new long[] {0}, null, r -> { }));
        assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer.waitForInterrupt: expected 1 scalar input, got 0", c.call("waitForInterrupt"));
        assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer.waitForInterruptQueue: expected 1 scalar input, got 2",
                c.call("waitForInterruptQueue", 1000, 2));
        assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer.waitForInterruptAsync is asynchronous: call it with callAsync",
                c.call("waitForInterruptAsync", 1000));
        assertFails(IOReturn.BAD_ARGUMENT, "Sp804Timer: no method named 'wait' (methods: 0 waitForInterrupt, 1 waitForInterruptQueue, "
                + "2 waitForInterruptAction, 3 waitForInterruptPolling, 4 waitForInterruptAsync)", c.call("wait", 1000));
        assertWaited(100, c.call(0, 100));
    }

    @Test
    @DisplayName("PL031: getTime reads the counter; setTime needs entitlement sluice.rtc.set-time (NOT_PERMITTED naming it without); out-of-range times are refused")
    void rtcTime() throws Exception {
        Pl031 model = (Pl031) nub(RTC).model().orElseThrow();
        IOKitLib reader = app("org.example.clock.reader", Map.of());
        IOKitLib setter = app("org.example.clock.setter", Map.of("Provide-Capability",
                "sluice.entitlement;sluice.entitlement=\"" + SET_TIME + "\""));
        IOConnect r = open(reader, RTC);
        IOConnect s = open(setter, RTC);
        long before = model.counter();
        IOCallResult now = r.call("getTime");
        assertEquals(IOReturn.SUCCESS, now.status(), now.toString());
        assertTrue(now.scalar(0) >= before && now.scalar(0) <= model.counter(), now.scalar(0) + " is the counter");

        assertFails(IOReturn.NOT_PERMITTED, "Pl031Rtc.setTime: bundle org.example.clock.reader lacks entitlement '" + SET_TIME
                + "' (declare it with @Entitlement(\"" + SET_TIME + "\"))", r.call("setTime", 4_000_000_000L));
        assertTrue(model.counter() < 4_000_000_000L, "the refused call did not reach the hardware");
        try {
            IOCallResult set = s.call("setTime", 4_000_000_000L);
            assertEquals(IOReturn.SUCCESS, set.status(), set.toString());
            long read = r.call("getTime").scalar(0);
            assertTrue(read >= 4_000_000_000L && read <= 4_000_000_001L, "the counter after setTime: " + read);
            assertFails(IOReturn.BAD_ARGUMENT, "Pl031Rtc.setTime: -1 s is outside the PL031's 32-bit seconds counter (0..4294967295)",
                    s.call("setTime", -1));
            assertFails(IOReturn.BAD_ARGUMENT, "Pl031Rtc.setTime: 4294967296 s is outside the PL031's 32-bit seconds counter (0..4294967295)",
                    s.call("setTime", 1L << 32));
            assertFails(IOReturn.BAD_ARGUMENT, "Pl031Rtc.setTime: expected 1 scalar input, got 0", s.call("setTime"));
        } finally {
            assertEquals(IOReturn.SUCCESS, s.call("setTime", Instant.now().getEpochSecond()).status());
        }
    }

    @Test
    @DisplayName("S56 PL031 alarms are async external methods: alarmIn completes when the match interrupt fired, on the completion thread")
    void rtcAlarm() throws Exception {
        IOConnect c = open(lib, RTC);
        long set = c.call("getTime").scalar(0);
        CompletableFuture<IOCallResult> done = new CompletableFuture<>();
        CompletableFuture<String> thread = new CompletableFuture<>();
        assertTrue(c.callAsync("alarmIn", new long[] {1}, null, r -> {
            thread.complete(Thread.currentThread().getName());
            done.complete(r);
        }).isSuccess());
        IOCallResult fired = done.get(20, TimeUnit.SECONDS);
        assertEquals(IOReturn.SUCCESS, fired.status(), fired.toString());
        assertTrue(fired.scalar(0) >= set + 1, "fired at " + fired.scalar(0) + ", not before " + (set + 1));
        assertEquals("IOCompletion-dev.sluice.itest", thread.get());

        CompletableFuture<IOCallResult> past = new CompletableFuture<>();
        assertTrue(c.callAsync("alarm", new long[] {set - 10}, null, past::complete).isSuccess());
        assertTrue(past.get(20, TimeUnit.SECONDS).scalar(0) >= set, "an alarm in the past fires at once, asynchronously");
        assertFails(IOReturn.BAD_ARGUMENT, "Pl031Rtc.alarm: 4294967296 s is outside the PL031's 32-bit seconds counter (0..4294967295)",
                c.callAsync("alarm", new long[] {1L << 32}, null, r -> { }));
        IOCallResult negative = c.callAsync("alarmIn", new long[] {-1}, null, r -> { });
        assertEquals(IOReturn.BAD_ARGUMENT, negative.status());
        assertTrue(negative.message().startsWith("Pl031Rtc.alarmIn: seconds must be 0.."), negative.message());
        assertTrue(negative.message().endsWith(", got -1"), negative.message());
    }

    @Test
    @DisplayName("closing a connection cancels its pending alarm: the completion says ABORTED and the match interrupt is masked again")
    void closeCancelsAlarm() throws Exception {
        IOConnect c = open(lib, RTC);
        MmioRegion regs = nub(RTC).getDeviceMemory(0);
        long at = c.call("getTime").scalar(0) + 3600;
        CompletableFuture<IOCallResult> done = new CompletableFuture<>();
        assertTrue(c.callAsync("alarm", new long[] {at}, null, done::complete).isSuccess());
        assertEquals(at, regs.read32(0x004) & 0xFFFF_FFFFL, "RTCMR holds the alarm");
        assertEquals(1, regs.read32(0x010) & 1, "the match interrupt is unmasked");
        c.close();
        assertEquals(IOReturn.ABORTED, done.get(20, TimeUnit.SECONDS).status());
        assertEquals(0, regs.read32(0x010) & 1, "no alarm left: the match interrupt is masked");
    }

    @Test
    @DisplayName("virtio-rng: read(n) returns n random bytes as its struct output; n outside 1..65536 is refused")
    void entropyRead() {
        IOConnect c = open(lib, RNG);
        IOCallResult a = c.call("read", 32);
        IOCallResult b = c.call(0, 32);
        assertEquals(IOReturn.SUCCESS, a.status(), a.toString());
        assertEquals(32, a.structOutput().length);
        assertFalse(Arrays.equals(new byte[32], a.structOutput()), "not all zero");
        assertNotEquals(Arrays.toString(a.structOutput()), Arrays.toString(b.structOutput()), "two reads differ");
        assertEquals(65536, c.call("read", 65536).structOutput().length, "the largest read");
        for (long bad : new long[] {0, -1, 65537}) {
            assertFails(IOReturn.BAD_ARGUMENT, "VirtioEntropy.read: n must be 1..65536 bytes, got " + bad, c.call("read", bad));
        }
        assertFails(IOReturn.BAD_ARGUMENT, "VirtioEntropy.read: expected no struct input, got 2 bytes",
                c.call("read", new long[] {2}, new byte[2]));
    }
}
