package dev.sluice.platform.interrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.models.InterruptLine;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The controller's own rules, with plain primary handlers registered through nub providers. */
@Timeout(30)
class InterruptControllerTest {

    private final List<String> reports = new CopyOnWriteArrayList<>();
    private InterruptController ic;

    @BeforeEach
    void setUp() {
        ic = new InterruptController("intc", 4, 2, reports::add);
    }

    @AfterEach
    void tearDown() {
        ic.close();
    }

    @Test
    @DisplayName("edge line: each pulse and each rising edge is one event; events on a masked line are kept as a count; a handler that masks stops the rest")
    void edgeEventsCounted() {
        ic.configure(0, InterruptType.EDGE);
        IOInterruptProvider nub = ic.provider("dev@0", new int[] {0});
        InterruptLine line = ic.line(0);
        Object key = new Object();
        AtomicInteger calls = new AtomicInteger();
        assertEquals(IOReturn.SUCCESS, nub.registerInterrupt(0, key, index -> {
            if (calls.incrementAndGet() == 3) {
                nub.disableInterrupt(0, key); // masks the line from primary context
            }
            return true;
        }));
        for (int i = 0; i < 4; i++) {
            line.pulse();
        }
        line.raise(); // rising edge: one event
        line.raise(); // already high: nothing
        line.lower();
        assertEquals(IOReturn.SUCCESS, nub.causeInterrupt(0));
        LineStatus held = ic.status(0);
        assertTrue(held.masked(), "registrations start disabled");
        assertEquals(6, held.pending());
        assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(0, key));
        Await.until("three deliveries", () -> ic.status(0).delivered() == 3);
        LineStatus stopped = ic.status(0);
        assertTrue(stopped.masked());
        assertEquals(3, stopped.pending(), "the handler masked the line: the other events wait");
        assertEquals(3, calls.get());
        assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(0, key));
        Await.until("all six delivered", () -> ic.status(0).delivered() == 6);
        assertEquals(6, calls.get());
        assertEquals(0, ic.status(0).pending());
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("level line: pulse on a level line is one event; a raised line is delivered while it stays raised and unmasked, held while masked")
    void levelDeliveredWhileRaised() {
        IOInterruptProvider nub = ic.provider("dev@0", new int[] {1});
        InterruptLine line = ic.line(1);
        Object key = new Object();
        AtomicInteger calls = new AtomicInteger();
        assertEquals(IOReturn.SUCCESS, nub.registerInterrupt(0, key, index -> {
            if (calls.incrementAndGet() == 5) {
                line.lower(); // the fifth delivery services the device
            }
            return true; // claimed each time: a handled storm is not "nobody cared"
        }));
        line.pulse();
        assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(0, key));
        Await.until("the pulse delivered", () -> ic.status(1).delivered() == 1);
        assertEquals(1, calls.get());
        assertEquals(IOReturn.SUCCESS, nub.disableInterrupt(0, key));
        line.raise();
        assertTrue(line.isRaised());
        assertEquals(1, ic.status(1).pending(), "raised while masked: held");
        assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(0, key));
        Await.until("delivered until lowered", () -> calls.get() == 5);
        Await.until("the fifth delivery complete", () -> ic.status(1).delivered() == 5);
        assertFalse(ic.status(1).raised());
        assertEquals(0, ic.status(1).unclaimed());
        assertFalse(ic.status(1).masked());
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("S41 each delivery calls only the registrations enabled at that moment; the line is masked while any registration is disabled")
    void maskedWhileAnyDisabled() {
        ic.configure(2, InterruptType.EDGE);
        IOInterruptProvider a = ic.provider("a@0", new int[] {2});
        IOInterruptProvider b = ic.provider("b@0", new int[] {2});
        Object ka = new Object();
        Object kb = new Object();
        List<String> log = new CopyOnWriteArrayList<>();
        assertEquals(IOReturn.SUCCESS, a.registerInterrupt(0, ka, i -> log.add("a")));
        assertEquals(IOReturn.SUCCESS, b.registerInterrupt(0, kb, i -> {
            log.add("b");
            a.disableInterrupt(0, ka); // later sharers are still called in this delivery; a is not called again
            return true;
        }));
        assertEquals(IOReturn.SUCCESS, a.enableInterrupt(0, ka));
        assertTrue(ic.status(2).masked(), "b is still disabled");
        assertEquals(IOReturn.SUCCESS, b.enableInterrupt(0, kb));
        assertFalse(ic.status(2).masked());
        ic.line(2).pulse();
        ic.line(2).pulse();
        Await.until("one delivery", () -> ic.status(2).delivered() == 1);
        assertTrue(ic.status(2).masked());
        assertEquals(1, ic.status(2).pending());
        assertEquals(List.of("a", "b"), log);
        assertEquals(IOReturn.SUCCESS, a.unregisterInterrupt(0, ka)); // removing the disabled sharer unmasks
        Await.until("the second delivery", () -> ic.status(2).delivered() == 2);
        assertEquals(List.of("a", "b", "b"), log);
        assertEquals(IOReturn.BAD_ARGUMENT, a.enableInterrupt(0, ka));
        assertEquals(IOReturn.BAD_ARGUMENT, a.unregisterInterrupt(0, ka));
        assertEquals(IOReturn.BAD_ARGUMENT, a.enableInterrupt(7, ka));
        assertEquals(IOReturn.BAD_ARGUMENT, a.causeInterrupt(1));
    }

    @Test
    @DisplayName("S43 handlers run in primary context on cpuN threads; lines on two cpus are delivered concurrently")
    void twoLinesOnTwoCpus() {
        IOInterruptProvider nub = ic.provider("dev@0", new int[] {0, 1});
        AtomicBoolean[] started = {new AtomicBoolean(), new AtomicBoolean()};
        String[] seen = new String[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            Object key = "key" + i;
            assertEquals(IOReturn.SUCCESS, nub.registerInterrupt(i, key, index -> {
                started[me].set(true);
                boolean overlapped = Await.spin(() -> started[1 - me].get(), Duration.ofSeconds(10));
                seen[me] = Thread.currentThread().getName() + " primary=" + PrimaryInterruptContext.isActive()
                        + " overlapped=" + overlapped + " handler=" + PrimaryInterruptContext.currentHandler();
                ic.line(me).lower();
                return true;
            }));
            assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(i, key));
        }
        ic.line(0).raise();
        ic.line(1).raise();
        Await.until("both delivered", () -> ic.status(0).delivered() == 1 && ic.status(1).delivered() == 1);
        assertEquals("cpu0 primary=true overlapped=true handler=dev@0[0] key0 on intc line 0", seen[0]);
        assertEquals("cpu1 primary=true overlapped=true handler=dev@0[1] key1 on intc line 1", seen[1]);
    }

    @Test
    @DisplayName("bad line numbers from the board are reported: configure ignores them, line() gives a disconnected line, provider() an unusable index")
    void badLineNumbersReported() {
        ic.configure(9, InterruptType.EDGE);
        InterruptLine dead = ic.line(-1);
        dead.raise();
        assertTrue(dead.isRaised());
        dead.pulse();
        IOInterruptProvider nub = ic.provider("uart@3f8", new int[] {4});
        assertEquals(3, reports.size(), reports::toString);
        assertTrue(reports.get(0).startsWith("intc: configure: no line 9"), reports.get(0));
        assertTrue(reports.get(1).startsWith("intc: line: no line -1"), reports.get(1));
        assertTrue(reports.get(2).startsWith("intc: uart@3f8: interrupt 0 names line 4"), reports.get(2));
        assertEquals(IOReturn.BAD_ARGUMENT, nub.registerInterrupt(0, new Object(), i -> true));
        for (LineStatus s : ic.status()) {
            assertEquals(0, s.pending(), "line " + s.line());
            assertEquals(InterruptType.LEVEL, s.type());
        }
    }

    @Test
    @DisplayName("status() reports type, counts, sharers and latency percentiles in order (p50 <= p99 <= p99.9 <= max)")
    void statusAndLatency() {
        ic.configure(3, InterruptType.EDGE);
        IOInterruptProvider nub = ic.provider("rtc@0", new int[] {3});
        Object key = "rtc-driver";
        assertEquals(IOReturn.SUCCESS, nub.registerInterrupt(0, key, i -> i == 0));
        assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(0, key));
        InterruptLine line = ic.line(3);
        for (int i = 0; i < 200; i++) {
            int n = i + 1;
            line.pulse();
            Await.until("delivery " + n, () -> ic.status(3).delivered() == n);
        }
        List<LineStatus> all = ic.status();
        assertEquals(4, all.size());
        LineStatus s = all.get(3);
        assertEquals(3, s.line());
        assertEquals(InterruptType.EDGE, s.type());
        assertEquals(List.of("rtc@0[0] rtc-driver"), s.sharers());
        assertEquals(200, s.delivered());
        assertEquals(0, s.unclaimed());
        assertTrue(s.p50Nanos() > 0, s::toString);
        assertTrue(s.p50Nanos() <= s.p99Nanos() && s.p99Nanos() <= s.p999Nanos() && s.p999Nanos() <= s.maxNanos(),
                s::toString);
        LineStatus idle = all.get(0);
        assertEquals(List.of(0L, 0L, 0L, 0L), List.of(idle.p50Nanos(), idle.p99Nanos(), idle.p999Nanos(),
                idle.maxNanos()));
        assertTrue(idle.masked(), "no registration: masked");
    }

    @Test
    @DisplayName("close() stops every cpu thread; afterwards registrations are refused and the model side still never throws")
    void closeLeavesNoThread() {
        List<Thread> threads = ic.threads();
        assertEquals(List.of("cpu0", "cpu1"), threads.stream().map(Thread::getName).toList());
        IOInterruptProvider nub = ic.provider("dev@0", new int[] {0});
        Object key = new Object();
        assertEquals(IOReturn.SUCCESS, nub.registerInterrupt(0, key, i -> true));
        assertEquals(IOReturn.SUCCESS, nub.enableInterrupt(0, key));
        ic.line(0).pulse();
        Await.until("delivered", () -> ic.status(0).delivered() == 1);
        ic.close();
        for (Thread t : threads) {
            assertFalse(t.isAlive(), t.getName());
        }
        Set<Thread> live = Thread.getAllStackTraces().keySet();
        for (Thread t : threads) {
            assertFalse(live.contains(t), t.getName() + " still listed");
        }
        assertEquals(IOReturn.OFFLINE, nub.registerInterrupt(0, new Object(), i -> true));
        ic.line(0).pulse();
        ic.line(0).raise();
        assertEquals(1, ic.status(0).delivered());
        ic.close(); // idempotent
        assertEquals(List.of(), reports);
    }

    @Test
    @DisplayName("the latency histogram reports percentiles within 1/16 of the true value and the exact maximum")
    void histogram() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.count());
        for (long v = 1; v <= 10_000; v++) {
            h.record(v * 1_000); // 1 us .. 10 ms
        }
        h.record(-5); // counts as 0
        assertEquals(10_001, h.count());
        long[] p = h.percentiles(0.5, 0.99, 0.999, 1.0);
        long[] exact = {5_000_000, 9_900_000, 9_990_000, 10_000_000};
        for (int i = 0; i < p.length; i++) {
            assertTrue(p[i] >= exact[i] - exact[i] / 16 && p[i] <= exact[i] + exact[i] / 16,
                    "percentile " + i + ": " + p[i] + " vs " + exact[i]);
        }
        assertEquals(10_000_000, h.max());
        assertEquals(10_000_000, p[3], "never above the maximum");
        for (long v : new long[] {0, 1, 15, 16, 17, 31, 32, 33, 1000, 123_456_789, 1L << 40, Long.MAX_VALUE}) {
            int i = LatencyHistogram.index(v);
            assertTrue(i >= 0 && i < LatencyHistogram.BUCKETS, "index of " + v);
            if (v <= (1L << 40)) {
                assertTrue(LatencyHistogram.highestEquivalent(i) >= v, "bucket of " + v + " holds it");
                assertTrue(i == 0 || LatencyHistogram.highestEquivalent(i - 1) < v, "bucket of " + v + " is the first");
            }
        }
        assertNotEquals(LatencyHistogram.index(16), LatencyHistogram.index(17));
        assertEquals(LatencyHistogram.index(32), LatencyHistogram.index(33), "2-wide buckets from 32");
    }
}
