/**
 * The I/O registry: entries, planes, paths, lookup.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel.registry;
