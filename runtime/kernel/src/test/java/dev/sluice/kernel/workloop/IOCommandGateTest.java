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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOCommandGateTest {

    /** Stands for a driver instance, the owner of its event sources. */
    static final class Driver {
        final List<String> calls = new CopyOnWriteArrayList<>();
        boolean done;
    }

    private final Driver driver = new Driver();
    private IOWorkLoop loop;
    private IOCommandGate<Driver> gate;

    @BeforeEach
    void setUp() {
        loop = IOWorkLoop.create("gate-driver");
        gate = IOCommandGate.commandGate(driver, (d, cmd) -> {
            d.calls.add("cmd:" + cmd);
            return IOReturn.SUCCESS;
        });
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(gate));
    }

    @AfterEach
    void tearDown() {
        loop.shutdown();
    }

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Starts a client thread that runs one action through the gate and reports its result. */
    private Spawn<IOReturn> client(String name, AtomicBoolean ran) {
        return Spawn.start(name, () -> gate.runAction(d -> {
            ran.set(true);
            return IOReturn.SUCCESS;
        }));
    }

    @Test
    @DisplayName("S21 a source needs an owner, starts enabled, and its action's first argument is the owner")
    void ownerAndEnabledAtStart() {
        assertThrows(IllegalArgumentException.class, () -> IOCommandGate.commandGate(null));
        IOCommandGate<Driver> fresh = IOCommandGate.commandGate(driver);
        assertTrue(fresh.isEnabled());
        assertSame(driver, fresh.getOwner());
        AtomicReference<Driver> seen = new AtomicReference<>();
        assertEquals(IOReturn.SUCCESS, gate.runAction(d -> {
            seen.set(d);
            return IOReturn.SUCCESS;
        }));
        assertSame(driver, seen.get());
        assertEquals(IOReturn.SUCCESS, gate.runCommand("read"));
        assertEquals(List.of("cmd:read"), driver.calls);
    }

    @Test
    @DisplayName("S22 enable() sets the flag and signals the loop; disable() clears it; detaching from the loop implies disable()")
    void enableSignalsDisableClearsDetachDisables() {
        List<String> log = new CopyOnWriteArrayList<>();
        TestSource src = new TestSource("src", log);
        loop.addEventSource(src);
        src.disable();
        assertFalse(src.isEnabled());
        Await.idle(loop);
        int before = src.checks;
        src.enable();
        assertTrue(src.isEnabled());
        Await.until("a pass caused by enable()", () -> src.checks > before);
        loop.removeEventSource(src);
        assertFalse(src.isEnabled());
    }

    @Test
    @DisplayName("S23 runAction with no action gives BAD_ARGUMENT; a gate not on a loop gives NOT_READY")
    void badArgumentAndNotReady() {
        assertEquals(IOReturn.BAD_ARGUMENT, gate.runAction(null));
        assertEquals(IOReturn.BAD_ARGUMENT, gate.attemptAction(null));
        assertEquals(IOReturn.BAD_ARGUMENT, IOCommandGate.commandGate(driver).runCommand("x"), "no default command");
        IOCommandGate<Driver> loose = IOCommandGate.commandGate(driver, (d, c) -> IOReturn.SUCCESS);
        assertEquals(IOReturn.NOT_READY, loose.runAction(d -> IOReturn.SUCCESS));
        assertEquals(IOReturn.NOT_READY, loose.runCommand("x"));
        assertEquals(IOReturn.NOT_READY, loose.attemptAction(d -> IOReturn.SUCCESS));
    }

    @Test
    @DisplayName("S24 runAction closes the gate recursively, runs on the caller's thread, opens it and returns the action's value")
    void runActionIsRecursiveAndOnCaller() {
        Thread me = Thread.currentThread();
        IOReturn r = loop.runAction(() -> gate.runAction(d -> {
            assertSame(me, Thread.currentThread());
            assertEquals(2, loop.gateHoldCount(), "closed recursively inside an outer runAction");
            return IOReturn.UNSUPPORTED;
        }));
        assertEquals(IOReturn.UNSUPPORTED, r);
        assertEquals(0, loop.gateHoldCount());
    }

    @Test
    @DisplayName("S25 on a disabled gate a client sleeps with the gate released until enable(); the loop thread runs the action anyway")
    void disabledGateMakesClientsWait() {
        gate.disable();
        AtomicBoolean ran = new AtomicBoolean();
        Spawn<IOReturn> client = client("client", ran);
        Await.until("client waits for enable", () -> gate.enableWaiterCount() == 1);
        Await.parked(client.thread);
        assertFalse(ran.get());
        assertTrue(loop.tryCloseGate(), "the waiting client released the gate");
        loop.openGate();

        List<String> log = new CopyOnWriteArrayList<>();
        TestSource onLoop = new TestSource("on-loop", log);
        AtomicReference<IOReturn> fromLoop = new AtomicReference<>();
        onLoop.body = () -> {
            fromLoop.set(gate.runAction(d -> IOReturn.SUCCESS));
            return false;
        };
        loop.addEventSource(onLoop);
        onLoop.signal();
        Await.until("loop thread ran the action on the disabled gate", () -> fromLoop.get() != null);
        assertEquals(IOReturn.SUCCESS, fromLoop.get());
        assertFalse(ran.get(), "the client still waits");

        gate.enable();
        assertEquals(IOReturn.SUCCESS, client.join());
        assertTrue(ran.get());
    }

    @Test
    @DisplayName("S26 an interrupted wait for enable returns ABORTED without running the action (interrupt status kept)")
    void interruptedEnableWaitAborts() {
        gate.disable();
        AtomicBoolean ran = new AtomicBoolean();
        Spawn<String> client = Spawn.start("client", () -> gate.runAction(d -> {
            ran.set(true);
            return IOReturn.SUCCESS;
        }) + " interrupted=" + Thread.currentThread().isInterrupted());
        Await.until("client waits", () -> gate.enableWaiterCount() == 1);
        client.thread.interrupt();
        assertEquals("ABORTED interrupted=true", client.join());
        assertFalse(ran.get());
        assertNull(loop.gateOwner());
    }

    @Test
    @DisplayName("S26 S30 removing a disabled gate wakes its enable-waiters with ABORTED; their actions never run")
    void removalAbortsEnableWaiters() {
        gate.disable();
        AtomicBoolean ran = new AtomicBoolean();
        List<Spawn<IOReturn>> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(client("client-" + i, ran));
        }
        Await.until("three waiters", () -> gate.enableWaiterCount() == 3);
        assertEquals(IOReturn.SUCCESS, loop.removeEventSource(gate));
        for (Spawn<IOReturn> c : clients) {
            assertEquals(IOReturn.ABORTED, c.join());
        }
        assertFalse(ran.get());
        assertNull(gate.getWorkLoop());
    }

    @Test
    @DisplayName("S27 attemptAction: CANNOT_LOCK if another thread holds the gate, NOT_PERMITTED if disabled off the loop thread, else the result")
    void attemptAction() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Spawn<IOReturn> holder = Spawn.start("holder", () -> loop.runAction(() -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return IOReturn.SUCCESS;
        }));
        holding.await();
        assertEquals(IOReturn.CANNOT_LOCK, gate.attemptAction(d -> IOReturn.SUCCESS));
        release.countDown();
        holder.join();

        assertEquals(IOReturn.OFFLINE, gate.attemptAction(d -> IOReturn.OFFLINE));
        assertEquals(IOReturn.OFFLINE, loop.runAction(() -> gate.attemptAction(d -> IOReturn.OFFLINE)), "owner may attempt recursively");
        gate.disable();
        assertEquals(IOReturn.NOT_PERMITTED, gate.attemptAction(d -> IOReturn.SUCCESS));

        TestSource onLoop = new TestSource("on-loop", new CopyOnWriteArrayList<>());
        AtomicReference<IOReturn> fromLoop = new AtomicReference<>();
        onLoop.body = () -> {
            fromLoop.set(gate.attemptAction(d -> IOReturn.SUCCESS));
            return false;
        };
        loop.addEventSource(onLoop);
        onLoop.signal();
        Await.until("loop thread attempted", () -> fromLoop.get() != null);
        assertEquals(IOReturn.SUCCESS, fromLoop.get(), "the loop thread is let through a disabled gate");
    }

    @Test
    @DisplayName("S28 enable() wakes every thread waiting for enable")
    void enableWakesAll() {
        gate.disable();
        AtomicInteger ran = new AtomicInteger();
        List<Spawn<IOReturn>> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(Spawn.start("client-" + i, () -> gate.runAction(d -> {
                ran.incrementAndGet();
                return IOReturn.SUCCESS;
            })));
        }
        Await.until("three waiters", () -> gate.enableWaiterCount() == 3);
        gate.enable();
        for (Spawn<IOReturn> c : clients) {
            assertEquals(IOReturn.SUCCESS, c.join());
        }
        assertEquals(3, ran.get());
    }

    @Test
    @DisplayName("S29 commandSleep requires the gate (clear error otherwise); commandWakeup does not; deadlines and one/all wakeups work")
    void commandSleepAndWakeup() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gate.commandSleep("ev"));
        assertTrue(e.getMessage().contains("commandSleep requires the caller to hold the gate"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> IOCommandGate.commandGate(driver).commandSleep("ev"));

        AtomicReference<SleepResult> timed = new AtomicReference<>();
        gate.runAction(d -> {
            timed.set(gate.commandSleep("never", in(30)));
            return IOReturn.SUCCESS;
        });
        assertEquals(SleepResult.TIMED_OUT, timed.get());

        List<Spawn<SleepResult>> sleepers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AtomicReference<SleepResult> r = new AtomicReference<>();
            sleepers.add(Spawn.start("sleeper-" + i, () -> {
                gate.runAction(d -> {
                    r.set(gate.commandSleep("data", in(5_000)));
                    return IOReturn.SUCCESS;
                });
                return r.get();
            }));
        }
        Await.until("three sleepers", () -> loop.sleeperCount("data") == 3);
        assertFalse(loop.inGate());
        gate.commandWakeup("data", true);
        Await.until("one woken", () -> loop.sleeperCount("data") == 2);
        gate.commandWakeup("data", false);
        for (Spawn<SleepResult> s : sleepers) {
            assertEquals(SleepResult.AWAKENED, s.join());
        }
    }

    @Test
    @DisplayName("S30 removing a gate wakes actions asleep in commandSleep with INTERRUPTED and waits until they have left")
    void removalInterruptsSleepersAndWaitsForActions() throws Exception {
        CountDownLatch mayLeave = new CountDownLatch(1);
        AtomicReference<SleepResult> sleptWith = new AtomicReference<>();
        Spawn<IOReturn> action = Spawn.start("sleeping-action", () -> gate.runAction(d -> {
            sleptWith.set(gate.commandSleep("io-done"));
            try {
                mayLeave.await(); // still inside the action, holding the gate
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return IOReturn.SUCCESS;
        }));
        Await.until("action asleep", () -> loop.sleeperCount("io-done") == 1);
        Spawn<IOReturn> remover = Spawn.start("remover", () -> loop.removeEventSource(gate));
        Await.until("action woken", () -> sleptWith.get() != null);
        assertEquals(SleepResult.INTERRUPTED, sleptWith.get());
        Await.parked(remover.thread);
        assertFalse(remover.isDone(), "removal waits for the running action");
        assertSame(loop, gate.getWorkLoop());
        mayLeave.countDown();
        assertEquals(IOReturn.SUCCESS, remover.join());
        assertEquals(IOReturn.SUCCESS, action.join());
        assertNull(gate.getWorkLoop());
    }

    @Test
    @DisplayName("S30 P5 a gate removed from inside its own action waits for another thread's action asleep in the loop's gate, never for its own")
    void selfRemovalWaitsForOtherThreadsActionsOnly() throws Exception {
        Spawn<IOReturn> sleeper = Spawn.start("sleeping-action", () -> gate.runAction(d -> {
            loop.sleepGate("other-event"); // not this gate's commandSleep: removal does not wake it
            d.calls.add("sleeper left");
            return IOReturn.SUCCESS;
        }));
        Await.until("action asleep in the gate", () -> loop.sleeperCount("other-event") == 1);
        Spawn<IOReturn> remover = Spawn.start("self-remover", () -> gate.runAction(d -> {
            IOReturn removed = loop.removeEventSource(gate);
            d.calls.add("removed " + removed);
            return removed;
        }));
        Await.parked(remover.thread);
        assertFalse(remover.isDone(), "removal waits for the other thread's action");
        assertSame(loop, gate.getWorkLoop());
        loop.wakeupGate("other-event", false);
        assertEquals(IOReturn.SUCCESS, sleeper.join());
        assertEquals(IOReturn.SUCCESS, remover.join(), "its own action on the stack did not hold the removal up");
        assertEquals(List.of("sleeper left", "removed SUCCESS"), driver.calls);
        assertNull(gate.getWorkLoop());
    }

    @Test
    @DisplayName("S31 runAction and runCommand from primary interrupt context are refused at once with a clear error")
    void refusedInPrimaryContext() {
        for (String op : List.of("IOCommandGate.runAction", "IOCommandGate.runCommand")) {
            PrimaryInterruptContextViolation v = assertThrows(PrimaryInterruptContextViolation.class, () ->
                    PrimaryInterruptContext.run("filter of virtio-blk", () -> {
                        if (op.endsWith("runAction")) {
                            gate.runAction(d -> IOReturn.SUCCESS);
                        } else {
                            gate.runCommand("x");
                        }
                        return true;
                    }));
            assertEquals(op, v.operation());
            assertTrue(v.getMessage().contains("filter of virtio-blk"));
        }
        assertTrue(driver.calls.isEmpty());
        assertNull(loop.gateOwner());
    }
}
