package dev.sluice.kernel.jcstress.workloop;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOTimerEventSource;
import dev.sluice.kernel.workloop.IOTimerService;
import dev.sluice.kernel.workloop.IOWorkLoop;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * IOTimerEventSource (WORK_LOOP priority) cancel racing fire (S46, S47, S50, P6): one thread arms the timer
 * to fire at once, another cancels it with the gate closed. The fire races the cancel, often
 * while waiting for the gate; the generation rule must suppress it. The action runs on the work loop thread from checkForWork.
 *
 * <p>Arms are numbered under the gate. The action, also under the gate, checks that the current
 * arm was not cancelled (S47) and has not fired before (one-shot: a stale fire of a replaced arm
 * must be suppressed, S46), and that it is not running twice at once (S50). The timer and loop are
 * one per forked VM, so r1 and r2 are cumulative: once a violation is seen every later sample
 * reports it.
 *
 * <p>r1: 1 if an action ran for a cancelled arm. r2: 1 if an arm fired twice, the action ran
 * re-entered, or on the wrong thread / without the gate. r3: what the cancel found: 0 = a pending
 * arm (so its fire must be suppressed), 1 = the current arm had already fired, or none yet.
 */
@JCStressTest
@Description("S46/S47 IOTimerEventSource WORK_LOOP: cancelTimeout in the gate beats any fire of that arm")
@Outcome(id = "0, 0, 0", expect = Expect.ACCEPTABLE, desc = "cancel caught a pending arm; its fire was suppressed")
@Outcome(id = "0, 0, 1", expect = Expect.ACCEPTABLE, desc = "the fire won, before the cancel")
@Outcome(id = "1, .*", expect = Expect.FORBIDDEN, desc = "the action ran for a cancelled arm (S47)")
@Outcome(expect = Expect.FORBIDDEN, desc = "an arm fired twice, or the action re-entered or ran outside its context")
@State
public class TimerCancelVsFireWorkLoop {

    static final IOWorkLoop LOOP = IOWorkLoop.create("jcstress-timer-WORK_LOOP");
    static final IOTimerService TIMERS = new IOTimerService("IOTimer-jcstress-WORK_LOOP");

    // Guarded by the gate of LOOP.
    static long arms;
    static long cancelledArm;
    static long firedArm;
    static boolean cancelledRan;
    static boolean badRun;
    static boolean inAction;

    static final IOTimerEventSource<String> TIMER = IOTimerEventSource.timerEventSource("jcstress",
            (owner, src) -> {
                if (inAction || !src.inGate() || !src.onThread()) {
                    badRun = true;
                }
                inAction = true;
                if (cancelledArm == arms) {
                    cancelledRan = true;
                }
                if (firedArm == arms) {
                    badRun = true;
                }
                firedArm = arms;
                inAction = false;
            }, TIMERS, IOTimerEventSource.Priority.WORK_LOOP);

    static {
        IOReturn r = LOOP.addEventSource(TIMER);
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException("addEventSource(timer) = " + r);
        }
    }

    @Actor
    public void armer(III_Result r) {
        LOOP.runAction(() -> {
            arms++;
            IOReturn x = TIMER.setTimeoutNS(1);
            if (x != IOReturn.SUCCESS) {
                badRun = true;
            }
            return x;
        });
    }

    @Actor
    public void canceller(III_Result r) {
        LOOP.runAction(() -> {
            TIMER.cancelTimeout();
            if (arms == 0 || firedArm == arms) {
                r.r3 = 1;
            } else {
                cancelledArm = arms;
                r.r3 = 0;
            }
            return IOReturn.SUCCESS;
        });
    }

    @Arbiter
    public void arbiter(III_Result r) {
        LOOP.runAction(() -> {
            r.r1 = cancelledRan ? 1 : 0;
            r.r2 = badRun ? 1 : 0;
            return IOReturn.SUCCESS;
        });
    }
}
