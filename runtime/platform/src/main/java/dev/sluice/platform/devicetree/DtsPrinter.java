package dev.sluice.platform.devicetree;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints a {@link DeviceTree} as Devicetree source that {@link DtsParser} reads back into an
 * equal tree, with labels. Values written in source are printed as they were written
 * ({@code <&intc 0x1 0x4>}, {@code /bits/ 64 <...>}, {@code [...]}, {@code &uart0}); values read
 * from a blob are printed as strings when they look like printable strings, as cells when their
 * length is a multiple of four, and as bytes otherwise. Cells print in hex, indentation is a tab.
 */
public final class DtsPrinter {

    private DtsPrinter() {
    }

    /**
     * @param tree the tree
     * @return the source text, ending with a newline
     */
    public static String print(DeviceTree tree) {
        StringBuilder out = new StringBuilder("/dts-v1/;\n\n");
        for (MemoryReservation r : tree.memoryReservations()) {
            out.append("/memreserve/ 0x").append(Long.toHexString(r.address())).append(" 0x")
                    .append(Long.toHexString(r.size())).append(";\n");
        }
        if (!tree.memoryReservations().isEmpty()) {
            out.append('\n');
        }
        node(tree.root(), 0, out);
        return out.toString();
    }

    /**
     * @param property a property
     * @return its source form, {@code name = value;} or {@code name;}
     */
    public static String propertyText(DeviceTreeProperty property) {
        StringBuilder out = new StringBuilder();
        for (String label : property.labels()) {
            out.append(label).append(": ");
        }
        out.append(property.name());
        if (!property.isEmpty()) {
            out.append(" = ").append(value(property));
        }
        return out.append(';').toString();
    }

    private static void node(DeviceTreeNode n, int depth, StringBuilder out) {
        indent(depth, out);
        for (String label : n.labels()) {
            out.append(label).append(": ");
        }
        out.append(n.isRoot() ? "/" : n.name()).append(" {\n");
        for (DeviceTreeProperty p : n.properties()) {
            indent(depth + 1, out);
            out.append(propertyText(p)).append('\n');
        }
        for (DeviceTreeNode c : n.children()) {
            out.append('\n');
            node(c, depth + 1, out);
        }
        indent(depth, out);
        out.append("};\n");
    }

    private static void indent(int depth, StringBuilder out) {
        out.append("\t".repeat(depth));
    }

    private static String value(DeviceTreeProperty p) {
        List<ValueChunk> chunks = p.chunks();
        if (chunks.isEmpty()) {
            chunks = guess(p.rawValue());
        }
        List<String> parts = new ArrayList<>();
        for (ValueChunk c : chunks) {
            parts.add(chunk(c));
        }
        return String.join(", ", parts);
    }

    private static String chunk(ValueChunk c) {
        if (c instanceof ValueChunk.Text t) {
            return quote(t.bytes());
        }
        if (c instanceof ValueChunk.PathRef r) {
            return "&" + r.ref();
        }
        if (c instanceof ValueChunk.Bytes b) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < b.bytes().length; i++) {
                sb.append(i == 0 ? "" : " ").append(String.format("%02x", b.bytes()[i] & 0xff));
            }
            return sb.append(']').toString();
        }
        ValueChunk.Cells cells = (ValueChunk.Cells) c;
        StringBuilder sb = new StringBuilder(cells.bits() == 32 ? "" : "/bits/ " + cells.bits() + " ");
        sb.append('<');
        for (int i = 0; i < cells.values().length; i++) {
            sb.append(i == 0 ? "" : " ");
            String ref = cells.refs()[i];
            sb.append(ref != null ? "&" + ref : "0x" + Long.toHexString(cells.values()[i]));
        }
        return sb.append('>').toString();
    }

    /** Chooses a form for bytes from a blob, as {@code dtc -I dtb -O dts} does. */
    static List<ValueChunk> guess(byte[] v) {
        if (looksLikeStrings(v)) {
            List<ValueChunk> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < v.length; i++) {
                if (v[i] == 0) {
                    out.add(new ValueChunk.Text(java.util.Arrays.copyOfRange(v, start, i)));
                    start = i + 1;
                }
            }
            return out;
        }
        if (v.length % 4 == 0) {
            long[] cells = new long[v.length / 4];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = Integer.toUnsignedLong(Bytes.readInt(v, i * 4));
            }
            return List.of(new ValueChunk.Cells(32, cells, new String[cells.length]));
        }
        return List.of(new ValueChunk.Bytes(v));
    }

    private static boolean looksLikeStrings(byte[] v) {
        if (v.length == 0 || v[v.length - 1] != 0) {
            return false;
        }
        boolean startOfString = true;
        for (byte b : v) {
            if (b == 0) {
                if (startOfString) {
                    return false;
                }
                startOfString = true;
            } else if ((b & 0xff) < 0x20 || (b & 0xff) > 0x7e) {
                return false;
            } else {
                startOfString = false;
            }
        }
        return true;
    }

    /** Quotes string bytes: printable ASCII as is, the usual escapes, {@code \xHH} for the rest. */
    private static String quote(byte[] s) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : s) {
            char c = (char) (b & 0xff);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\t': sb.append("\\t"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (c < 0x20 || c >= 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
