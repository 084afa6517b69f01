package dev.sluice.drivers.serial.api;

/**
 * A byte-oriented serial port, as a serial driver offers it to applications. Applications find it
 * as an OSGi service (for example {@code (&(objectClass=dev.sluice.drivers.serial.api.SerialPort)(IOName=serial))});
 * the object they get is a stable front that keeps working while the driver behind it is updated.
 *
 * <p>Every blocking call takes a timeout and never blocks longer (plus scheduling delay): a driver
 * update waits for calls in flight, so long waits are made of several short calls (see
 * {@link SerialStreams}). Calls may come from any thread, concurrently; each call is atomic with
 * respect to the others on the same port (one reader's bytes are never interleaved with
 * another's within one call).
 */
public interface SerialPort {

    /**
     * Reads received bytes, waiting up to {@code timeoutMillis} for the first one.
     *
     * @param buffer        destination
     * @param offset        first index written
     * @param length        most bytes to read
     * @param timeoutMillis longest wait for the first byte; 0 does not wait
     * @return bytes read (1..length), 0 if none arrived in time or {@code length} is 0
     * @throws IndexOutOfBoundsException for a bad range
     * @throws IllegalStateException     if the port is closed (its driver stopped)
     */
    int read(byte[] buffer, int offset, int length, long timeoutMillis);

    /**
     * Queues bytes for transmission, waiting up to {@code timeoutMillis} while the driver's
     * transmit buffer is full. Returns when every byte is queued (not yet on the line: see
     * {@link #drain(long)}) or the time is up.
     *
     * @return bytes queued (0..length); less than {@code length} only when the time ran out
     * @throws IndexOutOfBoundsException for a bad range
     * @throws IllegalStateException     if the port is closed (its driver stopped)
     */
    int write(byte[] buffer, int offset, int length, long timeoutMillis);

    /**
     * Waits until every queued byte has left the transmitter (buffer, FIFO and shift register).
     *
     * @return true if the transmitter is empty, false if the time ran out first
     */
    boolean drain(long timeoutMillis);

    /** @return bytes received and not read yet (never blocks) */
    int available();

    /**
     * @return the line settings in force; a port without a physical line (a virtio console) keeps
     *         and reports the settings last given to {@link #setLineSettings}, without effect on
     *         its bytes, as a pseudo-terminal does
     */
    LineSettings lineSettings();

    /**
     * Changes the line settings; bytes queued but not yet transmitted are sent first with the old
     * settings (waiting up to one second for them).
     *
     * @throws IllegalArgumentException if the hardware cannot produce the settings (baud rate out
     *                                  of range for its clock)
     */
    void setLineSettings(LineSettings settings);

    /** @return counters since the driver started */
    SerialStatistics statistics();

    /** @return a short description of the driver serving the port (name and interrupt mode) */
    String driver();
}
