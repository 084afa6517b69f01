package dev.sluice.drivers.timer;

import dev.sluice.platform.interrupt.InterruptController;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.clock.api.HardwareTimer.Method;
import dev.sluice.drivers.clock.api.HardwareTimer.Wakeup;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.DeviceClock;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.timer.Sp804;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.OSAction;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SP804 driver logic against the SP804 model, with a minimal level-triggered controller in
 * place of the platform nub. Time is a {@link ManualClock}: the test decides when the counter
 * expires, so "not before the delay" is checked on the device's own clock and registers.
 */
class Sp804TimersTest {

    private final InterruptController controller = new InterruptController("test", 2, 1, problem -> { });
    private final IOInterruptProvider nub = controller.provider("timer", new int[] {0, 1});
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private IOWorkLoop loop;
    private Sp804 model;
    private Sp804Timers timers;

    private MmioRegion boot(DeviceClock clock) throws Exception {
        model = Sp804.create(DeviceModelContext.builder("timer@9020000").reg(0x0902_0000L, 0x1000)
                .interrupt(controller.line(0)).interrupt(controller.line(1)).clock(clock)
                .guestMemory(new GuestMemory(0x4000_0000L, 1 << 16)).build());
        loop = IOWorkLoop.create("sp804-test");
        timers = new Sp804Timers("sp804-test", model.mmio(0), nub, 2, loop::addEventSource);
        return model.mmio(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (timers != null) {
            timers.stop();
        }
        callers.shutdownNow();
        if (loop != null) {
            loop.close();
        }
        if (timers != null) {
            timers.close();
        }
        if (model != null) {
            model.close();
        }
        controller.close();
    }

    /** Waits (deadline 10 s) until timer {@code n} has been enabled by a caller. */
    private static void awaitArmed(MmioRegion regs, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((regs.read32((n - 1) * 0x20 + Sp804Timers.CONTROL) & Sp804Timers.CTRL_ENABLE) == 0) {
            assertTrue(System.nanoTime() - deadline < 0, "timer " + n + " was never armed");
            Thread.yield();
        }
    }

    private static long value(MmioRegion regs, int n) {
        return regs.read32((n - 1) * 0x20 + Sp804Timers.VALUE) & 0xFFFF_FFFFL;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    @DisplayName("waitForInterrupt programs a one-shot of the requested ticks and returns only once the device counted them all")
    void returnsAfterTheDelayOnTheDeviceClock(Method method) throws Exception {
        ManualClock clock = new ManualClock();
        MmioRegion regs = boot(clock);
        Future<Wakeup> call = callers.submit(() -> timers.waitForInterrupt(1000, method));
        awaitArmed(regs, 1);
        assertEquals(1000, value(regs, 1), "Load = the delay in 1 MHz ticks");

        clock.advance(999_000);
        assertEquals(1, value(regs, 1));
        assertEquals(0, regs.read32(Sp804Timers.RIS), "no interrupt before the last tick");
        assertFalse(call.isDone(), "the caller cannot have been woken: the device has not expired");

        clock.advance(1_000);
        Wakeup w = call.get(10, TimeUnit.SECONDS);
        assertEquals(method, w.method());
        assertEquals(1, w.timer());
        assertEquals(0, w.valueAtWake(), "the woken caller reads the expired counter");
        assertEquals(1, w.risSeen());
        assertEquals(0, regs.read32(Sp804Timers.RIS), "the interrupt was cleared");
        assertFalse(timers.busy()[0], "the channel was given back");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Method.class, names = {"COMMAND_GATE", "DISPATCH_QUEUE", "OS_ACTION"})
    @DisplayName("two callers waiting at once with the same method: the shorter wait returns while the longer still sleeps")
    void twoWaitersDoNotBlockEachOther(Method method) throws Exception {
        ManualClock clock = new ManualClock();
        MmioRegion regs = boot(clock);
        Future<Wakeup> longer = callers.submit(() -> timers.waitForInterrupt(5000, method));
        awaitArmed(regs, 1);
        Future<Wakeup> shorter = callers.submit(() -> timers.waitForInterrupt(1000, method));
        awaitArmed(regs, 2); // the second caller got in although the first one is asleep

        clock.advance(1_000_000);
        Wakeup s = shorter.get(10, TimeUnit.SECONDS);
        assertEquals(2, s.timer());
        assertEquals(0, s.valueAtWake());
        assertEquals(4000, value(regs, 1), "timer 1 is still counting");
        assertFalse(longer.isDone(), "the longer waiter still sleeps");

        clock.advance(4_000_000);
        Wakeup l = longer.get(10, TimeUnit.SECONDS);
        assertEquals(1, l.timer());
        assertEquals(0, l.valueAtWake());
    }

    @Test
    @DisplayName("a third caller waits for a free counter without spinning and is served when one is given back")
    void thirdCallerWaitsForAFreeCounter() throws Exception {
        ManualClock clock = new ManualClock();
        MmioRegion regs = boot(clock);
        Future<Wakeup> a = callers.submit(() -> timers.waitForInterrupt(1000, Method.COMMAND_GATE));
        awaitArmed(regs, 1);
        Future<Wakeup> b = callers.submit(() -> timers.waitForInterrupt(3000, Method.OS_ACTION));
        awaitArmed(regs, 2);
        Future<Wakeup> c = callers.submit(() -> timers.waitForInterrupt(1000, Method.DISPATCH_QUEUE));

        clock.advance(1_000_000); // a expires; c takes timer 1 and arms it for 1000 ticks
        assertEquals(1, a.get(10, TimeUnit.SECONDS).timer());
        awaitArmed(regs, 1);
        assertEquals(1000, value(regs, 1), "timer 1 re-armed for the third caller");
        clock.advance(1_000_000);
        Wakeup w = c.get(10, TimeUnit.SECONDS);
        assertEquals(1, w.timer());
        assertEquals(0, w.valueAtWake());
        clock.advance(1_000_000);
        assertEquals(2, b.get(10, TimeUnit.SECONDS).timer());
    }

    /** An async wait whose OSAction callback (on the driver's action queue) completes a future. */
    private Sp804Timers.AsyncWait asyncWait(long micros, CompletableFuture<Wakeup> done, AtomicReference<Thread> ranOn) {
        return new Sp804Timers.AsyncWait(micros, OSAction.create(timers.actionQueue(), w -> {
            ranOn.set(Thread.currentThread());
            done.complete(w);
        }));
    }

    @Test
    @DisplayName("seed 000 async callback: waitForInterruptAsync returns at once; the interrupt action frees the counter and invokes the OSAction on its queue")
    void asyncWaitInvokesTheAction() throws Exception {
        ManualClock clock = new ManualClock();
        MmioRegion regs = boot(clock);
        CompletableFuture<Wakeup> done = new CompletableFuture<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        assertEquals(IOReturn.SUCCESS, timers.waitForInterruptAsync(asyncWait(1000, done, ranOn)));
        assertEquals(1000, value(regs, 1), "armed before the call returned");
        clock.advance(999_000);
        assertFalse(done.isDone(), "not invoked before the device counted the whole delay");
        clock.advance(1_000);
        Wakeup w = done.get(10, TimeUnit.SECONDS);
        assertEquals(1, w.timer());
        assertEquals(0, w.valueAtWake());
        assertEquals(1, w.risSeen());
        assertEquals("IODispatchQueue-sp804-test-actions", ranOn.get().getName());
        assertFalse(timers.busy()[0], "the interrupt action gave the counter back");
    }

    @Test
    @DisplayName("async waits beyond the two counters are queued and armed in order on the next free counter; cancel withdraws armed and queued waits")
    void asyncWaitsQueueAndCancel() throws Exception {
        ManualClock clock = new ManualClock();
        MmioRegion regs = boot(clock);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CompletableFuture<Wakeup> first = new CompletableFuture<>();
        CompletableFuture<Wakeup> second = new CompletableFuture<>();
        CompletableFuture<Wakeup> third = new CompletableFuture<>();
        CompletableFuture<Wakeup> fourth = new CompletableFuture<>();
        Sp804Timers.AsyncWait a = asyncWait(1000, first, ranOn);
        Sp804Timers.AsyncWait b = asyncWait(5000, second, ranOn);
        Sp804Timers.AsyncWait c = asyncWait(2000, third, ranOn);
        Sp804Timers.AsyncWait d = asyncWait(3000, fourth, ranOn);
        for (Sp804Timers.AsyncWait w : new Sp804Timers.AsyncWait[] {a, b, c, d}) {
            assertEquals(IOReturn.SUCCESS, timers.waitForInterruptAsync(w));
        }
        assertEquals(1000, value(regs, 1));
        assertEquals(5000, value(regs, 2));
        assertTrue(timers.cancel(d), "the queued fourth wait is withdrawn");

        clock.advance(1_000_000); // a fires; c is armed on timer 1
        assertEquals(1, first.get(10, TimeUnit.SECONDS).timer());
        assertEquals(2000, value(regs, 1), "timer 1 re-armed for the queued wait");
        assertTrue(timers.cancel(b), "the armed second wait is withdrawn");
        assertEquals(0, regs.read32(0x20 + Sp804Timers.CONTROL), "its counter stopped");
        assertFalse(timers.busy()[1], "and given back");
        clock.advance(5_000_000);
        assertEquals(1, third.get(10, TimeUnit.SECONDS).timer());
        assertFalse(second.isDone() || fourth.isDone(), "cancelled waits are never invoked");
        assertFalse(timers.cancel(a), "a fired wait cannot be cancelled");
    }

    @Test
    @DisplayName("with both counters armed, 64 async waits queue and the 65th is refused with BUSY; a freed slot takes a wait again")
    void asyncQueueIsBounded() throws Exception {
        boot(new ManualClock());
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        java.util.List<Sp804Timers.AsyncWait> accepted = new java.util.ArrayList<>();
        for (int i = 0; i < 2 + Sp804Timers.MAX_QUEUED_ASYNC; i++) {
            Sp804Timers.AsyncWait w = asyncWait(1000, new CompletableFuture<>(), ranOn);
            assertEquals(IOReturn.SUCCESS, timers.waitForInterruptAsync(w), "wait " + i);
            accepted.add(w);
        }
        Sp804Timers.AsyncWait refused = asyncWait(1000, new CompletableFuture<>(), ranOn);
        assertEquals(IOReturn.BUSY, timers.waitForInterruptAsync(refused));
        assertFalse(refused.callback.isCancelled(), "a refused wait is the caller's to dispose of");
        assertTrue(timers.cancel(accepted.get(accepted.size() - 1)), "the last queued wait is withdrawn");
        assertEquals(IOReturn.SUCCESS, timers.waitForInterruptAsync(refused), "its slot takes a wait again");
        timers.stop();
        for (Sp804Timers.AsyncWait w : accepted.subList(0, accepted.size() - 1)) {
            assertTrue(w.callback.isCancelled(), "stop cancels every armed and queued wait");
        }
    }

    @Test
    @DisplayName("stopping the timers cancels armed and queued async waits; later ones are refused with OFFLINE")
    void stopCancelsAsyncWaits() throws Exception {
        boot(new ManualClock());
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Sp804Timers.AsyncWait[] waits = new Sp804Timers.AsyncWait[3];
        for (int i = 0; i < waits.length; i++) {
            waits[i] = asyncWait(1000, new CompletableFuture<>(), ranOn);
            assertEquals(IOReturn.SUCCESS, timers.waitForInterruptAsync(waits[i]));
        }
        timers.stop();
        for (Sp804Timers.AsyncWait w : waits) {
            assertTrue(w.callback.isCancelled(), "its action is cancelled");
        }
        assertEquals(IOReturn.OFFLINE, timers.waitForInterruptAsync(asyncWait(1000, new CompletableFuture<>(), ranOn)));
        assertThrows(IllegalArgumentException.class, () -> asyncWait(0, new CompletableFuture<>(), ranOn));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    @DisplayName("withdraw ends an owner's synchronous waits, armed or waiting for a counter, before the device expires; another owner's wait goes on")
    void withdrawEndsAnOwnersSyncWaits(Method method) throws Exception {
        ManualClock clock = new ManualClock();
        MmioRegion regs = boot(clock);
        Sp804Timers.WaitOwner closing = new Sp804Timers.WaitOwner();
        Sp804Timers.WaitOwner staying = new Sp804Timers.WaitOwner();
        Future<Wakeup> armed = callers.submit(() -> timers.waitForInterrupt(5000, method, closing));
        awaitArmed(regs, 1);
        Future<Wakeup> other = callers.submit(() -> timers.waitForInterrupt(5000, Method.COMMAND_GATE, staying));
        awaitArmed(regs, 2);
        Future<Wakeup> queued = callers.submit(() -> timers.waitForInterrupt(1000, method, closing)); // no free counter

        timers.withdraw(closing); // the clock never moves: only the withdrawal can end these waits
        for (Future<Wakeup> f : List.of(armed, queued)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
            assertEquals(Sp804Timers.WITHDRAWN, e.getCause().getMessage());
        }
        assertTrue(closing.withdrawn());
        assertFalse(timers.busy()[0], "the withdrawn wait's counter was given back");
        assertEquals(0, regs.read32(Sp804Timers.CONTROL) & Sp804Timers.CTRL_ENABLE, "and stopped");
        assertThrows(IllegalStateException.class, () -> timers.waitForInterrupt(1000, method, closing),
                "a withdrawn owner's later waits fail at once");

        assertFalse(other.isDone(), "the other owner still waits");
        clock.advance(5_000_000);
        assertEquals(2, other.get(10, TimeUnit.SECONDS).timer());
        Future<Wakeup> again = callers.submit(() -> timers.waitForInterrupt(1000, method, staying));
        awaitArmed(regs, 1);
        clock.advance(1_000_000);
        assertEquals(0, again.get(10, TimeUnit.SECONDS).valueAtWake(), "the freed counter serves the next wait");
    }

    @Test
    @DisplayName("stopping the timers ends a polling wait at once (it spins on RIS, which a stopped counter never raises)")
    void stopEndsAPollingWait() throws Exception {
        MmioRegion regs = boot(new ManualClock());
        Future<Wakeup> polling = callers.submit(() -> timers.waitForInterrupt(5000, Method.POLLING));
        awaitArmed(regs, 1);
        timers.stop();
        ExecutionException e = assertThrows(ExecutionException.class, () -> polling.get(10, TimeUnit.SECONDS));
        assertEquals("timer wait failed: OFFLINE", e.getCause().getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Method.class)
    @DisplayName("on the real clock each method wakes the caller no earlier than the delay after arming")
    void realClockWakeups(Method method) throws Exception {
        try (SystemDeviceClock clock = new SystemDeviceClock()) {
            MmioRegion regs = boot(clock);
            long before = System.nanoTime();
            Wakeup w = timers.waitForInterrupt(2000, method);
            long elapsed = System.nanoTime() - before;
            assertTrue(elapsed >= 2_000_000, "returned after " + elapsed + " ns, before the 2 ms delay");
            assertTrue(w.latencyNanos() >= 0, "latency measured from the expiry: " + w.latencyNanos());
            assertEquals(0, w.valueAtWake());
            assertEquals(0, regs.read32(Sp804Timers.RIS));
            timers.stop();
            loop.close();
            timers.close();
            timers = null;
        }
    }

    @Test
    @DisplayName("delays outside 1..2^32-1 ticks and a missing method are refused")
    void refusesBadArguments() throws Exception {
        boot(new ManualClock());
        assertThrows(IllegalArgumentException.class, () -> timers.waitForInterrupt(0, Method.POLLING));
        assertThrows(IllegalArgumentException.class, () -> timers.waitForInterrupt(1L << 32, Method.POLLING));
        assertThrows(IllegalArgumentException.class, () -> timers.waitForInterrupt(10, null));
    }

    @Test
    @DisplayName("probe's ID check accepts the SP804's PrimeCell IDs and names the first register that differs")
    void idCheck() throws Exception {
        MmioRegion regs = boot(new ManualClock());
        assertNull(Sp804Timers.checkIds(regs));
        MmioRegion zeros = new MmioRegion() {
            @Override public String name() { return "zeros"; }
            @Override public long base() { return 0; }
            @Override public long size() { return 0x1000; }
            @Override public int read8(long o) { return 0; }
            @Override public int read16(long o) { return 0; }
            @Override public int read32(long o) { return 0; }
            @Override public long read64(long o) { return 0; }
            @Override public void write8(long o, int v) { }
            @Override public void write16(long o, int v) { }
            @Override public void write32(long o, int v) { }
            @Override public void write64(long o, long v) { }
        };
        String why = Sp804Timers.checkIds(zeros);
        assertNotNull(why);
        assertTrue(why.contains("0xfe0"), why);
    }
}
