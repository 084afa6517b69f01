package dev.sluice.kernel.jcstress.sync;

import dev.sluice.kernel.sync.IOLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * IOLock excludes: two read-modify-write updates of a plain field, one under lock(), one under a
 * successful tryLock() (which may fail while the other holds it, then falls back to lock()), are
 * never lost (S51).
 *
 * <p>r1: the final value (2); r2: 1 if tryLock found the lock held at least once in this sample.
 */
@JCStressTest
@Description("S51 IOLock lock/tryLock mutual exclusion")
@Outcome(id = "2, 0", expect = Expect.ACCEPTABLE, desc = "both updates kept")
@Outcome(id = "2, 1", expect = Expect.ACCEPTABLE, desc = "both updates kept; tryLock saw the lock held")
@Outcome(expect = Expect.FORBIDDEN, desc = "an update was lost: no mutual exclusion")
@State
public class IOLockMutualExclusion {

    final IOLock lock = new IOLock();
    int value;
    int tryFailed;

    @Actor
    public void locker() {
        lock.lock();
        try {
            value = value + 1;
        } finally {
            lock.unlock();
        }
    }

    @Actor
    public void tryLocker() {
        if (!lock.tryLock()) {
            tryFailed = 1;
            lock.lock();
        }
        try {
            value = value + 1;
        } finally {
            lock.unlock();
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        lock.lock();
        try {
            r.r1 = value;
            r.r2 = tryFailed;
        } finally {
            lock.unlock();
        }
    }
}
