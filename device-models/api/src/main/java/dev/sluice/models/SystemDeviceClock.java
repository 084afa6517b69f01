package dev.sluice.models;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The real {@link DeviceClock}: {@link System#nanoTime()} and one daemon thread named
 * {@code model-clock} that runs the callbacks (a {@link ScheduledThreadPoolExecutor} whose
 * cancelled tasks are removed at once). The platform owns one and shares it between models;
 * {@link #close()} stops the thread and drops pending callbacks.
 */
public final class SystemDeviceClock implements DeviceClock, AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;

    public SystemDeviceClock() {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "model-clock");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Scheduled schedule(long deadlineNanos, Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // A model bug: dropped, the clock keeps serving the other models.
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
            }
        };
        ScheduledFuture<?> f = executor.schedule(guarded, Math.max(0, deadlineNanos - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        return new Scheduled() {
            @Override public boolean cancel() { return f.cancel(false); }
            @Override public long deadlineNanos() { return deadlineNanos; }
        };
    }

    /** Stops the {@code model-clock} thread; pending callbacks never run. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
