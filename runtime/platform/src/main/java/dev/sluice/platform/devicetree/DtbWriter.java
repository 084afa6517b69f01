package dev.sluice.platform.devicetree;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a {@link DeviceTree} as a flattened devicetree blob (version 17, last compatible
 * version 16), laid out as {@code dtc -O dtb} lays it out: header, memory reservation map,
 * structure block, strings block, no padding. A property name is stored once: where it already
 * occurs in the strings block, also as the tail of a longer name ({@code a} in {@code extra}),
 * it is shared; otherwise it is appended. The output is byte-identical to dtc 1.6's.
 * Labels are not written (as dtc without {@code -@}).
 */
public final class DtbWriter {

    private DtbWriter() {
    }

    /**
     * @param tree the tree
     * @return the blob
     */
    public static byte[] write(DeviceTree tree) {
        Map<String, Integer> strings = new LinkedHashMap<>();
        ByteArrayOutputStream stringBlock = new ByteArrayOutputStream();
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        node(tree.root(), struct, strings, stringBlock);
        Bytes.write(struct, Fdt.END, 4);

        ByteArrayOutputStream rsv = new ByteArrayOutputStream();
        for (MemoryReservation r : tree.memoryReservations()) {
            Bytes.write(rsv, r.address(), 8);
            Bytes.write(rsv, r.size(), 8);
        }
        Bytes.write(rsv, 0, 8);
        Bytes.write(rsv, 0, 8);

        int offRsv = Fdt.align(Fdt.HEADER_SIZE, 8);
        int offStruct = offRsv + rsv.size();
        int offStrings = offStruct + struct.size();
        int total = offStrings + stringBlock.size();

        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        Bytes.write(out, Fdt.MAGIC, 4);
        Bytes.write(out, total, 4);
        Bytes.write(out, offStruct, 4);
        Bytes.write(out, offStrings, 4);
        Bytes.write(out, offRsv, 4);
        Bytes.write(out, Fdt.VERSION, 4);
        Bytes.write(out, Fdt.LAST_COMPATIBLE_VERSION, 4);
        Bytes.write(out, tree.bootCpuId(), 4);
        Bytes.write(out, stringBlock.size(), 4);
        Bytes.write(out, struct.size(), 4);
        while (out.size() < offRsv) {
            out.write(0);
        }
        out.writeBytes(rsv.toByteArray());
        out.writeBytes(struct.toByteArray());
        out.writeBytes(stringBlock.toByteArray());
        return out.toByteArray();
    }

    private static void node(DeviceTreeNode n, ByteArrayOutputStream struct, Map<String, Integer> strings,
            ByteArrayOutputStream stringBlock) {
        Bytes.write(struct, Fdt.BEGIN_NODE, 4);
        byte[] name = n.name().getBytes(StandardCharsets.UTF_8);
        struct.writeBytes(name);
        struct.write(0);
        pad(struct);
        for (DeviceTreeProperty p : n.properties()) {
            Integer off = strings.get(p.name());
            if (off == null) {
                off = stringOffset(p.name(), stringBlock);
                strings.put(p.name(), off);
            }
            byte[] value = p.rawValue();
            Bytes.write(struct, Fdt.PROP, 4);
            Bytes.write(struct, value.length, 4);
            Bytes.write(struct, off, 4);
            struct.writeBytes(value);
            pad(struct);
        }
        for (DeviceTreeNode c : n.children()) {
            node(c, struct, strings, stringBlock);
        }
        Bytes.write(struct, Fdt.END_NODE, 4);
    }

    /** Finds {@code name} + NUL anywhere in the block (as dtc does) or appends it. */
    private static int stringOffset(String name, ByteArrayOutputStream block) {
        byte[] wanted = (name + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] have = block.toByteArray();
        outer:
        for (int i = 0; i + wanted.length <= have.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (have[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        block.writeBytes(wanted);
        return have.length;
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
