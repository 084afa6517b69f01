package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.workloop.IOWorkLoopWatchdog.Kind;
import dev.sluice.kernel.workloop.IOWorkLoopWatchdog.Report;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

/** The classic traps of this driver model, reproduced (SEMANTICS P1-P6). */
@Timeout(30)
class PitfallsTest {

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private IOWorkLoop loop;

    @BeforeEach
    void setUp() {
        loop = IOWorkLoop.create("pitfall", IOWorkLoop.Options.defaults()
                .withErrorHandler((src, t) -> errors.add(src + ": " + t)));
    }

    @AfterEach
    void tearDown() {
        loop.shutdown();
        assertTrue(errors.isEmpty(), () -> "action failures: " + errors);
    }

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A driver waiting for an I/O to finish: the flag and the event it sleeps on. */
    static final class Disk {
        volatile boolean done;
    }

    // ------------------------------------------------------------------------------------- P1

    @Test
    @DisplayName("P1 negative control: testing the flag outside the gate loses a wakeup that lands between test and sleep; the sleeper times out")
    void naiveFlagOutsideGateLosesWakeup() throws Exception {
        Disk disk = new Disk();
        IOCommandGate<Disk> gate = IOCommandGate.commandGate(disk);
        loop.addEventSource(gate);
        CountDownLatch flagTested = new CountDownLatch(1);
        CountDownLatch wakerDone = new CountDownLatch(1);
        Spawn<SleepResult> sleeper = Spawn.start("naive-sleeper", () -> {
            if (!disk.done) {                 // (1) flag tested outside the gate
                flagTested.countDown();
                wakerDone.await();            // the window between test and sleep, held open
                AtomicReference<SleepResult> r = new AtomicReference<>();
                gate.runAction(d -> {
                    r.set(gate.commandSleep(disk, in(200)));  // (3) sleeps: the wakeup is gone
                    return IOReturn.SUCCESS;
                });
                return r.get();
            }
            return SleepResult.AWAKENED;
        });
        flagTested.await();
        disk.done = true;                     // (2) the interrupt: set the flag, wake (no sleeper yet)
        gate.commandWakeup(disk, true);
        wakerDone.countDown();
        assertEquals(SleepResult.TIMED_OUT, sleeper.join(), "the naive pattern lost the wakeup (S6: wakeups are not stored)");
    }

    @Test
    @DisplayName("P1 S5 the correct pattern (flag set inside the gate, while(!done) commandSleep) never loses a wakeup")
    void flagInsideGateNeverLosesWakeup() throws Exception {
        // First the same interleaving the naive test forced: the waker arrives between test and sleep.
        Disk disk = new Disk();
        IOCommandGate<Disk> gate = IOCommandGate.commandGate(disk);
        loop.addEventSource(gate);
        CountDownLatch flagTested = new CountDownLatch(1);
        Spawn<IOReturn> sleeper = Spawn.start("sleeper", () -> gate.runAction(d -> {
            while (!d.done) {
                flagTested.countDown();
                // the waker is now blocked on the gate: it cannot slip between test and sleep
                if (gate.commandSleep(d, in(5_000)) == SleepResult.TIMED_OUT) {
                    return IOReturn.TIMEOUT;
                }
            }
            return IOReturn.SUCCESS;
        }));
        flagTested.await();
        Spawn<IOReturn> waker = Spawn.start("waker", () -> gate.runAction(d -> {
            d.done = true;
            gate.commandWakeup(d, true);
            return IOReturn.SUCCESS;
        }));
        assertEquals(IOReturn.SUCCESS, sleeper.join());
        assertEquals(IOReturn.SUCCESS, waker.join());

        // Then many rounds with the waker let go at random moments.
        int timeouts = 0;
        for (int round = 0; round < 300; round++) {
            Disk dk = new Disk();
            IOCommandGate<Disk> g = IOCommandGate.commandGate(dk);
            loop.addEventSource(g);
            CountDownLatch go = new CountDownLatch(1);
            int spin = ThreadLocalRandom.current().nextInt(2_000);
            Spawn<IOReturn> w = Spawn.start("waker-" + round, () -> {
                go.await();
                for (int i = 0; i < spin; i++) {
                    Thread.onSpinWait();
                }
                return g.runAction(d -> {
                    d.done = true;
                    g.commandWakeup(d, true);
                    return IOReturn.SUCCESS;
                });
            });
            go.countDown();
            IOReturn r = g.runAction(d -> {
                while (!d.done) {
                    if (g.commandSleep(d, in(5_000)) == SleepResult.TIMED_OUT) {
                        return IOReturn.TIMEOUT;
                    }
                }
                return IOReturn.SUCCESS;
            });
            if (r != IOReturn.SUCCESS) {
                timeouts++;
            }
            w.join();
            loop.removeEventSource(g);
        }
        assertEquals(0, timeouts, "no lost wakeup in 300 racing rounds");
    }

