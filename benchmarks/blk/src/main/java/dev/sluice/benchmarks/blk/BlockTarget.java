package dev.sluice.benchmarks.blk;

/**
 * What a workload drives: a block device (or the raw file baseline) with 512-byte sectors.
 * Synchronous calls block until the request is done; asynchronous ones call {@code done} once,
 * from some other thread, with null on success or the failure.
 */
interface BlockTarget extends AutoCloseable {

    /** Receives the outcome of an asynchronous request. */
    @FunctionalInterface
    interface Done {
        void finished(Throwable failure);
    }

    /** @return a short label for the table */
    String name();

    void read(long sector, byte[] into) throws Exception;

    void write(long sector, byte[] from) throws Exception;

    /** Blocks until everything written is on stable storage (the raw baseline: force(true)). */
    void flush() throws Exception;

    /** @return true if {@link #readAsync} and {@link #writeAsync} are supported */
    default boolean async() {
        return false;
    }

    default void readAsync(long sector, byte[] into, Done done) throws Exception {
        throw new UnsupportedOperationException(name() + " has no asynchronous requests");
    }

    default void writeAsync(long sector, byte[] from, Done done) throws Exception {
        throw new UnsupportedOperationException(name() + " has no asynchronous requests");
    }

    @Override
    void close() throws Exception;
}
