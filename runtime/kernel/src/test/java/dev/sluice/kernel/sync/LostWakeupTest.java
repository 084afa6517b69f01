package dev.sluice.kernel.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.testing.Await;
import dev.sluice.kernel.testing.TestThread;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Seed 004's lost-interrupt race, forced deterministically: the "interrupt" is sequenced with
 * latches to land exactly between the upper half's test of its flag and its sleep.
 */
class LostWakeupTest {

    private static final Object DONE = "device done";

    private volatile boolean done;
    private volatile boolean aboutToLock;

    @Test
    @DisplayName("S51 seed 004 negative control: flag tested outside the lock, wakeup between test and sleep, the sleeper loses it and times out")
    void naiveFlagThenSleepLosesTheInterrupt() throws Exception {
        IOLock lock = new IOLock();
        CountDownLatch tested = new CountDownLatch(1);
        CountDownLatch interruptDelivered = new CountDownLatch(1);
        AtomicReference<SleepResult> result = new AtomicReference<>();
        TestThread upperHalf = TestThread.start("upper-half", () -> {
            boolean mustWait = !done;            // BUG: tested without the lock
            tested.countDown();
            assertTrue(interruptDelivered.await(10, TimeUnit.SECONDS));  // the window
            lock.lock();
            if (mustWait) {
                result.set(lock.sleepDeadline(DONE, System.nanoTime() + 200_000_000L));
            }
            lock.unlock();
        });
        assertTrue(tested.await(10, TimeUnit.SECONDS));
        // The interrupt handler's work, handed off to a thread (as from a filter): set the flag, wake.
        done = true;
        lock.lock();
        int woken = lock.wakeup(DONE, true);
        lock.unlock();
        interruptDelivered.countDown();
        upperHalf.join();
        assertEquals(0, woken, "nobody was asleep yet: the wakeup went nowhere (not stored, S6)");
        assertEquals(SleepResult.TIMED_OUT, result.get(), "the interrupt was lost");
        assertTrue(done, "although the device did finish");
    }

    @Test
    @DisplayName("S51 seed 004 fixed with IOLock: flag tested under the lock, while(!done) sleep; the same interleaving cannot lose the wakeup")
    void flagUnderLockNeverLosesIt() throws Exception {
        IOLock lock = new IOLock();
        CountDownLatch tested = new CountDownLatch(1);
        AtomicReference<Thread> interrupter = new AtomicReference<>();
        AtomicReference<SleepResult> result = new AtomicReference<>();
        AtomicInteger woken = new AtomicInteger(-1);
        TestThread handler = TestThread.start("interrupt-handler", () -> {
            assertTrue(tested.await(10, TimeUnit.SECONDS));
            aboutToLock = true;
            lock.lock();                          // waits until the upper half sleeps
            done = true;
            woken.set(lock.wakeup(DONE, true));
            lock.unlock();
        });
        interrupter.set(handler.thread());
        TestThread upperHalf = TestThread.start("upper-half", () -> {
            lock.lock();
            tested.countDown();
            // The window: the handler is now trying to run, but it needs the lock.
            Await.until("handler blocked on the lock", () -> aboutToLock
                    && interrupter.get().getState() == Thread.State.WAITING);
            SleepResult r = null;
            while (!done) {
                r = lock.sleepDeadline(DONE, Await.deadline());
                if (r == SleepResult.TIMED_OUT) {
                    break;
                }
            }
            result.set(r);
            lock.unlock();
        });
        upperHalf.join();
        handler.join();
        assertEquals(1, woken.get(), "the handler found the sleeper");
        assertEquals(SleepResult.AWAKENED, result.get());
    }

    @Test
    @DisplayName("S52 seed 004 fixed with psema/vsema: the post lands in the same window (before the wait) and is never lost")
    void semaphoreNeverLosesIt() throws Exception {
        IOSemaphore sleeper = new IOSemaphore(0);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interruptDelivered = new CountDownLatch(1);
        AtomicInteger psemaResult = new AtomicInteger(99);
        TestThread upperHalf = TestThread.start("upper-half", () -> {
            started.countDown();                 // device operation started
            assertTrue(interruptDelivered.await(10, TimeUnit.SECONDS));  // the window
            psemaResult.set(sleeper.psemaInterruptibly());
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        // vsema straight from the primary handler: it never blocks.
        PrimaryInterruptContext.run("device irq", () -> {
            sleeper.vsema();
            return true;
        });
        interruptDelivered.countDown();
        upperHalf.join();                       // a lost post would leave it blocked: join fails
        assertEquals(0, psemaResult.get(), "woken by the post, not by an interrupt");
        assertEquals(0, sleeper.count());
    }
}
