package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOWorkLoopWatchdog.Kind;
import dev.sluice.kernel.workloop.IOWorkLoopWatchdog.Report;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOWorkLoopWatchdogTest {

    private final List<Report> reports = new CopyOnWriteArrayList<>();
    private IOWorkLoop loop;
    private IOWorkLoopWatchdog watchdog;

    @BeforeEach
    void setUp() {
        loop = IOWorkLoop.create("watched");
        watchdog = IOWorkLoopWatchdog.start(40, 5, TimeUnit.MILLISECONDS, reports::add);
        watchdog.watch(loop);
    }

    @AfterEach
    void tearDown() {
        watchdog.close();
        loop.shutdown();
    }

    private void waitSamples(int n) {
        long target = watchdog.samples() + n;
        Await.until(n + " more samples", () -> watchdog.samples() >= target);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("P3 S14 the watchdog reports, once, a gate held by a caller's action longer than the budget, naming the owner thread")
    void reportsLongHeldGate() {
        CountDownLatch release = new CountDownLatch(1);
        Spawn<IOReturn> holder = Spawn.start("slow-client", () -> loop.runAction(() -> {
            await(release);
            return IOReturn.SUCCESS;
        }));
        Await.until("a report", () -> !reports.isEmpty());
        waitSamples(3);
        release.countDown();
        holder.join();
        assertEquals(1, reports.size(), "reported once per hold");
        Report r = reports.get(0);
        assertEquals(Kind.GATE_HELD, r.kind());
        assertEquals(List.of(holder.thread), r.threads());
        assertEquals(List.of(loop), r.loops());
        assertTrue(r.durationNanos() >= TimeUnit.MILLISECONDS.toNanos(40), "at least the budget");
        assertTrue(r.message().contains("IOWorkLoop-watched") && r.message().contains("slow-client"), r.message());
        assertTrue(r.stacks().get(0).length > 0);
    }

    @Test
    @DisplayName("P3 the watchdog names the event source whose action runs on the loop thread longer than the budget")
    void reportsLongActionOnLoopThread() {
        CountDownLatch release = new CountDownLatch(1);
        IOInterruptEventSource<String> bell = IOInterruptEventSource.interruptEventSource("stuck-driver",
                (o, s, n) -> await(release));
        loop.addEventSource(bell);
        bell.interruptOccurred();
        Await.until("a report", () -> !reports.isEmpty());
        release.countDown();
        Report r = reports.get(0);
        assertSame(loop.thread(), r.threads().get(0));
        assertTrue(r.message().contains("the action of IOInterruptEventSource(owner stuck-driver, doorbell)"), r.message());
    }

    @Test
    @DisplayName("P3 short, frequent gate holds are never reported")
    void shortHoldsAreNotReported() {
        IOWorkQueueEventSource<String> q = IOWorkQueueEventSource.workQueue("busy");
        loop.addEventSource(q);
        long until = watchdog.samples() + 20;
        while (watchdog.samples() < until) {
            loop.runAction(() -> IOReturn.SUCCESS);
            q.submit(() -> { });
        }
        assertTrue(reports.isEmpty(), () -> "unexpected: " + reports);
    }

    @Test
    @DisplayName("S20 a terminated loop is dropped from the watch list")
    void terminatedLoopsAreDropped() {
        IOWorkLoop other = IOWorkLoop.create("short-lived");
        watchdog.watch(other);
        assertEquals(2, watchdog.watched().size());
        other.shutdown();
        waitSamples(2);
        assertEquals(List.of(loop), watchdog.watched());
    }
}
