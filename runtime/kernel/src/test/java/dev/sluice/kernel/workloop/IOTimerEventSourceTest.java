package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOTimerEventSource.Priority;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOTimerEventSourceTest {

    static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);

    /** A driver that records where and how often its timeouts ran. */
    static final class Driver {
        final List<String> fired = new CopyOnWriteArrayList<>();
    }

    private final Driver driver = new Driver();
    private IOTimerService timers;
    private IOWorkLoop loop;
    private IOWorkLoop markerLoop;

    @BeforeEach
    void setUp() {
        timers = new IOTimerService();
        loop = IOWorkLoop.create("timer-driver");
        markerLoop = IOWorkLoop.create("timer-marker");
    }

    @AfterEach
    void tearDown() {
        loop.shutdown();
        markerLoop.shutdown();
        timers.close();
    }

    private IOTimerEventSource<Driver> timer(Priority p) {
        IOTimerEventSource<Driver> t = IOTimerEventSource.timerEventSource(driver, (d, s) -> d.fired.add(
                Thread.currentThread().getName() + " inGate=" + s.inGate() + " onThread=" + s.onThread()), timers, p);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(t));
        return t;
    }

    /**
     * Waits until every timer due by now has been handled by the timer thread: a marker timer (on
     * another loop, so it never waits for this loop's gate) with deadline "now" runs after them.
     */
    private void drainTimerThread() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        IOTimerEventSource<String> marker = IOTimerEventSource.timerEventSource("marker", (o, s) -> ran.countDown(), timers);
        markerLoop.addEventSource(marker);
        marker.wakeAtTime(System.nanoTime());
        assertTrue(ran.await(5, TimeUnit.SECONDS), "marker timer ran");
        markerLoop.removeEventSource(marker);
    }

    @Test
    @DisplayName("S45 a passive timer runs its action on the IOTimer thread with the gate closed; a work-loop-priority timer on the loop thread")
    void priorities() {
        IOTimerEventSource<Driver> passive = timer(Priority.PASSIVE);
        assertEquals(IOReturn.SUCCESS, passive.setTimeoutMS(1));
        Await.until("passive fired", () -> driver.fired.size() == 1);
        assertEquals("IOTimer inGate=true onThread=false", driver.fired.get(0));
        assertTrue(loop.eventSources().contains(passive));

        IOTimerEventSource<Driver> onLoop = timer(Priority.WORK_LOOP);
        assertEquals(IOReturn.SUCCESS, onLoop.setTimeoutUS(500));
        Await.until("work-loop timer fired", () -> driver.fired.size() == 2);
        assertEquals("IOWorkLoop-timer-driver inGate=true onThread=true", driver.fired.get(1));
    }

    @Test
    @DisplayName("S46 each arm bumps a generation: a fire that races a re-arm or a disable is suppressed")
    void staleFiresAreSuppressed() throws Exception {
        IOTimerEventSource<Driver> t = timer(Priority.PASSIVE);
        loop.closeGate();
        try {
            t.wakeAtTime(System.nanoTime()); // due now: the timer thread will wait for our gate
            Await.queuedOnGate(loop, timerThread());
            t.setTimeoutMS(HOUR_MS); // re-arm while the first fire waits
        } finally {
            loop.openGate();
        }
        drainTimerThread();
        assertTrue(driver.fired.isEmpty(), "the stale fire did not run the action");
        assertTrue(t.isArmed(), "the re-arm stands");

        loop.closeGate();
        try {
            t.wakeAtTime(System.nanoTime());
            Await.queuedOnGate(loop, timerThread());
            t.disable();
        } finally {
            loop.openGate();
        }
        drainTimerThread();
        assertTrue(driver.fired.isEmpty(), "a fire racing disable() is suppressed");
    }

    @Test
    @DisplayName("S47 cancelTimeout inside the gate guarantees the action does not run, also for a work-loop timer already signalled")
    void cancelInsideGateWins() throws Exception {
        IOTimerEventSource<Driver> t = timer(Priority.WORK_LOOP);
        Await.idle(loop);
        loop.closeGate();
        try {
            t.wakeAtTime(System.nanoTime());
            drainTimerThread(); // the fire has signalled the loop, which now waits for our gate
            Await.queuedOnGate(loop, loop.thread());
            t.cancelTimeout();
        } finally {
            loop.openGate();
        }
        Await.idle(loop);
        assertTrue(driver.fired.isEmpty());
        assertFalse(t.hasDeadline(), "cancel forgets the deadline");
    }

    @Test
    @DisplayName("S48 setTimeout fixes an absolute deadline at call time; one-shot; re-arming replaces; NO_RESOURCES without an action")
    void armingRules() throws Exception {
        IOTimerEventSource<Driver> t = timer(Priority.PASSIVE);
        long before = System.nanoTime();
        t.setTimeoutMS(HOUR_MS);
        long after = System.nanoTime();
        long hour = TimeUnit.HOURS.toNanos(1);
        assertTrue(t.deadline() - (before + hour) >= 0 && (after + hour) - t.deadline() >= 0, "deadline = call time + interval");
        t.setTimeoutNS(0); // replaces the hour-long timeout
        Await.until("fired", () -> driver.fired.size() == 1);
        drainTimerThread();
        assertEquals(1, driver.fired.size(), "one-shot: the replaced arm never fires");
        assertFalse(t.hasDeadline());
        assertFalse(t.isArmed());
        assertEquals(0, timers.pendingCount(), "the replaced arm left nothing in the timer queue");

        long abs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
        assertEquals(IOReturn.SUCCESS, t.wakeAtTime(abs));
        assertEquals(abs, t.deadline());
        Await.until("absolute deadline fired", () -> driver.fired.size() == 2);

        IOTimerEventSource<Driver> noAction = IOTimerEventSource.timerEventSource(driver, null, timers);
        assertEquals(IOReturn.NO_RESOURCES, noAction.setTimeoutMS(1));
        assertEquals(IOReturn.NO_RESOURCES, noAction.wakeAtTime(System.nanoTime()));
    }

    @Test
    @DisplayName("S48 re-arming from inside the action makes a periodic timer")
    void periodicByRearmInAction() {
        AtomicInteger runs = new AtomicInteger();
        IOTimerEventSource<Driver> t = IOTimerEventSource.timerEventSource(driver, (d, s) -> {
            if (runs.incrementAndGet() < 5) {
                assertEquals(IOReturn.SUCCESS, s.setTimeoutUS(200));
            }
        }, timers);
        loop.addEventSource(t);
        t.setTimeoutUS(200);
        Await.until("five periods", () -> runs.get() == 5);
        assertFalse(t.hasDeadline());
    }

    @Test
    @DisplayName("S49 arming needs enabled + deadline + loop: the deadline is kept until add; disable keeps it, enable re-arms and a passed one fires at once")
    void deadlineKeptUntilArmable() throws Exception {
        IOTimerEventSource<Driver> t = IOTimerEventSource.timerEventSource(driver, (d, s) -> d.fired.add("fired"), timers);
        assertEquals(IOReturn.SUCCESS, t.setTimeoutMS(1));
        assertTrue(t.hasDeadline());
        assertFalse(t.isArmed(), "not on a loop: kept, not armed");
        long kept = t.deadline();
        Await.until("deadline passed", () -> System.nanoTime() - kept > 0);
        assertTrue(driver.fired.isEmpty());
        loop.addEventSource(t);
        Await.until("fired once added", () -> driver.fired.size() == 1);

        t.setTimeoutMS(HOUR_MS);
        long deadline = t.deadline();
        t.disable();
        assertFalse(t.isArmed());
        assertTrue(t.hasDeadline());
        assertEquals(deadline, t.deadline(), "disable keeps the deadline");
        t.wakeAtTime(System.nanoTime() - 1); // a passed deadline while disabled
        drainTimerThread();
        assertEquals(1, driver.fired.size(), "nothing fires while disabled");
        t.enable();
        Await.until("passed deadline fires at once on enable", () -> driver.fired.size() == 2);
    }

    @Test
    @DisplayName("S50 a timer action never runs concurrently with itself, at either priority, even with runEventSources callers")
    void neverConcurrentWithItself() {
        for (Priority p : Priority.values()) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            AtomicInteger runs = new AtomicInteger();
            IOTimerEventSource<Driver> t = IOTimerEventSource.timerEventSource(driver, (d, s) -> {
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                if (runs.incrementAndGet() < 200) {
                    s.setTimeoutNS(0);
                }
                inside.decrementAndGet();
            }, timers, p);
            loop.addEventSource(t);
            t.setTimeoutNS(0);
            while (runs.get() < 200) {
                loop.runEventSources(); // another thread scanning the same sources
                Await.until("progress", () -> runs.get() > 0);
            }
            assertEquals(1, maxInside.get(), p + ": never two runs at once");
            loop.removeEventSource(t);
        }
    }

    @Test
    @DisplayName("S45 the IOTimer thread ends when the timer service is closed; arming afterwards reports OFFLINE")
    void serviceCloseEndsThread() {
        IOTimerEventSource<Driver> t = timer(Priority.PASSIVE);
        t.setTimeoutMS(HOUR_MS);
        Thread thread = timerThread();
        timers.close();
        assertFalse(thread.isAlive());
        assertEquals(IOReturn.OFFLINE, t.setTimeoutMS(1));
    }

    private Thread timerThread() {
        return timers.thread();
    }
}
