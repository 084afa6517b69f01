/**
 * The device-modelling API: what a simulated device is made of (register banks exposed as
 * {@link dev.sluice.models.MmioRegion}s, {@link dev.sluice.models.InterruptLine}s,
 * {@link dev.sluice.models.GuestMemory} for DMA, a {@link dev.sluice.models.DeviceClock}, a
 * {@link dev.sluice.models.BackendSpec}) and the {@link dev.sluice.models.DeviceModelFactory}
 * service contract through which the platform expert builds a model for a Devicetree node.
 *
 * <p>Models never call drivers: they touch only their registers, guest memory and lines, as
 * hardware does. See {@code device-models/README.md} for the policies (unknown offsets, access
 * widths, DMA bounds, backends).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.models;
