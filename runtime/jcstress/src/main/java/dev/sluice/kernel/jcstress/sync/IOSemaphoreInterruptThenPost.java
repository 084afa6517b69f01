package dev.sluice.kernel.jcstress.sync;

import dev.sluice.kernel.jcstress.Safety;
import dev.sluice.kernel.sync.IOSemaphore;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * IOSemaphore psemaInterruptibly racing a post and a thread interrupt (S52, IRIX PCATCH).
 * The interrupt comes first, then the post: either may win. If the interrupt wins, psema returns
 * -1 with the interrupt consumed and the later post stays in the count (1); if the post wins,
 * psema returns 0 and an interrupt that arrived is kept.
 *
 * <p>The interrupt is sent under a monitor only while the waiter is inside this sample, so it
 * cannot leak into the next one. r1: psema's result (9 = rescued after hanging); r2: 1 if the
 * waiter's interrupt status was set afterwards; r3: the count afterwards.
 */
@JCStressTest
@Description("S52 IOSemaphore psemaInterruptibly: post and interrupt racing (InterruptThenPost)")
@Outcome(id = "0, 0, 0", expect = Expect.ACCEPTABLE, desc = "post won (or no interrupt was sent); status clear")
@Outcome(id = "0, 1, 0", expect = Expect.ACCEPTABLE, desc = "took the unit; the interrupt status is kept")
@Outcome(id = "-1, 0, 1", expect = Expect.ACCEPTABLE, desc = "interrupt won: -1, interrupt consumed, the post stays counted")
@Outcome(expect = Expect.FORBIDDEN, desc = "unit lost or duplicated, interrupt not consumed on -1, or hung")
@State
public class IOSemaphoreInterruptThenPost {

    final IOSemaphore sema = new IOSemaphore(0);
    final Object mon = new Object();
    /** Guarded by mon. */
    Thread waiterThread;
    boolean waiterDone;

    @Actor
    public void waiter(III_Result r) {
        synchronized (mon) {
            waiterThread = Thread.currentThread();
        }
        Safety.enterUnbounded();
        int x = sema.psemaInterruptibly();
        boolean rescued = Safety.exitUnbounded();
        synchronized (mon) {
            waiterDone = true;
        }
        r.r2 = Thread.interrupted() ? 1 : 0;
        r.r1 = rescued ? 9 : x;
    }

    @Actor
    public void poster() {
            interruptWaiter();
            sema.vsema();
    }

    private void interruptWaiter() {
        synchronized (mon) {
            if (waiterThread != null && !waiterDone) {
                waiterThread.interrupt();
            }
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = sema.count();
    }
}
