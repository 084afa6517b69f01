package dev.sluice.kernel.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.testing.Await;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * S56 and pitfall P2 with a toy driver whose asynchronous read is buggy in seed 003's way: it
 * completes synchronously, on the submitter's thread, inside the submit call.
 */
class IOCompletionTest {

    private final List<IODispatchQueue> queues = new ArrayList<>();

    private IODispatchQueue queue(String name) {
        IODispatchQueue q = IODispatchQueue.create(name);
        queues.add(q);
        return q;
    }

    @AfterEach
    void closeQueues() {
        for (IODispatchQueue q : queues) {
            q.close();
        }
    }

    /** The seed 003 mistake: "complete" called from the thread that called the async method. */
    private static IOReturn readAsyncCompletingInline(int bytes, IOCompletion<Integer> completion) {
        completion.complete(bytes);
        return IOReturn.SUCCESS;
    }

    @Test
    @DisplayName("S56 P2 negative control: a CompletableFuture completed inside submit runs its callback on the submitter's stack")
    void completableFutureRunsInline() {
        List<String> log = new ArrayList<>();
        Thread submitter = Thread.currentThread();
        CompletableFuture<Integer> naive = new CompletableFuture<>();
        naive.thenAccept(n -> log.add("callback on submitter=" + (Thread.currentThread() == submitter)));
        naive.complete(512);                     // "inside submit"
        log.add("submit returned");
        assertEquals(List.of("callback on submitter=true", "submit returned"), log,
                "the hazard IOCompletion exists to prevent");
    }

    @Test
    @DisplayName("S56 a driver completing inside submit does not run the callback before submit returns: the submitter's queue runs it afterwards")
    void submitterOnQueue() {
        IODispatchQueue q = queue("io-submitter");
        List<String> log = new CopyOnWriteArrayList<>();
        q.dispatchSync(() -> {
            IOCompletion<Integer> c = IOCompletion.on(q);
            c.promise().onSuccess(n -> log.add("completed " + n + " onQueue=" + q.onQueue()));
            IOReturn r = readAsyncCompletingInline(512, c);
            log.add("submit returned " + r);
        });
        q.dispatchSync(() -> { });
        assertEquals(List.of("submit returned SUCCESS", "completed 512 onQueue=true"), log);
    }

    @Test
    @DisplayName("S56 callbacks registered before or after completion never run on the completing thread")
    void neverOnCompletingThread() throws Exception {
        IODispatchQueue q = queue("io-callbacks");
        Thread submitter = Thread.currentThread();
        AtomicReference<Thread> before = new AtomicReference<>();
        AtomicReference<Thread> after = new AtomicReference<>();
        AtomicReference<Thread> then = new AtomicReference<>();
        IOCompletion<Integer> c = IOCompletion.on(q);
        c.promise().onResolve(() -> before.set(Thread.currentThread()));
        readAsyncCompletingInline(4096, c);
        c.promise().onResolve(() -> after.set(Thread.currentThread()));
        Integer doubled = c.promise().then(p -> {
            then.set(Thread.currentThread());
            return p;
        }).map(n -> n * 2).timeout(10_000).getValue();
        q.dispatchSync(() -> { });
        assertEquals(8192, doubled);
        for (AtomicReference<Thread> t : List.of(before, after, then)) {
            assertNotSame(submitter, t.get());
            assertEquals("IODispatchQueue-io-callbacks", t.get().getName());
        }
    }

    @Test
    @DisplayName("S56 a failure is delivered on the queue too; the first completion wins")
    void failureAndOnce() throws Exception {
        IODispatchQueue q = queue("io-fail");
        AtomicReference<String> seen = new AtomicReference<>();
        IOCompletion<Integer> c = IOCompletion.on(q);
        c.promise().onFailure(f -> seen.set(f.getMessage() + " onQueue=" + q.onQueue()));
        assertTrue(c.fail(new IOException("media error")));
        assertFalse(c.complete(1));
        assertFalse(c.fail(new IOException("again")));
        assertTrue(c.isDone());
        Await.until("failure callback ran", () -> seen.get() != null);
        assertEquals("media error onQueue=true", seen.get());
        assertEquals("media error", c.promise().getFailure().getMessage());
    }

    @Test
    @DisplayName("S56 a callback addressed to a cancelled queue is discarded, never run on the completing thread")
    void cancelledQueueDiscards() {
        IODispatchQueue q = queue("io-gone");
        List<Thread> ran = new CopyOnWriteArrayList<>();
        IOCompletion<Integer> c = IOCompletion.on(q);
        c.promise().onResolve(() -> ran.add(Thread.currentThread()));
        q.close();
        assertTrue(c.complete(1));
        assertEquals(1, c.discardedCallbacks());
        assertTrue(ran.isEmpty(), "not run inline as the promise library would for a rejected task");
    }

    @Test
    @DisplayName("S56 with an executor, callbacks run on the executor's thread, not the submitter's")
    void executorVariant() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "io-completion-pool"));
        try {
            AtomicReference<Thread> ran = new AtomicReference<>();
            IOCompletion<Integer> c = IOCompletion.on(pool);
            c.promise().onResolve(() -> ran.set(Thread.currentThread()));
            readAsyncCompletingInline(1, c);
            Await.until("callback ran", () -> ran.get() != null);
            assertEquals("io-completion-pool", ran.get().getName());
            assertEquals(1, c.promise().getValue());
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
