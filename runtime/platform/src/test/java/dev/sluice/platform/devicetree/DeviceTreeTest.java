package dev.sluice.platform.devicetree;

import static dev.sluice.platform.devicetree.Fixtures.dts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whole-tree lookups: path, alias, phandle, label, /chosen stdout-path; and tree equality. */
class DeviceTreeTest {

    private static final String BOARD = "/dts-v1/;\n/ {\n"
            + "  aliases { serial0 = &uart0; serial1 = \"/soc/serial@2000\"; };\n"
            + "  chosen { stdout-path = \"serial0:115200n8\"; };\n"
            + "  soc { uart0: serial@1000 { }; serial@2000 { }; };\n"
            + "};";

    @Test
    void nodesAreFoundByPathWithOrWithoutUnambiguousUnitAddresses() throws DevicetreeException {
        DeviceTree t = dts(BOARD);
        assertEquals("/soc/serial@1000", t.findByPath("/soc/serial@1000").orElseThrow().path());
        assertEquals(t.root(), t.findByPath("/").orElseThrow());
        assertEquals(Optional.empty(), t.findByPath("/soc/serial"), "ambiguous without the unit address");
        assertEquals(Optional.empty(), t.findByPath("/nowhere"));
    }

    @Test
    void aPathMayStartWithAnAlias() throws DevicetreeException {
        DeviceTree t = dts(BOARD);
        assertEquals("/soc/serial@1000", t.findByPath("serial0").orElseThrow().path());
        assertEquals("/soc/serial@2000", t.aliasTarget("serial1").orElseThrow().path());
        assertEquals(Optional.empty(), t.findByPath("serial7"));
    }

    @Test
    void nodesAreListedParentsFirstAndLabelsAreIndexed() throws DevicetreeException {
        DeviceTree t = dts(BOARD);
        assertEquals(List.of("/", "/aliases", "/chosen", "/soc", "/soc/serial@1000", "/soc/serial@2000"),
                t.nodes().stream().map(DeviceTreeNode::path).toList());
        assertEquals(List.of("uart0"), List.copyOf(t.labels().keySet()));
    }

    @Test
    void stdoutPathResolvesAnAliasAndSplitsOffTheOptions() throws DevicetreeException {
        ChosenStdout out = dts(BOARD).stdout().orElseThrow();
        assertEquals("/soc/serial@1000", out.node().path());
        assertEquals(Optional.of("115200n8"), out.options());
    }

    @Test
    void stdoutPathMayBeAPathReferenceToALabel() throws DevicetreeException {
        DeviceTree t = dts("/dts-v1/;\n/ { chosen { stdout-path = &uart0; }; uart0: serial@1000 { }; };");
        ChosenStdout out = t.stdout().orElseThrow();
        assertEquals(t.findByLabel("uart0").orElseThrow(), out.node());
        assertEquals(Optional.empty(), out.options());
    }

    @Test
    void stdoutPathMayBeAFullPathWithOptions() throws DevicetreeException {
        DeviceTree t = dts("/dts-v1/;\n/ { chosen { stdout-path = \"/serial@1000:9600\"; }; serial@1000 { }; };");
        assertEquals("/serial@1000", t.stdout().orElseThrow().node().path());
        assertEquals(Optional.of("9600"), t.stdout().orElseThrow().options());
    }

    @Test
    void anUnresolvableStdoutPathIsAnErrorAtTheProperty() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> dts(
                "/dts-v1/;\n/ { chosen {\n  stdout-path = \"serial3:115200\"; }; };").stdout());
        assertEquals("test.dts:3:3: property 'stdout-path' of /chosen: 'serial3' is neither a path nor an alias"
                + " in /aliases that leads to a node", e.getMessage());
    }

    @Test
    void aBoardWithoutChosenHasNoStdout() throws DevicetreeException {
        assertEquals(Optional.empty(), dts("/dts-v1/;\n/ { };").stdout());
    }

    @Test
    void nodesAreFoundByPhandle() throws DevicetreeException {
        DeviceTree t = dts("/dts-v1/;\n/ { a { phandle = <7>; }; b { linux,phandle = <8>; }; };");
        assertEquals("/a", t.findByPhandle(7).orElseThrow().path());
        assertEquals("/b", t.findByPhandle(8).orElseThrow().path());
        assertEquals(Optional.empty(), t.findByPhandle(9));
    }

    @Test
    void treesAreEqualWhenTheyWouldCompileToTheSameBlobWhateverTheLabelsOrLayout() throws DevicetreeException {
        DeviceTree a = dts("/dts-v1/;\n/ { x: n { v = <1 2>; }; };");
        DeviceTree b = dts("/dts-v1/;\n\n/ {\n\tn {\n\t\tv = <0x1>, <0x2>;\n\t};\n};\n");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, dts("/dts-v1/;\n/ { n { v = <1 3>; }; };"));
        assertNotEquals(a, dts("/dts-v1/;\n/ { n { v = <1 2>; w; }; };"));
        assertNotEquals(a, dts("/dts-v1/;\n/memreserve/ 0 4096;\n/ { n { v = <1 2>; }; };"));
    }
}
