package dev.sluice.platform;

import dev.sluice.platform.devicetree.DeviceTree;
import dev.sluice.platform.devicetree.DevicetreeException;
import dev.sluice.platform.interrupt.InterruptController;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The platform expert, an OSGi service: it turns a board description into the I/O registry's
 * {@code IODeviceTree} plane and device nubs, builds the device models behind the nubs and wires
 * their interrupt lines through the platform's interrupt controller.
 *
 * <p>At start it loads the board named by the framework property {@value #BOARD_PROPERTY}
 * (a {@code .dts} or {@code .dtb} file; a blob is recognised by its magic number), or the
 * embedded default board when the property is absent. A board is parsed and validated
 * completely before the registry is touched: a broken one is reported as a
 * {@link DevicetreeException} naming file, line and column (logged at ERROR, kept as
 * {@link #loadError()}), leaves the registry as it was, and the kernel keeps running.
 *
 * <p>Threads: every method may be called from any thread except primary interrupt context and
 * the platform's own work loop (a load shuts that loop down). Loads are serialised.
 */
public interface PlatformExpert {

    /** Framework property naming the board file to boot. */
    String BOARD_PROPERTY = "sluice.board";

    /**
     * A board that was loaded.
     *
     * @param source where it came from: the file path as given, or {@code boards/<name>.dts}
     * @param tree   the parsed board
     */
    record LoadedBoard(String source, DeviceTree tree) {
        /** Checks the arguments. */
        public LoadedBoard {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(tree, "tree");
        }
    }

    /** @return the board running now, empty before the first successful load */
    Optional<LoadedBoard> board();

    /** @return the error of the last load, empty if it succeeded */
    Optional<DevicetreeException> loadError();

    /** @return the root service of the running board, empty when none is loaded */
    Optional<IOPlatformExpertDevice> platformDevice();

    /** @return the device nubs of the running board in tree order (every one is registered) */
    List<IOPlatformDevice> devices();

    /** @return the running board's interrupt controller (for status and diagnostics), empty without a board */
    Optional<InterruptController> interruptController();

    /**
     * Replaces the running board with a board file. The file is parsed and validated first; if
     * that fails, the running board stays untouched.
     *
     * @param board a {@code .dts} or {@code .dtb} file
     * @return the new board
     * @throws DevicetreeException naming file, line and column of the first problem
     */
    LoadedBoard load(Path board) throws DevicetreeException;

    /**
     * Replaces the running board with an embedded one, as {@link #load(Path)}.
     *
     * @param name an embedded board name ({@code microvm}, {@code stress})
     * @return the new board
     * @throws DevicetreeException if there is no such board or it is invalid
     */
    LoadedBoard loadEmbedded(String name) throws DevicetreeException;
}
