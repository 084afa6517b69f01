/** Client interfaces of the clock drivers: the PL031 real-time clock and the SP804 hardware timer. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.sluice.drivers.clock.api;
