/** Client interface of serial-port drivers: {@link dev.sluice.drivers.serial.api.SerialPort} and stream adapters. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.sluice.drivers.serial.api;
