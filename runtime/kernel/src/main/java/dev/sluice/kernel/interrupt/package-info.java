/**
 * Interrupt plumbing shared by the kernel's event sources and the platform's interrupt controller.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel.interrupt;
