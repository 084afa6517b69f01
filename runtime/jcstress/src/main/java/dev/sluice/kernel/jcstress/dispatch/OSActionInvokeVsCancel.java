package dev.sluice.kernel.jcstress.dispatch;

import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * OSAction Invoke racing Cancel (S55): cancel is permanent, a refused invocation (ABORTED) never
 * runs its callback, and the cancel handler runs exactly once, after any callback that did run.
 * A waiter (the arbiter, holding a token taken before the sample) gets SUCCESS exactly when the
 * invocation was accepted and ABORTED otherwise. The arbiter flushes the target queue with a
 * dispatchSync before it looks, then makes a fresh action for the next sample.
 *
 * <p>r1: invoke's result (0 SUCCESS, 1 ABORTED, 2 other); r2: 1 if the callback ran; r3: how many
 * times the handler ran, +10 if it ran before a callback; r4: the waiter's result (0 SUCCESS,
 * 1 ABORTED, 2 TIMEOUT).
 */
@JCStressTest
@Description("S55 OSAction invoke vs cancel: handler once, after callbacks; waiter told the truth")
@Outcome(id = "0, 1, 1, 0", expect = Expect.ACCEPTABLE, desc = "invoked first: callback ran, then the handler")
@Outcome(id = "0, 0, 1, 0", expect = Expect.ACCEPTABLE, desc = "invoked, cancelled before the callback started: dropped")
@Outcome(id = "1, 0, 1, 1", expect = Expect.ACCEPTABLE, desc = "cancelled first: invoke refused, waiter aborted")
@Outcome(expect = Expect.FORBIDDEN, desc = "callback after a refusal, handler not once or too early, waiter misled")
@State
public class OSActionInvokeVsCancel {

    static final IODispatchQueue QUEUE = IODispatchQueue.create("jcstress-cancel");

    /** One sample's action and what happened to it; replaced by the arbiter for the next sample. */
    static final class Sample {
        final AtomicInteger callbacks = new AtomicInteger();
        final AtomicInteger handlerRuns = new AtomicInteger();
        volatile boolean handlerEarly;
        final OSAction<Integer> action = OSAction.create(QUEUE, args -> {
            if (handlerRuns.get() > 0) {
                handlerEarly = true;
            }
            callbacks.incrementAndGet();
        });
        final OSAction<Integer>.WaitToken token = action.willWait();
    }

    final AtomicReference<Sample> sample = new AtomicReference<>(new Sample());

    @Actor
    public void invoker(IIII_Result r) {
        IOReturn x = sample.get().action.invoke(7);
        r.r1 = x == IOReturn.SUCCESS ? 0 : x == IOReturn.ABORTED ? 1 : 2;
    }

    @Actor
    public void canceller() {
        Sample s = sample.get();
        s.action.cancel(() -> {
            s.handlerRuns.incrementAndGet();
        });
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        Sample s = sample.get();
        IOReturn w = s.action.waitForInvocation(s.token, Safety.deadline());
        s.action.endWait(s.token);
        QUEUE.dispatchSync(() -> { });      // blocks queued before this one have run
        QUEUE.dispatchSync(() -> { });      // and anything they queued in turn
        r.r2 = s.callbacks.get();
        r.r3 = s.handlerRuns.get() + (s.handlerEarly ? 10 : 0);
        r.r4 = w == IOReturn.SUCCESS ? 0 : w == IOReturn.ABORTED ? 1 : 2;
        sample.set(new Sample());
    }
}
