/** Client interface of the example drivers. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.sluice.drivers.examples.api;
