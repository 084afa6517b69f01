package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegisterBankTest {

    private final List<String> effects = new ArrayList<>();

    private RegisterBank bank() {
        return RegisterBank.builder("dev0", 0x40)
                .add(Register.builder("ID", 0x00, 32).reset(0x1234_5678).readOnly())
                .add(Register.builder("CTRL", 0x04, 32).reset(0x1).writableMask(0xff)
                        .onWrite((v, prev) -> effects.add("ctrl " + v + " was " + prev)))
                .add(Register.builder("ISR", 0x08, 32).writeOneToClear(0x3).writableMask(0))
                .add(Register.builder("RC", 0x0c, 16).readToClear(0x00f0))
                .add(Register.builder("DOORBELL", 0x10, 32).writeOnly().onWrite((v, p) -> effects.add("ring " + v)))
                .add(Register.builder("DATA", 0x14, 8).onRead(stored -> stored + 1))
                .add(Register.builder("WIDE", 0x18, 64).reset(0x1122_3344_5566_7788L))
                .window("config", 0x20, 0x10, (off, w) -> 0xa0L + off + w, (off, w, v) -> effects.add("cfg " + off + "/" + w + "=" + v))
                .build();
    }

    @Test
    @DisplayName("reset values, read-only registers ignore writes and count them")
    void resetAndReadOnly() {
        RegisterBank b = bank();
        assertEquals(0x1234_5678L, b.read(0x00, 4));
        b.write(0x00, 4, 0);
        assertEquals(0x1234_5678L, b.read(0x00, 4));
        assertEquals(1, b.diagnostics().readOnlyWrites());
        assertEquals(0x1122_3344_5566_7788L, b.read(0x18, 8));
    }

    @Test
    @DisplayName("writable mask keeps other bits; write effect sees written and previous values")
    void writableMaskAndEffect() {
        RegisterBank b = bank();
        b.write(0x04, 4, 0xffff_ff02L);
        assertEquals(0x02, b.read(0x04, 4));
        assertEquals(List.of("ctrl 4294967042 was 1"), effects);
        b.set(0x04, 0x100);
        b.write(0x04, 4, 0x7);
        assertEquals(0x107, b.value(0x04), "bit 8 is not writable and keeps its stored value");
    }

    @Test
    @DisplayName("write-1-to-clear clears only the bits written as 1; read-to-clear clears after the read")
    void w1cAndRc() {
        RegisterBank b = bank();
        b.set(0x08, 0x3);
        b.write(0x08, 4, 0x1);
        assertEquals(0x2, b.read(0x08, 4));
        b.write(0x08, 4, 0x0);
        assertEquals(0x2, b.read(0x08, 4));
        b.set(0x0c, 0xffff);
        assertEquals(0xffff, b.read(0x0c, 2));
        assertEquals(0xff0f, b.read(0x0c, 2));
    }

    @Test
    @DisplayName("write-only registers read as 0; read effects compute the value")
    void writeOnlyAndReadEffect() {
        RegisterBank b = bank();
        b.write(0x10, 4, 5);
        assertEquals(0, b.read(0x10, 4));
        assertEquals(List.of("ring 5"), effects);
        assertEquals(1, b.diagnostics().writeOnlyReads());
        b.set(0x14, 0xff);
        assertEquals(0, b.read(0x14, 1), "the computed value is masked to the width");
    }

    @Test
    @DisplayName("unknown offsets and wrong widths read 0, ignore writes, run no effect, and are reported")
    void policy() {
        RegisterBank b = bank();
        b.write(0x04, 2, 0xff);
        assertEquals(0, b.read(0x00, 2));
        assertEquals(0, b.read(0x01, 1));
        b.write(0x30, 4, 1);
        assertTrue(effects.isEmpty());
        assertEquals(0x1, b.value(0x04));
        RegisterBank.Diagnostics d = b.diagnostics();
        assertEquals(3, d.wrongWidth());
        assertEquals(1, d.unknownOffset());
        assertEquals(4, d.total());
        assertTrue(d.recent().get(0).contains("0x4"), d.recent().toString());
    }

    @Test
    @DisplayName("windows accept any width inside them with relative offsets")
    void windows() {
        RegisterBank b = bank();
        assertEquals(0xa0 + 4 + 4, b.read(0x24, 4));
        assertEquals(0xa0 + 0xf + 1, b.read(0x2f, 1));
        b.write(0x22, 2, 0x1_beef);
        assertEquals(List.of("cfg 2/2=48879"), effects);
        assertEquals(0, b.read(0x2e, 4), "a window overrun is absorbed");
        assertEquals(1, b.diagnostics().wrongWidth());
    }

    @Test
    @DisplayName("reset restores every reset value; model-side set/clear bits")
    void reset() {
        RegisterBank b = bank();
        b.write(0x04, 4, 0x55);
        b.setBits(0x08, 0x2);
        assertEquals(0x3, b.setBits(0x08, 0x1));
        assertEquals(0x1, b.clearBits(0x08, 0x2));
        b.reset();
        assertEquals(1, b.value(0x04));
        assertEquals(0, b.value(0x08));
        assertThrows(IllegalArgumentException.class, () -> b.value(0x02));
    }

    @Test
    @DisplayName("declarations that overlap, do not fit or are misaligned are refused")
    void buildChecks() {
        assertThrows(IllegalArgumentException.class, () -> RegisterBank.builder("x", 8)
                .add(Register.builder("A", 0, 32)).add(Register.builder("B", 2, 16)));
        assertThrows(IllegalArgumentException.class, () -> RegisterBank.builder("x", 8).add(Register.builder("A", 8, 32)));
        assertThrows(IllegalArgumentException.class, () -> Register.builder("A", 2, 32));
        assertThrows(IllegalArgumentException.class, () -> Register.builder("A", 0, 24));
        assertThrows(IllegalArgumentException.class, () -> RegisterBank.builder("x", 16)
                .add(Register.builder("A", 4, 32)).window("w", 0, 8, (o, w) -> 0, null));
    }

    @Test
    @DisplayName("the MMIO view bounds-checks offsets, naming offset and region, and zero-extends")
    void region() {
        RegisterBank b = bank();
        MmioRegion r = b.asRegion(0xd000_0000L);
        assertEquals(0xd000_0000L, r.base());
        assertEquals(0x40, r.size());
        assertEquals(0x1234_5678, r.read32(0));
        r.write8(0x14, 0x7f);
        assertEquals(0x80, r.read8(0x14));
        b.set(0x08, 0xffff_ffffL & 0x3);
        r.write32(0x08, 0xffff_ffff);
        assertEquals(0, r.read32(0x08));
        assertEquals(0x1122_3344_5566_7788L, r.read64(0x18));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> r.read32(0x3e));
        assertTrue(e.getMessage().contains("0x3e") && e.getMessage().contains("dev0"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> r.write8(-1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> r.read64(0x40));
    }
}
