package dev.sluice.drivers.timer;

import dev.sluice.platform.interrupt.InterruptController;
import dev.sluice.drivers.clock.api.HardwareTimer.Method;
import dev.sluice.drivers.clock.api.HardwareTimer.Wakeup;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.timer.Sp804;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Seed 000's question measured: a client call blocked until a hardware interrupt, four ways.
 *
 * <p>Boots, without OSGi, the SP804 model on the real device clock, a level-triggered interrupt
 * controller (the platform's real {@link InterruptController} with one {@code cpu0} thread) and the SP804
 * driver's hardware logic ({@link Sp804Timers}, the very class the driver bundle runs) on an
 * {@link IOWorkLoop}, then for each method makes {@code waits} sequential calls of
 * {@code waitForInterrupt(delay)} from one caller thread and records:
 * <ul>
 * <li>wake latency: from the counter's expiry (arm time + delay) to the caller running again
 * ({@link Wakeup#latencyNanos()}), p50 and p99 with HdrHistogram;</li>
 * <li>CPU per wait: the caller thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()})
 * and the whole process's CPU time (every thread: loop, queues, cpu0, clock), divided by the
 * number of waits.</li>
 * </ul>
 * Ratios are to the POLLING baseline. Run it with {@code benchmarks/timer/run.sh [waits] [delayMicros]}.
 */
public final class TimerWaitBenchmark {

    private TimerWaitBenchmark() {
    }

    private record Result(Histogram latency, double waiterCpuMicros, double processCpuMicros) {
    }

    public static void main(String[] args) throws Exception {
        int waits = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        long delay = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<Method, Result> results = new EnumMap<>(Method.class);
        try (SystemDeviceClock clock = new SystemDeviceClock(); InterruptController controller = new InterruptController("bench", 2, 1, problem -> { });
                Sp804 model = Sp804.create(DeviceModelContext.builder("timer@9020000").reg(0x0902_0000L, 0x1000)
                        .interrupt(controller.line(0)).interrupt(controller.line(1)).clock(clock)
                        .guestMemory(new GuestMemory(0x4000_0000L, 1 << 16)).build());
                IOWorkLoop loop = IOWorkLoop.create("sp804-bench")) {
            Sp804Timers timers = new Sp804Timers("sp804-bench", model.mmio(0), controller.provider("timer", new int[] {0, 1}), 2, loop::addEventSource);
            try {
                for (Method m : Method.values()) { // warm-up
                    for (int i = 0; i < Math.max(50, waits / 10); i++) {
                        timers.waitForInterrupt(delay, m);
                    }
                }
                for (Method m : Method.values()) {
                    Histogram h = new Histogram(3_600_000_000_000L, 3);
                    long proc0 = os.getProcessCpuTime();
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < waits; i++) {
                        Wakeup w = timers.waitForInterrupt(delay, m);
                        if (w.valueAtWake() != 0) {
                            throw new IllegalStateException("early wakeup: " + w);
                        }
                        h.recordValue(Math.max(0, w.latencyNanos()));
                    }
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    long proc = os.getProcessCpuTime() - proc0;
                    results.put(m, new Result(h, cpu / 1e3 / waits, proc / 1e3 / waits));
                }
            } finally {
                timers.stop();
                loop.close();
                timers.close();
            }
        }
        Result base = results.get(Method.POLLING);
        System.out.printf("SP804 waitForInterrupt(%d us), %d waits per method, %d CPUs, Java %s%n", delay, waits,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("%-15s %12s %12s %16s %17s %10s %12s%n", "method", "p50 us", "p99 us", "waiter CPU/wait us",
                "process CPU/wait us", "p50 ratio", "CPU ratio");
        for (Method m : Method.values()) {
            Result r = results.get(m);
            double p50 = r.latency().getValueAtPercentile(50) / 1e3;
            double p99 = r.latency().getValueAtPercentile(99) / 1e3;
            System.out.printf("%-15s %12.1f %12.1f %16.1f %17.1f %9.2fx %11.3fx%n", m, p50, p99, r.waiterCpuMicros(),
                    r.processCpuMicros(), p50 / (base.latency().getValueAtPercentile(50) / 1e3),
                    r.processCpuMicros() / base.processCpuMicros());
        }
    }
}
