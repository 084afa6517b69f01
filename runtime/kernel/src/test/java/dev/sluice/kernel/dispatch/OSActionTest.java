package dev.sluice.kernel.dispatch;

import static dev.sluice.kernel.dispatch.IODispatchQueueTest.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.testing.Await;
import dev.sluice.kernel.testing.TestThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OSActionTest {

    private final List<IODispatchQueue> queues = new ArrayList<>();

    private IODispatchQueue queue(String name, IODispatchQueue.Option... options) {
        IODispatchQueue q = IODispatchQueue.create(name, options);
        queues.add(q);
        return q;
    }

    @AfterEach
    void closeQueues() {
        for (IODispatchQueue q : queues) {
            q.close();
        }
    }

    @Test
    @DisplayName("S55 invoke runs the callback on the target queue, never on the invoker's stack (even when invoked from that queue)")
    void callbackOnTargetQueue() {
        IODispatchQueue q = queue("action-target");
        List<String> log = new CopyOnWriteArrayList<>();
        OSAction<String> action = OSAction.create(q, arg ->
                log.add(arg + " on " + Thread.currentThread().getName() + " onQueue=" + q.onQueue()));
        assertEquals(IOReturn.SUCCESS, action.invoke("from test"));
        AtomicBoolean ranInsideInvoke = new AtomicBoolean(true);
        q.dispatchSync(() -> {
            action.invoke("from queue");
            ranInsideInvoke.set(log.size() == 2);
        });
        assertFalse(ranInsideInvoke.get(), "invoke from the queue did not run the callback inline");
        q.dispatchSync(() -> { });
        assertEquals(List.of("from test on IODispatchQueue-action-target onQueue=true",
                "from queue on IODispatchQueue-action-target onQueue=true"), log);
    }

    @Test
    @DisplayName("S55 willWait before the invocation: an invocation before Wait is recorded and Wait returns SUCCESS with its arguments")
    void invocationBeforeWaitNotLost() {
        IODispatchQueue q = queue("action-wait");
        OSAction<Integer> action = OSAction.create(q, n -> { });
        OSAction<Integer>.WaitToken token = action.willWait();
        assertFalse(token.invoked());
        assertEquals(IOReturn.SUCCESS, action.invoke(42));   // the interrupt beats the waiter
        assertEquals(IOReturn.SUCCESS, action.waitForInvocation(token, System.nanoTime()),
                "already invoked: returns at once even with a past deadline");
        assertEquals(42, token.arguments());
        action.endWait(token);
    }

    @Test
    @DisplayName("S55 seed 000: a user-client call blocks in Wait until a primary interrupt handler invokes the action")
    void waitUntilInterrupt() throws Exception {
        IODispatchQueue q = queue("action-irq");
        OSAction<String> action = OSAction.create(q, s -> { });
        OSAction<String>.WaitToken token = action.willWait();
        AtomicReference<IOReturn> result = new AtomicReference<>();
        TestThread caller = TestThread.start("user-client-call",
                () -> result.set(action.waitForInvocation(token, Await.deadline())));
        Await.parked(caller.thread());
        assertNull(result.get());
        assertTrue(PrimaryInterruptContext.run("device irq", () -> action.invoke("irq") == IOReturn.SUCCESS),
                "invoke never blocks and is allowed in primary interrupt context");
        caller.join();
        assertEquals(IOReturn.SUCCESS, result.get());
        assertEquals("irq", token.arguments());
        action.endWait(token);
    }

    @Test
    @DisplayName("S55 one waiter only: a second willWait errors; endWait releases the token for a new willWait")
    void oneWaiter() {
        OSAction<Void> action = OSAction.create(queue("action-one"), v -> { });
        OSAction<Void>.WaitToken token = action.willWait();
        IllegalStateException e = assertThrows(IllegalStateException.class, action::willWait);
        assertTrue(e.getMessage().contains("already has a waiter"), e.getMessage());
        action.endWait(token);
        assertThrows(IllegalStateException.class, () -> action.waitForInvocation(token, System.nanoTime()),
                "an ended token cannot be waited on");
        assertThrows(IllegalStateException.class, () -> action.endWait(token));
        OSAction<Void>.WaitToken second = action.willWait();
        assertNotEquals(token, second);
        action.endWait(second);
    }

    @Test
    @DisplayName("S55 Wait returns TIMEOUT at the deadline when nothing invokes the action")
    void waitTimesOut() {
        OSAction<Void> action = OSAction.create(queue("action-timeout"), v -> { });
        OSAction<Void>.WaitToken token = action.willWait();
        assertEquals(IOReturn.TIMEOUT, action.waitForInvocation(token, System.nanoTime() + 30_000_000L));
        action.endWait(token);
    }

    @Test
    @DisplayName("S55 Wait returns ABORTED when the action is cancelled while waiting")
    void waitAbortedByCancel() throws Exception {
        OSAction<Void> action = OSAction.create(queue("action-abort"), v -> { });
        OSAction<Void>.WaitToken token = action.willWait();
        AtomicReference<IOReturn> result = new AtomicReference<>();
        TestThread waiter = TestThread.start("waiter", () -> result.set(action.waitForInvocation(token)));
        Await.parked(waiter.thread());
        assertTrue(action.cancel(null));
        waiter.join();
        assertEquals(IOReturn.ABORTED, result.get());
        assertEquals(IOReturn.ABORTED, action.waitForInvocation(token, Await.deadline()), "cancel is permanent");
        action.endWait(token);
    }

    @Test
    @DisplayName("S55 cancel is permanent: later invocations are refused, queued callbacks are dropped, a second cancel is ignored")
    void cancelPermanent() {
        IODispatchQueue q = queue("action-perm");
        List<String> log = new CopyOnWriteArrayList<>();
        OSAction<String> action = OSAction.create(q, log::add);
        AtomicReference<IOReturn> afterCancel = new AtomicReference<>();
        q.dispatchSync(() -> {
            action.invoke("queued, not started");   // queued behind this block
            action.cancel(() -> log.add("handler"));
            afterCancel.set(action.invoke("after cancel"));
        });
        q.dispatchSync(() -> { });
        assertEquals(IOReturn.ABORTED, afterCancel.get());
        assertEquals(List.of("handler"), log);
        assertTrue(action.isCancelled());
        assertFalse(action.cancel(() -> log.add("second handler")));
        q.dispatchSync(() -> { });
        assertEquals(List.of("handler"), log);
    }

    @Test
    @DisplayName("S55 the cancel handler runs on the target queue only after the callback in progress has returned")
    void cancelHandlerAfterCallbackInProgress() throws Exception {
        IODispatchQueue q = queue("action-inflight");
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch callbackStarted = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        OSAction<String> action = OSAction.create(q, s -> {
            log.add("callback start");
            callbackStarted.countDown();
            try {
                assertTrue(cancelled.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("callback end");
        });
        action.invoke("x");
        assertTrue(callbackStarted.await(10, TimeUnit.SECONDS));
        assertTrue(action.cancel(() -> log.add("handler onQueue=" + q.onQueue())));
        cancelled.countDown();
        q.dispatchSync(() -> { });
        assertEquals(List.of("callback start", "callback end", "handler onQueue=true"), log);
    }

    @Test
    @DisplayName("S55 S54 callbacks asleep on a reentrant queue are still in progress: the handler waits for the last while other blocks run")
    void cancelHandlerWaitsForSleepingCallbacks() {
        IODispatchQueue q = queue("action-sleep", IODispatchQueue.Option.REENTRANT);
        List<String> log = new CopyOnWriteArrayList<>();
        OSAction<String> action = OSAction.create(q, s -> {
            log.add(s + " sleeps");
            q.sleepWithDeadline("ev", Await.deadline());
            log.add(s + " ends");
        });
        action.invoke("cb1");
        action.invoke("cb2");
        Await.until("both callbacks asleep", () -> q.sleeperCount("ev") == 2);
        assertTrue(action.cancel(() -> log.add("handler")));
        q.dispatchSync(() -> {
            log.add("other block wakes one");
            q.wakeup("ev");
        });
        Await.until("first callback ended", () -> log.contains("cb1 ends"));
        q.dispatchSync(() -> {
            log.add("other block wakes the last");
            q.wakeup("ev");
        });
        Await.until("handler ran", () -> log.contains("handler"));
        assertEquals(List.of("cb1 sleeps", "cb2 sleeps", "other block wakes one", "cb1 ends",
                "other block wakes the last", "cb2 ends", "handler"), log);
    }

    @Test
    @DisplayName("S55 cancel with no callback in progress runs the handler asynchronously on the target queue")
    void cancelHandlerIdle() {
        IODispatchQueue q = queue("action-idle");
        AtomicReference<String> ranOn = new AtomicReference<>();
        OSAction<Void> action = OSAction.create(q, v -> { });
        assertTrue(action.cancel(() -> ranOn.set(Thread.currentThread().getName())));
        q.dispatchSync(() -> { });
        assertEquals("IODispatchQueue-action-idle", ranOn.get());
    }

    @Test
    @DisplayName("S55 invoking an action whose target queue is cancelled gives OFFLINE")
    void targetQueueCancelled() {
        IODispatchQueue q = queue("action-offline");
        OSAction<Void> action = OSAction.create(q, v -> { });
        q.close();
        assertEquals(IOReturn.OFFLINE, action.invoke(null));
        AtomicBoolean handlerRan = new AtomicBoolean();
        assertTrue(action.cancel(() -> handlerRan.set(true)));
        assertTrue(handlerRan.get(), "no queue left: the handler ran on the cancelling thread");
    }

    @Test
    @DisplayName("S43 OSAction.waitForInvocation is refused in primary interrupt context")
    void waitRefusedInPrimaryContext() {
        OSAction<Void> action = OSAction.create(queue("action-primary"), v -> { });
        OSAction<Void>.WaitToken token = action.willWait();
        assertRefused("OSAction.waitForInvocation", () -> action.waitForInvocation(token, Await.deadline()));
        assertRefused("OSAction.waitForInvocation", () -> action.waitForInvocation(token));
        action.endWait(token);
    }
}
