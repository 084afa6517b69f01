/**
 * Client interfaces of storage and entropy drivers: {@link dev.sluice.drivers.storage.api.BlockStorage}
 * and {@link dev.sluice.drivers.storage.api.EntropySource}. This bundle is not swapped with the
 * drivers, so the service objects applications hold survive driver updates.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.sluice.drivers.storage.api;
