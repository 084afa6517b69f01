package dev.sluice.platform.devicetree;

/** Big-endian reads and writes, the byte order of every Devicetree value and blob field. */
final class Bytes {

    private Bytes() {
    }

    static int readInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    static long readLong(byte[] b, int off) {
        return (Integer.toUnsignedLong(readInt(b, off)) << 32) | Integer.toUnsignedLong(readInt(b, off + 4));
    }

    /** Writes the low {@code width} bytes of {@code v} big-endian. */
    static void write(java.io.ByteArrayOutputStream out, long v, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
    }
}
