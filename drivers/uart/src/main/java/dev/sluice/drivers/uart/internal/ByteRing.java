package dev.sluice.drivers.uart.internal;

/**
 * A bounded FIFO of bytes. Not thread-safe: the driver touches it only with its work loop's gate
 * closed.
 */
public final class ByteRing {

    private final byte[] data;
    private int head; // next byte to take
    private int size;

    /** @param capacity most bytes held, positive */
    public ByteRing(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        data = new byte[capacity];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return data.length;
    }

    public int free() {
        return data.length - size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean isFull() {
        return size == data.length;
    }

    /** Appends one byte. @throws IllegalStateException when full */
    public void put(int b) {
        if (isFull()) {
            throw new IllegalStateException("ring full (" + data.length + " bytes)");
        }
        data[(head + size) % data.length] = (byte) b;
        size++;
    }

    /** Appends as many of {@code src[off..off+len)} as fit. @return how many were appended */
    public int put(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        for (int i = 0; i < n; i++) {
            data[(head + size + i) % data.length] = src[off + i];
        }
        size += n;
        return n;
    }

    /** Removes and returns the oldest byte (0..255). @throws IllegalStateException when empty */
    public int take() {
        if (size == 0) {
            throw new IllegalStateException("ring empty");
        }
        int b = data[head] & 0xFF;
        head = (head + 1) % data.length;
        size--;
        return b;
    }

    /** Moves up to {@code len} of the oldest bytes into {@code dst[off..]}. @return how many */
    public int take(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        for (int i = 0; i < n; i++) {
            dst[off + i] = data[(head + i) % data.length];
        }
        head = (head + n) % data.length;
        size -= n;
        return n;
    }

    /** Drops every byte. */
    public void clear() {
        head = 0;
        size = 0;
    }
}
