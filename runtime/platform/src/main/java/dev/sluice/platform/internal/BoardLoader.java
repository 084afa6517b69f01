package dev.sluice.platform.internal;

import dev.sluice.platform.PlatformExpert.LoadedBoard;
import dev.sluice.platform.devicetree.Boards;
import dev.sluice.platform.devicetree.DevicetreeException;
import dev.sluice.platform.devicetree.DtbReader;
import dev.sluice.platform.devicetree.DtsParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a board from a file (a blob when it starts with the blob magic or is named {@code .dtb},
 * else source) or from the embedded boards. Stateless.
 */
final class BoardLoader {

    /** The first four bytes of a flattened devicetree blob, big-endian {@code 0xd00dfeed}. */
    private static final int FDT_MAGIC = 0xd00dfeed;

    private BoardLoader() {
    }

    /**
     * @param file a {@code .dts} or {@code .dtb} file
     * @return the parsed board, with the path as given for its source
     * @throws DevicetreeException if the file cannot be read or is not a valid board
     */
    static LoadedBoard load(Path file) throws DevicetreeException {
        return new LoadedBoard(file.toString(), isBlob(file) ? DtbReader.read(file) : DtsParser.parse(file));
    }

    /**
     * @param name an embedded board name
     * @return the parsed board, its source {@code boards/<name>.dts}
     * @throws DevicetreeException if there is no such board
     */
    static LoadedBoard embedded(String name) throws DevicetreeException {
        return new LoadedBoard(Boards.source(name).name(), Boards.load(name));
    }

    /** A blob is a file that starts with the magic, or any {@code .dtb} (so a corrupt one is reported as a blob). */
    private static boolean isBlob(Path file) {
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".dtb")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && ((head[0] & 0xff) << 24 | (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8
                    | (head[3] & 0xff)) == FDT_MAGIC;
        } catch (IOException e) {
            return false; // the source parser reports the unreadable file with its name
        }
    }
}
