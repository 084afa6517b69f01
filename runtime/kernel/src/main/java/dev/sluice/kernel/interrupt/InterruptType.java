package dev.sluice.kernel.interrupt;

/** How an interrupt line signals, after the Devicetree / Linux IRQ_TYPE values. */
public enum InterruptType {
    /** Edge rising (IRQ_TYPE_EDGE_RISING = 1): each pulse is one event; nothing to mask. */
    EDGE(1),
    /** Level high (IRQ_TYPE_LEVEL_HIGH = 4): asserted until the device is serviced; masked while in service. */
    LEVEL(4);

    private final int devicetreeFlags;

    InterruptType(int devicetreeFlags) {
        this.devicetreeFlags = devicetreeFlags;
    }

    /** @return the Linux IRQ_TYPE value used in Devicetree {@code interrupts} cells */
    public int devicetreeFlags() {
        return devicetreeFlags;
    }

    /**
     * @param flags a Devicetree interrupt type cell (1 edge rising, 4 level high; 2, 8 also accepted)
     * @return the matching type
     * @throws IllegalArgumentException naming the value if it is not a known trigger type
     */
    public static InterruptType fromDevicetreeFlags(int flags) {
        switch (flags & 0xf) {
            case 1: case 2: case 3: return EDGE;
            case 4: case 8: return LEVEL;
            default: throw new IllegalArgumentException("unknown interrupt trigger type " + flags
                    + " (expected 1 = edge rising or 4 = level high)");
        }
    }
}
