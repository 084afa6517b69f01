package dev.sluice.drivers.storage.api;

import dev.sluice.kernel.dispatch.IOCompletion;

/**
 * A block device as applications see it: 512-byte sectors addressed from 0. Found as an OSGi
 * service; the object is a stable front that keeps working while the driver behind it is updated
 * (calls made during a swap wait for the next driver).
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread, concurrently; requests from several threads are in
 * flight on the device at the same time. The synchronous methods block the caller until the
 * device has completed the request (never while holding a driver lock). The asynchronous methods
 * only queue the request and return; the outcome is delivered through the caller's
 * {@link IOCompletion}, whose promise callbacks run on the completion's queue or executor and never
 * on the submitting thread's stack (SEMANTICS S56).
 *
 * <h2>Errors</h2>
 * Device and driver errors are {@link dev.sluice.kernel.workloop.IOReturnException}s carrying an
 * {@link dev.sluice.kernel.IOReturn}: {@code ERROR} for a device I/O error (VIRTIO_BLK_S_IOERR),
 * {@code UNSUPPORTED} for a request the device refuses (VIRTIO_BLK_S_UNSUPP), {@code BAD_ARGUMENT}
 * for a range beyond the capacity, {@code NOT_PERMITTED} for a write to a read-only device,
 * {@code ABORTED}/{@code OFFLINE} when the driver stops with the request outstanding. Synchronous
 * methods throw them; asynchronous ones fail the completion with them. Buffer lengths that are not
 * a multiple of {@link #SECTOR_SIZE} are rejected with {@link IllegalArgumentException} at once.
 */
public interface BlockStorage {

    /** Bytes per sector, the addressing unit. */
    int SECTOR_SIZE = 512;

    /** @return the capacity in 512-byte sectors */
    long capacitySectors();

    /** @return the device's preferred block size in bytes (blk_size; 512 if the device has none) */
    int blockSize();

    /** @return true if writes are refused */
    boolean readOnly();

    /**
     * Reads {@code into.length} bytes starting at {@code sector}; blocks until they are in
     * {@code into}. Requests larger than the device accepts in one go are split and complete once
     * every part has.
     */
    void read(long sector, byte[] into);

    /** Writes all of {@code from} starting at {@code sector}; blocks until the device completed it. */
    void write(long sector, byte[] from);

    /** Blocks until everything written before is on stable storage (no-op without a write cache). */
    void flush();

    /**
     * Queues a read of {@code into.length} bytes at {@code sector}. On success {@code into} is
     * filled before {@code done} completes with the number of bytes read.
     */
    void readAsync(long sector, byte[] into, IOCompletion<Integer> done);

    /** Queues a write of {@code from}; {@code done} completes with the number of bytes written. */
    void writeAsync(long sector, byte[] from, IOCompletion<Integer> done);

    /** Queues a flush; {@code done} completes with 0. */
    void flushAsync(IOCompletion<Integer> done);
}
