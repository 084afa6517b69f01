package dev.sluice.models;

/**
 * The identification registers every ARM PrimeCell peripheral has at the top of its 4 KiB block:
 * PeriphID0-3 at 0xFE0-0xFEC (part number, designer, revision, configuration) and PCellID0-3 at
 * 0xFF0-0xFFC, which read 0x0D, 0xF0, 0x05, 0xB1 on every PrimeCell. Read-only, 32-bit.
 */
public final class PrimeCellIds {

    /** Offset of PeriphID0. */
    public static final int OFFSET = 0xFE0;

    private static final int[] CELL_ID = {0x0D, 0xF0, 0x05, 0xB1};

    private PrimeCellIds() {
    }

    /**
     * Adds the eight ID registers to a bank being built.
     *
     * @param bank     the bank builder
     * @param prefix   the register-name prefix of the chip's manual, e.g. {@code "RTC"} gives
     *                 {@code RTCPeriphID0} and {@code RTCPCellID0}
     * @param periphId PeriphID0..3, as the chip's technical reference manual lists them
     * @throws IllegalArgumentException unless exactly four byte values are given
     */
    public static void declare(RegisterBank.Builder bank, String prefix, int... periphId) {
        if (periphId.length != 4) {
            throw new IllegalArgumentException("a PrimeCell has 4 PeriphID registers, not " + periphId.length);
        }
        for (int i = 0; i < 8; i++) {
            int value = i < 4 ? periphId[i] : CELL_ID[i - 4];
            if (value < 0 || value > 0xFF) {
                throw new IllegalArgumentException("ID register values are bytes: 0x" + Integer.toHexString(value));
            }
            bank.add(Register.builder(i < 4 ? prefix + "PeriphID" + i : prefix + "PCellID" + (i - 4), OFFSET + 4 * i, 32)
                    .reset(value).readOnly());
        }
    }
}
