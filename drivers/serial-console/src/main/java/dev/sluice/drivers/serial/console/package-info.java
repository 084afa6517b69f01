/**
 * The kernel console on a serial port: {@link dev.sluice.drivers.serial.console.SerialConsole}
 * runs Gogo shell sessions over any {@link dev.sluice.drivers.serial.api.SerialPort}, so every
 * serial driver (the 16550 UART, virtio-console) offers the same console.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.sluice.drivers.serial.console;
