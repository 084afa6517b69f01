package dev.sluice.bench;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
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

/**
 * Interrupt throughput with coalescing (S34, S35): one thread rings a doorbell source as fast as
 * {@code gapNanos} allows while the loop consumes; the action adds up the counts it is handed.
 * At the end of the trial the benchmark waits until every ring is accounted for and <b>fails</b>
 * (IllegalStateException, so JMH reports an error and {@link BenchMain} exits non-zero) if a count
 * was lost or invented; it writes rings / consumed / action calls for the report, which shows the
 * coalescing ratio (rings per action call).
 *
 * <p>Baseline: one task per interrupt on a single-thread executor (no coalescing), kept to at most
 * 10,000 tasks in flight so it cannot exhaust the heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(1)
public class InterruptThroughput {

    @Param({"doorbell", "executor"})
    public String impl;

    @Param({"0", "1000", "10000"})
    public long gapNanos;

    private IOWorkLoop loop;
    private IOInterruptEventSource<Object> source;
    private ExecutorService executor;
    private Runnable task;
    private long rings;
    private final Object mon = new Object();
    /** Guarded by mon. */
    private long consumed;
    private long calls;
    private final AtomicLong executed = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        if ("doorbell".equals(impl)) {
            loop = IOWorkLoop.create("bench-throughput");
            source = IOInterruptEventSource.interruptEventSource(this, (owner, src, count) -> {
                synchronized (mon) {
                    consumed += count;
                    calls++;
                    mon.notifyAll();
                }
            });
            if (loop.addEventSource(source) != IOReturn.SUCCESS) {
                throw new IllegalStateException("addEventSource failed");
            }
            source.enable();
        } else {
            executor = Executors.newSingleThreadExecutor();
            task = () -> {
                executed.incrementAndGet();
                synchronized (mon) {
                    consumed++;
                    calls++;
                    if (consumed == rings) {
                        mon.notifyAll();
                    }
                }
            };
        }
    }

    @Benchmark
    public void ring() {
        if (source != null) {
            source.interruptOccurred();
        } else {
            while (rings - executed.get() > 10_000) {
                Thread.onSpinWait();
            }
            executor.execute(task);
        }
        rings++;
        Spin.gap(gapNanos);
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) throws InterruptedException, FileNotFoundException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long c;
        long n;
        synchronized (mon) {
            while (consumed < rings && deadline - System.nanoTime() > 0) {
                mon.wait(100);
            }
            c = consumed;
            n = calls;
        }
        if (loop != null) {
            loop.shutdown();
        }
        if (executor != null) {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        String dir = System.getProperty(LatencyLog.DIR_PROPERTY);
        if (dir != null) {
            File out = new File(dir, LatencyLog.label(params) + "." + ProcessHandle.current().pid() + ".sums");
            out.getParentFile().mkdirs();
            try (PrintStream ps = new PrintStream(out)) {
                ps.println(rings + " " + c + " " + n);
            }
        }
        if (c != rings) {
            throw new IllegalStateException((c < rings ? "LOST" : "INVENTED") + " interrupt counts: " + rings
                    + " rings, " + c + " counted by the action in " + n + " calls");
        }
    }
}
