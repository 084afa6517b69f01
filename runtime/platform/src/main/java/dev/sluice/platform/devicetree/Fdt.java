package dev.sluice.platform.devicetree;

/** Constants of the flattened devicetree format (Devicetree Specification chapter 5). */
final class Fdt {

    static final int MAGIC = 0xd00dfeed;
    static final int HEADER_SIZE = 40;
    static final int VERSION = 17;
    static final int LAST_COMPATIBLE_VERSION = 16;

    static final int BEGIN_NODE = 1;
    static final int END_NODE = 2;
    static final int PROP = 3;
    static final int NOP = 4;
    static final int END = 9;

    private Fdt() {
    }

    static int align(int n, int to) {
        return (n + to - 1) & -to;
    }
}
