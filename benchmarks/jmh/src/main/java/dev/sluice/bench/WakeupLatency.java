package dev.sluice.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.kernel.workloop.SleepResult;
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
 * commandWakeup to sleeper-running latency (S4, S8): a thread sleeps in commandSleep; the benchmark
 * thread waits until it is asleep, sets the flag in a gate action, then times from
 * {@code commandWakeup} to the moment the sleeper runs again with the gate re-taken (HdrHistogram,
 * one-way). Baseline: the same protocol on a ReentrantLock and Condition (signal to await
 * returning with the lock held).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(1)
public class WakeupLatency {

    static final Object EVENT = new Object();

    @Param({"commandGate", "condition"})
    public String impl;

    final LatencyLog latency = new LatencyLog();
    volatile long t0;
    volatile boolean ack;
    volatile boolean running = true;
    /** Guarded by the gate or the lock. */
    boolean flag;
    /** Set by the sleeper under the lock just before it awaits (baseline only). */
    boolean asleep;

    private IOWorkLoop loop;
    private IOCommandGate<Object> gate;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition cond = lock.newCondition();
    private Thread sleeper;

    @Setup(Level.Trial)
    public void setUp() {
        if ("commandGate".equals(impl)) {
            loop = IOWorkLoop.create("bench-wakeup");
            gate = IOCommandGate.commandGate(this);
            if (loop.addEventSource(gate) != IOReturn.SUCCESS) {
                throw new IllegalStateException("addEventSource failed");
            }
            sleeper = new Thread(() -> gate.runAction(owner -> {
                while (running) {
                    while (!flag && running) {
                        if (gate.commandSleep(EVENT) == SleepResult.RESTART) {
                            return IOReturn.ABORTED;
                        }
                    }
                    latency.record(System.nanoTime() - t0);
                    flag = false;
                    ack = true;
                }
                return IOReturn.SUCCESS;
            }), "bench-commandSleep");
        } else {
            sleeper = new Thread(() -> {
                lock.lock();
                try {
                    while (running) {
                        while (!flag && running) {
                            asleep = true;
                            cond.awaitUninterruptibly();
                            asleep = false;
                        }
                        latency.record(System.nanoTime() - t0);
                        flag = false;
                        ack = true;
                    }
                } finally {
                    lock.unlock();
                }
            }, "bench-condition");
        }
        sleeper.setDaemon(true);
        sleeper.start();
    }

    private boolean sleeperAsleep() {
        if (gate != null) {
            return loop.sleeperCount(EVENT) == 1;
        }
        if (!lock.tryLock()) {
            return false;
        }
        try {
            return asleep && lock.hasWaiters(cond);
        } finally {
            lock.unlock();
        }
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
        running = false;
        if (gate != null) {
            gate.commandWakeup(EVENT, false);
        } else {
            lock.lock();
            try {
                cond.signalAll();
            } finally {
                lock.unlock();
            }
        }
        sleeper.join(10_000);
        if (loop != null) {
            loop.shutdown();
        }
    }

    @Benchmark
    public void wakeupToRunning() {
        ack = false;
        Spin.until(this::sleeperAsleep, "sleeper asleep");
        if (gate != null) {
            gate.runAction(owner -> {
                flag = true;
                return IOReturn.SUCCESS;
            });
            t0 = System.nanoTime();
            gate.commandWakeup(EVENT, true);
        } else {
            lock.lock();
            try {
                flag = true;
                t0 = System.nanoTime();
                cond.signal();
            } finally {
                lock.unlock();
            }
        }
        Spin.until(() -> ack, "sleeper running");
    }
}
