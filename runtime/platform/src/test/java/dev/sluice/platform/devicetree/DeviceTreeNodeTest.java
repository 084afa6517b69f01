package dev.sluice.platform.devicetree;

import static dev.sluice.platform.devicetree.Fixtures.dts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.BackendSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The decoders the platform expert uses on nodes: reg, status, compatible, interrupts, backend. */
class DeviceTreeNodeTest {

    private static DeviceTreeNode node(DeviceTree t, String path) {
        return t.findByPath(path).orElseThrow();
    }

    @Nested
    class Reg {

        @Test
        void regIsDecodedWithTheParentsAddressAndSizeCells() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
                    + "  mem { reg = <0x1 0x80000000 0x0 0x8000000  0x0 0x1000 0x0 0x10>; };\n"
                    + "  bus { #address-cells = <1>; #size-cells = <1>; dev { reg = <0x2000 0x100>; }; };\n"
                    + "  cpus { #address-cells = <1>; #size-cells = <0>; cpu@1 { reg = <1>; }; }; };");
            assertEquals(List.of(new RegEntry(0x1_8000_0000L, 0x800_0000L), new RegEntry(0x1000, 0x10)),
                    node(t, "/mem").reg());
            assertEquals(List.of(new RegEntry(0x2000, 0x100)), node(t, "/bus/dev").reg());
            assertEquals(List.of(new RegEntry(1, 0)), node(t, "/cpus/cpu@1").reg());
        }

        @Test
        void withoutCellCountsTheSpecDefaultsOfTwoAddressAndOneSizeCellApply() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { dev { reg = <0x1 0x2 0x30>; }; };");
            assertEquals(2, t.root().addressCells());
            assertEquals(1, t.root().sizeCells());
            assertEquals(List.of(new RegEntry(0x1_0000_0002L, 0x30)), node(t, "/dev").reg());
        }

        @Test
        void aNodeWithoutRegHasNoEntries() throws DevicetreeException {
            assertEquals(List.of(), dts("/dts-v1/;\n/ { dev { }; };").findByPath("/dev").orElseThrow().reg());
        }

        @Test
        void aRegWhoseLengthDoesNotMatchTheCellCountsIsAnErrorAtTheProperty() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> dts(
                    "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n  uart { reg = <0x0 0x1000 0x100>; }; };")
                    .findByPath("/uart").orElseThrow().reg());
            assertEquals("test.dts:3:10: property 'reg' of /uart: expected a multiple of 4 cells but found 3"
                    + " (#address-cells = <2>, #size-cells = <2> from /)", e.getMessage());
        }

        @Test
        void addressesWiderThan64BitsAreRefused() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> dts(
                    "/dts-v1/;\n/ { #address-cells = <3>; dev { reg = <0 0 0 1>; }; };").findByPath("/dev").orElseThrow().reg());
            assertTrue(e.problem().contains("cannot decode into 64-bit numbers"), e.getMessage());
        }
    }

    @Nested
    class StatusAndCompatible {

        @Test
        void statusIsOkayWhenAbsentAndDisabledWhenSaid() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { a { }; b { status = \"disabled\"; }; c { status = \"ok\"; }; };");
            assertEquals("okay", node(t, "/a").status());
            assertTrue(node(t, "/a").isEnabled());
            assertEquals("disabled", node(t, "/b").status());
            assertFalse(node(t, "/b").isEnabled());
            assertTrue(node(t, "/c").isEnabled(), "the older \"ok\" also enables");
        }

        @Test
        void compatibleIsTheStringListMostSpecificFirst() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { rtc { compatible = \"arm,pl031\", \"arm,primecell\"; }; x { }; };");
            assertEquals(List.of("arm,pl031", "arm,primecell"), node(t, "/rtc").compatible());
            assertTrue(node(t, "/rtc").isCompatible("arm,primecell"));
            assertFalse(node(t, "/rtc").isCompatible("arm,sp804"));
            assertEquals(List.of(), node(t, "/x").compatible());
        }
    }

    @Nested
    class Interrupts {

        private static final String BOARD = "/dts-v1/;\n/ {\n  interrupt-parent = <&intc>;\n"
                + "  intc: intc { interrupt-controller; #interrupt-cells = <2>; };\n"
                + "  gic: gic { interrupt-controller; #interrupt-cells = <1>; };\n"
                + "  uart { interrupts = <1 4>; };\n"
                + "  timer { interrupts = <3 4>, <4 1>; };\n"
                + "  bus { interrupt-parent = <&gic>; dev { interrupts = <7>; }; };\n"
                + "  own { interrupt-parent = <&gic>; interrupts = <9 10>; };\n"
                + "  ext { interrupts-extended = <&intc 5 8 &gic 6>; };\n"
                + "  bad { interrupts = <2 5>; };\n"
                + "  odd { interrupts = <1 4 2>; };\n"
                + "};";

        @Test
        void interruptsUseTheInterruptParentInheritedFromAnAncestor() throws DevicetreeException {
            DeviceTree t = dts(BOARD);
            DeviceTreeNode intc = node(t, "/intc");
            assertEquals(Optional.of(intc), node(t, "/uart").interruptParent());
            assertEquals(List.of(new InterruptSpecifier(intc, 1, IrqTrigger.LEVEL_HIGH, List.of(1, 4))),
                    node(t, "/uart").interrupts());
        }

        @Test
        void twoCellSpecifiersCarryLineAndLinuxTriggerType() throws DevicetreeException {
            List<InterruptSpecifier> irqs = node(dts(BOARD), "/timer").interrupts();
            assertEquals(List.of(3, 4), irqs.stream().map(InterruptSpecifier::line).toList());
            assertEquals(List.of(IrqTrigger.LEVEL_HIGH, IrqTrigger.EDGE_RISING),
                    irqs.stream().map(InterruptSpecifier::trigger).toList());
            assertTrue(irqs.get(0).trigger().isLevel());
            assertTrue(irqs.get(1).trigger().isEdge());
        }

        @Test
        void theNearestInterruptParentWinsAndOneCellControllersHaveNoTrigger() throws DevicetreeException {
            DeviceTree t = dts(BOARD);
            DeviceTreeNode gic = node(t, "/gic");
            assertEquals(List.of(new InterruptSpecifier(gic, 7, IrqTrigger.NONE, List.of(7))), node(t, "/bus/dev").interrupts());
            assertEquals(List.of(9, 10), node(t, "/own").interrupts().stream().map(InterruptSpecifier::line).toList());
        }

        @Test
        void interruptsExtendedNamesTheControllerOfEachEntry() throws DevicetreeException {
            DeviceTree t = dts(BOARD);
            assertEquals(List.of(new InterruptSpecifier(node(t, "/intc"), 5, IrqTrigger.LEVEL_LOW, List.of(5, 8)),
                    new InterruptSpecifier(node(t, "/gic"), 6, IrqTrigger.NONE, List.of(6))), node(t, "/ext").interrupts());
        }

        @Test
        void anUnknownTriggerTypeIsAnError() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> node(dts(BOARD), "/bad").interrupts());
            assertEquals("test.dts:11:9: property 'interrupts' of /bad: interrupt 2 has trigger type 5, expected"
                    + " 1 (edge rising), 2 (edge falling), 3 (both edges), 4 (level high) or 8 (level low)", e.getMessage());
        }

        @Test
        void aCellCountThatDoesNotDivideIsAnError() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> node(dts(BOARD), "/odd").interrupts());
            assertEquals("property 'interrupts' of /odd: expected a multiple of 2 cells (#interrupt-cells of /intc) but found 3",
                    e.problem());
        }

        @Test
        void interruptsWithoutAnyInterruptParentAreAnError() {
            DevicetreeException e = assertThrows(DevicetreeException.class,
                    () -> node(dts("/dts-v1/;\n/ { dev { interrupts = <1 4>; }; };"), "/dev").interrupts());
            assertTrue(e.problem().startsWith("property 'interrupts' of /dev: no interrupt parent"), e.getMessage());
        }

        @Test
        void aNodeWithoutInterruptsHasNone() throws DevicetreeException {
            assertEquals(List.of(), node(dts(BOARD), "/intc").interrupts());
        }
    }

    @Nested
    class Backends {

        @Test
        void theVendorBackendPropertyIsParsed() throws DevicetreeException {
            DeviceTree t = dts("/dts-v1/;\n/ { blk { sluice,backend = \"file:disk0.img\"; };"
                    + " uart { sluice,backend = \"tcp:127.0.0.1:0\"; }; rng { }; };");
            assertEquals(Optional.of(new BackendSpec.FileBackend("disk0.img")), node(t, "/blk").backend());
            assertEquals("tcp:127.0.0.1:0", node(t, "/uart").backend().orElseThrow().text());
            assertEquals(Optional.empty(), node(t, "/rng").backend());
        }

        @Test
        void aBadBackendIsReportedAtTheProperty() {
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> node(dts(
                    "/dts-v1/;\n/ { uart {\n  sluice,backend = \"tcp:10.0.0.1:80\"; }; };"), "/uart").backend());
            assertEquals("test.dts:3:3: property 'sluice,backend' of /uart: sluice,backend value 'tcp:10.0.0.1:80': host"
                    + " '10.0.0.1' refused; a device backend may only listen on 127.0.0.1, localhost or ::1", e.getMessage());
        }
    }

    @Test
    void childrenAreFoundByFullNameOrByAnUnambiguousBaseName() throws DevicetreeException {
        DeviceTree t = dts("/dts-v1/;\n/ { memory@80000000 { }; virtio@1 { }; virtio@2 { }; };");
        assertEquals("/memory@80000000", t.root().child("memory").orElseThrow().path());
        assertEquals(Optional.empty(), t.root().child("virtio"), "two children share the base name");
        assertEquals("/virtio@2", t.root().child("virtio@2").orElseThrow().path());
    }
}
