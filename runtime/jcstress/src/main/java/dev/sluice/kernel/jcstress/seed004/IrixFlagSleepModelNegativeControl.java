package dev.sluice.kernel.jcstress.seed004;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * NEGATIVE CONTROL, seed 004 examples 8-6 / 8-7 as written: the upper half sets WAITING and sleeps
 * while it is set; the interrupt handler, on another CPU, wakes and clears only if WAITING is set.
 * {@code splvme()} does not stop the other CPU, so an interrupt that runs before WAITING is set (or
 * between the test and the sleep) is lost and the upper half sleeps forever.
 *
 * <p>r1 = 1 if the upper half went to sleep; r2 = 1 if it was woken.
 */
@JCStressTest
@Description("Seed 004 IRIX flag+sleep (negative control): the interrupt can be lost")
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "handler cleared WAITING before the test: no sleep")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "slept and was woken")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "LOST WAKEUP: asleep, nobody will wake it")
@Outcome(expect = Expect.FORBIDDEN, desc = "woken without sleeping: the model is broken")
@State
public class IrixFlagSleepModelNegativeControl {

    private static final int WAITING = 1;

    /** The driver's flag word; read and written without a lock, as in the example. */
    volatile int flag;
    /** Under {@code this}: the sleep queue of {@code &flag}. */
    boolean asleep;
    boolean woken;

    @Actor
    public void upperHalf(II_Result r) {
        // s = splvme(); -- masks interrupts on this CPU only
        flag |= WAITING;
        if ((flag & WAITING) != 0) {
            // sleep(&flag, PZERO): enter the sleep queue; only a later wakeup(&flag) gets us out
            synchronized (this) {
                asleep = true;
            }
            r.r1 = 1;
        }
    }

    @Actor
    public void interruptHandler() {
        if ((flag & WAITING) != 0) {
            synchronized (this) { // wakeup(&flag): wakes whoever is already asleep, nothing is stored
                if (asleep) {
                    woken = true;
                }
            }
            flag &= ~WAITING;
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        synchronized (this) {
            r.r2 = woken ? 1 : 0;
        }
    }
}
