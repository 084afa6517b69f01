package dev.sluice.kernel.jcstress.workloop;

import static dev.sluice.kernel.jcstress.workloop.Shared.GATE;

import java.util.concurrent.TimeUnit;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.SleepResult;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * NEGATIVE CONTROL, SEMANTICS P1 on the real IOCommandGate: the driver tests {@code done} outside
 * the gate and then calls {@code commandSleep} without testing again. The wakeup is issued in a gate
 * action, which also records that it was issued; the sleeper reads that record just before it
 * sleeps (observation only), so a sleep that started after the wakeup is counted exactly as lost.
 *
 * <p>r1: 0 = saw done, no sleep; 1 = slept, woken; 2 = LOST: slept after the wakeup and timed out;
 * 3 = timed out before the waker ran (short deadline, not the bug); 4 = other result.
 */
@JCStressTest
@Description("P1 on IOCommandGate, flag tested outside the gate (negative control)")
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "saw done: no sleep")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "slept, woken")
@Outcome(id = "2", expect = Expect.ACCEPTABLE_INTERESTING, desc = "LOST WAKEUP: slept after the wakeup, timed out")
@Outcome(id = "3", expect = Expect.ACCEPTABLE, desc = "timed out before the waker ran (short deadline)")
@Outcome(expect = Expect.FORBIDDEN, desc = "interrupted or restarted")
@State
public class CommandGateFlagOutsideGateNegativeControl {

    /** Each lost wakeup costs this much. */
    static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    volatile boolean done;
    /** Guarded by the gate. */
    boolean wakeupIssued;

    @Actor
    public void sleeper(I_Result r) {
        if (done) {                                  // BUG: tested outside the gate
            r.r1 = 0;
            return;
        }
        GATE.runAction(owner -> {
            boolean alreadyWoken = wakeupIssued;     // observation only
            SleepResult s = GATE.commandSleep(this, System.nanoTime() + SLEEP_NANOS);
            if (s == SleepResult.AWAKENED) {
                r.r1 = 1;
            } else if (s == SleepResult.TIMED_OUT) {
                r.r1 = alreadyWoken ? 2 : 3;
            } else {
                r.r1 = 4;
            }
            return IOReturn.SUCCESS;
        });
    }

    @Actor
    public void waker() {
        done = true;
        GATE.runAction(owner -> {
            wakeupIssued = true;
            GATE.commandWakeup(this, true);
            return IOReturn.SUCCESS;
        });
    }
}
