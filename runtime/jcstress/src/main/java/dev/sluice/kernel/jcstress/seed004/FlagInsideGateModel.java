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
 * The correct protocol of P1 / S5, beside {@link FlagOutsideGateModelNegativeControl}: the flag is
 * tested and the sleeper registered under the gate, and the waker sets the flag under the gate. The
 * waker wakes in a second gate section, as S8 allows (it need not hold the gate for the wakeup):
 * a wakeup is still never lost, because the sleeper either saw {@code done} or was registered
 * before the waker could set it.
 *
 * <p>r1 = 1 if the sleeper went to sleep; r2 = 1 if it was woken.
 */
@JCStressTest
@Description("P1/S5 flag tested inside the gate: no wakeup is lost")
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "slept and was woken")
@Outcome(id = "1, 0", expect = Expect.FORBIDDEN, desc = "LOST WAKEUP")
@Outcome(expect = Expect.FORBIDDEN, desc = "woken without sleeping: the model is broken")
@State
public class FlagInsideGateModel {

    boolean done;
    boolean asleep;
    boolean woken;

    @Actor
    public void sleeper(II_Result r) {
        synchronized (this) {              // closeGate()
            if (!done) {                   // while (!done) commandSleep(event): registered before release
                asleep = true;
                r.r1 = 1;
            }
        }
    }

    @Actor
    public void waker() {
        synchronized (this) {              // closeGate(); done = true; openGate()
            done = true;
        }
        synchronized (this) {              // commandWakeup(event), here in its own gate section
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
