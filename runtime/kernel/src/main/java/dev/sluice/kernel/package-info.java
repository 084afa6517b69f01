/**
 * Kernel-wide types shared by every other kernel package and by drivers.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel;