    // ------------------------------------------------------------------------------------- P2

    /** A completion callback, as a client hands it to an asynchronous driver call. */
    interface Completion {
        void complete(int status);
    }

    /** A client issuing a chain of asynchronous reads, each leg started from the previous completion. */
    static final class ChainingClient {
        final Semaphore clientLock = new Semaphore(1); // the client's own, non-recursive lock
        final AtomicInteger depth = new AtomicInteger();
        final AtomicInteger maxDepth = new AtomicInteger();
        final List<Thread> completionThreads = new CopyOnWriteArrayList<>();
        final AtomicInteger wouldDeadlock = new AtomicInteger();
        final CountDownLatch finished = new CountDownLatch(1);
        volatile int remaining;
    }

    /**
     * Issues one leg: takes the client's lock, calls the driver's read, releases the lock. A leg
     * that cannot get the lock within 50 ms counts as a deadlock and goes on without it, so that
     * the negative control ends instead of hanging.
     */
    private void chain(ChainingClient c, Consumer<Completion> read) {
        boolean locked;
        try {
            locked = c.clientLock.tryAcquire(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!locked) {
            c.wouldDeadlock.incrementAndGet();
        }
        try {
            read.accept(status -> {
                c.maxDepth.accumulateAndGet(c.depth.incrementAndGet(), Math::max);
                c.completionThreads.add(Thread.currentThread());
                if (--c.remaining > 0) {
                    chain(c, read); // the next leg, started from the completion
                } else {
                    c.finished.countDown();
                }
                c.depth.decrementAndGet();
            });
        } finally {
            if (locked) {
                c.clientLock.release();
            }
        }
    }

    @Test
    @DisplayName("P2 completing on the caller's thread deadlocks on the caller's lock and recurses one frame per chained request")
    void completingOnCallersThread() {
        ChainingClient c = new ChainingClient();
        c.remaining = 5;
        chain(c, completion -> completion.complete(0)); // the bug: complete() before read returns
        assertEquals(4, c.wouldDeadlock.get(), "every chained leg found the client's lock held by its own caller: a deadlock");
        assertEquals(5, c.maxDepth.get(), "each chained request nested one level deeper");
        assertTrue(c.completionThreads.stream().allMatch(t -> t == Thread.currentThread()));
    }

    @Test
    @DisplayName("P2 completion through a doorbell runs on the loop thread, never on the submitter's stack: no deadlock, no recursion")
    void completingThroughDoorbell() throws Exception {
        ChainingClient c = new ChainingClient();
        c.remaining = 5;
        List<Completion> pending = new CopyOnWriteArrayList<>();
        IOInterruptEventSource<List<Completion>> doorbell = IOInterruptEventSource.interruptEventSource(pending,
                (list, src, n) -> {
                    while (!list.isEmpty()) {
                        list.remove(0).complete(0);
                    }
                });
        loop.addEventSource(doorbell);
        Thread submitter = Thread.currentThread();
        chain(c, completion -> {
            pending.add(completion);
            doorbell.interruptOccurred(); // hand the completion to the loop
        });
        assertTrue(c.finished.await(5, TimeUnit.SECONDS));
        assertEquals(0, c.wouldDeadlock.get(), "every leg got the client's lock: no deadlock");
        assertEquals(1, c.maxDepth.get(), "no recursion");
        assertTrue(c.completionThreads.stream().allMatch(t -> t == loop.thread()));
        assertFalse(c.completionThreads.contains(submitter));
    }

    // ------------------------------------------------------------------------------------- P3

    @Test
    @DisplayName("P3 an interrupt action that blocks for T delays every other source on its loop by about T; its level line stays masked throughout")
    void blockingActionDelaysTheLoop(TestReporter reporter) throws Exception {
        final int level = 0;
        final long blockMillis = 150;
        try (TestInterruptController pic = new TestInterruptController(1, InterruptType.LEVEL)) {
            CountDownLatch aStarted = new CountDownLatch(1);
            CountDownLatch neverReleased = new CountDownLatch(1);
            AtomicLong aStart = new AtomicLong();
            AtomicLong aEnd = new AtomicLong();
            List<Boolean> maskedDuringA = new CopyOnWriteArrayList<>();
            AtomicLong deliveriesDuringA = new AtomicLong(-1);
            IOInterruptEventSource<String> a = IOInterruptEventSource.interruptEventSource("slow-driver", (o, s, n) -> {
                aStart.set(System.nanoTime());
                maskedDuringA.add(pic.isMasked(level));
                aStarted.countDown();
                try {
                    neverReleased.await(blockMillis, TimeUnit.MILLISECONDS); // blocks, e.g. on a device reply
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                maskedDuringA.add(pic.isMasked(level));
                deliveriesDuringA.set(pic.deliveries(level));
                pic.deassertLine(level);
                aEnd.set(System.nanoTime());
            }, pic, level);
            AtomicLong bRan = new AtomicLong();
            IOInterruptEventSource<String> b = IOInterruptEventSource.interruptEventSource("other-driver",
                    (o, s, n) -> bRan.set(System.nanoTime()));
            loop.addEventSource(a);
            loop.addEventSource(b);
            a.enable();
            pic.assertLine(level);
            aStarted.await();
            long rung = System.nanoTime();
            b.interruptOccurred();
            pic.assertLine(level); // the device keeps its line up meanwhile: no new delivery while masked
            Await.until("B ran", () -> bRan.get() != 0);
            long delay = bRan.get() - rung;
            reporter.publishEntry("P3 delay of the other source (ms)", String.valueOf(TimeUnit.NANOSECONDS.toMillis(delay)));
            assertTrue(bRan.get() - aEnd.get() >= 0, "B ran only after A's action returned");
            assertTrue(delay >= aStart.get() + TimeUnit.MILLISECONDS.toNanos(blockMillis) - rung,
                    "B waited for (nearly) the whole blocking time: " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms");
            assertEquals(List.of(true, true), maskedDuringA, "masked at the start and at the end of the action");
            assertEquals(1, deliveriesDuringA.get(), "the re-asserted line was not delivered while masked");
            Await.until("line unmasked after the action", () -> !pic.isMasked(level));
        }
    }

    // ------------------------------------------------------------------------------------- P4

    @Test
    @DisplayName("P4 a client's command gate on its provider's loop re-enters the gate from the provider's action without deadlock")
    void clientGateOnProviderLoopReenters() {
        IOCommandGate<String> clientGate = IOCommandGate.commandGate("client");
        loop.addEventSource(clientGate);
        AtomicReference<String> seen = new AtomicReference<>();
        IOInterruptEventSource<String> provider = IOInterruptEventSource.interruptEventSource("provider", (o, s, n) -> {
            // Up call: the provider's interrupt action notifies the client, which goes through its gate.
            IOReturn r = clientGate.runAction(c -> {
                seen.set(c + " ran with hold count " + loop.gateHoldCount() + " on " + Thread.currentThread().getName());
                return IOReturn.SUCCESS;
            });
            assertEquals(IOReturn.SUCCESS, r);
        });
        loop.addEventSource(provider);
        provider.interruptOccurred();
        Await.until("client action ran", () -> seen.get() != null);
        assertEquals("client ran with hold count 2 on IOWorkLoop-pitfall", seen.get());
        // Down call: the client's thread goes through its gate and calls the provider's loop.
        assertEquals(IOReturn.SUCCESS, clientGate.runAction(c -> loop.runAction(() -> IOReturn.SUCCESS)));
    }

    @Test
    @DisplayName("P4 two loops whose actions call into each other deadlock, and the watchdog reports the cycle naming both loops and threads")
    void crossLoopDeadlockIsReported() throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (IOWorkLoop other = IOWorkLoop.create("pitfall-other");
             IOWorkLoopWatchdog watchdog = IOWorkLoopWatchdog.start(10_000, 5, TimeUnit.MILLISECONDS, reports::add)) {
            watchdog.watch(loop);
            watchdog.watch(other);
            CountDownLatch bothInside = new CountDownLatch(2);
            // Real drivers would call runAction (uninterruptible); the test takes the second gate
            // interruptibly only so that it can break the deadlock afterwards.
            Spawn<String> t1 = Spawn.start("driver-A", () -> loop.callInGate(() -> crossInto(other, bothInside)));
            Spawn<String> t2 = Spawn.start("driver-B", () -> other.callInGate(() -> crossInto(loop, bothInside)));
            Await.until("deadlock reported", () -> reports.stream().anyMatch(r -> r.kind() == Kind.DEADLOCK));
            Report r = reports.stream().filter(x -> x.kind() == Kind.DEADLOCK).findFirst().orElseThrow();
            assertEquals(2, r.threads().size());
            assertTrue(r.threads().containsAll(List.of(t1.thread, t2.thread)));
            assertTrue(r.loops().containsAll(List.of(loop, other)));
            assertTrue(r.message().contains("driver-A holds the gate of IOWorkLoop-pitfall and waits for the gate of IOWorkLoop-pitfall-other"),
                    r.message());
            assertTrue(r.message().contains("driver-B holds the gate of IOWorkLoop-pitfall-other and waits for the gate of IOWorkLoop-pitfall"),
                    r.message());
            t1.thread.interrupt(); // break the cycle
            assertEquals("interrupted", t1.join());
            assertEquals("crossed", t2.join());
            assertEquals(1, reports.stream().filter(x -> x.kind() == Kind.DEADLOCK).count(), "reported once");
        }
    }

    private static String crossInto(IOWorkLoop target, CountDownLatch bothInside) {
        bothInside.countDown();
        await(bothInside);
        try {
            target.closeGateInterruptibly();
        } catch (InterruptedException e) {
            return "interrupted";
        }
        target.openGate();
        return "crossed";
    }

    // ------------------------------------------------------------------------------------- P5

    @Test
    @DisplayName("P5 a source that removes itself inside its own action stays valid until the action returns; the scan goes on safely")
    void sourceRemovesItselfInItsAction() throws Exception {
        try (TestInterruptController pic = new TestInterruptController(1, InterruptType.LEVEL)) {
            List<String> log = new CopyOnWriteArrayList<>();
            AtomicReference<String> afterRemoval = new AtomicReference<>();
            IOInterruptEventSource<String> self = IOInterruptEventSource.interruptEventSource("self-removing", (o, s, n) -> {
                assertEquals(IOReturn.SUCCESS, s.getWorkLoop().removeEventSource(s));
                pic.deassertLine(0);
                // Still usable after its removal, until the action returns:
                afterRemoval.set(s.getOwner() + " count=" + n + " loop=" + s.getWorkLoop() + " enabled=" + s.isEnabled());
            }, pic, 0);
            TestSource next = new TestSource("next", log);
            loop.addEventSource(self);
            loop.addEventSource(next);
            self.enable();
            Await.idle(loop);
            pic.assertLine(0);
            Await.until("action ran", () -> afterRemoval.get() != null);
            Await.until("the next source was still checked", () -> log.contains("next"));
            assertEquals("self-removing count=1 loop=null enabled=false", afterRemoval.get());
            Await.idle(loop);
            assertEquals(0, pic.registrations(0), "unregistered; the post-action unmask did not touch a stale registration");
            assertTrue(pic.faults.isEmpty());
            assertEquals(List.of(next), loop.eventSources());
        }

        IOCommandGate<String> gate = IOCommandGate.commandGate("self-removing-gate");
        loop.addEventSource(gate);
        IOReturn r = gate.runAction(o -> {
            IOReturn removed = loop.removeEventSource(gate); // does not wait for this very action
            return removed == IOReturn.SUCCESS && gate.getWorkLoop() == null ? IOReturn.SUCCESS : IOReturn.ERROR;
        });
        assertEquals(IOReturn.SUCCESS, r);
        assertThrows(IllegalStateException.class, () -> gate.commandSleep("x"), "off the loop: commandSleep is an error");
    }

    // ------------------------------------------------------------------------------------- P6

    @Test
    @DisplayName("P6 S47 a timer whose fire is blocked on the gate and is cancelled inside the gate does not run")
    void timerCancelledWhileFireWaitsForGate() throws Exception {
        try (IOTimerService timers = new IOTimerService(); IOWorkLoop markerLoop = IOWorkLoop.create("pitfall-marker")) {
            AtomicInteger ran = new AtomicInteger();
            IOTimerEventSource<String> t = IOTimerEventSource.timerEventSource("watchdog-timer", (o, s) -> ran.incrementAndGet(), timers);
            loop.addEventSource(t);
            loop.runAction(() -> {
                t.setTimeoutNS(0);
                Await.queuedOnGate(loop, timers.thread()); // the fire waits for our gate
                t.cancelTimeout();
                return IOReturn.SUCCESS;
            });
            CountDownLatch markerRan = new CountDownLatch(1);
            IOTimerEventSource<String> marker = IOTimerEventSource.timerEventSource("marker", (o, s) -> markerRan.countDown(), timers);
            markerLoop.addEventSource(marker);
            marker.setTimeoutNS(0);
            assertTrue(markerRan.await(5, TimeUnit.SECONDS), "the timer thread got past the cancelled fire");
            assertEquals(0, ran.get(), "the cancelled timer did not run");
            assertNotSame(Thread.currentThread(), timers.thread());
            assertNull(loop.gateOwner());
            assertSame(loop, t.getWorkLoop());
        }
    }
}
