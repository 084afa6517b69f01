package dev.sluice.platform.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.platform.PlatformExpert.LoadedBoard;
import dev.sluice.platform.devicetree.DevicetreeException;
import dev.sluice.platform.devicetree.DtsParser;
import dev.sluice.platform.internal.PlatformPlan.DevicePlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Validation of a board before anything is built: what becomes a nub, how its properties look
 * in the registry, and the located errors for boards the platform cannot build.
 */
class PlatformPlanTest {

    private static final String HEAD = "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
            + "\tcompatible = \"test,board\";\n\tinterrupt-parent = <&intc>;\n"
            + "\tmemory@80000000 { device_type = \"memory\"; reg = <0x80000000 0x100000>; };\n"
            + "\tintc: intc@1000 { compatible = \"sluice,intc\"; interrupt-controller; #interrupt-cells = <2>;"
            + " sluice,num-lines = <8>; };\n";

    private static PlatformPlan plan(String devices) throws DevicetreeException {
        return PlatformPlan.validate(new LoadedBoard("t.dts", DtsParser.parse("t.dts", HEAD + devices + "};\n")));
    }

    private static DevicetreeException refused(String devices) {
        return assertThrows(DevicetreeException.class, () -> plan(devices));
    }

    @Test
    void theDefaultBoardHasSixDevicesTwoCpus64LinesAnd128MiB() throws DevicetreeException {
        PlatformPlan p = PlatformPlan.validate(BoardLoader.embedded("microvm"));
        assertEquals("sluice,microvm", p.platformName);
        assertEquals(List.of("/serial@9000000", "/rtc@9010000", "/timer@9020000", "/virtio@a000000", "/virtio@a000200",
                "/virtio@a000400"), p.devices.stream().map(d -> d.node().path()).toList(),
                "cpus, memory, chosen, aliases and the controller are not devices");
        assertEquals(2, p.cpuCount);
        assertEquals(64, p.lineCount);
        assertEquals(0x80000000L, p.memoryBase);
        assertEquals(128L << 20, p.memorySize);
        assertEquals(Map.of(1, InterruptType.LEVEL, 2, InterruptType.LEVEL, 3, InterruptType.LEVEL, 4, InterruptType.LEVEL,
                16, InterruptType.LEVEL, 17, InterruptType.LEVEL, 18, InterruptType.LEVEL), p.lineTypes);
    }

    @Test
    void aNubsPropertiesAreTheNodesWithDecodedRegAndInterrupts() throws DevicetreeException {
        DevicePlan timer = PlatformPlan.validate(BoardLoader.embedded("microvm")).devices.get(2);
        Map<String, Object> p = timer.properties();
        assertEquals("timer", p.get("name"));
        assertEquals(List.of("arm,sp804", "arm,primecell"), p.get("compatible"));
        assertEquals(List.of(0x09020000L, 0x1000L), p.get("reg"), "address and size, decoded with the parent's cells");
        assertEquals(List.of(3L, 4L), p.get("interrupts"), "controller line numbers");
        assertEquals(1_000_000L, p.get("clock-frequency"));
        assertArrayEquals(new int[] {3, 4}, timer.lines());
    }

    @Test
    void disabledNodesAndTheirChildrenAreNotDevicesButNodesWithoutStatusAre() throws DevicetreeException {
        PlatformPlan p = plan("\tbus { compatible = \"simple-bus\"; status = \"disabled\"; #address-cells = <1>;"
                + " #size-cells = <1>; dev@0 { compatible = \"x\"; reg = <0 4>; }; };\n"
                + "\tdev@2000 { compatible = \"x\"; reg = <0x2000 4>; };\n");
        assertEquals(List.of("/dev@2000"), p.devices.stream().map(d -> d.node().path()).toList());
        assertEquals(1, p.cpuCount, "a board without cpus still gets one CPU thread");
    }

    @Test
    void aSingleStringCompatibleIsStillAList() throws DevicetreeException {
        assertEquals(List.of("x"), plan("\tdev { compatible = \"x\"; };\n").devices.get(0).properties().get("compatible"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "line beyond the controller | \tdev { compatible = \"x\"; interrupts = <8 4>; };"
                + " | t.dts:9:25: property 'interrupts' of /dev: interrupt 0 is line 8 but /intc@1000 has lines 0..7",
        "shared line with two trigger types | \ta { compatible = \"x\"; interrupts = <1 4>; }; b { compatible = \"x\"; interrupts = <1 1>; };"
                + " | t.dts:9:68: property 'interrupts' of /b: line 1 is edge-triggered here but level-triggered for /a",
        "second controller | \tintc2 { compatible = \"sluice,intc\"; interrupt-controller; #interrupt-cells = <2>; };"
                + " | t.dts:9:1: node /intc2 is a second sluice,intc interrupt controller",
        "line wired elsewhere | \tother: gic { interrupt-controller; #interrupt-cells = <1>; }; dev { compatible = \"x\"; interrupt-parent = <&other>; interrupts = <1>; };"
                + " | property 'interrupts' of /dev: interrupt 0 is wired to /gic, which is not the platform's interrupt controller",
        "bad backend | \tdev { compatible = \"x\"; sluice,backend = \"tcp:10.0.0.1:1\"; };"
                + " | t.dts:9:25: property 'sluice,backend' of /dev: sluice,backend value 'tcp:10.0.0.1:1': host '10.0.0.1' refused",
        "zero-sized window | \tdev { compatible = \"x\"; reg = <0x2000 0>; };"
                + " | t.dts:9:25: property 'reg' of /dev: register window 0x2000+0x0 has no size",
    })
    void boardsThePlatformCannotBuildAreRefusedAtTheProblem(String what, String devices, String message) {
        DevicetreeException e = refused(devices);
        assertTrue(e.getMessage().contains(message), () -> what + ": " + e.getMessage());
    }

    @Test
    void aBoardWithoutMemoryIsRefusedAtTheRoot() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> PlatformPlan.validate(new LoadedBoard("t.dts",
                DtsParser.parse("t.dts", "/dts-v1/;\n/ { dev { compatible = \"x\"; }; };\n"))));
        assertEquals("t.dts:1:1: the board has no memory node (a child of / with device_type = \"memory\" and a reg):"
                + " devices need guest RAM for DMA", e.getMessage());
    }

    @Test
    void memoryThatIsNotWholePagesIsRefusedAtItsReg() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> PlatformPlan.validate(new LoadedBoard("t.dts",
                DtsParser.parse("t.dts", "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
                        + "  memory { device_type = \"memory\"; reg = <0 0x1000>; }; };\n"))));
        assertTrue(e.getMessage().startsWith("t.dts:3:36: property 'reg' of /memory: guest RAM [0x0, +0x1000) must be"),
                e::getMessage);
    }
}
