package dev.sluice.kernel.jcstress.sync;

import dev.sluice.kernel.jcstress.Safety;
import dev.sluice.kernel.sync.IOLock;
import dev.sluice.kernel.sync.SleepResult;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * IOLock sleep / wakeup never lose a wakeup (S51, same rule as S5): the sleeper holds the lock,
 * tests {@code done} and sleeps on an event; the waker sets {@code done} under the lock and wakes
 * after unlocking (the waker need not hold the lock). The sleeper holds the lock again after the
 * sleep.
 *
 * <p>r1: 0 = saw done, no sleep; 1 = slept, woken; 2 = TIMED_OUT (LOST WAKEUP); 3 = INTERRUPTED.
 * r2: 1 if the sleeper held the lock after the sleep.
 */
@JCStressTest
@Description("S51 IOLock sleepDeadline vs wakeup: no lost wakeup, lock re-taken")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "slept, woken, lock held again")
@Outcome(id = "2, 1", expect = Expect.FORBIDDEN, desc = "LOST WAKEUP: timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "interrupted, or lock not held after the sleep")
@State
public class IOLockSleepWakeup {

    static final Object EVENT = new Object();

    /** One lock per state, reused across rounds (jcstress resets only non-final fields). */
    final IOLock lock = new IOLock();
    /** Guarded by lock. */
    boolean done;

    @Actor
    public void sleeper(II_Result r) {
        lock.lock();
        try {
            int result = 0;
            long deadline = Safety.deadline();
            while (!done) {
                SleepResult s = lock.sleepDeadline(EVENT, deadline);
                if (s == SleepResult.AWAKENED) {
                    result = 1;
                } else {
                    result = s == SleepResult.TIMED_OUT ? 2 : 3;
                    break;
                }
            }
            r.r1 = result;
            r.r2 = lock.isHeldByCurrentThread() ? 1 : 0;
        } finally {
            lock.unlock();
        }
    }

    @Actor
    public void waker() {
        lock.lock();
        try {
            done = true;
        } finally {
            lock.unlock();
        }
        lock.wakeup(EVENT, true);
    }
}
