package dev.sluice.platform.devicetree;

import static dev.sluice.platform.devicetree.Fixtures.dts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed decoders on property values, and the errors when a value has another shape. */
class DeviceTreePropertyTest {

    private static DeviceTreeProperty prop(String value) throws DevicetreeException {
        return dts("/dts-v1/;\n/ {\n\tp" + (value.isEmpty() ? "" : " = " + value) + ";\n};")
                .root().property("p").orElseThrow();
    }

    @Test
    void asStringReadsOneNulTerminatedString() throws DevicetreeException {
        assertEquals("okay", prop("\"okay\"").asString());
        assertEquals("", prop("\"\"").asString());
    }

    @Test
    void asStringRefusesAStringList() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> prop("\"a\", \"b\"").asString());
        assertEquals("test.dts:3:2: property 'p' of /: expected one string but found 2", e.getMessage());
    }

    @Test
    void asStringListSplitsAtNul() throws DevicetreeException {
        assertEquals(List.of("a", "b", ""), prop("\"a\", \"b\", \"\"").asStringList());
        assertEquals(List.of(), prop("").asStringList());
    }

    @Test
    void asStringListRefusesBytesThatDoNotEndWithNul() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> prop("<1>").asStringList());
        assertTrue(e.problem().endsWith("expected NUL-terminated strings but the value does not end with NUL"));
    }

    @Test
    void asCellsReadsBigEndian32BitCellsAsUnsignedInts() throws DevicetreeException {
        assertArrayEquals(new int[] {1, 0xdeadbeef}, prop("<1 0xdeadbeef>").asCells());
        assertArrayEquals(new int[0], prop("").asCells());
    }

    @Test
    void asCellsRefusesALengthThatIsNotAMultipleOfFour() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> prop("[00 01 02]").asCells());
        assertEquals("property 'p' of /: expected 32-bit cells but the value has 3 bytes", e.problem());
    }

    @Test
    void asNumbersGroupsCellsMostSignificantFirst() throws DevicetreeException {
        assertArrayEquals(new long[] {0x1_0000_0002L, 0xffff_ffff_0000_0000L}, prop("<1 2 0xffffffff 0>").asNumbers(2));
        assertArrayEquals(new long[] {1, 2, 3}, prop("<1 2 3>").asNumbers(1));
        assertThrows(DevicetreeException.class, () -> prop("<1 2 3>").asNumbers(2));
    }

    @Test
    void asU32AndAsU64ReadExactlyOneValue() throws DevicetreeException {
        assertEquals(0xffff_ffffL, prop("<0xffffffff>").asU32());
        assertEquals(0x1_0000_0000L, prop("<1 0>").asU64());
        assertEquals(0x1234_5678_9abc_def0L, prop("/bits/ 64 <0x123456789abcdef0>").asU64());
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> prop("<1 2>").asU32());
        assertEquals("property 'p' of /: expected one 32-bit cell but the value has 8 bytes", e.problem());
        assertThrows(DevicetreeException.class, () -> prop("<1>").asU64());
    }

    @Test
    void asBytesIsACopyOfTheRawValue() throws DevicetreeException {
        DeviceTreeProperty p = prop("[01 02]");
        byte[] bytes = p.asBytes();
        bytes[0] = 9;
        assertArrayEquals(new byte[] {1, 2}, p.asBytes());
        assertFalse(p.isEmpty());
        assertEquals(2, p.length());
    }

    @Test
    void propertiesAreEqualByNameAndBytesAlone() throws DevicetreeException {
        assertEquals(prop("<1>"), prop("[00 00 00 01]"));
        assertNotEquals(prop("<1>"), prop("<2>"));
    }

    @Test
    void aPropertyKnowsWhereItWasDefinedAndPrintsAsSource() throws DevicetreeException {
        DeviceTreeProperty p = prop("\"x\", <&{/}>");
        assertEquals(new SourceLocation("test.dts", 3, 2), p.location());
        assertEquals("p = \"x\", <&{/}>;", p.toString());
    }
    @Test
    void naturalValueGivesStringsCellsBytesAndTrueForEmpty() throws DevicetreeException {
        assertEquals(Boolean.TRUE, prop("").naturalValue());
        assertEquals("okay", prop("\"okay\"").naturalValue());
        assertEquals(List.of("arm,pl031", "arm,primecell"), prop("\"arm,pl031\", \"arm,primecell\"").naturalValue());
        assertEquals(115200L, prop("<115200>").naturalValue());
        assertEquals(List.of(0L, 0x9000000L, 0L, 0x100L), prop("<0x0 0x09000000 0x0 0x100>").naturalValue());
        assertEquals(65536L, prop("/bits/ 64 <65536>").naturalValue(), "a 64-bit cell is one number");
        assertEquals(0xffffffffL, prop("<0xffffffff>").naturalValue(), "32-bit cells are unsigned");
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) prop("[01 02 03]").naturalValue());
        assertArrayEquals(new byte[] {'a', 0, 0, 0, 0, 1}, (byte[]) prop("\"a\", <1>").naturalValue(), "mixed kinds stay bytes");
    }

    @Test
    void naturalValueOfABlobPropertyIsClassifiedAsThePrinterPrintsIt() throws DevicetreeException {
        DeviceTree t = DtbReader.read("t.dtb", DtbWriter.write(dts(
                "/dts-v1/;\n/ { s = \"okay\"; c = <1 2>; b = [01 02 03]; e; };")));
        assertEquals("okay", t.root().property("s").orElseThrow().naturalValue());
        assertEquals(List.of(1L, 2L), t.root().property("c").orElseThrow().naturalValue());
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) t.root().property("b").orElseThrow().naturalValue());
        assertEquals(Boolean.TRUE, t.root().property("e").orElseThrow().naturalValue());
    }
}
