package dev.sluice.kernel.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation;
import dev.sluice.kernel.testing.Await;
import dev.sluice.kernel.testing.TestThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class IODispatchQueueTest {

    private final List<IODispatchQueue> queues = new ArrayList<>();
    private final List<Throwable> blockErrors = new CopyOnWriteArrayList<>();

    private IODispatchQueue queue(String name, IODispatchQueue.Option... options) {
        IODispatchQueue q = IODispatchQueue.create(name, blockErrors::add, options);
        queues.add(q);
        return q;
    }

    @AfterEach
    void closeQueues() {
        for (IODispatchQueue q : queues) {
            q.close();
        }
    }

    private static List<Thread> threadsNamed(String name) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                found.add(t);
            }
        }
        return found;
    }

    @Test
    @DisplayName("S53 blocks run on the queue's own thread named IODispatchQueue-<name>")
    void namedThread() {
        IODispatchQueue q = queue("named");
        AtomicReference<String> name = new AtomicReference<>();
        assertEquals(IOReturn.SUCCESS, q.dispatchSync(() -> name.set(Thread.currentThread().getName())));
        assertEquals("IODispatchQueue-named", name.get());
        assertEquals("IODispatchQueue-named", q.threadName());
    }

    @Test
    @DisplayName("S53 serial and FIFO: blocks from one producer run in order, never two at a time")
    void serialFifo() throws Exception {
        IODispatchQueue q = queue("fifo");
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        q.dispatchAsync(() -> {
            try {
                gate.await(10, TimeUnit.SECONDS); // let the backlog build up behind this block
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int n = 500;
        TestThread other = TestThread.start("other-producer", () -> {
            for (int i = 0; i < n; i++) {
                q.dispatchAsync(() -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    running.decrementAndGet();
                });
            }
        });
        for (int i = 0; i < n; i++) {
            int k = i;
            q.dispatchAsync(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                order.add(k);
                running.decrementAndGet();
            });
        }
        other.join();
        gate.countDown();
        q.dispatchSync(() -> { });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
        assertEquals(1, maxRunning.get());
    }

    @Test
    @DisplayName("S53 dispatchAsync returns before the block runs, even from the queue itself (never on the caller's stack)")
    void asyncNeverInline() {
        IODispatchQueue q = queue("async");
        AtomicBoolean innerRan = new AtomicBoolean();
        AtomicBoolean ranBeforeReturn = new AtomicBoolean(true);
        q.dispatchSync(() -> {
            assertEquals(IOReturn.SUCCESS, q.dispatchAsync(() -> innerRan.set(true)));
            ranBeforeReturn.set(innerRan.get());
        });
        assertFalse(ranBeforeReturn.get());
        q.dispatchSync(() -> { });
        assertTrue(innerRan.get());
    }

    @Test
    @DisplayName("S53 dispatchSync waits for the block and rethrows its exception; the queue carries on")
    void dispatchSyncWaitsAndRethrows() {
        IODispatchQueue q = queue("sync");
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(IOReturn.SUCCESS, q.dispatchSync(() -> ran.set(true)));
        assertTrue(ran.get(), "visible as soon as dispatchSync returns");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> q.dispatchSync(() -> {
                    throw new IllegalArgumentException("boom");
                }));
        assertEquals("boom", e.getMessage());
        assertEquals(IOReturn.SUCCESS, q.dispatchSync(() -> { }));
        assertTrue(blockErrors.isEmpty(), "a sync block's exception goes to its caller, not the error handler");
    }

    @Test
    @DisplayName("S53 an async block that throws goes to the error handler and the next block still runs")
    void asyncBlockThrows() {
        IODispatchQueue q = queue("throws");
        q.dispatchAsync(() -> {
            throw new IllegalStateException("driver bug");
        });
        AtomicBoolean next = new AtomicBoolean();
        q.dispatchSync(() -> next.set(true));
        assertTrue(next.get());
        assertEquals(1, blockErrors.size());
        assertEquals("driver bug", blockErrors.get(0).getMessage());
        blockErrors.clear();
    }

    @Test
    @DisplayName("S53 dispatchSync called on the queue itself is a clear error, not a deadlock")
    void dispatchSyncOnQueueRefused() {
        IODispatchQueue q = queue("self");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        q.dispatchSync(() -> {
            try {
                q.dispatchSync(() -> { });
            } catch (IllegalStateException e) {
                thrown.set(e);
            }
        });
        assertTrue(thrown.get() instanceof IllegalStateException);
        assertTrue(thrown.get().getMessage().contains("called on queue self"), thrown.get().getMessage());
    }

    @Test
    @DisplayName("S53 onQueue is true only inside the queue's own blocks")
    void onQueue() {
        IODispatchQueue a = queue("a");
        IODispatchQueue b = queue("b");
        assertFalse(a.onQueue());
        AtomicBoolean onA = new AtomicBoolean();
        AtomicBoolean onBFromA = new AtomicBoolean(true);
        AtomicBoolean onAFromB = new AtomicBoolean(true);
        a.dispatchSync(() -> {
            onA.set(a.onQueue());
            onBFromA.set(b.onQueue());
            b.dispatchSync(() -> onAFromB.set(a.onQueue()));
        });
        assertTrue(onA.get());
        assertFalse(onBFromA.get());
        assertFalse(onAFromB.get(), "a block of b is not on a, although a waits for it");
    }

    @Test
    @DisplayName("S54 a sleeping block releases a reentrant queue to later blocks and resumes on it when woken, with SUCCESS")
    void sleepReleasesQueue() {
        IODispatchQueue q = queue("reentrant", IODispatchQueue.Option.REENTRANT);
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicReference<IOReturn> result = new AtomicReference<>();
        AtomicBoolean onQueueAfter = new AtomicBoolean();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        q.dispatchAsync(() -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            log.add("A before sleep");
            running.decrementAndGet();
            result.set(q.sleepWithDeadline("irq", Await.deadline()));
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            onQueueAfter.set(q.onQueue());
            log.add("A resumed");
            running.decrementAndGet();
        });
        q.dispatchAsync(() -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            log.add("B runs while A sleeps");
            log.add("B woke " + q.wakeup("irq"));
            log.add("B still running");
            running.decrementAndGet();
        });
        assertEquals(List.of("A before sleep", "B runs while A sleeps", "B woke true", "B still running", "A resumed"),
                waitForSize(log, 5));
        assertEquals(IOReturn.SUCCESS, result.get());
        assertTrue(onQueueAfter.get(), "resumes on the queue");
        assertEquals(1, maxRunning.get(), "still one block at a time");
    }

    private static List<String> waitForSize(List<String> log, int size) {
        Await.until(size + " log entries", () -> log.size() >= size);
        return log;
    }

    @Test
    @DisplayName("S54 sleepWithDeadline returns TIMEOUT at the deadline and resumes on the queue")
    void sleepTimesOut() {
        IODispatchQueue q = queue("timeout", IODispatchQueue.Option.REENTRANT);
        AtomicReference<IOReturn> result = new AtomicReference<>();
        AtomicBoolean onQueueAfter = new AtomicBoolean();
        q.dispatchSync(() -> {
            result.set(q.sleepWithDeadline("never", System.nanoTime() + 50_000_000L));
            onQueueAfter.set(q.onQueue());
        });
        assertEquals(IOReturn.TIMEOUT, result.get());
        assertTrue(onQueueAfter.get());
        assertEquals(0, q.sleeperCount("never"));
    }

    @Test
    @DisplayName("S54 wakeup wakes one sleeper (FIFO), wakeupAll wakes all; a wakeup without sleeper is not stored")
    void wakeupOneAndAll() {
        IODispatchQueue q = queue("wakeall", IODispatchQueue.Option.REENTRANT);
        List<String> log = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "s" + i;
            q.dispatchAsync(() -> log.add(name + " " + q.sleepWithDeadline("ev", Await.deadline())));
        }
        Await.until("3 sleepers", () -> q.sleeperCount("ev") == 3);
        AtomicBoolean one = new AtomicBoolean();
        q.dispatchSync(() -> one.set(q.wakeup("ev")));
        assertTrue(one.get());
        assertEquals(List.of("s0 SUCCESS"), waitForSize(log, 1));
        assertEquals(2, q.sleeperCount("ev"));
        AtomicInteger all = new AtomicInteger();
        q.dispatchSync(() -> all.set(q.wakeupAll("ev")));
        assertEquals(2, all.get());
        waitForSize(log, 3);
        assertTrue(log.containsAll(List.of("s1 SUCCESS", "s2 SUCCESS")), log.toString());
        AtomicBoolean none = new AtomicBoolean(true);
        q.dispatchSync(() -> none.set(q.wakeup("ev")));
        assertFalse(none.get(), "no sleeper: nothing woken, nothing stored");
        AtomicReference<IOReturn> late = new AtomicReference<>();
        q.dispatchSync(() -> late.set(q.sleepWithDeadline("ev", System.nanoTime() + 20_000_000L)));
        assertEquals(IOReturn.TIMEOUT, late.get(), "the earlier wakeup was not stored");
    }

    @Test
    @DisplayName("S54 sleep on a non-reentrant queue is refused with a clear error; sleep and wakeup off the queue are refused")
    void sleepRefusals() {
        IODispatchQueue plain = queue("plain");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        plain.dispatchSync(() -> {
            try {
                plain.sleep("ev");
            } catch (IllegalStateException e) {
                thrown.set(e);
            }
        });
        assertTrue(thrown.get() instanceof IllegalStateException);
        assertTrue(thrown.get().getMessage().contains("not created REENTRANT"), thrown.get().getMessage());

        IODispatchQueue re = queue("re", IODispatchQueue.Option.REENTRANT);
        IllegalStateException off = assertThrows(IllegalStateException.class, () -> re.sleep("ev"));
        assertTrue(off.getMessage().contains("must be called on queue re"), off.getMessage());
        assertThrows(IllegalStateException.class, () -> re.sleepWithDeadline("ev", System.nanoTime()));
        assertThrows(IllegalStateException.class, () -> re.wakeup("ev"));
        assertThrows(IllegalStateException.class, () -> re.wakeupAll("ev"));
    }

    @Test
    @DisplayName("S54 seed 000: an external method sleeps on a reentrant queue until the interrupt; other calls on the queue still complete meanwhile")
    void seed000ExternalMethodSleepsUntilInterrupt() throws Exception {
        IODispatchQueue q = queue("userclient", IODispatchQueue.Option.REENTRANT);
        boolean[] interruptOccurred = {false}; // only touched on the queue
        AtomicReference<IOReturn> blockingCall = new AtomicReference<>();
        AtomicBoolean otherCallDone = new AtomicBoolean();
        TestThread app = TestThread.start("app", () -> q.dispatchSync(() -> {
            interruptOccurred[0] = false;
            // ... arm the device here ...
            IOReturn r = IOReturn.SUCCESS;
            while (!interruptOccurred[0] && r == IOReturn.SUCCESS) {
                r = q.sleepWithDeadline("irq", Await.deadline());
            }
            blockingCall.set(r);
        }));
        Await.until("external method asleep", () -> q.sleeperCount("irq") == 1);
        // another external method on the same queue is not stuck behind the sleeper
        q.dispatchSync(() -> otherCallDone.set(true));
        assertTrue(otherCallDone.get());
        // the interrupt: a primary handler hands the state change to the queue
        PrimaryInterruptContext.run("device irq", () -> q.dispatchAsync(() -> {
            interruptOccurred[0] = true;
            q.wakeup("irq");
        }) == IOReturn.SUCCESS);
        app.join();
        assertEquals(IOReturn.SUCCESS, blockingCall.get());
    }

    @Test
    @DisplayName("S53 cancel runs the queued blocks, refuses new ones (OFFLINE), runs the handler on the queue last; close leaves no thread")
    void cancelAndClose() {
        IODispatchQueue q = queue("cancel");
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        q.dispatchAsync(() -> {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("first");
        });
        q.dispatchAsync(() -> log.add("queued before cancel"));
        assertTrue(q.cancel(() -> log.add("handler on queue " + q.onQueue())));
        assertFalse(q.cancel(() -> log.add("second handler")), "cancel is once");
        assertEquals(IOReturn.OFFLINE, q.dispatchAsync(() -> log.add("after cancel")));
        assertEquals(IOReturn.OFFLINE, q.dispatchSync(() -> log.add("sync after cancel")));
        gate.countDown();
        q.close();
        assertEquals(List.of("first", "queued before cancel", "handler on queue true"), log);
        assertTrue(threadsNamed("IODispatchQueue-cancel").isEmpty(), "no thread survives close");
    }

    @Test
    @DisplayName("S54 cancelling a reentrant queue wakes its sleepers with ABORTED; close leaves no thread, helpers included")
    void cancelWakesSleepers() {
        IODispatchQueue q = queue("cancelsleep", IODispatchQueue.Option.REENTRANT);
        List<IOReturn> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            q.dispatchAsync(() -> results.add(q.sleep("ev")));
        }
        Await.until("3 sleepers", () -> q.sleeperCount("ev") == 3);
        assertTrue(threadsNamed("IODispatchQueue-cancelsleep").size() >= 3, "one Java thread per sleeping block");
        q.close();
        assertEquals(List.of(IOReturn.ABORTED, IOReturn.ABORTED, IOReturn.ABORTED), results);
        assertTrue(threadsNamed("IODispatchQueue-cancelsleep").isEmpty());
    }

    @Test
    @DisplayName("S53 close from the queue itself is a clear error")
    void closeOnQueueRefused() {
        IODispatchQueue q = queue("closeself");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        q.dispatchSync(() -> {
            try {
                q.close();
            } catch (IllegalStateException e) {
                thrown.set(e);
            }
        });
        assertTrue(thrown.get() instanceof IllegalStateException);
        assertFalse(q.isCancelled());
    }

    @Test
    @DisplayName("S43 IODispatchQueue.dispatchSync, .sleep, .sleepWithDeadline and .close are refused in primary interrupt context; dispatchAsync is allowed")
    void primaryContext() {
        IODispatchQueue q = queue("primary", IODispatchQueue.Option.REENTRANT);
        assertRefused("IODispatchQueue.dispatchSync", () -> q.dispatchSync(() -> { }));
        assertRefused("IODispatchQueue.close", q::close);
        assertRefused("IODispatchQueue.awaitTermination", () -> q.awaitTermination(System.nanoTime()));
        List<String> ops = new CopyOnWriteArrayList<>();
        q.dispatchSync(() -> {
            ops.add(refusedOperation(() -> q.sleep("ev")));
            ops.add(refusedOperation(() -> q.sleepWithDeadline("ev", System.nanoTime())));
        });
        assertEquals(List.of("IODispatchQueue.sleep", "IODispatchQueue.sleepWithDeadline"), ops);
        AtomicBoolean ran = new AtomicBoolean();
        assertTrue(PrimaryInterruptContext.run("test filter",
                () -> q.dispatchAsync(() -> ran.set(true)) == IOReturn.SUCCESS));
        q.dispatchSync(() -> { });
        assertTrue(ran.get());
        assertFalse(q.isCancelled(), "the refused close did not cancel");
    }

    static void assertRefused(String operation, Executable call) {
        assertEquals(operation, refusedOperation(call));
    }

    static String refusedOperation(Executable call) {
        PrimaryInterruptContextViolation v = assertThrows(PrimaryInterruptContextViolation.class,
                () -> PrimaryInterruptContext.run("test filter", () -> {
                    try {
                        call.execute();
                    } catch (RuntimeException | Error e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    }
                    return true;
                }));
        assertTrue(v.getMessage().contains(v.operation()), v.getMessage());
        return v.operation();
    }

    @Test
    @DisplayName("S53 S54 stress: four producers, blocks that sleep, wake and run mixed on a reentrant queue; always one block at a time, none lost")
    void reentrantStress() throws Exception {
        IODispatchQueue q = queue("stress", IODispatchQueue.Option.REENTRANT);
        Object[] events = {"e0", "e1", "e2"};
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger offQueue = new AtomicInteger();
        int perProducer = 150;
        TestThread[] producers = new TestThread[4];
        for (int p = 0; p < producers.length; p++) {
            producers[p] = TestThread.start("producer" + p, () -> {
                for (int i = 0; i < perProducer; i++) {
                    Object ev = events[i % events.length];
                    int kind = i % 3;
                    q.dispatchAsync(() -> {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        running.decrementAndGet();
                        if (kind == 0) {
                            q.sleepWithDeadline(ev, Await.deadline());
                            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                            running.decrementAndGet();
                        } else if (kind == 1) {
                            q.wakeupAll(ev);
                        } else {
                            q.wakeup(ev);
                        }
                        if (!q.onQueue()) {
                            offQueue.incrementAndGet();
                        }
                        completed.incrementAndGet();
                    });
                }
            });
        }
        for (TestThread p : producers) {
            p.join();
        }
        int total = producers.length * perProducer;
        long deadline = Await.deadline();
        while (completed.get() < total && System.nanoTime() - deadline < 0L) {
            q.dispatchSync(() -> {
                for (Object ev : events) {
                    q.wakeupAll(ev);
                }
            });
        }
        assertEquals(total, completed.get());
        assertEquals(1, maxRunning.get());
        assertEquals(0, offQueue.get());
        q.close();
        assertTrue(threadsNamed("IODispatchQueue-stress").isEmpty());
    }
}
