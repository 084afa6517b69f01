package dev.sluice.drivers.serial.api;

/**
 * Counters of a serial port since its driver started.
 *
 * @param received    bytes taken from the receiver
 * @param transmitted bytes handed to the transmitter
 * @param overruns    receiver overrun errors reported by the hardware (bytes lost in the UART)
 * @param interrupts  times the driver's interrupt (or poll) handler found work
 */
public record SerialStatistics(long received, long transmitted, long overruns, long interrupts) {
}
