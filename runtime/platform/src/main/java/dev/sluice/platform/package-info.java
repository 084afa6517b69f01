/**
 * The platform expert's API: the {@link dev.sluice.platform.PlatformExpert} service that loads
 * a board (Devicetree) into the I/O registry, the root {@link dev.sluice.platform.IOPlatformExpertDevice}
 * that owns the platform's work loop, and the {@link dev.sluice.platform.IOPlatformDevice} nubs
 * drivers match against: one per enabled device node, offering the device's MMIO regions,
 * guest memory, a DMA allocator and its interrupt lines.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.platform;
