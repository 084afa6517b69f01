/**
 * The driver catalogue: personalities declared by driver bundles, and the matching rules.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel.catalog;
