package dev.sluice.models.virtio;

import java.util.concurrent.TimeUnit;

/**
 * A bounded, thread-safe FIFO of bytes between a device model and its host side (a socket
 * thread, the platform, a test). Writers either {@link #offer} (never blocks, takes what fits) or
 * {@link #put} (blocks while full: back-pressure); readers {@link #poll} (never blocks) or
 * {@link #take} (waits with a deadline). {@link #close()} wakes everyone; afterwards writes are
 * refused and reads drain what is left. The buffer is allocated by the first byte written, so a
 * pipe that is never used (a console nobody connects to) holds no memory.
 */
public final class BytePipe {

    private final int capacity;
    private byte[] ring;
    private int head;
    private int count;
    private boolean closed;

    /** @param capacity bytes it can hold */
    public BytePipe(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("BytePipe capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** @return bytes that can be read now */
    public synchronized int available() {
        return count;
    }

    /** @return true once closed */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Adds as many bytes as fit, without blocking.
     *
     * @return bytes accepted (0 if full or closed)
     */
    public synchronized int offer(byte[] src, int off, int len) {
        if (closed) {
            return 0;
        }
        int n = Math.min(len, capacity - count);
        if (n > 0 && ring == null) {
            ring = new byte[capacity];
        }
        for (int i = 0; i < n; i++) {
            ring[(head + count + i) % capacity] = src[off + i];
        }
        count += n;
        if (n > 0) {
            notifyAll();
        }
        return n;
    }

    /**
     * Adds all bytes, waiting while the pipe is full.
     *
     * @return false if the pipe was closed before everything was added
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean put(byte[] src, int off, int len) throws InterruptedException {
        int done = 0;
        while (done < len) {
            if (closed) {
                return false;
            }
            int n = offer(src, off + done, len - done);
            done += n;
            if (n == 0) {
                wait();
            }
        }
        return true;
    }

    /**
     * Removes up to {@code max} bytes without blocking.
     *
     * @return bytes read (0 if empty)
     */
    public synchronized int poll(byte[] dst, int off, int max) {
        int n = Math.min(max, count);
        if (n <= 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            dst[off + i] = ring[(head + i) % capacity];
        }
        head = (head + n) % capacity;
        count -= n;
        if (n > 0) {
            notifyAll();
        }
        return n;
    }

    /**
     * Removes up to {@code max} bytes, waiting until at least one is there.
     *
     * @return bytes read; 0 on timeout; -1 if closed and empty
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized int take(byte[] dst, int off, int max, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (count == 0) {
            if (closed) {
                return -1;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return poll(dst, off, max);
    }

    /** Refuses further writes and wakes every waiter. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
