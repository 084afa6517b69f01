package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PrimeCellIdsTest {

    @Test
    @DisplayName("the eight ID registers read the chip's PeriphID bytes, then 0x0D 0xF0 0x05 0xB1, and ignore writes")
    void idRegisters() {
        RegisterBank.Builder b = RegisterBank.builder("pl031", 0x1000);
        PrimeCellIds.declare(b, "RTC", 0x31, 0x10, 0x14, 0x00);
        MmioRegion r = b.build().asRegion(0x0901_0000L);
        int[] expected = {0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.read32(0xFE0 + 4 * i), "register at 0x" + Integer.toHexString(0xFE0 + 4 * i));
        }
        r.write32(0xFE0, 0x99);
        assertEquals(0x31, r.read32(0xFE0), "read-only");
    }

    @Test
    @DisplayName("a chip with other than four PeriphID bytes, or a value above a byte, is a programming error")
    void badIds() {
        assertThrows(IllegalArgumentException.class,
                () -> PrimeCellIds.declare(RegisterBank.builder("x", 0x1000), "X", 1, 2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> PrimeCellIds.declare(RegisterBank.builder("x", 0x1000), "X", 1, 2, 3, 0x100));
    }
}
