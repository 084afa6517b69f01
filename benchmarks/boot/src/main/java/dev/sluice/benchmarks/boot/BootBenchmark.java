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
 * a usable shell.
 *
 * <p>Like {@code ./sluice}, each image first gets its class-data sharing archive from one training
 * boot ({@code -XX:ArchiveClassesAtExit}); the measured boots map it. {@code --no-cds} measures
 * without archives. Every boot gets a fresh {@code user.home}, so Gogo's command history neither
 * grows from run to run nor touches the user's. Both images keep each boot's bundle cache where
 * {@code ./sluice} keeps it: under {@code $SLUICE_CACHE_DIR}, else {@code $XDG_RUNTIME_DIR} or
 * {@code /dev/shm} (RAM-backed, writable, not noexec, 64 MiB free), else the temporary directory. Usage:
 * {@code BootBenchmark [runs] [--no-cds] [sluice.jar] [bare-felix.jar]}.
 */
public final class BootBenchmark {

    /** JVM flags that suit a microVM; the same ones ./sluice uses (keep the two lists equal). */
    /** Flags to try on both images, from {@code -Dboot.flags="..."} (space-separated); none by default. */
    static final List<String> EXTRA_FLAGS = System.getProperty("boot.flags", "").isBlank() ? List.of()
            : List.of(System.getProperty("boot.flags").trim().split("\\s+"));

    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms6m", "-Xmn2m", "-Xmx96m", "-Xss256k",
            "-XX:StackShadowPages=10", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
            "-XX:ReservedCodeCacheSize=24m", "-XX:MaxMetaspaceSize=96m", "-XX:StringTableSize=4096", "-Xshare:auto",
            "-Xlog:cds*=off");

    record Sample(double millis, double rssMiB) {
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean cds = !rest.remove("--no-cds");
        int runs = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 7;
        Path sluice = Path.of(rest.size() > 1 ? rest.get(1) : "runtime/launcher/target/sluice.jar");
        Path bare = Path.of(rest.size() > 2 ? rest.get(2) : "benchmarks/boot/target/bare-felix.jar");
        for (Path p : List.of(sluice, bare)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + " not found: build first (mvn -B -q -DskipTests package)");
            }
        }
        Path scratch = Files.createTempDirectory("sluice-boot");
        Path caches = cacheParent(scratch);
        try {
            Path gosh = Path.of("runtime/launcher/gosh").toAbsolutePath();
            List<String> sluiceProps = new ArrayList<>(List.of("-Dsluice.console=true", "-Dgosh.home=" + gosh,
                    "-Dgosh.args=--nointeractive --noshutdown", "-Dorg.jline.terminal.dumb=true",
                    "-Dfelix.fileinstall.dir=" + Files.createDirectory(scratch.resolve("deploy"))));
            List<String> bareProps = new ArrayList<>(List.of("-Dorg.jline.terminal.dumb=true"));
            if (cds) {
                sluiceProps.add("-XX:SharedArchiveFile=" + train(sluice, sluiceProps, scratch.resolve("sluice.jsa"), scratch, caches));
                bareProps.add("-XX:SharedArchiveFile=" + train(bare, bareProps, scratch.resolve("bare.jsa"), scratch, caches));
            }
            // one warm-up of each (page cache, archive mapping), not counted
            boot(sluice, sluiceProps, scratch, caches);
            boot(bare, bareProps, scratch, caches);
            List<Sample> s = new ArrayList<>();
            List<Sample> b = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                s.add(boot(sluice, sluiceProps, scratch, caches));
                b.add(boot(bare, bareProps, scratch, caches));
            }
            print(runs, cds, caches, s, b);
        } finally {
            deleteTree(scratch);
        }
    }

    private static void print(int runs, boolean cds, Path caches, List<Sample> s, List<Sample> b) {
        double sMs = median(s.stream().mapToDouble(Sample::millis).toArray());
        double bMs = median(b.stream().mapToDouble(Sample::millis).toArray());
        double sRss = median(s.stream().mapToDouble(Sample::rssMiB).toArray());
        double bRss = median(b.stream().mapToDouble(Sample::rssMiB).toArray());
        StringBuilder out = new StringBuilder();
        out.append(String.format("boot to shell ready, median of %d runs, %s (JVM flags: %s)%n", runs,
                cds ? "each image with its class-data archive" : "no class-data archives", String.join(" ", JVM_FLAGS)
                        + (EXTRA_FLAGS.isEmpty() ? "" : "; extra: " + String.join(" ", EXTRA_FLAGS))));
        out.append(String.format("bundle caches under %s%n", caches));
        out.append(String.format("%-22s %10s %14s%n", "image", "boot ms", "peak RSS MiB"));
        out.append(String.format("%-22s %10.0f %14.1f%n", "bare Felix + Gogo", bMs, bRss));
        out.append(String.format("%-22s %10.0f %14.1f%n", "Sluice kernel image", sMs, sRss));
        out.append(String.format("ratio Sluice / bare: boot %.2fx (target <= 1.30x), RSS %.2fx; Sluice RSS target < 64 MiB: %s%n",
                sMs / bMs, sRss / bRss, sRss < 64 ? "met" : "NOT met"));
        System.out.print(out);
    }

    /**
     * One training boot that writes the image's class-data archive at exit: the same flags and
     * properties as the measured boots, told to shut down once its shell runs.
     *
     * @return the archive
     */
    static Path train(Path image, List<String> props, Path archive, Path scratch, Path caches) throws Exception {
        Path cache = Files.createTempDirectory(caches, "bootbench-cache");
        List<String> cmd = command(image, props, "-XX:ArchiveClassesAtExit=" + archive, scratch, cache);
        // keep the classes of stopped bundles until the archive is written at exit
        cmd.add(1, "-XX:-ClassUnloading");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("shutdown\nstop 0\n".getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        deleteTree(cache);
        if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw new IllegalStateException("the training boot of " + image + " wrote no class-data archive " + archive);
        }
        return archive;
    }

    /**
     * Where each boot's bundle cache goes: the parent {@code ./sluice} picks, so that both images
     * boot the way the script boots the kernel.
     */
    static Path cacheParent(Path scratch) throws IOException {
        String chosen = System.getenv("SLUICE_CACHE_DIR");
        if (chosen != null && !chosen.isBlank()) {
            return Path.of(chosen);
        }
        for (String dir : new String[] {System.getenv("XDG_RUNTIME_DIR"), "/dev/shm"}) {
            if (dir == null || dir.isBlank()) {
                continue;
            }
            Path p = Path.of(dir);
            if (Files.isDirectory(p) && Files.isWritable(p) && !mountOptions(p).contains("noexec")
                    && Files.getFileStore(p).getUsableSpace() >= (64L << 20)) {
                return p;
            }
        }
        return scratch;
    }

    /** The options of the mount {@code dir} lies on, from /proc/mounts; empty if unknown. */
    static List<String> mountOptions(Path dir) throws IOException {
        Path real = dir.toRealPath();
        Path mounts = Path.of("/proc/mounts");
        String best = null;
        List<String> options = List.of();
        if (Files.isReadable(mounts)) {
            for (String line : Files.readAllLines(mounts)) {
                String[] f = line.split(" ");
                if (f.length > 3 && real.startsWith(f[1]) && (best == null || f[1].length() >= best.length())) {
                    best = f[1];
                    options = List.of(f[3].split(","));
                }
            }
        }
        return options;
    }

    private static List<String> command(Path image, List<String> props, String extra, Path scratch, Path cache)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(EXTRA_FLAGS);
        if (extra != null) {
            cmd.add(extra);
        }
        cmd.addAll(props);
        cmd.add("-Duser.home=" + Files.createTempDirectory(scratch, "home"));
        cmd.add("-Dlaunch.storage.dir=" + cache.resolve("felix"));
        cmd.add("-jar");
        cmd.add(image.toString());
        return cmd;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static Sample boot(Path image, List<String> props, Path scratch, Path caches) throws Exception {
        Path cache = Files.createTempDirectory(caches, "bootbench-cache");
        ProcessBuilder pb = new ProcessBuilder(command(image, props, null, scratch, cache)).redirectErrorStream(true);
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
            deleteTree(cache);
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
