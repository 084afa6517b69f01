/**
 * The ns16550a UART model ({@link dev.sluice.models.uart.Ns16550a}): a PC16550D-compatible
 * register set, FIFOs and interrupts, with its serial line on a TCP socket on 127.0.0.1. The
 * platform reaches it through the {@code DeviceModelFactory} service registered for
 * {@code compatible = ns16550a, ns16550}; the type is exported so tools and tests can read its
 * bound port and counters.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.models.uart;
