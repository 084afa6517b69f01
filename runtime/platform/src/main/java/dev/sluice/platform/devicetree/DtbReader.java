package dev.sluice.platform.devicetree;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a flattened devicetree blob ({@code .dtb}, magic {@code 0xd00dfeed}, versions 16 and
 * 17) into a {@link DeviceTree}: header, memory reservation map, structure and strings blocks.
 * Every offset and length is checked against the blob before use; problems are reported as
 * {@link DevicetreeException}s naming the file and the byte offset. Trees read from blobs have
 * no labels.
 */
public final class DtbReader {

    private static final int MAX_DEPTH = 64;

    private final byte[] blob;
    private final SourceLocation where;

    private DtbReader(String file, byte[] blob) {
        this.blob = blob;
        this.where = SourceLocation.of(file);
    }

    /**
     * @param dtb a blob file
     * @return the tree
     * @throws DevicetreeException if the file cannot be read or is not a valid blob
     */
    public static DeviceTree read(Path dtb) throws DevicetreeException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dtb);
        } catch (IOException e) {
            throw new DevicetreeException(SourceLocation.of(dtb.toString()), "cannot read blob: " + e, e);
        }
        return read(dtb.toString(), bytes);
    }

    /**
     * @param name display name for messages
     * @param blob the blob's bytes
     * @return the tree
     * @throws DevicetreeException if the bytes are not a valid blob
     */
    public static DeviceTree read(String name, byte[] blob) throws DevicetreeException {
        return new DtbReader(name, blob.clone()).read();
    }

    private DeviceTree read() throws DevicetreeException {
        if (blob.length < Fdt.HEADER_SIZE) {
            throw error("truncated dtb: " + blob.length + " bytes is shorter than the " + Fdt.HEADER_SIZE
                    + "-byte header");
        }
        int magic = u32(0);
        if (magic != Fdt.MAGIC) {
            throw error("bad dtb magic 0x" + Integer.toHexString(magic) + ": expected 0xd00dfeed");
        }
        long total = Integer.toUnsignedLong(u32(4));
        if (total > blob.length) {
            throw error("truncated dtb: header says " + total + " bytes but only " + blob.length + " are present");
        }
        if (total < Fdt.HEADER_SIZE) {
            throw error("bad dtb: total size " + total + " is smaller than the header");
        }
        int version = u32(20);
        int lastCompatible = u32(24);
        if (version < 16 || lastCompatible > Fdt.VERSION) {
            throw error("unsupported dtb version " + version + " (last compatible " + lastCompatible
                    + "): expected version 16 or 17");
        }
        int offStruct = u32(8);
        int offStrings = u32(12);
        int offRsv = u32(16);
        long bootCpu = Integer.toUnsignedLong(u32(28));
        int sizeStrings = u32(32);
        int sizeStruct = version >= 17 ? u32(36) : (int) total - offStruct;
        checkBlock("structure block", offStruct, sizeStruct, total);
        checkBlock("strings block", offStrings, sizeStrings, total);
        checkBlock("memory reservation map", offRsv, 16, total);

        List<MemoryReservation> reservations = new ArrayList<>();
        int at = offRsv;
        while (true) {
            if (at + 16 > total) {
                throw error("truncated dtb: memory reservation map at offset 0x" + Integer.toHexString(offRsv)
                        + " has no terminating zero entry");
            }
            long address = u64(at);
            long size = u64(at + 8);
            at += 16;
            if (address == 0 && size == 0) {
                break;
            }
            reservations.add(new MemoryReservation(address, size));
        }
        StructureWalk walk = new StructureWalk(offStruct, offStruct + sizeStruct, offStrings, sizeStrings);
        MutableNode root = walk.root();
        return new DeviceTree(root, reservations, bootCpu);
    }

    private void checkBlock(String what, int off, int size, long total) throws DevicetreeException {
        if (off < 0 || size < 0 || (long) off + size > total) {
            throw error("truncated dtb: " + what + " at offset 0x" + Integer.toHexString(off) + " with "
                    + Integer.toUnsignedString(size) + " bytes runs past the end (" + total + " bytes)");
        }
    }

    /** Walks the structure block's tokens. */
    private final class StructureWalk {
        private final int end;
        private final int strings;
        private final int stringsSize;
        private int at;

        StructureWalk(int start, int end, int strings, int stringsSize) {
            this.at = start;
            this.end = end;
            this.strings = strings;
            this.stringsSize = stringsSize;
        }

        MutableNode root() throws DevicetreeException {
            int token = token();
            if (token != Fdt.BEGIN_NODE) {
                throw errorAt(at - 4, "expected FDT_BEGIN_NODE for the root but found token " + token);
            }
            String name = string(at, end, "root node name");
            if (!name.isEmpty()) {
                throw errorAt(at, "the root node must have an empty name but has '" + name + "'");
            }
            at = Fdt.align(at + 1, 4);
            MutableNode root = new MutableNode("", null, where);
            body(root, 0);
            int last = token();
            if (last != Fdt.END) {
                throw errorAt(at - 4, "expected FDT_END after the root node but found token " + last);
            }
            return root;
        }

        private void body(MutableNode node, int depth) throws DevicetreeException {
            while (true) {
                int tokenAt = at;
                int token = token();
                switch (token) {
                    case Fdt.PROP: {
                        int len = word("property length");
                        int nameOff = word("property name offset");
                        if (nameOff < 0 || nameOff >= stringsSize) {
                            throw errorAt(tokenAt, "property name offset " + Integer.toUnsignedString(nameOff)
                                    + " is outside the strings block (" + stringsSize + " bytes)");
                        }
                        String name = string(strings + nameOff, strings + stringsSize, "property name");
                        if (len < 0 || (long) at + len > end) {
                            throw errorAt(tokenAt, "truncated dtb: property '" + name + "' of " + node.path()
                                    + " has " + Integer.toUnsignedString(len) + " bytes, past the structure block");
                        }
                        byte[] value = java.util.Arrays.copyOfRange(blob, at, at + len);
                        at = Fdt.align(at + len, 4);
                        node.put(MutableProperty.ofBytes(name, value, where));
                        break;
                    }
                    case Fdt.BEGIN_NODE: {
                        String name = string(at, end, "node name");
                        at = Fdt.align(at + name.getBytes(StandardCharsets.UTF_8).length + 1, 4);
                        if (name.isEmpty()) {
                            throw errorAt(tokenAt, "a node below " + node.path() + " has an empty name");
                        }
                        if (node.children.containsKey(name)) {
                            throw errorAt(tokenAt, "duplicate node '" + name + "' in " + node.path());
                        }
                        if (depth >= MAX_DEPTH) {
                            throw errorAt(tokenAt, "nodes nested deeper than " + MAX_DEPTH + " levels");
                        }
                        MutableNode child = node.childFor(name, where);
                        body(child, depth + 1);
                        break;
                    }
                    case Fdt.END_NODE:
                        return;
                    case Fdt.NOP:
                        break;
                    default:
                        throw errorAt(tokenAt, "unexpected structure token " + token + " in " + node.path()
                                + ": expected FDT_BEGIN_NODE, FDT_PROP, FDT_NOP or FDT_END_NODE");
                }
            }
        }

        private int token() throws DevicetreeException {
            return word("structure token");
        }

        private int word(String what) throws DevicetreeException {
            if (at + 4 > end) {
                throw errorAt(at, "truncated dtb: structure block ends where a " + what + " was expected");
            }
            int v = u32(at);
            at += 4;
            return v;
        }

        private String string(int from, int limit, String what) throws DevicetreeException {
            for (int i = from; i < limit; i++) {
                if (blob[i] == 0) {
                    return new String(blob, from, i - from, StandardCharsets.UTF_8);
                }
            }
            throw errorAt(from, "truncated dtb: " + what + " has no terminating NUL");
        }
    }

    private int u32(int off) {
        return Bytes.readInt(blob, off);
    }

    private long u64(int off) {
        return Bytes.readLong(blob, off);
    }

    private DevicetreeException error(String problem) {
        return new DevicetreeException(where, problem);
    }

    private DevicetreeException errorAt(int offset, String problem) {
        return new DevicetreeException(where, "at offset 0x" + Integer.toHexString(offset) + ": " + problem);
    }
}
