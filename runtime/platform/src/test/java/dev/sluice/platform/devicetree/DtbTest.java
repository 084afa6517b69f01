package dev.sluice.platform.devicetree;

import static dev.sluice.platform.devicetree.Fixtures.dts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flattened blobs: the writer's layout and the reader's checks. */
class DtbTest {

    private static final String SMALL = "/dts-v1/;\n/memreserve/ 0x1000 0x2000;\n"
            + "/ { #address-cells = <1>; model = \"m\"; intc: intc { #interrupt-cells = <2>; };"
            + " dev { interrupt-parent = <&intc>; interrupts = <1 4>; flag; }; };";

    @Test
    void theHeaderFollowsVersion17() throws DevicetreeException {
        ByteBuffer b = ByteBuffer.wrap(DtbWriter.write(dts(SMALL)));
        assertEquals(0xd00dfeed, b.getInt(0), "magic");
        assertEquals(b.capacity(), b.getInt(4), "totalsize");
        assertEquals(40, b.getInt(16), "memory reservation map right after the header");
        assertEquals(17, b.getInt(20), "version");
        assertEquals(16, b.getInt(24), "last compatible version");
        assertEquals(b.getInt(12), b.getInt(8) + b.getInt(36), "strings follow the structure block");
        assertEquals(b.capacity(), b.getInt(12) + b.getInt(32), "strings end the blob");
        assertEquals(0x1000L, b.getLong(40), "first reservation address");
        assertEquals(0x2000L, b.getLong(48), "first reservation size");
        assertEquals(0L, b.getLong(56) | b.getLong(64), "terminating entry");
    }

    @Test
    void writingAndReadingBackGivesAnEqualTree() throws DevicetreeException {
        DeviceTree tree = dts(SMALL);
        DeviceTree back = DtbReader.read("small.dtb", DtbWriter.write(tree));
        assertEquals(tree, back);
        assertEquals(List.of(new MemoryReservation(0x1000, 0x2000)), back.memoryReservations());
        assertEquals(List.of(), back.root().child("intc").orElseThrow().labels(), "blobs carry no labels");
        assertEquals(1, back.findByPath("/dev").orElseThrow().interrupts().get(0).line(),
                "phandles still link interrupt parents");
    }

    @Test
    void aBlobReadFromAFileNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("board.dtb");
        Files.write(file, new byte[] {1, 2, 3});
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> DtbReader.read(file));
        assertEquals(file.toString(), e.file());
        assertEquals(0, e.line(), "a blob has no lines");
        assertEquals(file + ": truncated dtb: 3 bytes is shorter than the 40-byte header", e.getMessage());
    }

    @Test
    void nopTokensInTheStructureBlockAreSkipped() throws DevicetreeException {
        DeviceTree tree = dts(SMALL);
        byte[] blob = DtbWriter.write(tree);
        ByteBuffer in = ByteBuffer.wrap(blob);
        int offStruct = in.getInt(8);
        int afterRootName = offStruct + 8;
        ByteBuffer out = ByteBuffer.allocate(blob.length + 4);
        out.put(blob, 0, afterRootName).putInt(4).put(blob, afterRootName, blob.length - afterRootName);
        out.putInt(4, blob.length + 4).putInt(12, in.getInt(12) + 4).putInt(36, in.getInt(36) + 4);
        assertEquals(tree, DtbReader.read("nop.dtb", out.array()));
    }

    @Test
    void version16BlobsWithoutStructureSizeAreRead() throws DevicetreeException {
        DeviceTree tree = dts(SMALL);
        ByteBuffer b = ByteBuffer.wrap(DtbWriter.write(tree));
        b.putInt(20, 16).putInt(36, 0);
        assertEquals(tree, DtbReader.read("v16.dtb", b.array()));
    }

    @Test
    void theBootCpuIsReadFromTheHeader() throws DevicetreeException {
        ByteBuffer b = ByteBuffer.wrap(DtbWriter.write(dts(SMALL)));
        b.putInt(28, 3);
        DeviceTree t = DtbReader.read("cpu3.dtb", b.array());
        assertEquals(3, t.bootCpuId());
        assertArrayEquals(b.array(), DtbWriter.write(t), "and written back");
    }

    @Test
    void aPropertyRunningPastTheStructureBlockIsTruncation() throws DevicetreeException {
        byte[] blob = DtbWriter.write(dts("/dts-v1/;\n/ { p = <1>; };"));
        ByteBuffer b = ByteBuffer.wrap(blob);
        int offStruct = b.getInt(8);
        b.putInt(offStruct + 12, 4096);
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> DtbReader.read("big.dtb", blob));
        assertTrue(e.problem().contains("truncated dtb: property 'p' of / has 4096 bytes, past the structure block"),
                e.getMessage());
    }

    @Test
    void aBlobWhoseStructureEndsWithoutEndTokenIsTruncation() throws DevicetreeException {
        byte[] blob = DtbWriter.write(dts("/dts-v1/;\n/ { };"));
        ByteBuffer b = ByteBuffer.wrap(blob);
        b.putInt(36, b.getInt(36) - 4);
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> DtbReader.read("short.dtb", b.array()));
        assertTrue(e.problem().contains("truncated dtb: structure block ends where a structure token was expected"),
                e.getMessage());
    }
}
