/**
 * The ARM PrimeCell PL031 RTC model ({@link dev.sluice.models.rtc.Pl031}). The platform reaches it
 * through the {@code DeviceModelFactory} service registered for {@code compatible = arm,pl031}; the
 * type is exported for tools and tests.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.models.rtc;
