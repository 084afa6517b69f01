package dev.sluice.platform.interrupt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A small log-linear histogram of nanosecond latencies (the HdrHistogram idea, hand-written:
 * HdrHistogram 2.2.2's manifest imports {@code javax.xml.bind} without {@code optional}, which
 * Java 17 no longer provides, so it would not resolve in the kernel image).
 *
 * <p>Values below 16 have their own bucket; above, each power of two is split into 16 equal
 * buckets, so a percentile is reported within 1/16 (6.25 %) of the true value, rounded up. Values
 * are capped at 2^40 ns (about 18 minutes); the maximum is exact. Recording is wait-free and safe
 * from any thread; reading is a weakly consistent snapshot. The buckets (4.8 KiB) are allocated
 * by the first recording, so the controller's many lines that never fire cost no bucket array.
 */
final class LatencyHistogram {

    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXP = 40;
    private static final long CAP = (1L << (MAX_EXP + 1)) - 1;
    static final int BUCKETS = (MAX_EXP - SUB_BITS + 2) * SUB;

    private static final VarHandle COUNTS;

    static {
        try {
            COUNTS = MethodHandles.lookup().findVarHandle(LatencyHistogram.class, "counts", AtomicLongArray.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Null until the first recording; set once (by CAS) and never replaced. */
    private volatile AtomicLongArray counts;
    private final AtomicLong max = new AtomicLong();

    /** Records one latency; negative values count as 0. */
    void record(long nanos) {
        long v = Math.max(0, nanos);
        AtomicLongArray c = counts;
        if (c == null) {
            AtomicLongArray fresh = new AtomicLongArray(BUCKETS);
            c = COUNTS.compareAndSet(this, null, fresh) ? fresh : counts;
        }
        c.getAndIncrement(index(v));
        long m = max.get();
        while (v > m && !max.compareAndSet(m, v)) {
            m = max.get();
        }
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        long c = Math.min(v, CAP);
        int e = 63 - Long.numberOfLeadingZeros(c);
        return (e - SUB_BITS + 1) * SUB + (int) ((c >>> (e - SUB_BITS)) & (SUB - 1));
    }

    /** @return the largest value that falls into bucket {@code i} */
    static long highestEquivalent(int i) {
        if (i < SUB) {
            return i;
        }
        int e = i / SUB + SUB_BITS - 1;
        long sub = i % SUB;
        long width = 1L << (e - SUB_BITS);
        return ((SUB + sub) << (e - SUB_BITS)) + width - 1;
    }

    /** @return the number of values recorded */
    long count() {
        AtomicLongArray c = counts;
        long n = 0;
        for (int i = 0; c != null && i < BUCKETS; i++) {
            n += c.get(i);
        }
        return n;
    }

    /** @return the exact largest value recorded, 0 if none */
    long max() {
        return max.get();
    }

    /**
     * @param quantiles fractions in (0, 1], ascending
     * @return for each, the smallest bucket bound below which at least that fraction of the
     * values lies (never above {@link #max()}); zeros when nothing was recorded
     */
    long[] percentiles(double... quantiles) {
        long[] out = new long[quantiles.length];
        AtomicLongArray c = counts;
        if (c == null) {
            return out;
        }
        long[] snapshot = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = c.get(i);
            total += snapshot[i];
        }
        if (total == 0) {
            return out;
        }
        long m = max.get();
        int bucket = 0;
        long seen = snapshot[0];
        for (int q = 0; q < quantiles.length; q++) {
            long rank = Math.max(1, (long) Math.ceil(quantiles[q] * total));
            while (seen < rank && bucket < BUCKETS - 1) {
                bucket++;
                seen += snapshot[bucket];
            }
            out[q] = Math.min(highestEquivalent(bucket), m);
        }
        return out;
    }
}
