package dev.sluice.kernel.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.atomic.AtomicReference;

/** A daemon helper thread whose failure fails the test when joined. */
public final class TestThread {

    /** A body that may throw. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private TestThread(String name, Body body) {
        thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, name);
        thread.setDaemon(true);
    }

    /** Starts {@code body} on a new daemon thread named {@code name}. */
    public static TestThread start(String name, Body body) {
        TestThread t = new TestThread(name, body);
        t.thread.start();
        return t;
    }

    public Thread thread() {
        return thread;
    }

    /** Joins with the standard deadline and rethrows whatever the body threw. */
    public void join() throws InterruptedException {
        thread.join(Await.TIMEOUT_NANOS / 1_000_000L);
        if (thread.isAlive()) {
            thread.interrupt();
            fail(thread.getName() + " did not finish before the deadline");
        }
        Throwable t = failure.get();
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new AssertionError(thread.getName() + " failed", t);
        }
    }
}
