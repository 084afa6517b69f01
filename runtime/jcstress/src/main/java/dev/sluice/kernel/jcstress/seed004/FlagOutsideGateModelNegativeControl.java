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
 * NEGATIVE CONTROL, SEMANTICS P1: {@code if (!done) { closeGate(); commandSleep(event); ... }}, the
 * flag tested outside the gate. A waker that sets {@code done} and calls {@code commandWakeup}
 * between the test and the sleep finds no sleeper, the wakeup is not stored (S6), and the sleeper
 * sleeps until its deadline. The window is a few instructions wide, so this is the hard case for
 * a stress tester: its detection rate is what the module README reports.
 *
 * <p>The gate is modelled by {@code synchronized (this)}; sleeping = registering under it.
 * r1 = 1 if the sleeper went to sleep; r2 = 1 if it was woken.
 */
@JCStressTest
@Description("P1 flag tested outside the gate (negative control): the wakeup can be lost")
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "slept and was woken")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "LOST WAKEUP: asleep, nobody will wake it")
@Outcome(expect = Expect.FORBIDDEN, desc = "woken without sleeping: the model is broken")
@State
public class FlagOutsideGateModelNegativeControl {

    volatile boolean done;
    /** Under {@code this} (the gate): the sleeper registration for the event. */
    boolean asleep;
    boolean woken;

    @Actor
    public void sleeper(II_Result r) {
        if (!done) {                       // BUG: tested outside the gate
            synchronized (this) {          // closeGate(); commandSleep(event) registers the sleeper
                asleep = true;
            }
            r.r1 = 1;
        }
    }

    @Actor
    public void waker() {
        done = true;
        synchronized (this) {              // commandWakeup(event): wakes registered sleepers only
            if (asleep) {
                woken = true;
            }
        }
    }

    @Arbiter
    public void arbiter(II_Result r) {
        synchronized (this) {
            r.r2 = woken ? 1 : 0;
        }
    }
}
