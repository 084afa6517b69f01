package dev.sluice.benchmarks.blk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of the virtio-blk driver vs a raw {@link java.nio.channels.FileChannel} on the same
 * image file, with the same request sizes, offsets and flush policy.
 *
 * <p>Usage: {@code BlkBenchmark [MiB] [rounds] [random-ops]}: an image of MiB (default 64), every
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

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int ops = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        long imageBytes = (long) mib * MIB;
        Path dir = Files.createTempDirectory("sluice-blk-bench");
        Path image = dir.resolve("disk.img");
        try (BlockTarget driver = new EngineTarget(dir, "disk.img", imageBytes / 512);
             BlockTarget raw = new RawFileTarget(image)) {
            System.out.printf(Locale.ROOT, "virtio-blk: %s vs %s on one %d MiB image (%s), median of %d rounds; "
                    + "sequential rows %d passes, random rows %d ops%n", driver.name(), raw.name(), mib, image, rounds,
                    PASSES, ops);
            System.out.println("raw: positional read/write of the caller's byte[] on the calling thread (QD1 always); "
                    + "no flush/force except '+flush' (one at the end, both sides)");
            new Workload("fill", true, MIB, false, 1, false).run(driver, imageBytes, 1, ops, 1); // allocate the blocks
            measure(driver, raw, imageBytes, ops, 1, false); // warm-up: JIT, page cache
            double[][][] mbps = measure(driver, raw, imageBytes, ops, rounds, true);
            print(mbps);
        } finally {
            Files.deleteIfExists(image);
            Files.deleteIfExists(dir);
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
                System.err.printf("round %d/%d done%n", r + 1, rounds);
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
