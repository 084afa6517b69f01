package dev.sluice.kernel.sync;

import static dev.sluice.kernel.sync.IOLockTest.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.testing.Await;
import dev.sluice.kernel.testing.TestThread;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IOSemaphoreTest {

    @Test
    @DisplayName("S52 psema decrements; it blocks only while the count is negative, until a vsema")
    void psemaBlocksWhileNegative() throws Exception {
        IOSemaphore sema = new IOSemaphore(1);
        sema.psema();
        assertEquals(0, sema.count(), "took the free unit without waiting");
        AtomicBoolean passed = new AtomicBoolean();
        TestThread waiter = TestThread.start("waiter", () -> {
            sema.psema();
            passed.set(true);
        });
        Await.until("waiter blocked in psema", () -> sema.waiterCount() == 1);
        assertEquals(-1, sema.count(), "count is minus the number of waiters");
        assertFalse(passed.get());
        sema.vsema();
        waiter.join();
        assertTrue(passed.get());
        assertEquals(0, sema.count());
    }

    @Test
    @DisplayName("S52 vsema wakes one waiter at a time, in FIFO order")
    void vsemaWakesOneFifo() throws Exception {
        IOSemaphore sema = new IOSemaphore(0);
        List<String> order = new CopyOnWriteArrayList<>();
        TestThread[] waiters = new TestThread[3];
        for (int i = 0; i < 3; i++) {
            String name = "waiter" + i;
            waiters[i] = TestThread.start(name, () -> {
                sema.psema();
                order.add(name);
            });
            int expected = i + 1;
            Await.until(expected + " waiters", () -> sema.waiterCount() == expected);
        }
        for (int i = 0; i < 3; i++) {
            sema.vsema();
            waiters[i].join();
            assertEquals("waiter" + i, order.get(i));
            assertEquals(i + 1, order.size(), "exactly one waiter woken per vsema");
        }
        assertEquals(0, sema.count());
    }

    @Test
    @DisplayName("S52 vsema with no waiter is counted: a later psema passes at once")
    void vsemaCounted() {
        IOSemaphore sema = new IOSemaphore(0);
        sema.vsema();
        sema.vsema();
        assertEquals(2, sema.count());
        sema.psema();
        sema.psema();
        assertEquals(0, sema.count());
    }

    @Test
    @DisplayName("S52 cvsema with no waiter leaves the count unchanged and reports false")
    void cvsemaNoWaiter() {
        IOSemaphore empty = new IOSemaphore(0);
        assertFalse(empty.cvsema());
        assertEquals(0, empty.count());
        IOSemaphore two = new IOSemaphore(2);
        assertFalse(two.cvsema());
        assertEquals(2, two.count(), "not incremented past its value (seed 004)");
    }

    @Test
    @DisplayName("S52 cvsema with a waiter wakes exactly that one and reports true")
    void cvsemaWithWaiter() throws Exception {
        IOSemaphore sema = new IOSemaphore(0);
        TestThread waiter = TestThread.start("waiter", sema::psema);
        Await.until("waiter blocked", () -> sema.waiterCount() == 1);
        assertTrue(sema.cvsema());
        waiter.join();
        assertEquals(0, sema.count());
        assertFalse(sema.cvsema(), "nobody waits any more");
        assertEquals(0, sema.count());
    }

    @Test
    @DisplayName("S52 psemaInterruptibly returns -1 on interrupt and restores the count")
    void interruptibleReturnsMinusOne() throws Exception {
        IOSemaphore sema = new IOSemaphore(0);
        AtomicInteger result = new AtomicInteger(99);
        TestThread waiter = TestThread.start("waiter", () -> result.set(sema.psemaInterruptibly()));
        Await.until("waiter blocked", () -> sema.waiterCount() == 1);
        assertEquals(-1, sema.count());
        waiter.thread().interrupt();
        waiter.join();
        assertEquals(-1, result.get());
        assertEquals(0, sema.count(), "count restored");
        assertEquals(0, sema.waiterCount());
        sema.vsema();
        assertEquals(1, sema.count(), "a later post is not swallowed by the departed waiter");
    }

    @Test
    @DisplayName("S52 psemaInterruptibly: an already interrupted thread gets -1 only if it would have to wait")
    void interruptibleAlreadyInterrupted() {
        IOSemaphore sema = new IOSemaphore(1);
        Thread.currentThread().interrupt();
        assertEquals(0, sema.psemaInterruptibly(), "a free unit is taken without waiting");
        assertEquals(-1, sema.psemaInterruptibly());
        assertFalse(Thread.interrupted(), "the interrupt was consumed by the -1");
        assertEquals(0, sema.count());
    }

    @Test
    @DisplayName("S52 psema (uninterruptible) ignores interrupts, keeps the status and returns on vsema")
    void psemaUninterruptible() throws Exception {
        IOSemaphore sema = new IOSemaphore(0);
        AtomicBoolean statusAfter = new AtomicBoolean();
        TestThread waiter = TestThread.start("waiter", () -> {
            sema.psema();
            statusAfter.set(Thread.currentThread().isInterrupted());
        });
        Await.until("waiter blocked", () -> sema.waiterCount() == 1);
        waiter.thread().interrupt();
        Await.parked(waiter.thread());
        assertEquals(1, sema.waiterCount(), "still waiting after the interrupt");
        sema.vsema();
        waiter.join();
        assertTrue(statusAfter.get());
    }

    @Test
    @DisplayName("S52 cpsema takes a unit only when free and never blocks; a negative initial count is refused")
    void cpsemaAndBadInit() {
        IOSemaphore sema = new IOSemaphore(1);
        assertTrue(sema.cpsema());
        assertFalse(sema.cpsema());
        assertEquals(0, sema.count());
        assertThrows(IllegalArgumentException.class, () -> new IOSemaphore(-1));
    }

    @Test
    @DisplayName("S43 IOSemaphore.psema and IOSemaphore.psemaInterruptibly are refused in primary interrupt context without touching the count")
    void refusedInPrimaryContext() {
        IOSemaphore sema = new IOSemaphore(1);
        assertRefused("IOSemaphore.psema", sema::psema);
        assertRefused("IOSemaphore.psemaInterruptibly", sema::psemaInterruptibly);
        assertEquals(1, sema.count());
    }

    @Test
    @DisplayName("S43 S52 vsema, cvsema and cpsema never block and are allowed in primary interrupt context")
    void postsAllowedInPrimaryContext() {
        IOSemaphore sema = new IOSemaphore(0);
        assertTrue(PrimaryInterruptContext.run("test filter", () -> {
            sema.vsema();
            return !sema.cvsema() && sema.cpsema();
        }));
        assertEquals(0, sema.count());
    }
}
