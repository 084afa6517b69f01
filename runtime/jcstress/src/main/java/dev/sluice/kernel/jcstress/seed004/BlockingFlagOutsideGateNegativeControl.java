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
 * NEGATIVE CONTROL, P1 with threads that really block: the flag is tested outside the lock, then
 * the sleeper waits on a condition with a short deadline. Under the lock, just before it waits, the
 * sleeper also notes (without acting on it) whether the waker had already signalled: if it had,
 * the wait that follows is a lost wakeup, however it ends.
 *
 * <p>r1: 0 = saw done, no sleep; 1 = slept and was signalled; 2 = LOST: slept after the signal had
 * been issued, and timed out; 3 = timed out while the waker had not signalled yet (a slow waker
 * with this short deadline, not the protocol bug).
 */
@JCStressTest
@Description("P1 flag outside the lock, really blocking (negative control)")
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "slept and was woken")
@Outcome(id = "2", expect = Expect.ACCEPTABLE_INTERESTING, desc = "LOST WAKEUP: slept after the wakeup, timed out")
@Outcome(id = "3", expect = Expect.ACCEPTABLE, desc = "timed out before the waker ran (short deadline)")
@Outcome(expect = Expect.FORBIDDEN, desc = "the test is broken")
@State
public class BlockingFlagOutsideGateNegativeControl {

    /** Deadline of the naive sleep: short, since every lost wakeup costs it. */
    static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    final ReentrantLock gate = new ReentrantLock();
    final Condition event = gate.newCondition();
    volatile boolean done;
    /** Under {@code gate}. */
    boolean signalled;

    @Actor
    public void sleeper(I_Result r) {
        if (done) {                        // BUG: tested outside the gate
            r.r1 = 0;
            return;
        }
        gate.lock();
        try {
            boolean alreadySignalled = signalled;   // observation only
            long left = awaitNanos(SLEEP_NANOS);
            if (left > 0) {
                r.r1 = 1;
            } else {
                r.r1 = alreadySignalled ? 2 : (signalled ? 1 : 3);
            }
        } finally {
            gate.unlock();
        }
    }

    @Actor
    public void waker() {
        done = true;
        gate.lock();
        try {
            signalled = true;
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
