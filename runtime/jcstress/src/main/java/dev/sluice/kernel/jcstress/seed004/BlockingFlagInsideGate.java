package dev.sluice.kernel.jcstress.seed004;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The correct P1 protocol with threads that really block, on a JDK lock and condition (the
 * reference the kernel gate tests are compared with): {@code lock; while (!done) await; unlock}
 * against {@code lock; done = true; signal; unlock}. The deadline is a safety net far beyond any
 * scheduling delay; reaching it is a lost wakeup.
 *
 * <p>r1: 0 = saw done, no sleep; 1 = slept and was woken; 2 = timed out (LOST WAKEUP).
 */
@JCStressTest
@Description("P1/S5 flag inside the lock, really blocking: no wakeup is lost")
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "slept and was woken")
@Outcome(id = "2", expect = Expect.FORBIDDEN, desc = "LOST WAKEUP: timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "the test is broken")
@State
public class BlockingFlagInsideGate {

    static final long SAFETY_NANOS = TimeUnit.SECONDS.toNanos(10);

    final ReentrantLock gate = new ReentrantLock();
    final Condition event = gate.newCondition();
    boolean done;

    @Actor
    public void sleeper(I_Result r) {
        gate.lock();
        try {
            int result = 0;
            long left = SAFETY_NANOS;
            while (!done) {
                if (left <= 0) {
                    result = 2;
                    break;
                }
                result = 1;
                left = awaitNanos(left);
            }
            r.r1 = result;
        } finally {
            gate.unlock();
        }
    }

    @Actor
    public void waker() {
        gate.lock();
        try {
            done = true;
            event.signalAll();
        } finally {
            gate.unlock();
        }
    }

    /** jcstress actors cannot throw checked exceptions; an interrupt here is a broken test (-1). */
    private long awaitNanos(long nanos) {
        try {
            return event.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sleeper interrupted", e);
        }
    }
}
