package dev.sluice.benchmarks.uart;

import java.io.IOException;

/**
 * One end of a byte pipe the benchmark streams through: the UART driver's SerialPort, or a plain
 * socket. {@link #write} is called by the writer thread only, {@link #read} by the reader thread
 * only.
 */
interface Endpoint {

    /** Writes some of {@code b[off..off+len)}, blocking until at least one byte is taken (or a timeout). @return bytes taken */
    int write(byte[] b, int off, int len) throws IOException;

    /** Reads what has arrived into {@code b[off..]}, waiting up to about 100 ms. @return bytes read, 0 if none */
    int read(byte[] b, int off, int len) throws IOException;
}
