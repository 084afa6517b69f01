package dev.sluice.kernel.workloop;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's timer thread, shared by every {@link IOTimerEventSource} created with it (the
 * analogue of xnu's thread-call machinery behind {@code IOTimerEventSource}).
 *
 * <p>One daemon thread, named {@code IOTimer} by default, fires every timer in deadline order.
 * Passive timers run their action on it with the gate of their loop closed, so a passive action
 * that blocks, or waits long for a busy gate, delays every other timer of this service: keep
 * actions short, or use work-loop priority. It is a {@link ScheduledThreadPoolExecutor} with
 * remove-on-cancel, so cancelling or re-arming costs O(log n) and leaves no garbage in the queue.
 *
 * <p><b>Ownership.</b> There is no static instance: whoever owns the kernel's lifetime (the kernel
 * bundle's activator) creates one service and {@linkplain #close() closes} it when the bundle
 * stops; that ends the thread and drops every pending timer. Timers armed after close do not fire
 * and report {@link dev.sluice.kernel.IOReturn#OFFLINE}.
 */
public final class IOTimerService implements AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;
    private final String threadName;
    private volatile Thread timerThread;

    /** Creates the service and its thread, named {@code IOTimer}. */
    public IOTimerService() {
        this("IOTimer");
    }

    /** @param threadName the timer thread's name */
    public IOTimerService(String threadName) {
        this.threadName = threadName;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            timerThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.prestartCoreThread();
    }

    /** @return the timer thread's name */
    public String threadName() {
        return threadName;
    }

    /** @return the timer thread (for diagnostics; do not interrupt or join it) */
    public Thread thread() {
        return timerThread;
    }

    /** @return true if the calling thread is this service's timer thread */
    public boolean onTimerThread() {
        return Thread.currentThread() == timerThread;
    }

    /** @return how many timers are pending; a monitoring snapshot */
    public int pendingCount() {
        return executor.getQueue().size();
    }

    /** Schedules {@code task} after {@code delayNanos}. @return null if the service is closed */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return executor.schedule(task, Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** @return true once {@link #close()} has been called */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    /**
     * Stops the timer thread: pending timers are dropped, a timer action in progress finishes, and
     * the thread has ended when this returns (waiting up to 10 seconds, uninterruptibly).
     */
    @Override
    public void close() {
        executor.shutdownNow();
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!executor.isTerminated() && System.nanoTime() - deadline < 0) {
            try {
                executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        Thread t = timerThread;
        while (t != null && t != Thread.currentThread() && t.isAlive() && System.nanoTime() - deadline < 0) {
            try {
                t.join(Math.max(1L, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
