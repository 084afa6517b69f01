package dev.sluice.platform;

import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.platform.devicetree.DeviceTree;
import java.util.Map;
import java.util.Objects;

/**
 * The root of a loaded board in the I/O registry, as in I/O Kit: attached under the registry
 * root in both planes, it is the board's root node in {@code IODeviceTree} and the provider of
 * every {@link IOPlatformDevice} nub in {@code IOService}. It is named after the root node's first
 * {@code compatible} string ({@code sluice,microvm}) and carries the root's properties.
 *
 * <p>It owns the platform's work loop (thread {@code IOWorkLoop-platform}), which its nubs, and
 * the drivers that do not make their own, share through {@link #getWorkLoop()} (S64). The loop
 * is shut down when this service terminates, after its clients stopped.
 */
public class IOPlatformExpertDevice extends IOService {

    private final DeviceTree tree;
    private final String source;
    private final IOWorkLoop workLoop;

    /**
     * Made by the platform expert.
     *
     * @param name       the registry name (the root's first compatible string)
     * @param tree       the board
     * @param source     where the board came from (file path or embedded resource name)
     * @param properties the root node's properties, converted for the registry
     */
    public IOPlatformExpertDevice(String name, DeviceTree tree, String source, Map<String, ?> properties) {
        super(name, null);
        this.tree = Objects.requireNonNull(tree, "tree");
        this.source = Objects.requireNonNull(source, "source");
        setProperties(properties);
        this.workLoop = IOWorkLoop.create("platform");
        manage(workLoop);
    }

    /** @return the board this device stands for */
    public final DeviceTree deviceTree() {
        return tree;
    }

    /** @return where the board came from: a file path or {@code boards/<name>.dts} */
    public final String source() {
        return source;
    }

    /** @return the platform's work loop, shared by nubs and drivers without their own (S64) */
    @Override
    public IOWorkLoop getWorkLoop() {
        return workLoop;
    }
}
