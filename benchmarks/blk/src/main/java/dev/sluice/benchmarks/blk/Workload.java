package dev.sluice.benchmarks.blk;

import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One row of the benchmark: a request pattern run against a {@link BlockTarget}. Every workload
 * moves a known number of bytes; {@link #run} returns the elapsed nanoseconds.
 *
 * @param name       the row label
 * @param write      writes (else reads)
 * @param blockBytes bytes per request
 * @param random     random block-aligned offsets (seeded, the same for every target), else sequential
 * @param depth      requests in flight: 1 means synchronous calls; more means asynchronous calls with
 *                   at most {@code depth} outstanding (a target without them runs synchronously)
 * @param flushAtEnd one flush (raw: force(true)) after the last write, inside the timing
 */
record Workload(String name, boolean write, int blockBytes, boolean random, int depth, boolean flushAtEnd) {

    /** @return bytes moved by one run over an image of {@code imageBytes} with {@code ops} random requests */
    long bytes(long imageBytes, int passes, int ops) {
        return random ? (long) ops * blockBytes : imageBytes * passes;
    }

    /** Runs the workload once; returns the elapsed nanoseconds. */
    long run(BlockTarget t, long imageBytes, int passes, int ops, long seed) throws Exception {
        long[] sectors = random ? randomSectors(imageBytes, ops, seed) : null;
        long t0 = System.nanoTime();
        if (depth <= 1 || !t.async()) {
            byte[] buf = new byte[blockBytes];
            if (random) {
                for (long s : sectors) {
                    io(t, s, buf);
                }
            } else {
                for (int p = 0; p < passes; p++) {
                    for (long off = 0; off < imageBytes; off += blockBytes) {
                        io(t, off / 512, buf);
                    }
                }
            }
        } else {
            runAsync(t, sectors, imageBytes, passes);
        }
        if (flushAtEnd) {
            t.flush();
        }
        return System.nanoTime() - t0;
    }

    private void io(BlockTarget t, long sector, byte[] buf) throws Exception {
        if (write) {
            t.write(sector, buf);
        } else {
            t.read(sector, buf);
        }
    }

    /** Keeps {@code depth} requests in flight, each with its own buffer (a buffer is reused once its request is done). */
    private void runAsync(BlockTarget t, long[] sectors, long imageBytes, int passes) throws Exception {
        ArrayBlockingQueue<byte[]> free = new ArrayBlockingQueue<>(depth);
        for (int i = 0; i < depth; i++) {
            free.add(new byte[blockBytes]);
        }
        AtomicReference<Throwable> failed = new AtomicReference<>();
        long count = sectors != null ? sectors.length : imageBytes / blockBytes * passes;
        long perPass = imageBytes / blockBytes;
        for (long i = 0; i < count && failed.get() == null; i++) {
            byte[] buf = free.take();
            long sector = sectors != null ? sectors[(int) i] : (i % perPass) * blockBytes / 512;
            BlockTarget.Done done = f -> {
                if (f != null) {
                    failed.compareAndSet(null, f);
                }
                free.add(buf);
            };
            if (write) {
                t.writeAsync(sector, buf, done);
            } else {
                t.readAsync(sector, buf, done);
            }
        }
        for (int i = 0; i < depth; i++) {
            free.take(); // every buffer back: every request done
        }
        if (failed.get() != null) {
            throw new IllegalStateException(name + " failed on " + t.name(), failed.get());
        }
    }

    private long[] randomSectors(long imageBytes, int ops, long seed) {
        long blocks = imageBytes / blockBytes;
        return new Random(seed).longs(ops, 0, blocks).map(b -> b * blockBytes / 512).toArray();
    }
}
