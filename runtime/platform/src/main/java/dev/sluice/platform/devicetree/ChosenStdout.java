package dev.sluice.platform.devicetree;

import java.util.Objects;
import java.util.Optional;

/**
 * The console chosen by {@code /chosen/stdout-path}: the node it names (through a path or an
 * alias) and the options after {@code ':'} (for example {@code 115200n8}).
 *
 * @param node    the console device node
 * @param options the text after the first {@code ':'}, if any
 */
public record ChosenStdout(DeviceTreeNode node, Optional<String> options) {

    /** Checks the arguments. */
    public ChosenStdout {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(options, "options");
    }
}
