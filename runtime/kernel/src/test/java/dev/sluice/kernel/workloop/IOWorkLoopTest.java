package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOWorkLoopTest {

    private final List<String> log = new CopyOnWriteArrayList<>();
    private IOWorkLoop loop;

    @BeforeEach
    void createLoop() {
        loop = IOWorkLoop.create("loop-test");
    }

    @AfterEach
    void shutdownLoop() {
        loop.shutdown();
    }

    private TestSource add(String name) {
        TestSource s = new TestSource(name, log);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(s));
        return s;
    }

    /** Signals, waits for the pass to finish and returns the names checked in it. */
    private List<String> pass(TestSource anySource) {
        Await.idle(loop);
        log.clear();
        int before = anySource.checks;
        anySource.signal();
        Await.until("a pass", () -> anySource.checks > before);
        Await.idle(loop);
        return new ArrayList<>(log);
    }

    @Test
    @DisplayName("S10 a work loop owns a gate, one dedicated thread named IOWorkLoop-<owner>, and an ordered chain of sources")
    void loopOwnsThreadGateAndChain() {
        assertEquals("IOWorkLoop-loop-test", loop.thread().getName());
        assertTrue(loop.thread().isAlive());
        assertTrue(loop.thread().isDaemon());
        TestSource a = add("a");
        TestSource b = add("b");
        assertEquals(List.of(a, b), loop.eventSources());
        assertSame(loop, a.getWorkLoop());
    }

    @Test
    @DisplayName("S11 only active sources are polled by the loop thread; passive sources are never asked for work")
    void passiveSourcesAreNotPolled() {
        TestSource passive = new TestSource("passive", log, true);
        loop.addEventSource(passive);
        TestSource active = add("active");
        assertEquals(List.of("active"), pass(active));
        assertEquals(0, passive.checks);
        assertTrue(loop.eventSources().contains(passive), "passive sources still belong to the chain");
    }

    @Test
    @DisplayName("S12 the loop checks active sources in insertion order and repeats the pass while any reports more work")
    void scanOrderAndRepeatWhileMore() {
        TestSource a = add("a");
        TestSource b = add("b");
        add("c");
        assertEquals(List.of("a", "b", "c"), pass(a));
        Await.idle(loop);
        AtomicInteger moreOnce = new AtomicInteger(1);
        b.body = () -> moreOnce.getAndDecrement() > 0;
        assertEquals(List.of("a", "b", "c", "a", "b", "c"), pass(a));
    }

    @Test
    @DisplayName("S13 a signal during a scan forces another full pass; many signals before a pass merge into one pass")
    void signalsDuringAndBeforeAPass() {
        TestSource a = add("a");
        add("b");
        Await.idle(loop);
        AtomicBoolean signalOnce = new AtomicBoolean(true);
        a.body = () -> {
            if (signalOnce.getAndSet(false)) {
                a.signal();
            }
            return false;
        };
        assertEquals(List.of("a", "b", "a", "b"), pass(a), "signal during the scan: a second full pass");

        Await.idle(loop);
        log.clear();
        int before = a.checks;
        loop.runAction(() -> {
            for (int i = 0; i < 100; i++) {
                a.signal();
            }
            return IOReturn.SUCCESS;
        });
        Await.until("the merged pass", () -> a.checks == before + 1);
        a.signal(); // a marker pass: had the 100 signals caused two passes, we would count 3
        Await.until("the marker pass", () -> a.checks >= before + 2);
        Await.idle(loop);
        assertEquals(before + 2, a.checks, "100 signals before the pass gave exactly one pass");
    }

    @Test
    @DisplayName("S14 the gate is held for the whole scan: no runAction runs at the same time as any checkForWork")
    void scanHoldsTheGate() {
        AtomicBoolean inScan = new AtomicBoolean();
        AtomicBoolean overlap = new AtomicBoolean();
        TestSource a = add("a");
        TestSource b = add("b");
        a.body = () -> {
            inScan.set(true);
            assertTrue(loop.inGate());
            return false;
        };
        b.body = () -> {
            Await.until("a runAction caller queued on the gate", () -> loop.gateQueueLength() > 0);
            inScan.set(false);
            return false;
        };
        a.signal();
        Spawn<IOReturn> caller = Spawn.start("caller", () -> {
            Await.until("scan started", inScan::get);
            return loop.runAction(() -> {
                overlap.set(inScan.get());
                return IOReturn.SUCCESS;
            });
        });
        assertEquals(IOReturn.SUCCESS, caller.join());
        assertFalse(overlap.get(), "runAction ran only after the whole scan");
    }

    @Test
    @DisplayName("S15 add/remove run at once on the caller's thread under the gate, also from an action; the scan restarts after the current source")
    void chainChangesInsideAnActionRestartTheScan() {
        TestSource a = add("a");
        add("b");
        TestSource c = new TestSource("c", log);
        Await.idle(loop); // the loop thread's first scan at start-up is over
        AtomicReference<String> addResult = new AtomicReference<>();
        AtomicBoolean once = new AtomicBoolean(true);
        a.body = () -> {
            if (once.getAndSet(false)) {
                IOReturn r = loop.addEventSource(c);
                addResult.set(r + " visible=" + loop.eventSources().contains(c) + " thread=" + Thread.currentThread().getName());
            }
            return false;
        };
        assertEquals(List.of("a", "a", "b", "c"), pass(a), "restart from the head after a, c included at the tail");
        assertEquals("SUCCESS visible=true thread=IOWorkLoop-loop-test", addResult.get());

        assertEquals(IOReturn.SUCCESS, loop.runAction(() -> loop.removeEventSource(c)), "remove from inside a runAction");
        assertNull(c.getWorkLoop());
        assertEquals(List.of("a", "b"), pass(a));
    }

    @Test
    @DisplayName("S16 add appends at the tail; adding a source that already belongs to a loop is refused with a clear error")
    void addTwiceIsRefused() {
        TestSource a = add("a");
        TestSource b = add("b");
        assertEquals(List.of(a, b), loop.eventSources());
        IllegalStateException same = assertThrows(IllegalStateException.class, () -> loop.addEventSource(a));
        assertTrue(same.getMessage().contains("already belongs to this work loop"), same.getMessage());
        try (IOWorkLoop other = IOWorkLoop.create("loop-test-other")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.addEventSource(b));
            assertTrue(e.getMessage().contains("IOWorkLoop-loop-test"), e.getMessage());
            assertSame(loop, b.getWorkLoop());
        }
        assertEquals(IOReturn.BAD_ARGUMENT, loop.addEventSource(null));
    }

    @Test
    @DisplayName("S17 remove unlinks, disables and detaches; a source of another loop gives BAD_ARGUMENT; an unattached source is a no-op")
    void removeSemantics() {
        TestSource a = add("a");
        TestSource b = add("b");
        assertEquals(IOReturn.SUCCESS, loop.removeEventSource(a));
        assertEquals(List.of(b), loop.eventSources());
        assertFalse(a.isEnabled(), "S22 detaching implies disable");
        assertNull(a.getWorkLoop());
        assertEquals(IOReturn.SUCCESS, loop.removeEventSource(a), "unattached: no-op");
        try (IOWorkLoop other = IOWorkLoop.create("loop-test-other")) {
            assertEquals(IOReturn.BAD_ARGUMENT, other.removeEventSource(b));
            assertSame(loop, b.getWorkLoop());
        }
        assertEquals(IOReturn.BAD_ARGUMENT, loop.removeEventSource(null));
        assertEquals(List.of("b"), pass(b));
    }

    @Test
    @DisplayName("S18 runAction closes the gate, runs the action on the caller's thread, opens it and returns the action's result")
    void runActionOnCallersThread() {
        Thread me = Thread.currentThread();
        IOReturn r = loop.runAction(() -> {
            assertSame(me, Thread.currentThread());
            assertSame(me, loop.gateOwner());
            return IOReturn.NO_RESOURCES;
        });
        assertEquals(IOReturn.NO_RESOURCES, r);
        assertNull(loop.gateOwner());
        assertEquals(IOReturn.BAD_ARGUMENT, loop.runAction(null));
        assertThrows(IllegalArgumentException.class, () -> loop.runAction(() -> {
            throw new IllegalArgumentException("driver bug");
        }));
        assertNull(loop.gateOwner(), "the gate is opened when the action throws");
        assertEquals("value", loop.callInGate(() -> "value"));
    }

    @Test
    @DisplayName("S19 any thread may run pending work synchronously; runEventSources returns false once the loop is terminating")
    void runEventSourcesOnCaller() {
        TestSource a = add("a");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Await.idle(loop);
        a.body = () -> {
            ranOn.set(Thread.currentThread());
            return false;
        };
        assertTrue(loop.runEventSources());
        assertSame(Thread.currentThread(), ranOn.get());
        loop.shutdown();
        int checks = a.checks;
        assertFalse(loop.runEventSources());
        assertEquals(checks, a.checks);
    }

    @Test
    @DisplayName("S20 shutdown waits for the action in progress, disables and frees every source, stops the thread and leaves none behind")
    void orderlyShutdown() throws Exception {
        TestSource a = add("a");
        TestSource b = add("b");
        CountDownLatch inAction = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicBoolean actionFinished = new AtomicBoolean();
        Spawn<IOReturn> action = Spawn.start("long-action", () -> loop.runAction(() -> {
            inAction.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            actionFinished.set(true);
            return IOReturn.SUCCESS;
        }));
        inAction.await();
        Spawn<Boolean> stopper = Spawn.start("stopper", () -> {
            loop.shutdown();
            return actionFinished.get();
        });
        Await.queuedOnGate(loop, stopper.thread);
        assertFalse(stopper.isDone(), "shutdown waits for the action in progress");
        finish.countDown();
        assertTrue(stopper.join(), "the action finished before shutdown went on");
        assertEquals(IOReturn.SUCCESS, action.join());
        assertFalse(loop.thread().isAlive());
        assertTrue(loop.isTerminated());
        assertTrue(loop.eventSources().isEmpty());
        assertNull(a.getWorkLoop());
        assertFalse(b.isEnabled());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("IOWorkLoop-loop-test")),
                "no thread survives");
        assertEquals(IOReturn.NOT_READY, loop.addEventSource(new TestSource("late", log)));
        loop.close(); // idempotent, AutoCloseable
    }

    @Test
    @DisplayName("S20 shutdown from inside an action on the loop thread does not deadlock; the thread ends when the scan unwinds")
    void shutdownFromLoopThread() throws Exception {
        TestSource a = add("a");
        a.body = () -> {
            loop.shutdown();
            return false;
        };
        a.signal();
        assertTrue(loop.awaitTermination(5, TimeUnit.SECONDS));
        assertNull(a.getWorkLoop());
    }

    @Test
    @DisplayName("S12 a source whose checkForWork throws is reported to the loop's error handler and the scan carries on")
    void throwingSourceIsReported() {
        List<String> errors = new CopyOnWriteArrayList<>();
        try (IOWorkLoop l = IOWorkLoop.create("faulty", IOWorkLoop.Options.defaults()
                .withErrorHandler((src, t) -> errors.add(src.getOwner() + ": " + t.getMessage())))) {
            TestSource bad = new TestSource("bad", log);
            TestSource good = new TestSource("good", log);
            bad.body = () -> {
                throw new IllegalStateException("boom");
            };
            l.addEventSource(bad);
            l.addEventSource(good);
            int before = good.checks;
            bad.signal();
            Await.until("good checked after bad threw", () -> good.checks > before);
            assertEquals(List.of("bad: boom"), errors.subList(0, 1));
            assertTrue(l.thread().isAlive());
        }
    }
}
