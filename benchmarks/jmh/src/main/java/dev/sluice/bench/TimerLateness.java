package dev.sluice.bench;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOTimerEventSource;
import dev.sluice.kernel.workloop.IOTimerService;
import dev.sluice.kernel.workloop.IOWorkLoop;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * Timer lateness (S45, S48): arm a one-shot timeout of {@code delayMicros} and record, in the
 * action, how late it runs after its absolute deadline (HdrHistogram). IOTimerEventSource at
 * passive priority (action on the IOTimer thread with the gate closed) and at work-loop priority
 * (action on the loop thread), against a ScheduledThreadPoolExecutor with one thread and
 * remove-on-cancel. The benchmark thread waits for each fire on a semaphore.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(1)
public class TimerLateness {

    @Param({"ioTimerPassive", "ioTimerWorkLoop", "scheduledExecutor"})
    public String impl;

    @Param({"1000"})
    public long delayMicros;

    final LatencyLog latency = new LatencyLog();
    private final Semaphore fired = new Semaphore(0);
    private volatile long deadline;

    private IOWorkLoop loop;
    private IOTimerService timers;
    private IOTimerEventSource<Object> timer;
    private ScheduledThreadPoolExecutor stpe;
    private Runnable task;

    @Setup(Level.Trial)
    public void setUp() {
        if (impl.startsWith("ioTimer")) {
            loop = IOWorkLoop.create("bench-timer");
            timers = new IOTimerService("IOTimer-bench");
            timer = IOTimerEventSource.timerEventSource(this, (owner, sender) -> fire(),
                    timers, "ioTimerPassive".equals(impl) ? IOTimerEventSource.Priority.PASSIVE
                            : IOTimerEventSource.Priority.WORK_LOOP);
            if (loop.addEventSource(timer) != IOReturn.SUCCESS) {
                throw new IllegalStateException("addEventSource failed");
            }
        } else {
            stpe = new ScheduledThreadPoolExecutor(1);
            stpe.setRemoveOnCancelPolicy(true);
            task = this::fire;
        }
    }

    private void fire() {
        latency.record(System.nanoTime() - deadline);
        fired.release();
    }

    @Setup(Level.Iteration)
    public void iterationStarts(IterationParams iteration) {
        latency.iterationStarts(iteration);
    }

    @TearDown(Level.Iteration)
    public void iterationEnds() {
        latency.iterationEnds();
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) throws InterruptedException {
        latency.trialEnds(params);
        if (loop != null) {
            loop.shutdown();
            timers.close();
        }
        if (stpe != null) {
            stpe.shutdownNow();
            stpe.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public void armAndWaitForFire() throws InterruptedException {
        if (timer != null) {
            IOReturn r = loop.callInGate(() -> {
                IOReturn x = timer.setTimeoutUS(delayMicros);
                deadline = timer.deadline();
                return x;
            });
            if (r != IOReturn.SUCCESS) {
                throw new IllegalStateException("setTimeoutUS = " + r);
            }
        } else {
            deadline = System.nanoTime() + delayMicros * 1000;
            stpe.schedule(task, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        if (!fired.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("timer did not fire within 10 s");
        }
    }
}
