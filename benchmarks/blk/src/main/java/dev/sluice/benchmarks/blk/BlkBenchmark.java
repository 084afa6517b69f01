package dev.sluice.benchmarks.blk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Throughput of the virtio-blk driver vs a raw {@link java.nio.channels.FileChannel} on the same
 * image file, with the same request sizes, offsets and flush policy.
 *
 * <p>Two fronts, each against raw on its own image: {@code engine}, the driver's data path without
 * OSGi ({@link EngineTarget}), and {@code osgi}, the registered {@code BlockStorage} service in a
 * real Felix running the kernel image's bundles ({@link OsgiTarget}).
 *
 * <p>Usage: {@code BlkBenchmark [MiB] [rounds] [random-ops] [engine|osgi|both]}: an image of MiB (default 64), every
 * row measured {@code rounds} times (default 5) after one unprinted warm-up round, driver and raw
 * alternating which goes first; the table shows medians. Sequential rows cover the whole image
 * four times in 1 MiB requests; random rows make {@code random-ops} (default 20000) 4 KiB requests
 * at seeded random 4 KiB-aligned offsets. Neither side flushes, except in the {@code +flush} row:
 * one flush at the end (raw: {@code force(true)}), timed.
 */
public final class BlkBenchmark {

    static final int MIB = 1 << 20;
    static final int PASSES = 4;

    static final List<Workload> ROWS = List.of(
            new Workload("seq write 1 MiB", true, MIB, false, 1, false),
            new Workload("seq write 1 MiB +flush", true, MIB, false, 1, true),
            new Workload("seq read 1 MiB", false, MIB, false, 1, false),
            new Workload("rand write 4 KiB QD1", true, 4096, true, 1, false),
            new Workload("rand read 4 KiB QD1", false, 4096, true, 1, false),
            new Workload("rand write 4 KiB QD16", true, 4096, true, 16, false),
            new Workload("rand read 4 KiB QD16", false, 4096, true, 16, false));

    private BlkBenchmark() {
    }

    public static void main(String[] args) {
        try {
            benchmark(args);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // a half-booted framework must not keep the JVM alive
        }
    }

    private static void benchmark(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        String front = args.length > 3 ? args[3] : "both";
        if (!List.of("engine", "osgi", "both").contains(front)) {
            throw new IllegalArgumentException("front '" + front + "' is not engine, osgi or both");
        }
        long imageBytes = (long) mib * MIB;
        System.out.printf(Locale.ROOT, "virtio-blk vs raw FileChannel on the same %d MiB image, median of %d rounds "
                + "(driver and raw alternate going first); sequential rows %d passes, random rows %d ops%n", mib, rounds,
                PASSES, ops);
        System.out.println("raw: positional read/write of the caller's byte[] on the calling thread (QD1 always); "
                + "no flush/force except '+flush' (one at the end, both sides)");
        if (!front.equals("osgi")) {
            Path dir = Files.createTempDirectory("sluice-blk-bench");
            try (BlockTarget driver = new EngineTarget(dir, "disk.img", imageBytes / 512);
                 BlockTarget raw = new RawFileTarget(dir.resolve("disk.img"))) {
                run(driver, raw, imageBytes, ops, rounds);
            } finally {
                delete(dir);
            }
        }
        if (!front.equals("engine")) {
            Path home = Files.createTempDirectory("sluice-blk-osgi");
            Path kernel = Path.of(System.getProperty("sluice.image", "runtime/launcher/target/sluice.jar"));
            try (BlockTarget driver = new OsgiTarget(kernel, home, "disk.img", imageBytes / 512);
                 BlockTarget raw = new RawFileTarget(home.resolve("var").resolve("disk.img"))) {
                run(driver, raw, imageBytes, ops, rounds);
            } finally {
                delete(home);
            }
        }
    }

    private static void run(BlockTarget driver, BlockTarget raw, long imageBytes, int ops, int rounds) throws Exception {
        System.out.printf(Locale.ROOT, "%n%s:%n", driver.name());
        new Workload("fill", true, MIB, false, 1, false).run(driver, imageBytes, 1, ops, 1); // allocate the blocks
        measure(driver, raw, imageBytes, ops, 1, false); // warm-up: JIT, page cache
        print(measure(driver, raw, imageBytes, ops, rounds, true));
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return [row][0 driver, 1 raw][round] in MB/s */
    private static double[][][] measure(BlockTarget driver, BlockTarget raw, long imageBytes, int ops, int rounds,
                                        boolean progress) throws Exception {
        double[][][] out = new double[ROWS.size()][2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < ROWS.size(); i++) {
                Workload w = ROWS.get(i);
                long bytes = w.bytes(imageBytes, PASSES, ops);
                BlockTarget first = r % 2 == 0 ? driver : raw;
                BlockTarget second = first == driver ? raw : driver;
                long n1 = w.run(first, imageBytes, PASSES, ops, 42 + r);
                long n2 = w.run(second, imageBytes, PASSES, ops, 42 + r);
                out[i][first == driver ? 0 : 1][r] = bytes / (n1 / 1e9) / 1e6;
                out[i][first == driver ? 1 : 0][r] = bytes / (n2 / 1e9) / 1e6;
            }
            if (progress) {
                System.err.printf("%s: round %d/%d done%n", driver.name(), r + 1, rounds);
            }
        }
        return out;
    }

    private static void print(double[][][] mbps) {
        System.out.printf(Locale.ROOT, "%-24s %12s %12s %8s %12s%n", "workload", "driver MB/s", "raw MB/s", "ratio",
                "driver us/op");
        for (int i = 0; i < ROWS.size(); i++) {
            Workload w = ROWS.get(i);
            double d = median(mbps[i][0]);
            double r = median(mbps[i][1]);
            double[] ratios = new double[mbps[i][0].length];
            for (int k = 0; k < ratios.length; k++) {
                ratios[k] = mbps[i][0][k] / mbps[i][1][k];
            }
            System.out.printf(Locale.ROOT, "%-24s %12.1f %12.1f %7.0f%% %12.1f%n", w.name(), d, r, 100 * median(ratios),
                    w.blockBytes() / d);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
