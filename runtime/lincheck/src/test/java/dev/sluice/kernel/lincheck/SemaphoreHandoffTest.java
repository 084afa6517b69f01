package dev.sluice.kernel.lincheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.sync.IOSemaphore;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 004 under Lincheck's model checker, which explores the thread interleavings of each block
 * and reports a hang with the schedule that causes it.
 */
class SemaphoreHandoffTest {

    static final int INVOCATIONS = Budget.CONCURRENT_INVOCATIONS;

    @Test
    @Timeout(120)
    @DisplayName("S52/seed 004: psema never misses a vsema, in any interleaving; count back to 0")
    void vsemaBeforeOrAfterPsema() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            IOSemaphore sema = new IOSemaphore(0);
            Thread upperHalf = new Thread(sema::psema);
            upperHalf.start();
            sema.vsema();
            join(upperHalf);
            assertEquals(0, sema.count());
        });
    }

    @Test
    @Timeout(120)
    @DisplayName("S52: cvsema posts only to a waiter and never raises the count")
    void cvsemaOnlyWakesAWaiter() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            IOSemaphore sema = new IOSemaphore(0);
            Thread waiter = new Thread(sema::psema);
            waiter.start();
            while (!sema.cvsema()) {
                assertTrue(sema.count() <= 0, "cvsema without a waiter changed the count");
                Thread.yield();
            }
            join(waiter);
            assertEquals(0, sema.count());
        });
    }

    @Test
    @Timeout(120)
    @DisplayName("NEGATIVE CONTROL seed 004: flag + cvsema as the wakeup loses it; Lincheck must find the hang")
    void naiveFlagWithCvsemaHangs() {
        Throwable failure = NegativeControl.expectFailure(() -> Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            IOSemaphore sema = new IOSemaphore(0);
            boolean[] done = {false};
            Thread upperHalf = new Thread(() -> {
                if (!done[0]) {      // BUG: the flag is tested apart from the sleep
                    sema.psema();
                }
            });
            upperHalf.start();
            done[0] = true;
            sema.cvsema();           // wakes only a thread already waiting: not stored
            join(upperHalf);
        }));
        NegativeControl.assertHang(failure);
    }

    static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
