package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOInterruptEventSourceTest {

    static final int EDGE = 0;
    static final int LEVEL = 1;

    /** A driver whose action records each call's count and what it saw. */
    static final class Driver {
        final List<String> calls = new CopyOnWriteArrayList<>();
    }

    private final Driver driver = new Driver();
    private TestInterruptController pic;
    private IOWorkLoop loop;

    @BeforeEach
    void setUp() {
        pic = new TestInterruptController(2, InterruptType.EDGE, InterruptType.LEVEL);
        loop = IOWorkLoop.create("irq-driver");
    }

    @AfterEach
    void tearDown() throws Exception {
        loop.shutdown();
        pic.close();
        assertTrue(pic.faults.isEmpty(), () -> "handler faults: " + pic.faults);
    }

    private IOInterruptEventSource<Driver> source(int line, IOInterruptEventSource.Action<Driver> action) {
        IOInterruptEventSource<Driver> s = IOInterruptEventSource.interruptEventSource(driver, action, pic, line);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(s));
        return s;
    }

    private IOInterruptEventSource<Driver> recording(int line) {
        return source(line, (d, src, n) -> d.calls.add("count=" + n + " thread=" + Thread.currentThread().getName()
                + " inGate=" + src.inGate()));
    }

    private void raiseAndWaitDelivered(int line) {
        long before = pic.deliveries(line);
        pic.causeInterrupt(line);
        Await.until("delivery on line " + line, () -> pic.deliveries(line) > before);
    }

    @Test
    @DisplayName("S32 creation fails for a negative index, an index the provider lacks, or a refused registration")
    void creationFailures() {
        assertThrows(IllegalArgumentException.class,
                () -> IOInterruptEventSource.interruptEventSource(driver, (d, s, n) -> { }, pic, -1));
        IOReturnException noLine = assertThrows(IOReturnException.class,
                () -> IOInterruptEventSource.interruptEventSource(driver, (d, s, n) -> { }, pic, 7));
        assertEquals(IOReturn.BAD_ARGUMENT, noLine.result());
        pic.refuseRegistrationsWith = IOReturn.BUSY;
        IOReturnException busy = assertThrows(IOReturnException.class,
                () -> IOInterruptEventSource.interruptEventSource(driver, (d, s, n) -> { }, pic, EDGE));
        assertEquals(IOReturn.BUSY, busy.result());
        assertEquals(0, pic.registrations(EDGE));
    }

    @Test
    @DisplayName("S33 S34 the primary handler (level: masks first) counts and signals; the loop thread calls the action once with the count")
    void primaryThenSecondary() {
        IOInterruptEventSource<Driver> src = recording(LEVEL);
        src.enable();
        assertFalse(pic.isMasked(LEVEL));
        loop.closeGate(); // hold the loop off so we can look between the halves
        try {
            pic.assertLine(LEVEL);
            Await.until("primary handler ran", () -> pic.deliveries(LEVEL) == 1);
            assertTrue(pic.isMasked(LEVEL), "level line masked by the primary handler");
            assertTrue(driver.calls.isEmpty(), "the action waits for the loop");
            pic.deassertLine(LEVEL); // the device is serviced before the action in this test
        } finally {
            loop.openGate();
        }
        Await.until("action ran", () -> driver.calls.size() == 1);
        assertEquals("count=1 thread=IOWorkLoop-irq-driver inGate=true", driver.calls.get(0));
        Await.until("line unmasked after the action", () -> !pic.isMasked(LEVEL));
        loop.closeGate();
        try {
            assertFalse(src.checkForWork(), "S34 never asks for a rescan, even with nothing to do");
        } finally {
            loop.openGate();
        }
    }

    @Test
    @DisplayName("S35 k interrupts before the loop runs coalesce into one call with count k; interrupts during the action give a later call")
    void coalescing() {
        AtomicBoolean first = new AtomicBoolean(true);
        IOInterruptEventSource<Driver> src = source(EDGE, (d, s, n) -> {
            d.calls.add("count=" + n);
            if (first.getAndSet(false)) {
                raiseAndWaitDelivered(EDGE);
                raiseAndWaitDelivered(EDGE);
            }
        });
        src.enable();
        loop.closeGate();
        try {
            for (int i = 0; i < 5; i++) {
                raiseAndWaitDelivered(EDGE);
            }
        } finally {
            loop.openGate();
        }
        Await.until("two calls", () -> driver.calls.size() == 2);
        assertEquals(List.of("count=5", "count=2"), driver.calls);
    }

    @Test
    @DisplayName("S35 counts survive wrap-around of the 32-bit producer and consumer counts")
    void wrapAround() {
        IOInterruptEventSource<Driver> src = source(EDGE, (d, s, n) -> d.calls.add("count=" + n));
        loop.runAction(() -> { // the counts belong to the gate
            src.presetCounts(Integer.MAX_VALUE - 1);
            return IOReturn.SUCCESS;
        });
        src.enable();
        loop.closeGate();
        try {
            for (int i = 0; i < 3; i++) {
                raiseAndWaitDelivered(EDGE);
            }
        } finally {
            loop.openGate();
        }
        Await.until("a call", () -> !driver.calls.isEmpty());
        Await.idle(loop);
        assertEquals(List.of("count=3"), driver.calls);
    }

    @Test
    @DisplayName("S36 a level line stays masked until the action returns, then is unmasked unless the driver disabled the source")
    void levelMaskedDuringAction() {
        List<Boolean> maskedInAction = new CopyOnWriteArrayList<>();
        AtomicBoolean disableInAction = new AtomicBoolean();
        IOInterruptEventSource<Driver> src = source(LEVEL, (d, s, n) -> {
            maskedInAction.add(pic.isMasked(LEVEL));
            pic.deassertLine(LEVEL); // service the device
            if (disableInAction.get()) {
                s.disable();
            }
            d.calls.add("count=" + n);
        });
        src.enable();
        pic.assertLine(LEVEL);
        Await.until("action", () -> driver.calls.size() == 1);
        Await.until("unmasked after the action", () -> !pic.isMasked(LEVEL));
        assertEquals(List.of(true), maskedInAction);

        disableInAction.set(true);
        pic.assertLine(LEVEL);
        Await.until("second action", () -> driver.calls.size() == 2);
        Await.idle(loop);
        assertTrue(pic.isMasked(LEVEL), "the driver disabled the source: the line stays masked");
        assertEquals(List.of(true, true), maskedInAction);
    }

    @Test
    @DisplayName("S37 lines start disabled until the driver enables its source; disable() masks the line again")
    void linesStartDisabled() {
        IOInterruptEventSource<Driver> src = recording(EDGE);
        assertTrue(src.isEnabled(), "S21 the source flag starts enabled");
        assertTrue(pic.isMasked(EDGE), "but the provider line stays masked until enable()");
        pic.causeInterrupt(EDGE);
        assertTrue(pic.isPending(EDGE));
        assertEquals(0, pic.deliveries(EDGE));
        src.enable();
        Await.until("held interrupt delivered on enable", () -> driver.calls.size() == 1);
        src.disable();
        assertTrue(pic.isMasked(EDGE));
        assertFalse(src.isEnabled());
    }

    @Test
    @DisplayName("S37 a disabled source keeps the interrupts it counted; enabling it runs the action for them")
    void aDisabledSourceKeepsItsCounts() {
        IOInterruptEventSource<Driver> src = recording(EDGE);
        src.enable();
        loop.closeGate(); // the loop thread cannot run the source meanwhile
        try {
            raiseAndWaitDelivered(EDGE);
            raiseAndWaitDelivered(EDGE);
            src.disable();
        } finally {
            loop.openGate();
        }
        loop.runEventSources(); // the secondary half runs once while the source is disabled
        assertTrue(driver.calls.isEmpty(), "no action while disabled: " + driver.calls);
        src.enable();
        Await.until("the kept interrupts' action", () -> driver.calls.size() == 1);
        assertTrue(driver.calls.get(0).startsWith("count=2 "), driver.calls.get(0));
    }

    @Test
    @DisplayName("S39 a source removed with edge interrupts counted but not handled hands them back to the provider, and the next source gets them")
    void removalHandsUnhandledEdgesBack() {
        IOInterruptEventSource<Driver> old = recording(EDGE);
        old.enable();
        loop.closeGate();
        try {
            for (int i = 0; i < 3; i++) {
                raiseAndWaitDelivered(EDGE);
            }
            old.disable();
            assertEquals(IOReturn.SUCCESS, loop.removeEventSource(old));
        } finally {
            loop.openGate();
        }
        assertEquals(3, pic.requeued(EDGE), "every counted, unhandled interrupt is handed back");
        assertTrue(driver.calls.isEmpty(), "the old driver never handled them");
        assertTrue(pic.isPending(EDGE), "pending on the line while nobody is registered");
        Driver next = new Driver();
        IOInterruptEventSource<Driver> successor = IOInterruptEventSource.interruptEventSource(next,
                (d, s, n) -> d.calls.add("count=" + n), pic, EDGE);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(successor));
        successor.enable();
        Await.until("the successor's action", () -> !next.calls.isEmpty());
        assertEquals(0, pic.requeued(LEVEL));
    }

    @Test
    @DisplayName("S38 a source without a provider is a doorbell: interruptOccurred() from any thread, even primary context, runs the action on the loop")
    void doorbell() {
        IOInterruptEventSource<Driver> bell = IOInterruptEventSource.interruptEventSource(driver,
                (d, s, n) -> d.calls.add("thread=" + Thread.currentThread().getName()));
        assertEquals(-1, bell.getIntIndex());
        loop.addEventSource(bell);
        Spawn.run("ringer", bell::interruptOccurred).join();
        Await.until("first ring", () -> driver.calls.size() == 1);
        PrimaryInterruptContext.run("some primary handler", () -> {
            bell.interruptOccurred();
            return true;
        });
        Await.until("second ring", () -> driver.calls.size() == 2);
        assertEquals(List.of("thread=IOWorkLoop-irq-driver", "thread=IOWorkLoop-irq-driver"), driver.calls);
    }

    @Test
    @DisplayName("S39 removing the source unregisters its handler; adding it back registers it again")
    void removeUnregistersAddReregisters() {
        IOInterruptEventSource<Driver> src = recording(EDGE);
        assertEquals(1, pic.registrations(EDGE));
        loop.removeEventSource(src);
        assertEquals(0, pic.registrations(EDGE));
        assertFalse(src.isRegistered());
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(src));
        assertEquals(1, pic.registrations(EDGE));
        assertTrue(pic.isMasked(EDGE), "registered again, disabled until the driver enables it");
        src.enable();
        raiseAndWaitDelivered(EDGE);
        Await.until("action after re-adding", () -> driver.calls.size() == 1);

        loop.removeEventSource(src);
        pic.refuseRegistrationsWith = IOReturn.NO_RESOURCES;
        assertEquals(IOReturn.NO_RESOURCES, loop.addEventSource(src), "a refused re-registration fails the add");
        assertEquals(null, src.getWorkLoop());
    }
}
