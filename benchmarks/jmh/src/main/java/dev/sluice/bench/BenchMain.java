package dev.sluice.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks (any standard JMH command-line options are accepted) and prints one table of
 * scores, one of the one-way latency percentiles recorded with HdrHistogram, the interrupt sums,
 * and the kernel-to-baseline ratios with their targets. Exits 1 if a benchmark failed (e.g. lost
 * interrupt counts) or was expected and did not run.
 *
 * <p>Targets are reported, not asserted: runAction within 1.5x of ReentrantLock; doorbell p50
 * within 1.3x of the raw park/unpark hand-off.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        File dir = new File(System.getProperty("sluice.bench.out", "target/jmh-latency")).getAbsoluteFile();
        deleteDir(dir);
        dir.mkdirs();
        Options opts = new OptionsBuilder().parent(cli)
                .jvmArgsAppend("-D" + LatencyLog.DIR_PROPERTY + "=" + dir.getPath())
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        System.exit(report(results, dir, System.out));
    }

    static int report(Collection<RunResult> results, File dir, PrintStream out) throws IOException {
        Map<String, RunResult> byLabel = new TreeMap<>();
        for (RunResult r : results) {
            byLabel.put(label(r), r);
        }
        Map<String, Histogram> latencies = LatencyLog.readAll(dir);
        int failures = 0;

        out.println();
        out.println("=== Scores (JMH)");
        out.printf("%-72s %14s %10s  %s%n", "BENCHMARK", "SCORE", "ERROR", "UNIT");
        for (Map.Entry<String, RunResult> e : byLabel.entrySet()) {
            org.openjdk.jmh.results.Result<?> p = e.getValue().getPrimaryResult();
            out.printf("%-72s %14.3f %10.3f  %s%n", e.getKey(), p.getScore(), p.getScoreError(), p.getScoreUnit());
        }

        if (!latencies.isEmpty()) {
            out.println();
            out.println("=== One-way latency (HdrHistogram, measurement iterations only), microseconds");
            out.printf("%-72s %10s %9s %9s %9s %9s%n", "BENCHMARK", "SAMPLES", "p50", "p99", "p99.9", "max");
            for (Map.Entry<String, Histogram> e : latencies.entrySet()) {
                Histogram h = e.getValue();
                out.printf("%-72s %10d %9.2f %9.2f %9.2f %9.2f%n", e.getKey(), h.getTotalCount(),
                        us(h, 50), us(h, 99), us(h, 99.9), h.getMaxValue() / 1000.0);
            }
        }

        File[] sums = dir.listFiles((d, n) -> n.endsWith(".sums"));
        if (sums != null && sums.length > 0) {
            out.println();
            out.println("=== Interrupt counts (every ring must be counted exactly once)");
            out.printf("%-72s %12s %12s %12s %10s %s%n", "BENCHMARK", "RINGS", "COUNTED", "CALLS", "RINGS/CALL", "CHECK");
            java.util.Arrays.sort(sums);
            for (File f : sums) {
                String[] v = Files.readString(f.toPath()).trim().split(" ");
                long rings = Long.parseLong(v[0]);
                long counted = Long.parseLong(v[1]);
                long calls = Long.parseLong(v[2]);
                boolean ok = rings == counted;
                if (!ok) {
                    failures++;
                }
                String name = f.getName();
                name = name.substring(0, name.lastIndexOf('.', name.length() - ".sums".length() - 1));
                out.printf("%-72s %12d %12d %12d %10.1f %s%n", name, rings, counted, calls,
                        calls == 0 ? 0.0 : (double) rings / calls, ok ? "exact" : "MISMATCH");
            }
        }

        out.println();
        out.println("=== Kernel vs JDK baseline (ratio = kernel / baseline; lower is better)");
        out.printf("%-58s %12s %12s %8s %8s  %s%n", "COMPARISON", "KERNEL", "BASELINE", "RATIO", "TARGET", "");
        for (Comparison c : comparisons()) {
            Double k = c.value(byLabel, latencies, c.kernel);
            Double b = c.value(byLabel, latencies, c.baseline);
            if (k == null || b == null) {
                continue;
            }
            double ratio = c.higherIsBetter ? b / k : k / b;
            String verdict = c.target <= 0 ? "" : ratio <= c.target ? "meets target" : "MISSES target";
            out.printf("%-58s %12.3f %12.3f %7.2fx %8s  %s%n", c.title, k, b, ratio,
                    c.target <= 0 ? "-" : String.format("%.1fx", c.target), verdict);
        }
        out.println("(" + c0(byLabel.size()) + " benchmark results; units as in the tables above;"
                + " for throughput the ratio is baseline / kernel)");

        for (RunResult r : results) {
            if (r.getPrimaryResult().getSampleCount() == 0) {
                failures++;
            }
        }
        return failures == 0 ? 0 : 1;
    }

    private static String c0(int n) {
        return Integer.toString(n);
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    static String label(RunResult r) {
        org.openjdk.jmh.infra.BenchmarkParams p = r.getParams();
        return LatencyLog.label(p);
    }

    /** kernel / baseline pairs, by label; "p50:" / "p99:" prefixes read the latency histograms. */
    static List<Comparison> comparisons() {
        List<Comparison> list = new ArrayList<>();
        for (String kind : new String[] {"Uncontended", "Contended"}) {
            String cls = "RunAction" + kind + ".";
            list.add(new Comparison("runAction " + kind.toLowerCase() + ": IOWorkLoop vs ReentrantLock",
                    cls + "workLoopRunAction", cls + "reentrantLock", 1.5, false));
            list.add(new Comparison("runAction " + kind.toLowerCase() + ": IOCommandGate vs ReentrantLock",
                    cls + "commandGateRunAction", cls + "reentrantLock", 1.5, false));
            list.add(new Comparison("runAction " + kind.toLowerCase() + ": IOWorkLoop vs synchronized",
                    cls + "workLoopRunAction", cls + "synchronizedBlock", 0, false));
        }
        for (String gap : new String[] {"0", "200"}) {
            String d = "DoorbellLatency.signalToActionStart[gapMicros=" + gap + ",impl=";
            for (String impl : new String[] {"doorbell", "doorbellNoSpin"}) {
                list.add(new Comparison(impl + " p50, gap " + gap + " us: vs park/unpark",
                        "p50:" + d + impl + "]", "p50:" + d + "parkUnpark]", 1.3, false));
                list.add(new Comparison(impl + " p99, gap " + gap + " us: vs park/unpark",
                        "p99:" + d + impl + "]", "p99:" + d + "parkUnpark]", 0, false));
            }
            list.add(new Comparison("doorbell p50, gap " + gap + " us: vs single-thread executor",
                    "p50:" + d + "doorbell]", "p50:" + d + "executor]", 0, false));
        }
        for (String gap : new String[] {"0", "1000", "10000"}) {
            String t = "InterruptThroughput.ring[gapNanos=" + gap + ",impl=";
            list.add(new Comparison("interrupt throughput, gap " + gap + " ns: doorbell vs executor",
                    t + "doorbell]", t + "executor]", 0, true));
        }
        String w = "WakeupLatency.wakeupToRunning[impl=";
        list.add(new Comparison("commandWakeup -> running p50: vs Condition", "p50:" + w + "commandGate]",
                "p50:" + w + "condition]", 0, false));
        list.add(new Comparison("commandWakeup -> running p99: vs Condition", "p99:" + w + "commandGate]",
                "p99:" + w + "condition]", 0, false));
        String tl = "TimerLateness.armAndWaitForFire[delayMicros=1000,impl=";
        for (String impl : new String[] {"ioTimerPassive", "ioTimerWorkLoop"}) {
            list.add(new Comparison("timer lateness p50 (" + impl + "): vs STPE",
                    "p50:" + tl + impl + "]", "p50:" + tl + "scheduledExecutor]", 0, false));
            list.add(new Comparison("timer lateness p99 (" + impl + "): vs STPE",
                    "p99:" + tl + impl + "]", "p99:" + tl + "scheduledExecutor]", 0, false));
        }
        return list;
    }

    static final class Comparison {
        final String title;
        final String kernel;
        final String baseline;
        final double target;
        final boolean higherIsBetter;

        Comparison(String title, String kernel, String baseline, double target, boolean higherIsBetter) {
            this.title = title;
            this.kernel = kernel;
            this.baseline = baseline;
            this.target = target;
            this.higherIsBetter = higherIsBetter;
        }

        Double value(Map<String, RunResult> scores, Map<String, Histogram> latencies, String key) {
            if (key.startsWith("p50:") || key.startsWith("p99:")) {
                Histogram h = latencies.get(key.substring(4));
                if (h == null || h.getTotalCount() == 0) {
                    return null;
                }
                return us(h, key.startsWith("p50:") ? 50 : 99);
            }
            RunResult r = scores.get(key);
            return r == null ? null : r.getPrimaryResult().getScore();
        }
    }

    private static void deleteDir(File dir) {
        File[] files = dir.listFiles();
        if (files != null) {
            for (File f : files) {
                f.delete();
            }
        }
    }

}
