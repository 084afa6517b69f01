/**
 * virtio-mmio device models (virtio 1.x, section 4.2, register layout version 2) with split
 * virtqueues (2.7) in guest memory, and three device types: block (5.2), console (5.3) and
 * entropy (5.4). {@link dev.sluice.models.virtio.VirtioMmioFactory} is the
 * {@link dev.sluice.models.DeviceModelFactory} service for {@code compatible = "virtio,mmio"}.
 *
 * <p>Threads: MMIO accesses run on the driver's thread and never block on a backend; queue
 * processing runs on the model's {@code model-<name>-io} thread. See
 * {@link dev.sluice.models.virtio.VirtioMmioDevice}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.sluice.models.virtio;
