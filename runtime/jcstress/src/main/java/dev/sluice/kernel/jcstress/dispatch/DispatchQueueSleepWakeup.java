package dev.sluice.kernel.jcstress.dispatch;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.jcstress.Safety;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * IODispatchQueue Sleep / Wakeup on a reentrant queue (S53, S54, seed 000): a block tests
 * {@code done} and sleeps on the queue while it is false; another block sets {@code done} and wakes
 * it. Both run on the queue, so the test and the sleep are atomic with respect to the waker: no
 * wakeup is lost, and the sleeper resumes on the queue. One queue per forked VM; each sample sleeps
 * on its own state object as the event.
 *
 * <p>r1: 0 = saw done, no sleep; 1 = slept, SUCCESS; 2 = TIMEOUT (LOST WAKEUP); 3 = ABORTED;
 * 4 = a dispatchSync failed. r2: 1 if the block was on the queue after the sleep.
 */
@JCStressTest
@Description("S54 IODispatchQueue sleep vs wakeup on a reentrant queue: no lost wakeup")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "slept, woken, back on the queue")
@Outcome(id = "2, .*", expect = Expect.FORBIDDEN, desc = "LOST WAKEUP: timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "aborted, not on the queue, or dispatch failed")
@State
public class DispatchQueueSleepWakeup {

    static final IODispatchQueue QUEUE = IODispatchQueue.create("jcstress-reentrant", IODispatchQueue.Option.REENTRANT);

    /** Touched only by blocks on QUEUE. */
    boolean done;

    @Actor
    public void sleeper(II_Result r) {
        IOReturn d = QUEUE.dispatchSync(() -> {
            int result = 0;
            long deadline = Safety.deadline();
            while (!done) {
                IOReturn s = QUEUE.sleepWithDeadline(this, deadline);
                if (s == IOReturn.SUCCESS) {
                    result = 1;
                } else {
                    result = s == IOReturn.TIMEOUT ? 2 : 3;
                    break;
                }
            }
            r.r1 = result;
            r.r2 = QUEUE.onQueue() ? 1 : 0;
        });
        if (d != IOReturn.SUCCESS) {
            r.r1 = 4;
        }
    }

    @Actor
    public void waker(II_Result r) {
        IOReturn d = QUEUE.dispatchSync(() -> {
            done = true;
            QUEUE.wakeup(this);
        });
        if (d != IOReturn.SUCCESS) {
            r.r1 = 4;
        }
    }
}
