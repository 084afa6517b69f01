package dev.sluice.benchmarks.boot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Boots the Sluice kernel image and a bare Felix + Gogo image alternately, the same way and with
 * the same JVM flags, and prints the median time from process start until the shell answers a
 * command, and the peak resident set size (VmHWM) at that moment.
 *
 * <p>"Shell ready" is measured identically for both: {@code echo READY} is written to the
 * process's standard input at once; Gogo reads it only when its shell loop runs (Sluice's console
 * first waits until every bundle is active), so the time to the {@code READY} line is the time to
 * a usable shell. Usage: {@code BootBenchmark [runs] [sluice.jar] [bare-felix.jar]}.
 */
public final class BootBenchmark {

    /** JVM flags that suit a microVM; the same ones ./sluice uses. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xss256k", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-Xms16m", "-Xmx96m", "-XX:ReservedCodeCacheSize=24m",
            "-XX:MaxMetaspaceSize=96m", "-Xshare:auto");

    record Sample(double millis, double rssMiB) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path sluice = Path.of(args.length > 1 ? args[1] : "runtime/launcher/target/sluice.jar");
        Path bare = Path.of(args.length > 2 ? args[2] : "benchmarks/boot/target/bare-felix.jar");
        for (Path p : List.of(sluice, bare)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + " not found: build first (mvn -B -q -DskipTests package)");
            }
        }
        Path gosh = Path.of("runtime/launcher/gosh").toAbsolutePath();
        List<String> sluiceProps = List.of("-Dsluice.console=true", "-Dgosh.home=" + gosh,
                "-Dgosh.args=--nointeractive --noshutdown", "-Dorg.jline.terminal.dumb=true",
                "-Dfelix.fileinstall.dir=" + Files.createTempDirectory("sluice-boot-deploy"));
        List<String> bareProps = List.of("-Dorg.jline.terminal.dumb=true");

        // one warm-up of each (page cache, CDS archive mapping), not counted
        boot(sluice, sluiceProps);
        boot(bare, bareProps);
        List<Sample> s = new ArrayList<>();
        List<Sample> b = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            s.add(boot(sluice, sluiceProps));
            b.add(boot(bare, bareProps));
        }
        double sMs = median(s.stream().mapToDouble(Sample::millis).toArray());
        double bMs = median(b.stream().mapToDouble(Sample::millis).toArray());
        double sRss = median(s.stream().mapToDouble(Sample::rssMiB).toArray());
        double bRss = median(b.stream().mapToDouble(Sample::rssMiB).toArray());
        StringBuilder out = new StringBuilder();
        out.append(String.format("boot to shell ready, median of %d runs (JVM flags: %s)%n", runs, String.join(" ", JVM_FLAGS)));
        out.append(String.format("%-22s %10s %14s%n", "image", "boot ms", "peak RSS MiB"));
        out.append(String.format("%-22s %10.0f %14.1f%n", "bare Felix + Gogo", bMs, bRss));
        out.append(String.format("%-22s %10.0f %14.1f%n", "Sluice kernel image", sMs, sRss));
        out.append(String.format("ratio Sluice / bare: boot %.2fx (target <= 1.30x), RSS %.2fx; Sluice RSS target < 64 MiB: %s%n",
                sMs / bMs, sRss / bRss, sRss < 64 ? "met" : "NOT met"));
        System.out.print(out);
    }

    static Sample boot(Path image, List<String> props) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(props);
        cmd.add("-jar");
        cmd.add(image.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        long start = System.nanoTime();
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("echo READY\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            CompletableFuture<Long> ready = CompletableFuture.supplyAsync(() -> readUntilReady(p));
            long readyAt = ready.get(60, TimeUnit.SECONDS);
            double rss = peakRssMiB(p.pid());
            in.write("shutdown\nstop 0\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            return new Sample((readyAt - start) / 1e6, rss);
        } finally {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static long readUntilReady(Process p) {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("READY")) {
                    long t = System.nanoTime();
                    // keep draining so the child never blocks on a full pipe
                    Thread drain = new Thread(() -> drain(r), "drain-" + p.pid());
                    drain.setDaemon(true);
                    drain.start();
                    return t;
                }
            }
            throw new IllegalStateException("the image exited without answering (exit " + p.waitFor() + ")");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // discard
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    static double peakRssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.trim().split("\\s+");
                return Long.parseLong(parts[1]) / 1024.0;
            }
        }
        throw new IOException("no VmHWM in /proc/" + pid + "/status");
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
