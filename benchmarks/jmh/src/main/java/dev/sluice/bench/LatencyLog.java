package dev.sluice.bench;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One-way latencies recorded by a benchmark into an HdrHistogram, only during measurement
 * iterations, and written at the end of the trial to {@code <dir>/<label>.<pid>.hlog} (dir from the
 * system property {@value #DIR_PROPERTY}), where {@link BenchMain} merges the forks and prints
 * percentiles. Values are nanoseconds.
 */
public final class LatencyLog {

    public static final String DIR_PROPERTY = "sluice.bench.latencyDir";

    private final Recorder recorder = new Recorder(3);
    private volatile boolean measuring;
    private final Histogram total = new Histogram(3);

    /** Records one latency in nanoseconds if a measurement iteration is running. Any thread. */
    public void record(long nanos) {
        if (measuring) {
            recorder.recordValue(Math.max(0, nanos));
        }
    }

    /** Call from a {@code @Setup(Level.Iteration)} method. */
    public void iterationStarts(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    /** Call from a {@code @TearDown(Level.Iteration)} method. */
    public void iterationEnds() {
        measuring = false;
        total.add(recorder.getIntervalHistogram());
    }

    /** Call from a {@code @TearDown(Level.Trial)} method: writes the histogram for the report. */
    public void trialEnds(BenchmarkParams params) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || total.getTotalCount() == 0) {
            return;
        }
        File out = new File(dir, label(params) + "." + ProcessHandle.current().pid() + ".hlog");
        out.getParentFile().mkdirs();
        try (PrintStream ps = new PrintStream(out)) {
            HistogramLogWriter w = new HistogramLogWriter(ps);
            w.outputIntervalHistogram(total);
        } catch (FileNotFoundException e) {
            throw new IllegalStateException("cannot write " + out, e);
        }
    }

    /** @return "Class.method[k=v,k=v]" with the simple class name, as {@link BenchMain} prints it */
    public static String label(BenchmarkParams params) {
        String b = params.getBenchmark();
        int m = b.lastIndexOf('.');
        int c = b.lastIndexOf('.', m - 1);
        StringBuilder sb = new StringBuilder(b.substring(c + 1));
        List<String> keys = new ArrayList<>(params.getParamsKeys());
        if (!keys.isEmpty()) {
            sb.append('[');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(keys.get(i)).append('=').append(params.getParam(keys.get(i)));
            }
            sb.append(']');
        }
        return sb.toString();
    }

    /** Reads every fork's log in {@code dir}, merged per label. */
    public static Map<String, Histogram> readAll(File dir) throws FileNotFoundException {
        Map<String, Histogram> byLabel = new TreeMap<>();
        File[] files = dir.listFiles((d, n) -> n.endsWith(".hlog"));
        if (files == null) {
            return byLabel;
        }
        for (File f : files) {
            String name = f.getName();
            String label = name.substring(0, name.lastIndexOf('.', name.length() - ".hlog".length() - 1));
            HistogramLogReader reader = new HistogramLogReader(f);
            Histogram h;
            while ((h = (Histogram) reader.nextIntervalHistogram()) != null) {
                byLabel.computeIfAbsent(label, k -> new Histogram(3)).add(h);
            }
            reader.close();
        }
        return byLabel;
    }
}
