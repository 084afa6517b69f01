package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOWorkLoopGateTest {

    private IOWorkLoop loop;

    @BeforeEach
    void createLoop() {
        loop = IOWorkLoop.create("gate-test");
    }

    @AfterEach
    void shutdownLoop() {
        loop.shutdown();
    }

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    @DisplayName("S1 the gate is recursive: the owner closes it N times and must open it N times; others block until then")
    void recursiveGate() {
        loop.closeGate();
        loop.closeGate();
        loop.closeGate();
        assertEquals(3, loop.gateHoldCount());
        assertSame(Thread.currentThread(), loop.gateOwner(), "the gate records its owner thread");
        Spawn<Void> other = Spawn.run("other", () -> {
            loop.closeGate();
            loop.openGate();
        });
        Await.queuedOnGate(loop, other.thread);
        loop.openGate();
        loop.openGate();
        assertEquals(1, loop.gateHoldCount());
        assertTrue(loop.gateQueuedThreads().contains(other.thread), "still blocked after N-1 opens");
        assertFalse(other.isDone());
        loop.openGate();
        other.join();
        assertEquals(0, loop.gateHoldCount());
        assertThrows(IllegalStateException.class, loop::openGate, "opening a gate one does not hold is an error");
    }

    @Test
    @DisplayName("S2 tryCloseGate always succeeds for the owner (count goes up) and never blocks others")
    void tryCloseGate() {
        loop.closeGate();
        assertTrue(loop.tryCloseGate());
        assertEquals(2, loop.gateHoldCount());
        boolean otherGotIt = Spawn.start("other", loop::tryCloseGate).join();
        assertFalse(otherGotIt, "another thread is refused at once while the gate is held");
        loop.openGate();
        loop.openGate();
        boolean nowFree = Spawn.start("other2", () -> {
            boolean got = loop.tryCloseGate();
            if (got) {
                loop.openGate();
            }
            return got;
        }).join();
        assertTrue(nowFree);
    }

    @Test
    @DisplayName("S3 inGate means 'this thread owns the gate', onThread means 'this is the loop thread': independent")
    void inGateAndOnThreadAreIndependent() {
        assertFalse(loop.inGate());
        assertFalse(loop.onThread());
        loop.runAction(() -> {
            assertTrue(loop.inGate());
            assertFalse(loop.onThread(), "runAction runs on the caller's thread, not the loop thread");
            return IOReturn.SUCCESS;
        });
        List<String> log = new CopyOnWriteArrayList<>();
        TestSource src = new TestSource("probe", log);
        AtomicReference<String> seen = new AtomicReference<>();
        src.body = () -> {
            seen.set("inGate=" + loop.inGate() + " onThread=" + loop.onThread());
            return false;
        };
        loop.addEventSource(src);
        src.signal();
        Await.until("probe checked", () -> seen.get() != null);
        assertEquals("inGate=true onThread=true", seen.get());
    }

    @Test
    @DisplayName("S4 sleepGate releases the gate fully whatever the recursion count and re-takes it with the same count for every result")
    void sleepKeepsRecursionCount() throws Exception {
        for (SleepResult expected : new SleepResult[] {SleepResult.AWAKENED, SleepResult.TIMED_OUT, SleepResult.INTERRUPTED}) {
            Object ev = new Object();
            CountDownLatch asleep = new CountDownLatch(1);
            Spawn<int[]> sleeper = Spawn.start("sleeper-" + expected, () -> {
                loop.closeGate();
                loop.closeGate();
                loop.closeGate();
                asleep.countDown();
                SleepResult r = expected == SleepResult.TIMED_OUT ? loop.sleepGate(ev, in(100)) : loop.sleepGate(ev);
                int count = loop.gateHoldCount();
                loop.openGate();
                loop.openGate();
                loop.openGate();
                return new int[] {r.ordinal(), count};
            });
            asleep.await();
            if (expected != SleepResult.TIMED_OUT) {
                Await.until("sleeper registered", () -> loop.sleeperCount(ev) == 1);
                // The gate becomes free although the sleeper had closed it three times.
                Await.until("gate released fully while asleep", () -> {
                    if (loop.tryCloseGate()) {
                        loop.openGate();
                        return true;
                    }
                    return false;
                });
                assertEquals(1, loop.sleeperCount(ev), "still asleep while another thread took the gate");
                if (expected == SleepResult.AWAKENED) {
                    loop.wakeupGate(ev, true);
                } else {
                    sleeper.thread.interrupt();
                }
            }
            int[] out = sleeper.join();
            assertEquals(expected, SleepResult.values()[out[0]]);
            assertEquals(3, out[1], "recursion count restored after " + expected);
        }
    }

    @Test
    @DisplayName("S5 the sleeper is registered before the gate is released: a waker that takes the gate afterwards never loses the wakeup")
    void noLostWakeupThroughTheGate() throws Exception {
        for (int round = 0; round < 200; round++) {
            Object ev = "round-" + round;
            loop.closeGate();
            CountDownLatch wakerStarted = new CountDownLatch(1);
            Spawn<Void> waker = Spawn.run("waker", () -> {
                wakerStarted.countDown();
                loop.closeGate();          // only possible once the sleeper is inside sleepGate
                loop.wakeupGate(ev, true);
                loop.openGate();
            });
            wakerStarted.await();
            if ((round & 1) == 0) {
                Await.queuedOnGate(loop, waker.thread); // half the rounds: waker already queued
            }
            SleepResult r = loop.sleepGate(ev, in(5_000));
            loop.openGate();
            assertEquals(SleepResult.AWAKENED, r, "round " + round);
            waker.join();
        }
    }

    @Test
    @DisplayName("S6 wakeups are not stored: a wakeup with no sleeper does nothing and a later sleep times out")
    void wakeupsAreNotStored() {
        Object ev = new Object();
        loop.wakeupGate(ev, false);
        loop.wakeupGate(ev, true);
        SleepResult r = loop.callInGate(() -> loop.sleepGate(ev, in(50)));
        assertEquals(SleepResult.TIMED_OUT, r);
    }

    @Test
    @DisplayName("S7 events are keys per gate: equal keys wake each other in one gate, never a sleeper of another loop's gate")
    void eventsAreKeysPerGate() {
        try (IOWorkLoop other = IOWorkLoop.create("gate-test-other")) {
            Spawn<SleepResult> here = Spawn.start("here", () -> loop.callInGate(() -> loop.sleepGate("disk-ready", in(5_000))));
            Spawn<SleepResult> there = Spawn.start("there", () -> other.callInGate(() -> other.sleepGate("disk-ready", in(300))));
            Await.until("both asleep", () -> loop.sleeperCount("disk-ready") == 1 && other.sleeperCount("disk-ready") == 1);
            loop.wakeupGate(new String("disk-ready"), false); // equal, not identical
            assertEquals(SleepResult.AWAKENED, here.join());
            assertEquals(1, other.sleeperCount("disk-ready"), "the other loop's sleeper is untouched");
            assertEquals(SleepResult.TIMED_OUT, there.join());
        }
    }

    @Test
    @DisplayName("S8 the waker need not hold the gate; oneThread wakes at most one sleeper, first come first woken; false wakes all")
    void wakeOneFifoAndWakeAll() {
        Object ev = new Object();
        List<Spawn<SleepResult>> sleepers = new ArrayList<>();
        List<String> wokenOrder = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "sleeper-" + i;
            sleepers.add(Spawn.start(name, () -> loop.callInGate(() -> {
                SleepResult r = loop.sleepGate(ev, in(5_000));
                wokenOrder.add(name);
                return r;
            })));
            int n = i + 1;
            Await.until(n + " sleepers", () -> loop.sleeperCount(ev) == n);
        }
        assertFalse(loop.inGate());
        loop.wakeupGate(ev, true);
        assertEquals(SleepResult.AWAKENED, sleepers.get(0).join());
        assertEquals(List.of("sleeper-0"), wokenOrder);
        assertEquals(2, loop.sleeperCount(ev), "exactly one was woken");
        loop.wakeupGate(ev, false);
        assertEquals(SleepResult.AWAKENED, sleepers.get(1).join());
        assertEquals(SleepResult.AWAKENED, sleepers.get(2).join());
        assertEquals(0, loop.sleeperCount(ev));
    }

    @Test
    @DisplayName("S9 sleep results: absolute deadlines time out, an interrupt gives INTERRUPTED and is consumed")
    void sleepResultsTimeoutAndInterrupt() {
        Object ev = new Object();
        long past = System.nanoTime() - 1;
        assertEquals(SleepResult.TIMED_OUT, loop.callInGate(() -> loop.sleepGate(ev, past)), "a passed deadline times out at once");
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(60);
        assertEquals(SleepResult.TIMED_OUT, loop.callInGate(() -> loop.sleepGate(ev, deadline)));
        assertTrue(System.nanoTime() - deadline >= 0, "not before the absolute deadline");

        Spawn<Boolean> interrupted = Spawn.start("interrupted", () -> loop.callInGate(() ->
                loop.sleepGate(ev) == SleepResult.INTERRUPTED && !Thread.currentThread().isInterrupted()));
        Await.until("asleep", () -> loop.sleeperCount(ev) == 1);
        interrupted.thread.interrupt();
        assertTrue(interrupted.join(), "INTERRUPTED, with the interrupt consumed");
    }

    @Test
    @DisplayName("S9 an uninterruptible sleep ignores interrupts but keeps the thread's interrupt status")
    void uninterruptibleSleepKeepsInterruptStatus() {
        Object ev = new Object();
        Spawn<String> sleeper = Spawn.start("unint", () -> loop.callInGate(() -> {
            SleepResult r = loop.sleepGateUninterruptibly(ev);
            return r + " interrupted=" + Thread.currentThread().isInterrupted();
        }));
        Await.until("asleep", () -> loop.sleeperCount(ev) == 1);
        sleeper.thread.interrupt();
        Await.parked(sleeper.thread);
        assertEquals(1, loop.sleeperCount(ev), "still asleep after the interrupt");
        assertFalse(sleeper.isDone());
        loop.wakeupGate(ev, true);
        assertEquals("AWAKENED interrupted=true", sleeper.join());
    }

    @Test
    @DisplayName("S9 RESTART: a sleeper on a loop that shuts down is woken with RESTART, and later sleeps return it at once")
    void restartOnShutdown() {
        Object ev = new Object();
        Spawn<SleepResult> sleeper = Spawn.start("sleeper", () -> loop.callInGate(() -> loop.sleepGate(ev)));
        Await.until("asleep", () -> loop.sleeperCount(ev) == 1);
        loop.shutdown();
        assertEquals(SleepResult.RESTART, sleeper.join());
        assertEquals(SleepResult.RESTART, loop.callInGate(() -> loop.sleepGateUninterruptibly(ev)));
    }

    @Test
    @DisplayName("S4 sleeping without holding the gate is a programming error reported at once")
    void sleepWithoutGateIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.sleepGate("x"));
        assertTrue(e.getMessage().contains("requires holding"), e.getMessage());
        assertNull(loop.gateOwner());
    }

    @Test
    @DisplayName("S43 closing the gate, sleeping and runAction are refused at once in primary interrupt context")
    void blockingGateCallsRefusedInPrimaryContext() {
        for (String op : List.of("IOWorkLoop.closeGate", "IOWorkLoop.runAction", "IOWorkLoop.sleepGate")) {
            PrimaryInterruptContextViolation v = assertThrows(PrimaryInterruptContextViolation.class, () ->
                    PrimaryInterruptContext.run("handler of line 3", () -> {
                        switch (op) {
                            case "IOWorkLoop.closeGate": loop.closeGate(); break;
                            case "IOWorkLoop.runAction": loop.runAction(() -> IOReturn.SUCCESS); break;
                            default: loop.sleepGate("x"); break;
                        }
                        return true;
                    }));
            assertEquals(op, v.operation());
            assertEquals("handler of line 3", v.handler());
        }
        assertNull(loop.gateOwner(), "nothing was taken");
        assertTrue(PrimaryInterruptContext.run("h", loop::tryCloseGate), "tryCloseGate never blocks, so it is allowed");
        assertTrue(loop.inGate());
        loop.openGate();
    }
}
