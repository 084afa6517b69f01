package dev.sluice.benchmarks.irq;

import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.workloop.IOEventSource;
import dev.sluice.kernel.workloop.IOFilterInterruptEventSource;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.InterruptLine;
import dev.sluice.platform.interrupt.InterruptController;
import dev.sluice.platform.interrupt.LineStatus;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Interrupt latency through the platform's interrupt controller, next to a raw park/unpark hand-off
 * measured in the same JVM and run.
 *
 * <p>A "device" thread raises a level line and waits (parked) until the driver's action has lowered
 * it; the times measured are raise to filter start (primary context on {@code cpu0}) and raise to
 * action start (on the work loop thread). Two modes: <b>idle</b>, where the device waits a gap
 * between interrupts so every thread has parked (each interrupt costs one park/unpark hand-off to
 * the CPU thread and one to the loop thread), and <b>back-to-back</b>, where the next raise follows
 * at once and the spinning CPU and loop threads take it without parking.
 *
 * <p>Usage: {@code IrqLatencyBenchmark [samples-per-row] [idle-gap-us]}.
 */
public final class IrqLatencyBenchmark {

    private static final long SPIN_NANOS = Long.getLong("dev.sluice.irq.spinNanos", 20_000L);

    private IrqLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long gapNanos = (args.length > 1 ? Long.parseLong(args[1]) : 200) * 1_000L;
        System.out.printf(Locale.ROOT, "Sluice interrupt latency: %d samples per row, Java %s, %d cpus, controller spin %d us, "
                        + "work loop spin %d us%n", samples, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), SPIN_NANOS / 1000,
                IOWorkLoop.Options.defaults().spinNanos() / 1000);
        // warm-up: JIT every path once, results discarded
        int warm = Math.max(1000, samples / 5);
        rawHandoff(warm, gapNanos / 4, 0);
        rawHandoff(warm, 0, SPIN_NANOS);
        interruptPath(warm, gapNanos / 4, true);
        interruptPath(warm, 0, false);

        for (long gap : new long[] {gapNanos, 0}) {
            System.out.println();
            System.out.println(gap > 0
                    ? "idle: the device waits " + gap / 1000 + " us between interrupts, so the cpu and loop threads have parked"
                    : "back-to-back: the device raises again as soon as the action has run (threads may still spin)");
            System.out.printf(Locale.ROOT, "  %-52s %9s %9s %9s %9s %9s%n", "", "p50", "p99", "p99.9", "max", "p50/raw");
            long[] raw = rawHandoff(samples, gap, 0);
            long rawP50 = percentile(raw, 0.5);
            row("raw park/unpark hand-off (one wakeup)", raw, rawP50);
            row("raw hand-off, waiter spins " + SPIN_NANOS / 1000 + " us then parks", rawHandoff(samples, gap, SPIN_NANOS), rawP50);
            Result filter = interruptPath(samples, gap, true);
            row("irq raise -> filter start (cpu0, primary context)", filter.toFilter, rawP50);
            row("irq raise -> action start (filter source, loop)", filter.toAction, rawP50);
            long[] hop = new long[samples];
            Arrays.setAll(hop, i -> filter.toAction[i] - filter.toFilter[i]);
            row("  of which filter start -> action start", hop, rawP50);
            Result plain = interruptPath(samples, gap, false);
            row("irq raise -> action start (plain source, loop)", plain.toAction, rawP50);
            Result noLoopSpin = interruptPath(samples, gap, false, IOWorkLoop.Options.defaults().withSpinNanos(0));
            row("irq raise -> action start (plain source, loop spin 0)", noLoopSpin.toAction, rawP50);
            LineStatus s = plain.status;
            System.out.printf(Locale.ROOT, "  %-52s %9s %9s %9s %9s %9s%n", "controller's own histogram, raise -> handler",
                    us(s.p50Nanos()), us(s.p99Nanos()), us(s.p999Nanos()), us(s.maxNanos()),
                    ratio(s.p50Nanos(), rawP50));
        }
    }

    private static void row(String name, long[] samples, long rawP50) {
        long p50 = percentile(samples, 0.5);
        System.out.printf(Locale.ROOT, "  %-52s %9s %9s %9s %9s %9s%n", name, us(p50), us(percentile(samples, 0.99)),
                us(percentile(samples, 0.999)), us(percentile(samples, 1.0)), ratio(p50, rawP50));
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1000.0);
    }

    private static String ratio(long a, long b) {
        return b == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) a / b);
    }

    private static long percentile(long[] sorted, double q) {
        long[] s = sorted.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(q * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    // ------------------------------------------------------------------ raw baseline

    /** A waiter that spins {@code spinNanos} then parks, woken like the controller wakes a CPU. */
    private static long[] rawHandoff(int n, long gapNanos, long spinNanos) throws InterruptedException {
        long[] out = new long[n];
        AtomicLong posted = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long[] stamp = new long[1];
        Flag waiterParked = new Flag();
        Flag mainParked = new Flag();
        Thread main = Thread.currentThread();
        Thread waiter = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                long target = i + 1;
                long spinUntil = System.nanoTime() + spinNanos;
                while (posted.get() < target && System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                }
                while (posted.get() < target) {
                    waiterParked.value = true;
                    if (posted.get() < target) {
                        LockSupport.park();
                    }
                    waiterParked.value = false;
                }
                out[i] = System.nanoTime() - stamp[0];
                done.set(target);
                if (mainParked.value) {
                    LockSupport.unpark(main);
                }
            }
        }, "raw-waiter");
        waiter.setDaemon(true);
        waiter.start();
        for (int i = 0; i < n; i++) {
            gap(gapNanos);
            stamp[0] = System.nanoTime(); // published by the volatile write below
            posted.set(i + 1);
            if (waiterParked.value) {
                LockSupport.unpark(waiter);
            }
            awaitValue(done, i + 1, mainParked);
        }
        waiter.join();
        return out;
    }

    private static final class Flag {
        volatile boolean value;
    }

    private static void gap(long nanos) {
        if (nanos > 0) {
            long end = System.nanoTime() + nanos;
            for (long left = nanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }

    /**
     * Spins as the controller and loop threads do, then parks until {@code counter} reaches
     * {@code target} (woken by whoever advances it).
     */
    private static void awaitValue(AtomicLong counter, long target, Flag parked) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (counter.get() < target && System.nanoTime() - spinUntil < 0) {
            Thread.onSpinWait();
        }
        while (counter.get() < target) {
            parked.value = true;
            if (counter.get() < target) {
                LockSupport.parkNanos(1_000_000L);
            }
            parked.value = false;
        }
    }

    // ------------------------------------------------------------------ the interrupt path

    private record Result(long[] toFilter, long[] toAction, LineStatus status) {
    }

    private static Result interruptPath(int n, long gapNanos, boolean useFilter) throws Exception {
        return interruptPath(n, gapNanos, useFilter, IOWorkLoop.Options.defaults());
    }

    private static Result interruptPath(int n, long gapNanos, boolean useFilter, IOWorkLoop.Options loopOptions)
            throws Exception {
        long[] toFilter = new long[n];
        long[] toAction = new long[n];
        long[] raisedAt = new long[1];
        int[] index = new int[1];
        AtomicLong done = new AtomicLong();
        Flag deviceParked = new Flag();
        Thread device = Thread.currentThread();
        try (InterruptController ic = new InterruptController("bench", 1, 1, System.err::println);
             IOWorkLoop loop = IOWorkLoop.create("bench-driver", loopOptions)) {
            IOInterruptProvider nub = ic.provider("dev@0", new int[] {0});
            InterruptLine line = ic.line(0);
            IOInterruptEventSource.Action<String> action = (o, s, count) -> {
                toAction[index[0]] = System.nanoTime() - raisedAt[0];
                line.lower(); // the driver services its device
                done.incrementAndGet();
                if (deviceParked.value) {
                    LockSupport.unpark(device);
                }
            };
            IOEventSource<String> source;
            if (useFilter) {
                IOFilterInterruptEventSource<String> f = IOFilterInterruptEventSource.filterInterruptEventSource(
                        "bench", action, (o, s) -> {
                            toFilter[index[0]] = System.nanoTime() - raisedAt[0];
                            return true;
                        }, nub, 0);
                source = f;
            } else {
                source = IOInterruptEventSource.interruptEventSource("bench", action, nub, 0);
            }
            loop.addEventSource(source);
            source.enable();
            for (int i = 0; i < n; i++) {
                gap(gapNanos);
                index[0] = i;
                raisedAt[0] = System.nanoTime(); // published to the cpu thread by raise()'s atomic update
                line.raise();
                awaitValue(done, i + 1, deviceParked);
            }
            return new Result(toFilter, toAction, ic.status(0));
        }
    }
}
