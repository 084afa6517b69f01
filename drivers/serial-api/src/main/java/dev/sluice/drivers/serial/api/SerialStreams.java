package dev.sluice.drivers.serial.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * Blocking {@link InputStream}/{@link OutputStream} views of a {@link SerialPort}. They wait in
 * slices of {@value #SLICE_MILLIS} ms so that a driver update is never held up by a reader, and
 * stop waiting when the calling thread is interrupted or {@code open} turns false (then reads
 * return -1 and writes throw). Closing a view makes {@code open} false for it.
 * The views are not thread-safe; each belongs to one reader or writer thread.
 */
public final class SerialStreams {

    /** Longest single call to the port made by a view. */
    public static final long SLICE_MILLIS = 100;

    private SerialStreams() {
    }

    /** @return an input stream reading {@code port} until {@code open} turns false */
    public static InputStream input(SerialPort port, BooleanSupplier open) {
        return new InputStream() {
            private volatile boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (!closed && open.getAsBoolean()) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted while reading the serial port");
                    }
                    int n;
                    try {
                        n = port.read(b, off, len, SLICE_MILLIS);
                    } catch (IllegalStateException e) {
                        return -1;
                    }
                    if (n > 0) {
                        return n;
                    }
                }
                return -1;
            }

            @Override
            public int available() {
                return closed ? 0 : port.available();
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    /** @return an output stream writing to {@code port} while {@code open} is true */
    public static OutputStream output(SerialPort port, BooleanSupplier open) {
        return new OutputStream() {
            private volatile boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int done = 0;
                while (done < len) {
                    if (closed || !open.getAsBoolean()) {
                        throw new IOException("the serial port is closed");
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted while writing the serial port");
                    }
                    try {
                        done += port.write(b, off + done, len - done, SLICE_MILLIS);
                    } catch (IllegalStateException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }
}
