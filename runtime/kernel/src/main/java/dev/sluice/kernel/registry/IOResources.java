package dev.sluice.kernel.registry;

/**
 * The {@code IOResources} nub under the registry root: the provider of drivers that match no
 * hardware (IOProviderClass = IOResources), and the place kernel-wide resources are published.
 */
public final class IOResources extends IOService {

    IOResources() {
        super("IOResources", null);
    }
}
