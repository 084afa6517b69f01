package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOFilterInterruptEventSourceTest {

    static final int SHARED_LEVEL = 0;
    static final int SHARED_EDGE = 1;

    /** A driver on a shared line: its device has a status bit the filter reads. */
    static final class Driver {
        final String name;
        final List<String> log;
        volatile boolean statusBit;

        Driver(String name, List<String> log) {
            this.name = name;
            this.log = log;
        }
    }

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Driver a = new Driver("a", log);
    private final Driver b = new Driver("b", log);
    private TestInterruptController pic;
    private IOWorkLoop loopA;
    private IOWorkLoop loopB;

    @BeforeEach
    void setUp() {
        pic = new TestInterruptController(2, InterruptType.LEVEL, InterruptType.EDGE);
        loopA = IOWorkLoop.create("drv-a");
        loopB = IOWorkLoop.create("drv-b");
    }

    @AfterEach
    void tearDown() throws Exception {
        loopA.shutdown();
        loopB.shutdown();
        pic.close();
    }

    /** Filter: claims when its device's status bit is set, noting where it ran. */
    private static boolean filter(Driver d, IOFilterInterruptEventSource<Driver> s) {
        d.log.add("filter " + d.name + " on " + Thread.currentThread().getName()
                + " primary=" + PrimaryInterruptContext.isActive());
        return d.statusBit;
    }

    private IOFilterInterruptEventSource<Driver> attach(Driver d, IOWorkLoop loop, int line,
                                                        IOInterruptEventSource.Action<Driver> action) {
        IOFilterInterruptEventSource<Driver> s = IOFilterInterruptEventSource.filterInterruptEventSource(
                d, action, IOFilterInterruptEventSourceTest::filter, pic, line);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(s));
        s.enable();
        return s;
    }

    @Test
    @DisplayName("S40 a filter is required")
    void filterRequired() {
        assertThrows(IllegalArgumentException.class, () -> IOFilterInterruptEventSource.filterInterruptEventSource(
                a, (d, s, n) -> { }, null, pic, SHARED_LEVEL));
        assertEquals(0, pic.registrations(SHARED_LEVEL));
    }

    @Test
    @DisplayName("S41 the filter runs in primary context for every sharer in registration order; true counts and signals, false counts nothing and leaves the line enabled")
    void filtersInOrderClaimOrNot() {
        IOFilterInterruptEventSource<Driver> sa = attach(a, loopA, SHARED_LEVEL, (d, s, n) -> {
            d.log.add("action " + d.name + " count=" + n);
            d.statusBit = false;
            pic.deassertLine(SHARED_LEVEL);
        });
        IOFilterInterruptEventSource<Driver> sb = attach(b, loopB, SHARED_LEVEL, (d, s, n) -> d.log.add("action " + d.name));
        a.statusBit = true;
        pic.assertLine(SHARED_LEVEL);
        Await.until("a's action", () -> log.contains("action a count=1"));
        Await.until("line unmasked", () -> !pic.isMasked(SHARED_LEVEL));
        Await.until("delivery to every sharer complete", () -> pic.deliveries(SHARED_LEVEL) == 1);
        List<String> filters = log.stream().filter(e -> e.startsWith("filter")).toList();
        assertEquals(2, filters.size(), filters::toString);
        assertTrue(filters.get(0).matches("filter a on cpu\\d primary=true"), filters.get(0));
        assertTrue(filters.get(1).matches("filter b on cpu\\d primary=true"), filters.get(1));
        assertFalse(log.contains("action b"), "b's filter said no: nothing counted for b");
        assertTrue(pic.isRegistrationEnabled(SHARED_LEVEL, sb), "b's registration stayed enabled");
        assertTrue(pic.isRegistrationEnabled(SHARED_LEVEL, sa));
    }

    @Test
    @DisplayName("S42 signalInterrupt() counts and signals regardless of the filter, without masking")
    void signalInterruptFromFilter() {
        List<Boolean> maskedInAction = new CopyOnWriteArrayList<>();
        IOFilterInterruptEventSource<Driver> s = IOFilterInterruptEventSource.filterInterruptEventSource(a,
                (d, src, n) -> {
                    maskedInAction.add(pic.isMasked(SHARED_LEVEL));
                    d.log.add("action count=" + n);
                },
                (d, src) -> {
                    src.signalInterrupt(); // pseudo-DMA: work on the loop, line left enabled
                    return false;
                }, pic, SHARED_LEVEL);
        loopA.addEventSource(s);
        s.enable();
        pic.causeInterrupt(SHARED_LEVEL);
        Await.until("action", () -> log.contains("action count=1"));
        assertEquals(List.of(false), maskedInAction, "the line was never masked");
        Spawn.run("other-thread", s::signalInterrupt).join();
        Await.until("second action", () -> log.contains("action count=1") && log.size() == 2);
    }

    @Test
    @DisplayName("S43 blocking calls from a filter (gate, sleep, runAction, command gate) are refused at once naming the offender; the kernel carries on")
    void blockingInFilterIsRefused() {
        IOCommandGate<Driver> gate = IOCommandGate.commandGate(a);
        loopA.addEventSource(gate);
        List<Consumer<IOFilterInterruptEventSource<Driver>>> offences = List.of(
                s -> loopA.closeGate(),
                s -> loopA.runAction(() -> IOReturn.SUCCESS),
                s -> gate.runAction(d -> IOReturn.SUCCESS),
                s -> loopA.sleepGate("x"),
                s -> loopA.addEventSource(IOCommandGate.commandGate(a)));
        AtomicBoolean actionRan = new AtomicBoolean();
        int[] which = {0};
        IOFilterInterruptEventSource<Driver> s = IOFilterInterruptEventSource.filterInterruptEventSource(a,
                (d, src, n) -> actionRan.set(true),
                (d, src) -> {
                    offences.get(which[0]).accept(src);
                    return true;
                }, pic, SHARED_EDGE);
        loopA.addEventSource(s);
        s.enable();
        for (int i = 0; i < offences.size(); i++) {
            which[0] = i;
            long before = pic.deliveries(SHARED_EDGE);
            pic.causeInterrupt(SHARED_EDGE);
            Await.until("delivery " + i, () -> pic.deliveries(SHARED_EDGE) > before);
        }
        assertEquals(offences.size(), pic.faults.size());
        List<String> ops = pic.faults.stream().map(t -> ((PrimaryInterruptContextViolation) t).operation()).toList();
        assertEquals(List.of("IOWorkLoop.closeGate", "IOWorkLoop.runAction", "IOCommandGate.runAction",
                "IOWorkLoop.sleepGate", "IOWorkLoop.addEventSource"), ops);
        PrimaryInterruptContextViolation v = (PrimaryInterruptContextViolation) pic.faults.get(0);
        assertTrue(v.handler().contains("IOFilterInterruptEventSource"), v.handler());
        assertTrue(v.getMessage().contains("on thread cpu"), v.getMessage());
        assertEquals(IOReturn.SUCCESS, loopA.runAction(() -> IOReturn.SUCCESS), "the loop survived");
        assertFalse(actionRan.get());
    }

    @Test
    @DisplayName("S44 a shared level line is unmasked only when every sharer that claimed it has finished its action")
    void sharedLevelLineUnmaskedWhenAllClaimersDone() throws Exception {
        CountDownLatch aMayFinish = new CountDownLatch(1);
        CountDownLatch bMayFinish = new CountDownLatch(1);
        CountDownLatch aFinished = new CountDownLatch(1);
        attach(a, loopA, SHARED_LEVEL, (d, s, n) -> {
            await(aMayFinish);
            d.statusBit = false;
            d.log.add("a done");
            aFinished.countDown();
        });
        attach(b, loopB, SHARED_LEVEL, (d, s, n) -> {
            await(bMayFinish);
            d.statusBit = false;
            pic.deassertLine(SHARED_LEVEL); // last device serviced: line low
            d.log.add("b done");
        });
        a.statusBit = true;
        b.statusBit = true;
        pic.assertLine(SHARED_LEVEL);
        Await.until("delivered", () -> pic.deliveries(SHARED_LEVEL) == 1);
        assertTrue(pic.isMasked(SHARED_LEVEL));
        aMayFinish.countDown();
        aFinished.await();
        Await.idle(loopA);
        assertTrue(pic.isMasked(SHARED_LEVEL), "a finished but b's claim still holds the line masked");
        assertEquals(1, pic.deliveries(SHARED_LEVEL));
        bMayFinish.countDown();
        Await.until("unmasked once b finished", () -> !pic.isMasked(SHARED_LEVEL));
        assertTrue(log.contains("b done"));
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
