package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A named daemon thread running one task, whose result or failure the test collects. */
final class Spawn<T> {

    final Thread thread;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private Spawn(String name, Callable<T> body) {
        thread = new Thread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
    }

    static <T> Spawn<T> start(String name, Callable<T> body) {
        Spawn<T> s = new Spawn<>(name, body);
        s.thread.start();
        return s;
    }

    static Spawn<Void> run(String name, ThrowingRunnable body) {
        return start(name, () -> {
            body.run();
            return null;
        });
    }

    /** @return the result, failing the test if the thread threw or did not finish within 5 s */
    T join() {
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(thread.getName() + " failed", e.getCause());
        } catch (TimeoutException e) {
            return fail(thread.getName() + " did not finish; stack: "
                    + java.util.Arrays.toString(thread.getStackTrace()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    boolean isDone() {
        return result.isDone();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
