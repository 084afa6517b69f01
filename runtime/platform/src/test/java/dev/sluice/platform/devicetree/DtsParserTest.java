package dev.sluice.platform.devicetree;

import static dev.sluice.platform.devicetree.Fixtures.dts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Devicetree source the parser accepts and the tree it builds from it. */
class DtsParserTest {

    private static DeviceTreeProperty prop(DeviceTree t, String path, String name) {
        return t.findByPath(path).orElseThrow().property(name).orElseThrow();
    }

    @Nested
    class Structure {

        @Test
        void nodesHaveNamesUnitAddressesPathsAndOrderedChildren() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { soc { uart@10000000 { }; gpio { }; }; };");
            DeviceTreeNode uart = t.findByPath("/soc/uart@10000000").orElseThrow();
            assertEquals("uart@10000000", uart.name());
            assertEquals("uart", uart.baseName());
            assertEquals(Optional.of("10000000"), uart.unitAddress());
            assertEquals("/soc/uart@10000000", uart.path());
            assertEquals("/soc", uart.parent().orElseThrow().path());
            assertEquals(Optional.empty(), t.findByPath("/soc/gpio").orElseThrow().unitAddress());
            assertEquals(List.of("uart@10000000", "gpio"),
                    t.findByPath("/soc").orElseThrow().children().stream().map(DeviceTreeNode::name).toList());
            assertTrue(t.root().isRoot());
            assertEquals("", t.root().name());
            assertEquals("/", t.root().path());
        }

