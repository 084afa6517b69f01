package dev.sluice.platform.interrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.sync.IOLock;
import dev.sluice.kernel.workloop.IOFilterInterruptEventSource;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.InterruptLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The controller serving the kernel's real {@link IOInterruptEventSource} and
 * {@link IOFilterInterruptEventSource} on real {@link IOWorkLoop}s (SEMANTICS S31-S44).
 */
@Timeout(30)
class InterruptEventSourceTest {

    // controller lines; with 2 CPUs, even lines are delivered by cpu0, odd ones by cpu1
    static final int EDGE_LINE = 2;
    static final int LEVEL_LINE = 3;
    static final int SHARED_LEVEL = 5;
    static final int SHARED_EDGE = 6;
    // nub a's interrupt indexes
    static final int A_EDGE = 0;
    static final int A_LEVEL = 1;
    static final int A_SHARED_LEVEL = 2;
    static final int A_SHARED_EDGE = 3;
    // nub b's interrupt indexes
    static final int B_SHARED_LEVEL = 0;
    static final int B_SHARED_EDGE = 1;

    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final List<Throwable> actionFailures = new CopyOnWriteArrayList<>();
    private boolean reportsExpected;
    private InterruptController ic;
    private IOInterruptProvider nubA;
    private IOInterruptProvider nubB;
    private IOWorkLoop loopA;
    private IOWorkLoop loopB;

    @BeforeEach
    void setUp() {
        ic = new InterruptController("intc", 8, 2, reports::add);
        ic.configure(EDGE_LINE, InterruptType.EDGE);
        ic.configure(SHARED_EDGE, InterruptType.EDGE);
        nubA = ic.provider("a@1000", new int[] {EDGE_LINE, LEVEL_LINE, SHARED_LEVEL, SHARED_EDGE});
        nubB = ic.provider("b@2000", new int[] {SHARED_LEVEL, SHARED_EDGE});
        IOWorkLoop.Options options = IOWorkLoop.Options.defaults().withErrorHandler((s, t) -> actionFailures.add(t));
        loopA = IOWorkLoop.create("drv-a", options);
        loopB = IOWorkLoop.create("drv-b", options);
    }

    @AfterEach
    void tearDown() {
        loopA.shutdown();
        loopB.shutdown();
        ic.close();
        for (Thread t : ic.threads()) {
            assertFalse(t.isAlive(), t.getName() + " survived close()");
        }
        assertTrue(actionFailures.isEmpty(), () -> "actions failed: " + actionFailures);
        if (!reportsExpected) {
            assertTrue(reports.isEmpty(), () -> "unexpected reports: " + reports);
        }
    }

