package dev.sluice.kernel.jcstress.workloop;

import static dev.sluice.kernel.jcstress.workloop.Shared.GATE;
import static dev.sluice.kernel.jcstress.workloop.Shared.LOOP;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.jcstress.Safety;
import dev.sluice.kernel.workloop.SleepResult;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * IOCommandGate commandSleep / commandWakeup never lose a wakeup (S4, S5, S8, P1 correct form).
 *
 * <p>The sleeper runs an action, closes the gate once more (recursion count 2) and sleeps while
 * {@code done} is false; the waker sets {@code done} in one gate action and calls
 * {@code commandWakeup} afterwards <em>without</em> the gate (S8). Whatever the interleaving the
 * sleeper either sees {@code done} or is registered before the gate is released, so it is woken.
 *
 * <p>r1: 0 = saw done, no sleep; 1 = slept, woken; 2 = TIMED_OUT after {@link Safety#BUDGET_NANOS}
 * (a lost wakeup); 3 = INTERRUPTED; 4 = RESTART. r2: the gate recursion count after the sleep (S4: 2).
 */
@JCStressTest
@Description("S4/S5/S8 IOCommandGate commandSleep vs commandWakeup: no lost wakeup, recursion kept")
@Outcome(id = "0, 2", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1, 2", expect = Expect.ACCEPTABLE, desc = "slept, woken, gate count restored")
@Outcome(id = "2, 2", expect = Expect.FORBIDDEN, desc = "LOST WAKEUP: timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "interrupted, restarted, or gate count not restored")
@State
public class CommandGateSleepWakeup {

    /** Guarded by the gate. */
    boolean done;

    @Actor
    public void sleeper(II_Result r) {
        GATE.runAction(owner -> {
            LOOP.closeGate();
            try {
                int result = 0;
                long deadline = Safety.deadline();
                while (!done) {
                    SleepResult s = GATE.commandSleep(this, deadline);
                    result = Shared.code(s);
                    if (s != SleepResult.AWAKENED) {
                        break;
                    }
                }
                r.r1 = result;
                r.r2 = LOOP.gateHoldCount();
            } finally {
                LOOP.openGate();
            }
            return IOReturn.SUCCESS;
        });
    }

    @Actor
    public void waker() {
        GATE.runAction(owner -> {
            done = true;
            return IOReturn.SUCCESS;
        });
        GATE.commandWakeup(this, true);
    }
}