        @Test
        void propertiesKeepDefinitionOrder() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { z = <1>; a = <2>; m; };");
            assertEquals(List.of("z", "a", "m"),
                    t.root().properties().stream().map(DeviceTreeProperty::name).toList());
        }

        @Test
        void emptyPropertiesAreBooleans() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { intc { interrupt-controller; }; };");
            DeviceTreeProperty p = prop(t, "/intc", "interrupt-controller");
            assertTrue(p.isEmpty());
            assertEquals(0, p.length());
            assertTrue(t.findByPath("/intc").orElseThrow().hasProperty("interrupt-controller"));
        }

        @Test
        void memreserveEntriesAreKeptInOrder() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/memreserve/ 0x1000 0x200;\n/memreserve/ 0x80000000 4096;\n/ { };");
            assertEquals(List.of(new MemoryReservation(0x1000, 0x200), new MemoryReservation(0x80000000L, 4096)),
                    t.memoryReservations());
        }

        @Test
        void cAndCppCommentsAreIgnoredEverywhere() throws DevicetreeException {
            DeviceTree t = dts("/* header */ /dts-v1/; // version\n/ { /* in body */ a = /* in value */ <1 /* cell */ 2>; // end\n};");
            assertArrayEquals(new int[] {1, 2}, prop(t, "/", "a").asCells());
        }

        @Test
        void hashPropertiesAtTheStartOfALineAreNotPreprocessorDirectives() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ {\n#address-cells = <1>;\n#size-cells = <0>;\n};");
            assertEquals(1, t.root().addressCells());
            assertEquals(0, t.root().sizeCells());
        }

        @Test
        void theVersionTagMayBeRepeatedAsIncludedFilesDo() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/dts-v1/;\n/ { a; };");
            assertTrue(t.root().hasProperty("a"));
        }

        @Test
        void cppLineMarkersMoveTheReportedPosition() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> dts(
                    "# 1 \"board.dts\"\n/dts-v1/;\n# 40 \"soc.dtsi\" 1\n/ {\n  a = <1>\n};"));
            assertEquals("soc.dtsi", e.file());
            assertEquals(42, e.line());
        }
    }

    @Nested
    class Values {

        @Test
        void stringsDecodeCEscapes() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { s = \"q\\\"uote\\\\ tab\\t nl\\n hex\\x41 oct\\101\"; };");
            assertEquals("q\"uote\\ tab\t nl\n hexA octA", prop(t, "/", "s").asString());
        }

        @Test
        void stringsAreUtf8AndEscapesAreSingleBytesAsDtcWritesThem() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { s = \"\u00e9\\xff\"; };");
            assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9, (byte) 0xff, 0}, prop(t, "/", "s").asBytes());
            assertEquals(t, DtsParser.parse("printed.dts", DtsPrinter.print(t)), "and print back exactly");
        }

        @Test
        void commentMarkersInsideStringsAreText() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { s = \"a /* b */ // c\"; };");
            assertEquals("a /* b */ // c", prop(t, "/", "s").asString());
        }

        @Test
        void stringListsAreCommaSeparatedStrings() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { compatible = \"arm,pl031\", \"arm,primecell\"; };");
            assertEquals(List.of("arm,pl031", "arm,primecell"), prop(t, "/", "compatible").asStringList());
            assertArrayEquals("arm,pl031\0arm,primecell\0".getBytes(), prop(t, "/", "compatible").asBytes());
        }

        @Test
        void cellsAreBigEndianAndAcceptDecimalHexOctalAndCharacters() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { c = <10 0x10 0XfF 010 'a' '\\n' 4294967295>; };");
            assertArrayEquals(new int[] {10, 16, 255, 8, 'a', '\n', -1}, prop(t, "/", "c").asCells());
            assertArrayEquals(new byte[] {0, 0, 0, 10}, java.util.Arrays.copyOf(prop(t, "/", "c").asBytes(), 4));
        }

        @Test
        void parenthesisedExpressionsUseCOperatorsOn64Bits() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { e = <(1 + 2 * 3) ((1 << 4) | 3) (-1) (7 / 2) (7 % 2) (2 > 1 ? 5 : 6) (~0 & 0xf0)>; };");
            assertArrayEquals(new int[] {7, 19, -1, 3, 1, 5, 0xf0}, prop(t, "/", "e").asCells());
        }

        @Test
        void bitsSelectsTheCellWidth() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { b8 = /bits/ 8 <1 0xff>; b16 = /bits/ 16 <0x1234>; "
                    + "b64 = /bits/ 64 <0x123456789abcdef0>; };");
            assertArrayEquals(new byte[] {1, (byte) 0xff}, prop(t, "/", "b8").asBytes());
            assertArrayEquals(new byte[] {0x12, 0x34}, prop(t, "/", "b16").asBytes());
            assertEquals(0x123456789abcdef0L, prop(t, "/", "b64").asU64());
        }

        @Test
        void bytesAreHexPairsWithOrWithoutSpaces() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { a = [00 11 aa BB]; b = [0011aabb]; c = [0a 0b0c]; };");
            byte[] expected = {0x00, 0x11, (byte) 0xaa, (byte) 0xbb};
            assertArrayEquals(expected, prop(t, "/", "a").asBytes());
            assertArrayEquals(expected, prop(t, "/", "b").asBytes());
            assertArrayEquals(new byte[] {0x0a, 0x0b, 0x0c}, prop(t, "/", "c").asBytes());
        }

        @Test
        void mixedValuesAreConcatenatedInOrder() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { m = \"ab\", <1>, [cd], /bits/ 16 <2>; };");
            assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0, 0, 1, (byte) 0xcd, 0, 2}, prop(t, "/", "m").asBytes());
        }

        @Test
        void negativeValuesThatFitTheWidthAreAccepted() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { a = /bits/ 8 <(-1)>; b = <(-2)>; };");
            assertArrayEquals(new byte[] {(byte) 0xff}, prop(t, "/", "a").asBytes());
            assertArrayEquals(new int[] {-2}, prop(t, "/", "b").asCells());
        }
    }

    @Nested
    class LabelsAndReferences {

        @Test
        void labelsNameNodesAndAreFoundByLabel() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { uart0: console: serial@1000 { }; };");
            DeviceTreeNode uart = t.findByLabel("uart0").orElseThrow();
            assertEquals("/serial@1000", uart.path());
            assertEquals(List.of("uart0", "console"), uart.labels());
            assertEquals(uart, t.findByLabel("console").orElseThrow());
            assertEquals(Optional.empty(), t.findByLabel("nothing"));
        }

        @Test
        void aReferenceInCellsBecomesThePhandleAndTheTargetGetsOne() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { intc: intc { }; dev { interrupt-parent = <&intc>; }; };");
            DeviceTreeNode intc = t.findByPath("/intc").orElseThrow();
            assertEquals(1, intc.phandle().orElseThrow());
            assertEquals(1, prop(t, "/dev", "interrupt-parent").asU32());
            assertEquals(intc, t.findByPhandle(1).orElseThrow());
        }

        @Test
        void phandlesAreNumberedInReferenceOrderSkippingExplicitOnes() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { refs = <&b &a &{/c} &b>; a: a { }; b: b { }; c { phandle = <1>; }; };");
            assertArrayEquals(new int[] {2, 3, 1, 2}, prop(t, "/", "refs").asCells());
            assertEquals("phandle", t.findByPath("/b").orElseThrow().properties().get(0).name(),
                    "the generated phandle is appended to the node's properties");
        }

        @Test
        void referencesMayPointForwardToLaterNodes() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { dev { p = <&later>; }; };\n/ { later: later { }; };");
            assertEquals(t.findByPath("/later").orElseThrow(),
                    t.findByPhandle((int) prop(t, "/dev", "p").asU32()).orElseThrow());
        }

        @Test
        void aReferenceOutsideCellsIsThePathString() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { aliases { serial0 = &uart0; bus = &{/soc}; }; "
                    + "soc { uart0: serial@1000 { }; }; };");
            assertEquals("/soc/serial@1000", prop(t, "/aliases", "serial0").asString());
            assertEquals("/soc", prop(t, "/aliases", "bus").asString());
            assertFalse(t.findByPath("/soc/serial@1000").orElseThrow().hasProperty("phandle"),
                    "a path reference needs no phandle");
        }
    }

    @Nested
    class MergingAndDeleting {

        @Test
        void aNodeDefinedAgainByPathIsMergedWithRedefinedPropertiesKeepingTheirPlace() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { n { a = <1>; b = <2>; }; };\n/ { n { a = <3>; c = <4>; }; };");
            DeviceTreeNode n = t.findByPath("/n").orElseThrow();
            assertEquals(List.of("a", "b", "c"), n.properties().stream().map(DeviceTreeProperty::name).toList());
            assertEquals(3, n.property("a").orElseThrow().asU32());
        }

        @Test
        void aNodeReopenedByLabelOrPathReferenceIsMerged() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { soc { u: uart { a; }; }; };\n&u { b; };\n&{/soc/uart} { c; };\n"
                    + "extra: &u { d; };");
            DeviceTreeNode uart = t.findByPath("/soc/uart").orElseThrow();
            assertEquals(List.of("a", "b", "c", "d"), uart.properties().stream().map(DeviceTreeProperty::name).toList());
            assertEquals(List.of("u", "extra"), uart.labels());
        }

        @Test
        void deleteNodeAndDeletePropertyRemoveWhatEarlierDefinitionsMade() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { keep { a; b; }; gone { }; doomed: doomed@1 { }; };\n"
                    + "/ { /delete-node/ gone; keep { /delete-property/ a; }; };\n/delete-node/ &doomed;");
            assertEquals(List.of("keep"), t.root().children().stream().map(DeviceTreeNode::name).toList());
            assertEquals(List.of("b"),
                    t.findByPath("/keep").orElseThrow().properties().stream().map(DeviceTreeProperty::name).toList());
            assertEquals(Optional.empty(), t.findByLabel("doomed"));
        }

        @Test
        void aLabelOfADeletedNodeCanNoLongerBeReferenced() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> dts(
                    "/dts-v1/;\n/ { d: dev { }; };\n/delete-node/ &d;\n/ { x = <&d>; };"));
            assertEquals("test.dts:4:10: unknown label 'd' in reference '&d'", e.getMessage());
        }
    }

    @Nested
    class Includes {

        @Test
        void includedFilesAreFoundRelativeToTheIncludingFile(@TempDir Path dir) throws Exception {
            Files.createDirectories(dir.resolve("soc"));
            Files.writeString(dir.resolve("board.dts"), "/dts-v1/;\n/include/ \"soc/soc.dtsi\"\n&uart { status = \"okay\"; };");
            Files.writeString(dir.resolve("soc/soc.dtsi"), "/ { /include/ \"uart.dtsi\" };");
            Files.writeString(dir.resolve("soc/uart.dtsi"), "uart: uart@1000 { status = \"disabled\"; };");
            DeviceTree t = DtsParser.parse(dir.resolve("board.dts"));
            assertEquals("okay", t.findByPath("/uart@1000").orElseThrow().status());
        }

        @Test
        void anErrorInAnIncludedFileNamesThatFile(@TempDir Path dir) throws IOException {
            Files.writeString(dir.resolve("board.dts"), "/dts-v1/;\n/ {\n/include/ \"bad.dtsi\"\n};");
            Files.writeString(dir.resolve("bad.dtsi"), "\n  a = <1 0x1g>;\n");
            DevicetreeException e = assertThrows(DevicetreeException.class,
                    () -> DtsParser.parse(dir.resolve("board.dts")));
            assertEquals(dir.resolve("bad.dtsi").toString(), e.file());
            assertEquals(2, e.line());
            assertEquals(10, e.column());
            assertEquals("bad number '0x1g': expected hex digits", e.problem());
        }

        @Test
        void anUnfinishedIncludedFileIsReportedWhereTheIncluderContinues(@TempDir Path dir) throws IOException {
            Files.writeString(dir.resolve("board.dts"), "/dts-v1/;\n/ {\n/include/ \"bad.dtsi\"\n};");
            Files.writeString(dir.resolve("bad.dtsi"), "\n  a = <1>\n");
            DevicetreeException e = assertThrows(DevicetreeException.class,
                    () -> DtsParser.parse(dir.resolve("board.dts")));
            assertEquals(dir.resolve("board.dts") + ":4:1: expected ';' after property 'a' but found '}'",
                    e.getMessage());
        }

        @Test
        void aCustomResolverSuppliesIncludedSources() throws DevicetreeException {
            Map<String, String> files = Map.of("common.dtsi", "/ { common; };");
            DtsParser parser = new DtsParser((including, requested) -> Optional.ofNullable(files.get(requested))
                    .map(text -> new DtsSource(requested, text)));
            DeviceTree t = parser.parse(new DtsSource("main.dts", "/dts-v1/;\n/include/ \"common.dtsi\"\n/ { own; };"));
            assertTrue(t.root().hasProperty("common"));
            assertTrue(t.root().hasProperty("own"));
        }

        @Test
        void resourceNamesResolveLikeRelativePaths() {
            assertEquals("boards/microvm.dts", IncludeResolver.resourceName("boards/stress.dts", "microvm.dts"));
            assertEquals("common/x.dtsi", IncludeResolver.resourceName("boards/a.dts", "../common/./x.dtsi"));
            assertEquals("x.dtsi", IncludeResolver.resourceName("a.dts", "x.dtsi"));
        }
    }
}
