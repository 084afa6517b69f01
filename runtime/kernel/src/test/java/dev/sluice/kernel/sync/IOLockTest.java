package dev.sluice.kernel.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation;
import dev.sluice.kernel.testing.Await;
import dev.sluice.kernel.testing.TestThread;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class IOLockTest {

    private static final Object EVENT = "event";
    private final IOLock lock = new IOLock();

    @Test
    @DisplayName("S51 lock excludes other threads; tryLock never blocks and fails while another thread owns it")
    void lockAndTryLock() throws Exception {
        lock.lock();
        assertTrue(lock.isHeldByCurrentThread());
        AtomicBoolean otherGot = new AtomicBoolean(true);
        TestThread t = TestThread.start("tryLocker", () -> otherGot.set(lock.tryLock()));
        t.join();
        assertFalse(otherGot.get(), "tryLock by another thread while held");
        lock.unlock();
        assertFalse(lock.isLocked());
        assertTrue(lock.tryLock(), "tryLock on a free lock");
        lock.unlock();
    }

    @Test
    @DisplayName("S51 lock blocks while another thread owns it and proceeds once unlocked")
    void lockBlocks() throws Exception {
        lock.lock();
        AtomicBoolean acquired = new AtomicBoolean();
        TestThread t = TestThread.start("contender", () -> {
            lock.lock();
            acquired.set(true);
            lock.unlock();
        });
        Await.parked(t.thread());
        assertFalse(acquired.get(), "contender got the lock while the test owned it");
        lock.unlock();
        t.join();
        assertTrue(acquired.get());
    }

    @Test
    @DisplayName("S51 not recursive: re-locking by the owner throws instead of deadlocking; the lock stays held once")
    void notRecursive() {
        lock.lock();
        IllegalStateException e = assertThrows(IllegalStateException.class, lock::lock);
        assertTrue(e.getMessage().contains("not recursive"), e.getMessage());
        assertThrows(IllegalStateException.class, lock::tryLock);
        lock.unlock();
        assertFalse(lock.isLocked(), "one unlock releases it: the failed re-lock did not count");
    }

    @Test
    @DisplayName("S51 unlock by a thread that does not own the lock is refused")
    void unlockByStranger() throws Exception {
        assertThrows(IllegalStateException.class, lock::unlock);
        lock.lock();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        TestThread.start("stranger", () -> {
            try {
                lock.unlock();
            } catch (IllegalStateException e) {
                thrown.set(e);
            }
        }).join();
        assertTrue(thrown.get() instanceof IllegalStateException);
        assertTrue(lock.isHeldByCurrentThread());
        lock.unlock();
    }

    @Test
    @DisplayName("S51 sleep requires the caller to hold the lock")
    void sleepNeedsLock() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lock.sleep(EVENT));
        assertTrue(e.getMessage().contains("hold the lock"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> lock.sleepDeadline(EVENT, System.nanoTime()));
    }

    @Test
    @DisplayName("S51 (S5 rule) the sleeper is registered before the lock is released: a waker that takes the lock after it always finds it")
    void sleeperRegisteredBeforeRelease() throws Exception {
        AtomicReference<SleepResult> result = new AtomicReference<>();
        AtomicBoolean heldAfter = new AtomicBoolean();
        CountDownLatch locked = new CountDownLatch(1);
        TestThread sleeper = TestThread.start("sleeper", () -> {
            lock.lock();
            locked.countDown();
            result.set(lock.sleepDeadline(EVENT, Await.deadline()));
            heldAfter.set(lock.isHeldByCurrentThread());
            lock.unlock();
        });
        assertTrue(locked.await(10, TimeUnit.SECONDS));
        // The test gets the lock only when the sleeper releases it inside sleep: by then the
        // sleeper must be registered, so this single wakeup must find it (no retry).
        lock.lock();
        int woken = lock.wakeup(EVENT, true);
        lock.unlock();
        sleeper.join();
        assertEquals(1, woken);
        assertEquals(SleepResult.AWAKENED, result.get());
        assertTrue(heldAfter.get(), "sleep re-takes the lock before returning");
    }

    @Test
    @DisplayName("S51 (S6 rule) wakeups are not stored: a wakeup with no sleeper does nothing and a later sleep times out")
    void wakeupsNotStored() {
        assertEquals(0, lock.wakeup(EVENT, true));
        assertEquals(0, lock.wakeup(EVENT, false));
        lock.lock();
        SleepResult r = lock.sleepDeadline(EVENT, System.nanoTime() + 50_000_000L);
        assertTrue(lock.isHeldByCurrentThread(), "the lock is held again after a timeout");
        lock.unlock();
        assertEquals(SleepResult.TIMED_OUT, r);
        assertEquals(0, lock.sleeperCount(EVENT), "a timed-out sleeper leaves the table");
    }

    @Test
    @DisplayName("S51 (S8 rule) oneThread wakes the longest sleeper only (FIFO); false wakes all; the waker need not hold the lock")
    void oneThreadFifoAndAll() throws Exception {
        List<String> wokenOrder = new CopyOnWriteArrayList<>();
        TestThread[] sleepers = new TestThread[3];
        for (int i = 0; i < 3; i++) {
            String name = "sleeper" + i;
            sleepers[i] = TestThread.start(name, () -> {
                lock.lock();
                SleepResult r = lock.sleepDeadline(EVENT, Await.deadline());
                wokenOrder.add(name + ":" + r);
                lock.unlock();
            });
            int expected = i + 1;
            Await.until(expected + " sleepers", () -> lock.sleeperCount(EVENT) == expected);
        }
        assertEquals(1, lock.wakeup(EVENT, true));
        sleepers[0].join();
        assertEquals(List.of("sleeper0:AWAKENED"), wokenOrder);
        assertEquals(2, lock.sleeperCount(EVENT), "the others still sleep");
        assertEquals(2, lock.wakeup(EVENT, false));
        sleepers[1].join();
        sleepers[2].join();
        assertEquals(3, wokenOrder.size());
        assertTrue(wokenOrder.containsAll(List.of("sleeper1:AWAKENED", "sleeper2:AWAKENED")), wokenOrder.toString());
    }

    @Test
    @DisplayName("S51 (S7 rule) events are keys: a wakeup on another event, or on another lock, does not wake the sleeper")
    void eventsAreKeys() throws Exception {
        IOLock other = new IOLock();
        AtomicReference<SleepResult> result = new AtomicReference<>();
        TestThread sleeper = TestThread.start("sleeper", () -> {
            lock.lock();
            result.set(lock.sleepDeadline(new String("event"), Await.deadline()));
            lock.unlock();
        });
        Await.until("sleeper registered", () -> lock.sleeperCount(EVENT) == 1);
        assertEquals(0, lock.wakeup("another event", false));
        assertEquals(0, other.wakeup(EVENT, false));
        assertEquals(1, lock.sleeperCount(EVENT));
        assertEquals(1, lock.wakeup("event", true), "equal keys match");
        sleeper.join();
        assertEquals(SleepResult.AWAKENED, result.get());
    }

    @Test
    @DisplayName("S51 (S9 rule) an interruptible sleep returns INTERRUPTED with the lock held and the interrupt consumed")
    void interruptibleSleep() throws Exception {
        AtomicReference<SleepResult> result = new AtomicReference<>();
        AtomicBoolean heldAfter = new AtomicBoolean();
        AtomicBoolean statusAfter = new AtomicBoolean(true);
        TestThread sleeper = TestThread.start("sleeper", () -> {
            lock.lock();
            result.set(lock.sleep(EVENT));
            heldAfter.set(lock.isHeldByCurrentThread());
            statusAfter.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        Await.until("sleeper registered", () -> lock.sleeperCount(EVENT) == 1);
        sleeper.thread().interrupt();
        sleeper.join();
        assertEquals(SleepResult.INTERRUPTED, result.get());
        assertTrue(heldAfter.get());
        assertFalse(statusAfter.get());
        assertEquals(0, lock.sleeperCount(EVENT));
    }

    @Test
    @DisplayName("S51 (S9 rule) an uninterruptible sleep ignores interrupts, keeps the interrupt status and returns AWAKENED")
    void uninterruptibleSleep() throws Exception {
        AtomicReference<SleepResult> result = new AtomicReference<>();
        AtomicBoolean statusAfter = new AtomicBoolean();
        TestThread sleeper = TestThread.start("sleeper", () -> {
            lock.lock();
            result.set(lock.sleepDeadline(EVENT, Await.deadline(), false));
            statusAfter.set(Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        Await.until("sleeper registered", () -> lock.sleeperCount(EVENT) == 1);
        sleeper.thread().interrupt();
        // the interrupt must not end the sleep: the sleeper is still registered until woken
        Await.parked(sleeper.thread());
        assertEquals(1, lock.sleeperCount(EVENT));
        assertEquals(1, lock.wakeup(EVENT, true));
        sleeper.join();
        assertEquals(SleepResult.AWAKENED, result.get());
        assertTrue(statusAfter.get(), "interrupt status kept for the caller");
    }

    @Test
    @DisplayName("S43 IOLock.lock, IOLock.sleep and IOLock.sleepDeadline are refused in primary interrupt context, naming the operation")
    void refusedInPrimaryContext() {
        assertRefused("IOLock.lock", lock::lock);
        assertFalse(lock.isLocked());
        lock.lock();
        try {
            assertRefused("IOLock.sleep", () -> lock.sleep(EVENT));
            assertRefused("IOLock.sleepDeadline", () -> lock.sleepDeadline(EVENT, System.nanoTime()));
            assertTrue(lock.isHeldByCurrentThread(), "a refused sleep leaves the lock held");
        } finally {
            lock.unlock();
        }
    }

    @Test
    @DisplayName("S43 tryLock, unlock and wakeup never block and are allowed in primary interrupt context")
    void nonBlockingAllowedInPrimaryContext() {
        boolean ok = PrimaryInterruptContext.run("test filter", () -> {
            boolean got = lock.tryLock();
            lock.unlock();
            return got && lock.wakeup(EVENT, false) == 0;
        });
        assertTrue(ok);
    }

    static void assertRefused(String operation, Executable call) {
        PrimaryInterruptContextViolation v = assertThrows(PrimaryInterruptContextViolation.class,
                () -> PrimaryInterruptContext.run("test filter", () -> {
                    try {
                        call.execute();
                    } catch (RuntimeException | Error e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    }
                    return true;
                }));
        assertEquals(operation, v.operation());
        assertTrue(v.getMessage().contains(operation), v.getMessage());
    }
}
