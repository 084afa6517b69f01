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
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Seed 004's fix, on IOSemaphore (S52): the upper half waits with psema, the interrupt handler posts
 * with vsema. A post that comes before the wait is counted, so the wait never hangs, whatever the
 * order; afterwards the count is back to 0.
 *
 * <p>r1: psema's result (0), or 9 if it blocked past the budget and had to be rescued (LOST POST).
 * r2: the count afterwards (0).
 */
@JCStressTest
@Description("S52/seed 004 IOSemaphore vsema vs psema: a post is never lost")
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "took the post; count back to 0")
@Outcome(id = "9, .*", expect = Expect.FORBIDDEN, desc = "LOST POST: psema hung past the budget")
@Outcome(expect = Expect.FORBIDDEN, desc = "wrong result or count")
@State
public class IOSemaphorePostBeforeWait {

    final IOSemaphore sema = new IOSemaphore(0);

    @Actor
    public void upperHalf(II_Result r) {
        Safety.enterUnbounded();
        int x = sema.psemaInterruptibly();
        r.r1 = Safety.exitUnbounded() ? 9 : x;
    }

    @Actor
    public void interruptHandler() {
        sema.vsema();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r2 = sema.count();
    }
}
