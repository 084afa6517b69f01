/**
 * The ARM SP804 dual-timer model ({@link dev.sluice.models.timer.Sp804}). The platform reaches it
 * through the {@code DeviceModelFactory} service registered for {@code compatible = arm,sp804}; the
 * type is exported for tools and tests.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.models.timer;