    private <S extends IOInterruptEventSource<String>> S attach(IOWorkLoop loop, S source, boolean enable) {
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(source));
        if (enable) {
            source.enable();
        }
        return source;
    }

    private IOInterruptEventSource<String> source(IOWorkLoop loop, IOInterruptProvider nub, int index,
                                                  IOInterruptEventSource.Action<String> action, boolean enable) {
        return attach(loop, IOInterruptEventSource.interruptEventSource(loop.owner(), action, nub, index), enable);
    }

    private IOFilterInterruptEventSource<String> filter(IOWorkLoop loop, IOInterruptProvider nub, int index,
                                                        IOFilterInterruptEventSource.Filter<String> filter,
                                                        IOInterruptEventSource.Action<String> action) {
        return attach(loop, IOFilterInterruptEventSource.filterInterruptEventSource(loop.owner(), action, filter, nub,
                index), true);
    }

    /** Returns once every scan the loop had started (action and the unmask after it) is over. */
    private static void settled(IOWorkLoop loop) {
        assertEquals(IOReturn.SUCCESS, loop.runAction(() -> IOReturn.SUCCESS));
    }

    private LineStatus st(int line) {
        return ic.status(line);
    }

    private static void await(CountDownLatch latch) {
        Await.latch("test latch", latch);
    }

    private static int sum(List<Integer> counts) {
        return counts.stream().mapToInt(Integer::intValue).sum();
    }

    // ------------------------------------------------------------------ S32

    @Test
    @DisplayName("S32 creation fails for a negative index, an index the nub lacks, a line the controller lacks, and a registration the controller refuses")
    void creationFailures() {
        IOInterruptEventSource.Action<String> none = (o, s, n) -> { };
        assertThrows(IllegalArgumentException.class,
                () -> IOInterruptEventSource.interruptEventSource("x", none, nubA, -1));
        IOReturnException noIndex = assertThrows(IOReturnException.class,
                () -> IOInterruptEventSource.interruptEventSource("x", none, nubA, 4));
        assertEquals(IOReturn.BAD_ARGUMENT, noIndex.result());

        reportsExpected = true;
        IOInterruptProvider broken = ic.provider("broken@0", new int[] {LEVEL_LINE, 99});
        assertEquals(1, reports.size(), reports::toString);
        assertTrue(reports.get(0).contains("broken@0") && reports.get(0).contains("line 99"), reports.get(0));
        assertNull(broken.getInterruptType(1));
        IOReturnException noLine = assertThrows(IOReturnException.class,
                () -> IOInterruptEventSource.interruptEventSource("x", none, broken, 1));
        assertEquals(IOReturn.BAD_ARGUMENT, noLine.result());
        assertEquals(InterruptType.LEVEL, broken.getInterruptType(0), "the nub's good interrupts still work");

        Object key = new Object();
        assertEquals(IOReturn.SUCCESS, nubA.registerInterrupt(A_LEVEL, key, i -> true));
        assertEquals(IOReturn.BUSY, nubA.registerInterrupt(A_LEVEL, key, i -> true), "one registration per source");
        assertEquals(IOReturn.SUCCESS, nubA.unregisterInterrupt(A_LEVEL, key));

        ic.close();
        IOReturnException offline = assertThrows(IOReturnException.class,
                () -> IOInterruptEventSource.interruptEventSource("x", none, nubA, A_LEVEL));
        assertEquals(IOReturn.OFFLINE, offline.result(), "a closed controller refuses registrations");
        for (int line = 0; line < ic.lineCount(); line++) {
            assertEquals(List.of(), st(line).sharers(), "no registration left behind on line " + line);
        }
    }

    // ------------------------------------------------------------------ S33 S34 S36

    @Test
    @DisplayName("S33 S34 level line: the primary handler masks the line first, counts and signals; the loop thread calls the action once with the count")
    void primaryMasksCountsSignals() {
        InterruptLine dev = ic.line(LEVEL_LINE);
        List<String> calls = new CopyOnWriteArrayList<>();
        source(loopA, nubA, A_LEVEL, (o, s, n) -> {
            calls.add("owner=" + o + " count=" + n + " thread=" + Thread.currentThread().getName()
                    + " inGate=" + s.inGate() + " masked=" + st(LEVEL_LINE).masked());
            dev.lower(); // the driver services its device
        }, true);
        dev.raise();
        Await.until("the action", () -> calls.size() == 1);
        Await.until("the delivery complete", () -> st(LEVEL_LINE).delivered() == 1);
        settled(loopA);
        assertEquals(List.of("owner=drv-a count=1 thread=IOWorkLoop-drv-a inGate=true masked=true"), calls);
        LineStatus s = st(LEVEL_LINE);
        assertFalse(s.masked(), "unmasked after the action");
        assertFalse(s.raised());
        assertEquals(1, s.delivered());
        assertEquals(0, s.unclaimed());
        assertEquals(0, s.pending());
    }

    @Test
    @DisplayName("S36 a level line stays masked until the action returns; a device still asserting it is interrupted again")
    void levelMaskedUntilActionReturns() {
        InterruptLine dev = ic.line(LEVEL_LINE);
        CountDownLatch inFirstAction = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        source(loopA, nubA, A_LEVEL, (o, s, n) -> {
            counts.add(n);
            if (counts.size() == 1) {
                inFirstAction.countDown();
                await(mayReturn); // returns without servicing the device: it still asserts
            } else {
                dev.lower();
            }
        }, true);
        dev.raise();
        Await.latch("first action", inFirstAction);
        Await.until("the delivery complete", () -> st(LEVEL_LINE).delivered() == 1);
        LineStatus during = st(LEVEL_LINE);
        assertTrue(during.masked(), "masked while the action runs");
        assertTrue(during.raised());
        assertEquals(1, during.pending(), "the raised line waits");
        assertEquals(1, during.delivered());
        mayReturn.countDown();
        Await.until("the second action", () -> counts.size() == 2);
        Await.until("the second delivery complete", () -> st(LEVEL_LINE).delivered() == 2);
        settled(loopA);
        assertEquals(List.of(1, 1), counts);
        LineStatus after = st(LEVEL_LINE);
        assertEquals(2, after.delivered(), "exactly one more delivery, for the level still asserted");
        assertFalse(after.masked());
    }

    @Test
    @DisplayName("S36 S37 a driver that disables its source in the action keeps the line masked; enable() delivers what waited")
    void disabledInActionStaysMasked() {
        InterruptLine dev = ic.line(LEVEL_LINE);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        IOInterruptEventSource<String> src = source(loopA, nubA, A_LEVEL, (o, s, n) -> {
            counts.add(n);
            dev.lower();
            if (counts.size() == 1) {
                s.disable();
            }
        }, true);
        dev.raise();
        Await.until("the action", () -> counts.size() == 1);
        Await.until("the delivery complete", () -> st(LEVEL_LINE).delivered() == 1);
        settled(loopA);
        assertTrue(st(LEVEL_LINE).masked(), "the driver disabled its source: the line stays masked");
        dev.raise();
        LineStatus held = st(LEVEL_LINE);
        assertTrue(held.masked() && held.raised());
        assertEquals(1, held.pending());
        assertEquals(1, held.delivered());
        src.enable();
        Await.until("the action after enable", () -> counts.size() == 2);
        settled(loopA);
        assertEquals(List.of(1, 1), counts);
        assertFalse(st(LEVEL_LINE).masked());
    }

    // ------------------------------------------------------------------ S34 S35

    @Test
    @DisplayName("S34 S35 k edge interrupts before the loop runs give one action with count k; interrupts during the action give a later call")
    void coalescing() {
        InterruptLine dev = ic.line(EDGE_LINE);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        CountDownLatch inAction = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        source(loopA, nubA, A_EDGE, (o, s, n) -> {
            counts.add(n);
            if (counts.size() == 1) {
                inAction.countDown();
                await(mayReturn);
            }
        }, true);
        loopA.closeGate(); // the loop cannot scan: the interrupts are counted, not yet acted on
        try {
            for (int i = 0; i < 5; i++) {
                dev.pulse();
            }
            Await.until("5 deliveries", () -> st(EDGE_LINE).delivered() == 5);
        } finally {
            loopA.openGate();
        }
        Await.latch("first action", inAction);
        for (int i = 0; i < 3; i++) {
            dev.pulse();
        }
        Await.until("3 more deliveries", () -> st(EDGE_LINE).delivered() == 8);
        mayReturn.countDown();
        Await.until("second action", () -> counts.size() == 2);
        assertEquals(List.of(5, 3), counts);
        assertEquals(0, st(EDGE_LINE).pending());
    }

    // ------------------------------------------------------------------ S37

    @Test
    @DisplayName("S37 lines start disabled until the driver enables its source; disable() masks the line again")
    void linesStartDisabled() {
        InterruptLine dev = ic.line(LEVEL_LINE);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        IOInterruptEventSource<String> src = source(loopA, nubA, A_LEVEL, (o, s, n) -> {
            counts.add(n);
            dev.lower();
        }, false);
        dev.raise();
        LineStatus before = st(LEVEL_LINE);
        assertTrue(before.masked(), "registered but not enabled: masked");
        assertEquals(1, before.pending());
        assertEquals(0, before.delivered());
        assertEquals(1, before.sharers().size());
        assertTrue(before.sharers().get(0).startsWith("a@1000[1] IOInterruptEventSource"), before.sharers().get(0));
        assertTrue(before.sharers().get(0).endsWith("(disabled)"), before.sharers().get(0));
        src.enable();
        Await.until("the action", () -> counts.size() == 1);
        settled(loopA);
        assertFalse(st(LEVEL_LINE).masked());
        src.disable();
        assertTrue(st(LEVEL_LINE).masked(), "disable() masks");
        dev.raise();
        assertEquals(1, st(LEVEL_LINE).pending());
        src.enable();
        Await.until("the action after enable", () -> counts.size() == 2);
        assertEquals(List.of(1, 1), counts);
    }

    // ------------------------------------------------------------------ S39 and hot swap

    @Test
    @DisplayName("S39 removing the source unregisters its handler; adding it back registers it again")
    void removeAndReAdd() {
        InterruptLine dev = ic.line(EDGE_LINE);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        IOInterruptEventSource<String> src = source(loopA, nubA, A_EDGE, (o, s, n) -> counts.add(n), true);
        dev.pulse();
        Await.until("first action", () -> sum(counts) == 1);
        assertEquals(IOReturn.SUCCESS, loopA.removeEventSource(src));
        assertFalse(src.isRegistered());
        assertEquals(List.of(), st(EDGE_LINE).sharers());
        assertTrue(st(EDGE_LINE).masked(), "a line without registration is masked");
        assertEquals(IOReturn.BAD_ARGUMENT, nubA.enableInterrupt(A_EDGE, src), "no registration left");
        dev.pulse();
        dev.pulse();
        assertEquals(2, st(EDGE_LINE).pending(), "edges on a masked line are kept");
        assertEquals(IOReturn.SUCCESS, loopA.addEventSource(src));
        assertTrue(src.isRegistered());
        assertEquals(1, st(EDGE_LINE).sharers().size());
        src.enable();
        Await.until("the kept edges acted on", () -> sum(counts) == 3);
        Await.until("3 deliveries in all", () -> st(EDGE_LINE).delivered() == 3);
        assertEquals(0, st(EDGE_LINE).pending());
    }

    @Test
    @DisplayName("S39 once removeEventSource returns, a call of the removed filter in progress has returned and it is never called again")
    void removalWaitsForRunningHandler() {
        InterruptLine dev = ic.line(EDGE_LINE);
        AtomicBoolean inside = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        IOFilterInterruptEventSource<String>[] self = newFilterArray();
        self[0] = filter(loopA, nubA, A_EDGE, (o, s) -> {
            calls.incrementAndGet();
            inside.set(true);
            Await.spin(() -> !s.isRegistered(), Duration.ofSeconds(5)); // removal has begun
            long until = System.nanoTime() + 2_000_000L; // and is given time to return too early
            Await.spin(() -> System.nanoTime() - until > 0, Duration.ofSeconds(1));
            inside.set(false);
            return false;
        }, (o, s, n) -> { });
        dev.pulse();
        Await.until("the filter running", inside::get);
        assertEquals(IOReturn.SUCCESS, loopA.removeEventSource(self[0]));
        assertFalse(inside.get(), "removeEventSource returned while the filter was still running");
        dev.pulse();
        assertEquals(1, calls.get());
        assertEquals(1, st(EDGE_LINE).pending(), "the new edge waits for a handler");
    }

    @SuppressWarnings("unchecked")
    private static IOFilterInterruptEventSource<String>[] newFilterArray() {
        return new IOFilterInterruptEventSource[1];
    }

    @Test
    @DisplayName("S37 S39 pending edges on a masked line are delivered once unmasked with their count (a driver swap loses nothing)")
    void hotSwapLosesNothing() {
        InterruptLine dev = ic.line(EDGE_LINE);
        List<Integer> oldCounts = new CopyOnWriteArrayList<>();
        List<Integer> newCounts = new CopyOnWriteArrayList<>();
        IOInterruptEventSource<String> old = source(loopA, nubA, A_EDGE, (o, s, n) -> oldCounts.add(n), true);
        dev.pulse();
        dev.pulse();
        Await.until("the old driver's actions", () -> sum(oldCounts) == 2);
        assertEquals(IOReturn.SUCCESS, loopA.removeEventSource(old)); // the old driver stops
        Thread device = new Thread(() -> {
            for (int i = 0; i < 7; i++) {
                dev.pulse();
            }
        }, "model-dev-io");
        device.start();
        Await.until("7 edges pending", () -> st(EDGE_LINE).pending() == 7);
        assertEquals(2, st(EDGE_LINE).delivered());
        IOInterruptEventSource<String> replacement = source(loopB, nubA, A_EDGE, (o, s, n) -> newCounts.add(n), false);
        loopB.closeGate();
        try {
            replacement.enable(); // the new driver enables: each kept edge is delivered
            Await.until("7 deliveries", () -> st(EDGE_LINE).delivered() == 9);
        } finally {
            loopB.openGate();
        }
        Await.until("the new driver's action", () -> !newCounts.isEmpty());
        settled(loopB);
        assertEquals(List.of(7), newCounts, "one action with every kept edge");
        assertEquals(2, sum(oldCounts));
        assertEquals(0, st(EDGE_LINE).pending());
    }

    // ------------------------------------------------------------------ S41 S42

    @Test
    @DisplayName("S41 filters run in primary context for every sharer in registration order; true counts, false counts nothing and the line stays enabled")
    void filtersInRegistrationOrder() {
        InterruptLine dev = ic.line(SHARED_LEVEL);
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicBoolean aStatus = new AtomicBoolean();
        List<Integer> aCounts = new CopyOnWriteArrayList<>();
        List<Integer> bCounts = new CopyOnWriteArrayList<>();
        filter(loopA, nubA, A_SHARED_LEVEL, (o, s) -> {
            log.add("filter a on " + Thread.currentThread().getName() + " primary=" + PrimaryInterruptContext.isActive());
            return aStatus.get();
        }, (o, s, n) -> {
            aCounts.add(n);
            aStatus.set(false);
            dev.lower();
        });
        IOFilterInterruptEventSource<String> b = filter(loopB, nubB, B_SHARED_LEVEL, (o, s) -> {
            log.add("filter b on " + Thread.currentThread().getName() + " primary=" + PrimaryInterruptContext.isActive());
            return false;
        }, (o, s, n) -> bCounts.add(n));
        aStatus.set(true);
        dev.raise();
        Await.until("a's action", () -> aCounts.size() == 1);
        Await.until("the delivery to both sharers complete", () -> st(SHARED_LEVEL).delivered() == 1);
        settled(loopA);
        assertEquals(List.of("filter a on cpu1 primary=true", "filter b on cpu1 primary=true"), log);
        assertTrue(loopB.runEventSources());
        assertEquals(List.of(), bCounts, "b's filter said no: nothing counted for b");
        LineStatus s = st(SHARED_LEVEL);
        assertEquals(List.of("a@1000[2] " + "IOFilterInterruptEventSource(owner drv-a, interrupt 2 level)",
                "b@2000[0] " + b), s.sharers(), "both registrations enabled again, in registration order");
        assertFalse(s.masked());
        assertEquals(1, s.delivered());
        assertEquals(0, s.unclaimed());

        dev.pulse(); // an event nobody claims
        Await.until("the unclaimed delivery", () -> st(SHARED_LEVEL).delivered() == 2);
        assertEquals(1, st(SHARED_LEVEL).unclaimed());
        assertFalse(st(SHARED_LEVEL).masked(), "no claim: the line stays enabled");
        assertEquals(4, log.size());
        assertTrue(loopA.runEventSources() && loopB.runEventSources());
        assertEquals(List.of(1), aCounts);
        assertEquals(List.of(), bCounts);
    }

    @Test
    @DisplayName("S42 signalInterrupt() counts and signals regardless of the filter and without masking; a filter that acks its device and says no is no storm")
    void signalInterruptWithoutMasking() {
        InterruptLine dev = ic.line(LEVEL_LINE);
        List<String> actions = new CopyOnWriteArrayList<>();
        AtomicInteger counted = new AtomicInteger();
        IOFilterInterruptEventSource<String> src = filter(loopA, nubA, A_LEVEL, (o, s) -> {
            dev.lower(); // pseudo-DMA: the filter services the device itself
            s.signalInterrupt();
            return false;
        }, (o, s, n) -> {
            actions.add("masked=" + st(LEVEL_LINE).masked());
            counted.addAndGet(n);
        });
        dev.raise();
        Await.until("the action", () -> counted.get() == 1);
        settled(loopA);
        assertEquals(List.of("masked=false"), actions, "the line was never masked");
        Await.until("a filter returning false does not claim", () -> st(LEVEL_LINE).unclaimed() == 1);
        assertEquals(1, st(LEVEL_LINE).delivered());

        Thread other = new Thread(src::signalInterrupt, "other-thread");
        other.start();
        Await.until("the action for the signal from another thread", () -> counted.get() == 2);

        int raises = 2 * InterruptController.NOBODY_CARED_LIMIT;
        Thread device = new Thread(() -> {
            for (int i = 0; i < raises; i++) {
                Await.until("the filter lowering the line", () -> !dev.isRaised());
                dev.raise();
            }
        }, "model-dev-io");
        device.start();
        Await.until("every raise acted on", () -> counted.get() == 2 + raises);
        Await.until("every delivery complete", () -> st(LEVEL_LINE).unclaimed() == 1 + raises);
        assertFalse(st(LEVEL_LINE).masked(), "re-asserted after each ack: not a storm, never disabled");
        assertEquals(1 + raises, st(LEVEL_LINE).delivered());
    }

    // ------------------------------------------------------------------ S31 S43

    @Test
    @DisplayName("S31 S43 a filter's blocking calls (IOLock, runAction, closeGate) and exceptions are refused and reported naming it and the line; the next sharer is still served and the kernel runs on")
    void blockingInFilterRefusedAndReported() {
        reportsExpected = true;
        InterruptLine dev = ic.line(SHARED_EDGE);
        IOLock lock = new IOLock();
        List<Consumer<IOFilterInterruptEventSource<String>>> offences = List.of(
                s -> lock.lock(),
                s -> loopA.runAction(() -> IOReturn.SUCCESS),
                s -> loopA.closeGate(),
                s -> {
                    throw new IllegalStateException("driver bug");
                });
        AtomicInteger which = new AtomicInteger();
        List<Integer> aCounts = new CopyOnWriteArrayList<>();
        List<Integer> bCounts = new CopyOnWriteArrayList<>();
        filter(loopA, nubA, A_SHARED_EDGE, (o, s) -> {
            offences.get(which.get()).accept(s);
            return true;
        }, (o, s, n) -> aCounts.add(n));
        filter(loopB, nubB, B_SHARED_EDGE, (o, s) -> true, (o, s, n) -> bCounts.add(n));
        for (int i = 0; i < offences.size(); i++) {
            which.set(i);
            dev.pulse();
            int delivered = i + 1;
            Await.until("delivery " + delivered, () -> st(SHARED_EDGE).delivered() == delivered);
        }
        Await.until("b served every time", () -> sum(bCounts) == offences.size());
        assertEquals(offences.size(), reports.size(), reports::toString);
        List<String> expected = List.of("IOLock.lock", "IOWorkLoop.runAction", "IOWorkLoop.closeGate",
                "threw java.lang.IllegalStateException: driver bug");
        for (int i = 0; i < expected.size(); i++) {
            String r = reports.get(i);
            assertTrue(r.contains(expected.get(i)), r);
            assertTrue(r.startsWith("intc: line 6: handler a@1000[3] IOFilterInterruptEventSource(owner drv-a"), r);
            assertTrue(r.contains("delivery continues with the next sharer"), r);
        }
        assertTrue(reports.get(0).contains("forbidden in primary interrupt context") && reports.get(0).contains("cpu0"),
                reports.get(0));
        assertFalse(lock.isLocked());
        assertEquals(IOReturn.SUCCESS, loopA.runAction(() -> IOReturn.SUCCESS), "loop a survived");
        assertTrue(loopA.runEventSources());
        assertEquals(List.of(), aCounts, "a's filter never completed: nothing counted for a");
        assertEquals(4, st(SHARED_EDGE).delivered());
        assertEquals(0, st(SHARED_EDGE).unclaimed(), "b claimed each one");
    }

    // ------------------------------------------------------------------ S44

    @Test
    @DisplayName("S44 a shared level line is unmasked only when every sharer that claimed it has finished its action")
    void sharedLevelUnmaskedWhenAllClaimersDone() {
        InterruptLine dev = ic.line(SHARED_LEVEL);
        AtomicBoolean aStatus = new AtomicBoolean(true);
        AtomicBoolean bStatus = new AtomicBoolean(true);
        CountDownLatch aMayFinish = new CountDownLatch(1);
        CountDownLatch bMayFinish = new CountDownLatch(1);
        CountDownLatch aDone = new CountDownLatch(1);
        CountDownLatch bDone = new CountDownLatch(1);
        filter(loopA, nubA, A_SHARED_LEVEL, (o, s) -> aStatus.get(), (o, s, n) -> {
            await(aMayFinish);
            aStatus.set(false);
            aDone.countDown();
        });
        filter(loopB, nubB, B_SHARED_LEVEL, (o, s) -> bStatus.get(), (o, s, n) -> {
            await(bMayFinish);
            bStatus.set(false);
            dev.lower(); // the last device serviced: the line goes low
            bDone.countDown();
        });
        dev.raise();
        Await.until("delivered to both", () -> st(SHARED_LEVEL).delivered() == 1);
        assertTrue(st(SHARED_LEVEL).masked());
        aMayFinish.countDown();
        Await.latch("a's action", aDone);
        settled(loopA);
        LineStatus mid = st(SHARED_LEVEL);
        assertTrue(mid.masked(), "a finished, but b's claim still holds the line masked");
        assertEquals(1, mid.delivered());
        List<String> sharers = mid.sharers();
        assertFalse(sharers.get(0).endsWith("(disabled)"), sharers.toString());
        assertTrue(sharers.get(1).endsWith("(disabled)"), sharers.toString());
        bMayFinish.countDown();
        Await.latch("b's action", bDone);
        settled(loopB);
        assertFalse(st(SHARED_LEVEL).masked(), "unmasked once b finished");
        assertEquals(1, st(SHARED_LEVEL).delivered());
    }

    // ------------------------------------------------------------------ nobody cared

    @Test
    @DisplayName("S41 a level line raised with no filter claiming is masked and reported as nobody cared; a new handler gives it another chance")
    void nobodyCared() {
        reportsExpected = true;
        InterruptLine dev = ic.line(SHARED_LEVEL);
        AtomicInteger aCalls = new AtomicInteger();
        filter(loopA, nubA, A_SHARED_LEVEL, (o, s) -> {
            aCalls.incrementAndGet();
            return false;
        }, (o, s, n) -> { });
        dev.raise();
        Await.until("nobody cared", () -> !reports.isEmpty());
        LineStatus s = st(SHARED_LEVEL);
        assertTrue(s.masked() && s.raised());
        assertEquals(InterruptController.NOBODY_CARED_LIMIT, s.delivered());
        assertEquals(InterruptController.NOBODY_CARED_LIMIT, s.unclaimed());
        assertEquals(InterruptController.NOBODY_CARED_LIMIT, aCalls.get());
        assertEquals(1, reports.size(), reports::toString);
        assertTrue(reports.get(0).startsWith("intc: line 5: nobody cared"), reports.get(0));
        assertTrue(reports.get(0).contains("a@1000[2]"), reports.get(0));

        List<Integer> bCounts = new CopyOnWriteArrayList<>();
        filter(loopB, nubB, B_SHARED_LEVEL, (o, src) -> true, (o, src, n) -> {
            bCounts.add(n);
            dev.lower();
        });
        Await.until("the new driver's action", () -> bCounts.size() == 1);
        Await.until("its delivery complete", () -> st(SHARED_LEVEL).delivered() == InterruptController.NOBODY_CARED_LIMIT + 1);
        settled(loopB);
        assertFalse(st(SHARED_LEVEL).masked());
        assertEquals(InterruptController.NOBODY_CARED_LIMIT, st(SHARED_LEVEL).unclaimed(), "b claimed the last one");
    }

    // ------------------------------------------------------------------ many lines, many cpus

    @Test
    @DisplayName("S33 S35 four drivers on four lines over two cpus: every interrupt raised from device threads is acted on, none twice")
    void manyDevicesNoneLost() throws InterruptedException {
        int perDevice = 500;
        int[] lines = {EDGE_LINE, LEVEL_LINE, SHARED_LEVEL, SHARED_EDGE};
        int[] indexes = {A_EDGE, A_LEVEL, A_SHARED_LEVEL, A_SHARED_EDGE};
        IOWorkLoop[] loops = {loopA, loopB, loopA, loopB};
        AtomicInteger[] counted = new AtomicInteger[4];
        List<Thread> devices = new ArrayList<>();
        for (int d = 0; d < 4; d++) {
            AtomicInteger c = counted[d] = new AtomicInteger();
            InterruptLine line = ic.line(lines[d]);
            boolean level = st(lines[d]).type() == InterruptType.LEVEL;
            AtomicInteger serviced = new AtomicInteger();
            source(loops[d], nubA, indexes[d], (o, s, n) -> {
                c.addAndGet(n);
                if (level) {
                    line.lower(); // service the device, then tell it
                    serviced.incrementAndGet();
                }
            }, true);
            devices.add(new Thread(() -> {
                for (int i = 0; i < perDevice; i++) {
                    if (level) { // one request at a time: raise, wait until serviced
                        int before = serviced.get();
                        line.raise();
                        Await.until("serviced", () -> serviced.get() > before);
                    } else {
                        line.pulse();
                    }
                }
            }, "model-" + d + "-io"));
        }
        devices.forEach(Thread::start);
        for (Thread t : devices) {
            t.join();
        }
        for (int d = 0; d < 4; d++) {
            int dd = d;
            Await.until("device " + d + " fully served", () -> counted[dd].get() >= perDevice);
            settled(loops[d]);
            assertEquals(perDevice, counted[d].get(), "line " + lines[d]);
            assertEquals(0, st(lines[d]).pending());
        }
    }
}
