/**
 * The simulated interrupt controller of the platform (SEMANTICS S31-S44): device models drive
 * its lines ({@link dev.sluice.models.InterruptLine}), nubs hand its
 * {@link dev.sluice.kernel.interrupt.IOInterruptProvider}s to their drivers' interrupt event
 * sources, and its {@code cpuN} threads deliver interrupts to the registered primary handlers in
 * primary interrupt context. See {@link dev.sluice.platform.interrupt.InterruptController}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.platform.interrupt;
