package dev.sluice.platform.devicetree;

/**
 * How a part of a property value was written in source, kept so the printer can write it back
 * the same way ({@code <&intc 1 4>} rather than {@code <0x1 0x1 0x4>}). Chunks never change
 * a value: the property's bytes are the truth and a property read from a blob has no chunks.
 */
sealed interface ValueChunk {

    /** A NUL-terminated string; {@code bytes} are its contents without the NUL. */
    record Text(byte[] bytes) implements ValueChunk {
    }

    /**
     * A {@code <...>} list of cells of {@code bits} width; {@code refs[i]} is the reference
     * text ({@code intc} or <code>{/path}</code>) that produced {@code values[i]}, or null.
     */
    record Cells(int bits, long[] values, String[] refs) implements ValueChunk {
    }

    /** A {@code [...]} byte string. */
    record Bytes(byte[] bytes) implements ValueChunk {
    }

    /** A path reference outside cells ({@code &uart0}), which stands for the node's path string. */
    record PathRef(String ref, String path) implements ValueChunk {
    }
}
