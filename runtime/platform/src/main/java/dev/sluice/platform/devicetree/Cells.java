package dev.sluice.platform.devicetree;

/** Arithmetic on groups of 32-bit cells. */
final class Cells {

    private Cells() {
    }

    /** Combines {@code count} cells (at most 2) starting at {@code from}, most significant first. */
    static long combine(int[] cells, int from, int count) {
        long v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 32) | Integer.toUnsignedLong(cells[from + i]);
        }
        return v;
    }
}
