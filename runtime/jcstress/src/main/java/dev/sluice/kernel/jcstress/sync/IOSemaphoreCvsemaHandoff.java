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
 * IOSemaphore cvsema (S52): it posts only when a thread waits, leaving the count unchanged
 * otherwise. The poster calls cvsema until it reports a woken waiter; every false answer must leave
 * the count as it was, and the one true answer must hand the unit to the waiter, racing with the
 * waiter's decrement and registration. If no waiter shows up within the budget the poster gives up
 * with a plain vsema, so the waiter cannot hang.
 *
 * <p>r1: psema's result (0; 9 = rescued after hanging). r2: 1 if cvsema woke the waiter, 0 if the
 * poster gave up. r3: the count afterwards (0).
 */
@JCStressTest
@Description("S52 IOSemaphore cvsema vs psema: wakes only a waiter, never changes the count otherwise")
@Outcome(id = "0, 1, 0", expect = Expect.ACCEPTABLE, desc = "cvsema woke the waiter; count unchanged")
@Outcome(expect = Expect.FORBIDDEN, desc = "a cvsema was lost or changed the count, or the waiter hung")
@State
public class IOSemaphoreCvsemaHandoff {

    final IOSemaphore sema = new IOSemaphore(0);

    @Actor
    public void waiter(III_Result r) {
        Safety.enterUnbounded();
        int x = sema.psemaInterruptibly();
        r.r1 = Safety.exitUnbounded() ? 9 : x;
    }

    @Actor
    public void poster(III_Result r) {
        long deadline = Safety.deadline();
        while (!sema.cvsema()) {
            if (sema.count() > 0 || System.nanoTime() - deadline > 0) {
                sema.vsema(); // gave up (or the count went up, which cvsema must never do)
                r.r2 = 0;
                return;
            }
            Thread.onSpinWait();
        }
        r.r2 = 1;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = sema.count();
    }
}
