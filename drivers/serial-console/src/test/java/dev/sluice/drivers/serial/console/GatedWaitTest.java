package dev.sluice.drivers.serial.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The serial drivers' waits inside a real work loop's gate. */
class GatedWaitTest {

    private final Object event = new Object();
    private IOWorkLoop loop;
    private IOCommandGate<GatedWaitTest> gate;

    @BeforeEach
    void setUp() {
        loop = IOWorkLoop.create("gated-wait-test");
        gate = IOCommandGate.commandGate(this);
        assertSame(IOReturn.SUCCESS, loop.addEventSource(gate));
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    private IOReturn untilDone(long deadline, AtomicBoolean open, java.util.function.BooleanSupplier step) {
        return gate.runAction(self -> GatedWait.untilDone(gate, event, deadline, 0, open::get, step));
    }

    @Test
    @DisplayName("a step that is done at once returns SUCCESS without sleeping")
    void doneAtOnce() {
        AtomicInteger tries = new AtomicInteger();
        assertSame(IOReturn.SUCCESS, untilDone(GatedWait.deadline(10_000), new AtomicBoolean(true),
                () -> tries.incrementAndGet() > 0));
        assertEquals(1, tries.get());
    }

    @Test
    @DisplayName("the waiter sleeps with the gate released and tries again when another thread wakes the event")
    void wokenByAnotherThread() throws Exception {
        AtomicBoolean ready = new AtomicBoolean();
        CountDownLatch asleep = new CountDownLatch(1);
        CompletableFuture<IOReturn> waiter = CompletableFuture.supplyAsync(() -> untilDone(GatedWait.deadline(10_000),
                new AtomicBoolean(true), () -> {
                    asleep.countDown();
                    return ready.get();
                }));
        assertTrue(asleep.await(10, TimeUnit.SECONDS));
        // runAction only gets the gate once the waiter has released it by sleeping
        gate.runAction(self -> {
            ready.set(true);
            gate.commandWakeup(event, false);
            return IOReturn.SUCCESS;
        });
        assertSame(IOReturn.SUCCESS, waiter.get(10, TimeUnit.SECONDS));
    }

    @Test
    @DisplayName("when the deadline passes first the result is SUCCESS with the step still not done")
    void deadlinePasses() {
        AtomicInteger tries = new AtomicInteger();
        assertSame(IOReturn.SUCCESS, untilDone(GatedWait.deadline(20), new AtomicBoolean(true), () -> {
            tries.incrementAndGet();
            return false;
        }));
        assertTrue(tries.get() >= 2, "tried before and after the sleep: " + tries.get());
    }

    @Test
    @DisplayName("a closed port gives OFFLINE, and transferred() turns that into an error naming the operation and the port")
    void closedPort() {
        IOReturn r = untilDone(GatedWait.deadline(10_000), new AtomicBoolean(false), () -> false);
        assertSame(IOReturn.OFFLINE, r);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GatedWait.transferred(r, 0, false, "read", "ttyS0"));
        assertTrue(e.getMessage().contains("read on ttyS0") && e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    @DisplayName("an interrupted waiter gets ABORTED, and transferred() returns the count with the interrupt status set again")
    void interruptedWaiter() {
        Thread.currentThread().interrupt();
        IOReturn r = untilDone(GatedWait.deadline(10_000), new AtomicBoolean(true), () -> false);
        assertSame(IOReturn.ABORTED, r);
        assertFalse(Thread.currentThread().isInterrupted(), "the sleep consumed the interrupt");
        assertEquals(3, GatedWait.transferred(r, 3, true, "write", "ttyS0"));
        assertTrue(Thread.interrupted(), "given back to the caller");
    }
}
