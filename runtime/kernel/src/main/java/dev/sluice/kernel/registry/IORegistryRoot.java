package dev.sluice.kernel.registry;

/**
 * The root of every plane of one {@link IORegistry}. Its path in a plane is {@code Plane:/}.
 */
public final class IORegistryRoot extends IORegistryEntry {

    IORegistryRoot() {
        super("Root", null);
    }
}
