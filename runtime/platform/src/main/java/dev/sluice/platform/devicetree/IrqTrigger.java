package dev.sluice.platform.devicetree;

/**
 * The trigger type in the flags cell of an interrupt specifier, with Linux's
 * {@code IRQ_TYPE_*} values (include/dt-bindings/interrupt-controller/irq.h).
 */
public enum IrqTrigger {
    /** No type given: the controller's default ({@code IRQ_TYPE_NONE}, 0). */
    NONE(0),
    /** Rising edge ({@code IRQ_TYPE_EDGE_RISING}, 1). */
    EDGE_RISING(1),
    /** Falling edge ({@code IRQ_TYPE_EDGE_FALLING}, 2). */
    EDGE_FALLING(2),
    /** Both edges ({@code IRQ_TYPE_EDGE_BOTH}, 3). */
    EDGE_BOTH(3),
    /** Active-high level ({@code IRQ_TYPE_LEVEL_HIGH}, 4). */
    LEVEL_HIGH(4),
    /** Active-low level ({@code IRQ_TYPE_LEVEL_LOW}, 8). */
    LEVEL_LOW(8);

    private final int flags;

    IrqTrigger(int flags) {
        this.flags = flags;
    }

    /** @return the {@code IRQ_TYPE_*} value */
    public int flags() {
        return flags;
    }

    /** @return true for the level types (a shared line needs them) */
    public boolean isLevel() {
        return this == LEVEL_HIGH || this == LEVEL_LOW;
    }

    /** @return true for the edge types */
    public boolean isEdge() {
        return this == EDGE_RISING || this == EDGE_FALLING || this == EDGE_BOTH;
    }

    /**
     * @param flags an {@code IRQ_TYPE_*} value
     * @return the trigger with that value, or null if none has it
     */
    static IrqTrigger fromFlags(int flags) {
        for (IrqTrigger t : values()) {
            if (t.flags == flags) {
                return t;
            }
        }
        return null;
    }
}
