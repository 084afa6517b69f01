package dev.sluice.kernel.jcstress.dispatch;

import java.util.concurrent.atomic.AtomicReference;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.dispatch.OSAction;
import dev.sluice.kernel.jcstress.Safety;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * OSAction WillWait / Wait racing Invoke (S55, seed 000): with the token taken before anything can
 * invoke the action, an invocation that comes before the wait, or during it, is never lost, and the
 * waiter sees its arguments. The arbiter ends the wait and takes the next sample's token (jcstress
 * reuses state objects, resetting only their non-final fields).
 *
 * <p>r1: the wait's result (0 SUCCESS, 1 TIMEOUT = LOST INVOCATION, 2 ABORTED); r2: 1 if the waiter
 * saw the invocation's arguments; r3: invoke's result (0 SUCCESS).
 */
@JCStressTest
@Description("S55 OSAction waitForInvocation vs invoke: the invocation is never lost")
@Outcome(id = "0, 1, 0", expect = Expect.ACCEPTABLE, desc = "woken by the invocation, arguments seen")
@Outcome(id = "1, .*", expect = Expect.FORBIDDEN, desc = "LOST INVOCATION: the wait timed out")
@Outcome(expect = Expect.FORBIDDEN, desc = "aborted, wrong arguments, or invoke failed")
@State
public class OSActionWaitVsInvoke {

    static final IODispatchQueue QUEUE = IODispatchQueue.create("jcstress-actions");
    static final Integer ARGS = 42;

    final OSAction<Integer> action = OSAction.create(QUEUE, args -> { });
    final AtomicReference<OSAction<Integer>.WaitToken> token = new AtomicReference<>(action.willWait());

    @Actor
    public void waiter(III_Result r) {
        OSAction<Integer>.WaitToken t = token.get();
        IOReturn w = action.waitForInvocation(t, Safety.deadline());
        r.r1 = w == IOReturn.SUCCESS ? 0 : w == IOReturn.TIMEOUT ? 1 : 2;
        r.r2 = ARGS.equals(t.arguments()) ? 1 : 0;
    }

    @Actor
    public void invoker(III_Result r) {
        r.r3 = action.invoke(ARGS) == IOReturn.SUCCESS ? 0 : 1;
    }

    @Arbiter
    public void arbiter() {
        action.endWait(token.get());
        token.set(action.willWait());
    }
}
