package dev.sluice.platform.devicetree;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A property while a tree is being built: either chunks written in source (with references
 * that are filled in when the whole tree is known) or raw bytes read from a blob.
 */
final class MutableProperty {

    final String name;
    final SourceLocation location;
    final List<String> labels = new ArrayList<>();
    final List<ValueChunk> chunks = new ArrayList<>();
    final List<Reference> references = new ArrayList<>();
    byte[] raw;

    /**
     * A reference in the value: in cells ({@code cell >= 0}, resolves to a phandle) or a path
     * reference standing for a whole chunk ({@code cell < 0}, resolves to the node's path).
     */
    record Reference(int chunk, int cell, String ref, SourceLocation location) {
    }

    MutableProperty(String name, SourceLocation location) {
        this.name = name;
        this.location = location;
    }

    static MutableProperty ofBytes(String name, byte[] value, SourceLocation location) {
        MutableProperty p = new MutableProperty(name, location);
        p.raw = value.clone();
        return p;
    }

    static MutableProperty ofCell(String name, long cell, SourceLocation location) {
        MutableProperty p = new MutableProperty(name, location);
        p.chunks.add(new ValueChunk.Cells(32, new long[] {cell}, new String[1]));
        return p;
    }

    byte[] bytes() {
        if (raw != null) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ValueChunk c : chunks) {
            if (c instanceof ValueChunk.Text t) {
                out.writeBytes(t.bytes());
                out.write(0);
            } else if (c instanceof ValueChunk.PathRef r) {
                out.writeBytes(r.path().getBytes(StandardCharsets.UTF_8));
                out.write(0);
            } else if (c instanceof ValueChunk.Bytes b) {
                out.writeBytes(b.bytes());
            } else if (c instanceof ValueChunk.Cells cells) {
                for (long v : cells.values()) {
                    Bytes.write(out, v, cells.bits() / 8);
                }
            }
        }
        return out.toByteArray();
    }
}
