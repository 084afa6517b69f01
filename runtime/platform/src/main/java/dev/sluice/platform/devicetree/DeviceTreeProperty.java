package dev.sluice.platform.devicetree;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One property of a node: a name and an uninterpreted byte value (big-endian cells, NUL-
 * terminated strings or raw bytes, as in the flattened form), with typed decoders.
 *
 * <p>Instances are immutable. Two properties are equal when name and bytes are equal; labels,
 * location and the way the value was written do not take part.
 *
 * <p>Decoders throw {@link DevicetreeException} at the property's {@link #location()} when the
 * bytes do not have the asked-for shape, so a malformed board is reported where it was written.
 */
public final class DeviceTreeProperty {

    private final String name;
    private final byte[] value;
    private final List<String> labels;
    private final SourceLocation location;
    private final String ownerPath;
    private final List<ValueChunk> chunks;

    DeviceTreeProperty(String name, byte[] value, List<String> labels, SourceLocation location,
            String ownerPath, List<ValueChunk> chunks) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = value.clone();
        this.labels = List.copyOf(labels);
        this.location = Objects.requireNonNull(location, "location");
        this.ownerPath = ownerPath;
        this.chunks = List.copyOf(chunks);
    }

    /** @return the property name, for example {@code #address-cells} */
    public String name() {
        return name;
    }

    /** @return labels written on the property in source ({@code lbl: prop = ...}), usually none */
    public List<String> labels() {
        return labels;
    }

    /** @return where the property was (last) defined; a blob location has no line */
    public SourceLocation location() {
        return location;
    }

    /** @return length of the value in bytes */
    public int length() {
        return value.length;
    }

    /** @return true for a property without value (a boolean such as {@code interrupt-controller;}) */
    public boolean isEmpty() {
        return value.length == 0;
    }

    /** @return a copy of the raw value */
    public byte[] asBytes() {
        return value.clone();
    }

    /**
     * @return the value as one string
     * @throws DevicetreeException unless the value is exactly one NUL-terminated string
     */
    public String asString() throws DevicetreeException {
        List<String> strings = asStringList();
        if (strings.size() != 1) {
            throw error("expected one string but found " + strings.size());
        }
        return strings.get(0);
    }

    /**
     * @return the value as a list of strings ({@code "a", "b"}); empty for an empty property
     * @throws DevicetreeException unless the value is a sequence of NUL-terminated strings
     */
    public List<String> asStringList() throws DevicetreeException {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length; i++) {
            if (value[i] == 0) {
                out.add(new String(value, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start != value.length) {
            throw error("expected NUL-terminated strings but the value does not end with NUL");
        }
        return List.copyOf(out);
    }

    /**
     * @return the value as 32-bit cells (unsigned values in Java {@code int}s)
     * @throws DevicetreeException if the length is not a multiple of 4
     */
    public int[] asCells() throws DevicetreeException {
        if (value.length % 4 != 0) {
            throw error("expected 32-bit cells but the value has " + value.length + " bytes");
        }
        int[] cells = new int[value.length / 4];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = Bytes.readInt(value, i * 4);
        }
        return cells;
    }

    /**
     * Groups cells into numbers of {@code cellsPerNumber} cells each, most significant first
     * (two cells make a 64-bit value, as addresses with {@code #address-cells = <2>}).
     *
     * @param cellsPerNumber 1 or 2
     * @return the numbers
     * @throws DevicetreeException if the cells do not divide into groups of that size
     */
    public long[] asNumbers(int cellsPerNumber) throws DevicetreeException {
        if (cellsPerNumber < 1 || cellsPerNumber > 2) {
            throw new IllegalArgumentException("cellsPerNumber must be 1 or 2: " + cellsPerNumber);
        }
        int[] cells = asCells();
        if (cells.length % cellsPerNumber != 0) {
            throw error("expected groups of " + cellsPerNumber + " cells but found " + cells.length + " cells");
        }
        long[] out = new long[cells.length / cellsPerNumber];
        for (int i = 0; i < out.length; i++) {
            out[i] = Cells.combine(cells, i * cellsPerNumber, cellsPerNumber);
        }
        return out;
    }

    /**
     * @return the value as one unsigned 32-bit cell, in a {@code long}
     * @throws DevicetreeException unless the value is exactly 4 bytes
     */
    public long asU32() throws DevicetreeException {
        if (value.length != 4) {
            throw error("expected one 32-bit cell but the value has " + value.length + " bytes");
        }
        return Integer.toUnsignedLong(Bytes.readInt(value, 0));
    }

    /**
     * @return the value as one 64-bit number (two cells, or {@code /bits/ 64 <n>})
     * @throws DevicetreeException unless the value is exactly 8 bytes
     */
    public long asU64() throws DevicetreeException {
        if (value.length != 8) {
            throw error("expected a 64-bit value (two cells) but the value has " + value.length + " bytes");
        }
        return Bytes.readLong(value, 0);
    }

    /**
     * The value in its natural Java form, as the I/O registry shows it: {@link Boolean#TRUE} for
     * an empty property; a {@code String} for one string and a {@code List<String>} for several;
     * a {@code Long} for one cell and a {@code List<Long>} for several (cells of any
     * {@code /bits/} width, unsigned below 64 bits); a {@code byte[]} for a byte string or a
     * value that mixes kinds. A property from source keeps the kind it was written with; one
     * from a blob is classified as {@link DtsPrinter} prints it (printable strings, else cells
     * when the length is a multiple of four, else bytes).
     *
     * @return a new value object (lists are unmodifiable, arrays are copies)
     */
    public Object naturalValue() {
        if (value.length == 0) {
            return Boolean.TRUE;
        }
        List<ValueChunk> parts = chunks.isEmpty() || encodedLength(chunks) != value.length ? DtsPrinter.guess(value) : chunks;
        boolean allText = parts.stream().allMatch(c -> c instanceof ValueChunk.Text || c instanceof ValueChunk.PathRef);
        boolean allCells = parts.stream().allMatch(c -> c instanceof ValueChunk.Cells);
        if (allText) {
            try {
                List<String> strings = asStringList();
                return strings.size() == 1 ? strings.get(0) : strings;
            } catch (DevicetreeException e) {
                return value.clone();
            }
        }
        if (allCells) {
            List<Long> numbers = new ArrayList<>();
            for (ValueChunk c : parts) {
                for (long v : ((ValueChunk.Cells) c).values()) {
                    numbers.add(v);
                }
            }
            return numbers.size() == 1 ? numbers.get(0) : List.copyOf(numbers);
        }
        return value.clone();
    }

    private static long encodedLength(List<ValueChunk> parts) {
        long n = 0;
        for (ValueChunk c : parts) {
            if (c instanceof ValueChunk.Text t) {
                n += t.bytes().length + 1;
            } else if (c instanceof ValueChunk.Cells cells) {
                n += (long) cells.values().length * cells.bits() / 8;
            } else if (c instanceof ValueChunk.Bytes b) {
                n += b.bytes().length;
            } else if (c instanceof ValueChunk.PathRef r) {
                n += r.path().getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        return n;
    }

    /**
     * An error about this property's value, located where the property was defined.
     *
     * @param problem what is wrong with the value
     * @return the exception (to throw)
     */
    DevicetreeException error(String problem) {
        String owner = ownerPath == null ? "" : " of " + ownerPath;
        return new DevicetreeException(location, "property '" + name + "'" + owner + ": " + problem);
    }

    byte[] rawValue() {
        return value;
    }

    List<ValueChunk> chunks() {
        return chunks;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceTreeProperty p && name.equals(p.name) && Arrays.equals(value, p.value);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(value);
    }

    /** @return the property as it would be printed in source */
    @Override
    public String toString() {
        return DtsPrinter.propertyText(this);
    }
}
