package dev.sluice.platform.devicetree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The boards embedded in this bundle as resources {@code boards/<name>.dts}:
 * {@value #DEFAULT_BOARD} (the default microVM: 2 CPUs, 128 MiB, interrupt controller, 16550
 * UART, PL031 RTC, SP804 dual timer, virtio-mmio block, entropy and console) and
 * {@code stress} (the default board plus a second UART on the first UART's interrupt line and
 * ten virtio-blk devices in all).
 */
public final class Boards {

    /** Name of the board the runtime boots when none is given. */
    public static final String DEFAULT_BOARD = "microvm";

    private static final List<String> NAMES = List.of(DEFAULT_BOARD, "stress");

    private Boards() {
    }

    /** @return names of the embedded boards */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * @return the default board, parsed
     * @throws DevicetreeException if the embedded source is broken (a build defect)
     */
    public static DeviceTree defaultBoard() throws DevicetreeException {
        return load(DEFAULT_BOARD);
    }

    /**
     * @param name one of {@link #names()}
     * @return the board, parsed (its includes are resolved among the embedded resources)
     * @throws DevicetreeException if there is no such board or its source is broken
     */
    public static DeviceTree load(String name) throws DevicetreeException {
        ClassLoader loader = Boards.class.getClassLoader();
        return new DtsParser(IncludeResolver.classpath(loader)).parse(source(name));
    }

    /**
     * @param name one of {@link #names()}
     * @return the board's source text, named {@code boards/<name>.dts}
     * @throws DevicetreeException if there is no such board
     */
    public static DtsSource source(String name) throws DevicetreeException {
        String resource = "boards/" + name + ".dts";
        if (!NAMES.contains(name)) {
            throw new DevicetreeException(SourceLocation.of(resource), "no embedded board '" + name
                    + "': expected one of " + String.join(", ", NAMES));
        }
        try (InputStream in = Boards.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new DevicetreeException(SourceLocation.of(resource), "embedded board resource is missing");
            }
            return new DtsSource(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DevicetreeException(SourceLocation.of(resource), "cannot read embedded board: " + e, e);
        }
    }
}
