package dev.sluice.benchmarks.uart;

import java.io.IOException;

/**
 * Streams a known byte sequence out of an {@link Endpoint} and reads it back (the far end echoes
 * it), checking that every byte comes back once and in order.
 *
 * <p>A writer thread ({@code echo-writer}) sends for {@code seconds}, in chunks of
 * {@value #CHUNK} bytes; the calling thread reads until everything sent has come back, or
 * until nothing has arrived for {@value #IDLE_MS} ms after the writer stopped (bytes were lost).
 * The rate is bytes received over the time from the first write to the last byte read.
 */
final class EchoRun {

    static final int CHUNK = 512;
    static final long IDLE_MS = 1_500;

    /**
     * @param sent     bytes the writer handed over
     * @param received bytes read back
     * @param firstBad offset of the first byte that was not the expected one, -1 if none
     * @param nanos    first write to last byte read
     */
    record Result(long sent, long received, long firstBad, long nanos) {
        double bytesPerSecond() {
            return received / (nanos / 1e9);
        }

        boolean intact() {
            return firstBad < 0 && received == sent;
        }
    }

    private EchoRun() {
    }

    /** The byte at {@code offset} of the stream: a hash of the offset, so a lost or repeated byte shows at once. */
    static byte at(long offset) {
        return (byte) ((offset * 0x9E3779B97F4A7C15L) >>> 56);
    }

    static Result run(Endpoint end, double seconds) throws Exception {
        long[] sent = new long[1];
        Throwable[] writeFailure = new Throwable[1];
        long start = System.nanoTime();
        long stopAt = start + (long) (seconds * 1e9);
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[CHUNK];
            long offset = 0;
            try {
                while (System.nanoTime() - stopAt < 0) {
                    for (int i = 0; i < CHUNK; i++) {
                        chunk[i] = at(offset + i);
                    }
                    int done = 0;
                    while (done < CHUNK) {
                        done += end.write(chunk, done, CHUNK - done);
                    }
                    offset += CHUNK;
                    synchronized (sent) {
                        sent[0] = offset;
                    }
                }
            } catch (IOException | RuntimeException e) {
                writeFailure[0] = e;
            }
        }, "echo-writer");
        writer.start();
        byte[] buf = new byte[8192];
        long received = 0;
        long firstBad = -1;
        long last = System.nanoTime();
        while (true) {
            int n = end.read(buf, 0, buf.length);
            long now = System.nanoTime();
            if (n > 0) {
                for (int i = 0; i < n; i++) {
                    if (firstBad < 0 && buf[i] != at(received + i)) {
                        firstBad = received + i;
                    }
                }
                received += n;
                last = now;
            }
            long total;
            synchronized (sent) {
                total = sent[0];
            }
            boolean writing = writer.isAlive();
            if (!writing && received >= total) {
                break;
            }
            if (!writing && now - last > IDLE_MS * 1_000_000L) {
                break; // the rest is not coming: lost on the way
            }
        }
        writer.join();
        if (writeFailure[0] != null) {
            throw new IllegalStateException("the writer failed after " + sent[0] + " bytes", writeFailure[0]);
        }
        return new Result(sent[0], received, firstBad, last - start);
    }
}
