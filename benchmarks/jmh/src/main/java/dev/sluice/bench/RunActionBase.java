package dev.sluice.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A short critical section (one counter increment) under IOWorkLoop.runAction and
 * IOCommandGate.runAction (S18, S24), next to the same section under ReentrantLock and
 * synchronized. Subclasses fix the thread count: {@link RunActionUncontended} (1) and
 * {@link RunActionContended} (2). Target: runAction within 1.5x of ReentrantLock.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class RunActionBase {

    IOWorkLoop loop;
    IOCommandGate<Object> gate;
    final ReentrantLock lock = new ReentrantLock();
    final Object monitor = new Object();
    long counter;
    IOWorkLoop.Action loopAction;
    IOCommandGate.Action<Object> gateAction;

    @Setup(Level.Trial)
    public void setUp() {
        loop = IOWorkLoop.create("bench-runAction");
        gate = IOCommandGate.commandGate(this);
        if (loop.addEventSource(gate) != IOReturn.SUCCESS) {
            throw new IllegalStateException("addEventSource failed");
        }
        loopAction = () -> {
            counter++;
            return IOReturn.SUCCESS;
        };
        gateAction = owner -> {
            counter++;
            return IOReturn.SUCCESS;
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.shutdown();
    }

    @Benchmark
    public IOReturn workLoopRunAction() {
        return loop.runAction(loopAction);
    }

    @Benchmark
    public IOReturn commandGateRunAction() {
        return gate.runAction(gateAction);
    }

    @Benchmark
    public long reentrantLock() {
        lock.lock();
        try {
            return ++counter;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public long synchronizedBlock() {
        synchronized (monitor) {
            return ++counter;
        }
    }
}
