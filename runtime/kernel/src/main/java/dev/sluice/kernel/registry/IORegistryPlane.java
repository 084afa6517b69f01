package dev.sluice.kernel.registry;

import java.util.Objects;

/**
 * A named plane of the I/O registry: a set of parent/child links between entries. An entry may
 * be in several planes with different parents in each (a device node is under its bus in
 * {@link #DEVICE_TREE} and under its nub in {@link #SERVICE}).
 *
 * @param name the plane's name, used in paths ({@code IOService:/...})
 */
public record IORegistryPlane(String name) {

    /** The service plane: providers (nubs) above their clients (drivers). */
    public static final IORegistryPlane SERVICE = new IORegistryPlane("IOService");
    /** The device-tree plane: the board description's node hierarchy. */
    public static final IORegistryPlane DEVICE_TREE = new IORegistryPlane("IODeviceTree");

    public IORegistryPlane {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains(":") || name.contains("/")) {
            throw new IllegalArgumentException("bad plane name '" + name + "': must be non-empty without ':' or '/'");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
