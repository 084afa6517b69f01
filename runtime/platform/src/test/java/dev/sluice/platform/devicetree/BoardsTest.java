package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.BackendSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The embedded boards: what the default microVM and the stress board contain. */
class BoardsTest {

    private static List<DeviceTreeNode> compatibleWith(DeviceTree t, String compatible) throws DevicetreeException {
        List<DeviceTreeNode> out = new ArrayList<>();
        for (DeviceTreeNode n : t.nodes()) {
            if (n.isCompatible(compatible)) {
                out.add(n);
            }
        }
        return out;
    }

    private static long u32(DeviceTreeNode n, String prop) throws DevicetreeException {
        return n.property(prop).orElseThrow().asU32();
    }

    @Nested
    class DefaultMicrovm {

        private final DeviceTree board = load();

        private DeviceTree load() {
            try {
                return Boards.defaultBoard();
            } catch (DevicetreeException e) {
                throw new AssertionError(e);
            }
        }

        @Test
        void theRootUsesTwoAddressAndTwoSizeCellsAndIsASluiceMicrovm() throws DevicetreeException {
            assertEquals("microvm", Boards.DEFAULT_BOARD);
            assertEquals(2, board.root().addressCells());
            assertEquals(2, board.root().sizeCells());
            assertEquals(List.of("sluice,microvm"), board.root().compatible());
        }

        @Test
        void itHasTwoCpus() {
            DeviceTreeNode cpus = board.findByPath("/cpus").orElseThrow();
            assertEquals(List.of("cpu@0", "cpu@1"), cpus.children().stream().map(DeviceTreeNode::name).toList());
        }

        @Test
        void itHas128MibOfMemoryAt2Gib() throws DevicetreeException {
            DeviceTreeNode memory = board.findByPath("/memory@80000000").orElseThrow();
            assertEquals(List.of(new RegEntry(0x8000_0000L, 128L << 20)), memory.reg());
            assertEquals("memory", memory.property("device_type").orElseThrow().asString());
        }

        @Test
        void theInterruptControllerIsEveryDevicesInterruptParent() throws DevicetreeException {
            DeviceTreeNode intc = board.findByLabel("intc").orElseThrow();
            assertEquals(List.of("sluice,intc"), intc.compatible());
            assertTrue(intc.hasProperty("interrupt-controller"));
            assertEquals(2, u32(intc, "#interrupt-cells"));
            for (DeviceTreeNode n : board.nodes()) {
                for (InterruptSpecifier irq : n.interrupts()) {
                    assertEquals(intc, irq.controller(), n.path());
                    assertEquals(IrqTrigger.LEVEL_HIGH, irq.trigger(), n.path() + " uses a level-triggered line");
                }
            }
        }

        @Test
        void interruptLinesAreDistinct() throws DevicetreeException {
            Set<Integer> lines = new HashSet<>();
            int count = 0;
            for (DeviceTreeNode n : board.nodes()) {
                for (InterruptSpecifier irq : n.interrupts()) {
                    lines.add(irq.line());
                    count++;
                }
            }
            assertEquals(7, count, "uart, rtc, two timers, three virtio");
            assertEquals(count, lines.size());
        }

        @Test
        void theUartIsA16550OnALoopbackTcpBackend() throws DevicetreeException {
            DeviceTreeNode uart = board.findByLabel("uart0").orElseThrow();
            assertEquals(List.of("ns16550a"), uart.compatible());
            assertEquals(1_843_200, u32(uart, "clock-frequency"));
            assertEquals("tcp:127.0.0.1:0", uart.backend().orElseThrow().text());
            assertEquals(1, uart.interrupts().size());
        }

        @Test
        void virtioMmioDevicesAreBlockEntropyAndConsoleWith0x200ByteWindows() throws DevicetreeException {
            List<DeviceTreeNode> virtio = compatibleWith(board, "virtio,mmio");
            assertEquals(List.of(2L, 4L, 3L), virtio.stream().map(n -> {
                try {
                    return u32(n, "sluice,device-id");
                } catch (DevicetreeException e) {
                    throw new AssertionError(e);
                }
            }).toList());
            for (DeviceTreeNode n : virtio) {
                assertEquals(0x200, n.reg().get(0).size(), n.path());
            }
            DeviceTreeNode block = virtio.get(0);
            assertEquals(Optional.of(new BackendSpec.FileBackend("disk0.img")), block.backend());
            assertEquals(65_536, block.property("sluice,capacity-sectors").orElseThrow().asU64());
        }

        @Test
        void thereIsAPl031RtcAndAnSp804DualTimerWithTwoInterrupts() throws DevicetreeException {
            DeviceTreeNode rtc = compatibleWith(board, "arm,pl031").get(0);
            assertEquals(List.of("arm,pl031", "arm,primecell"), rtc.compatible());
            DeviceTreeNode timer = compatibleWith(board, "arm,sp804").get(0);
            assertEquals(List.of("arm,sp804", "arm,primecell"), timer.compatible());
            assertEquals(2, timer.interrupts().size());
        }

        @Test
        void theConsoleIsChosenThroughTheSerial0Alias() throws DevicetreeException {
            ChosenStdout out = board.stdout().orElseThrow();
            assertEquals(board.findByLabel("uart0").orElseThrow(), out.node());
            assertEquals(Optional.of("115200n8"), out.options());
        }

        @Test
        void everyDeviceIsEnabled() throws DevicetreeException {
            for (DeviceTreeNode n : board.nodes()) {
                assertTrue(n.isEnabled(), n.path());
            }
        }
    }

    @Nested
    class Stress {

        @Test
        void twoUartsShareOneLevelTriggeredLine() throws DevicetreeException {
            DeviceTree t = Boards.load("stress");
            List<DeviceTreeNode> uarts = compatibleWith(t, "ns16550a");
            assertEquals(2, uarts.size());
            InterruptSpecifier a = uarts.get(0).interrupts().get(0);
            InterruptSpecifier b = uarts.get(1).interrupts().get(0);
            assertEquals(a.line(), b.line());
            assertTrue(a.trigger().isLevel() && b.trigger().isLevel(), "a shared line must be level-triggered");
        }

        @Test
        void tenVirtioBlockDevicesEachHaveTheirOwnDiskImageWindowAndLine() throws DevicetreeException {
            DeviceTree t = Boards.load("stress");
            Set<String> backends = new HashSet<>();
            Set<Long> windows = new HashSet<>();
            Set<Integer> lines = new HashSet<>();
            int blocks = 0;
            for (DeviceTreeNode n : compatibleWith(t, "virtio,mmio")) {
                if (u32(n, "sluice,device-id") == 2) {
                    blocks++;
                    backends.add(n.backend().orElseThrow().text());
                    windows.add(n.reg().get(0).address());
                    lines.add(n.interrupts().get(0).line());
                }
            }
            assertEquals(10, blocks);
            assertEquals(10, backends.size());
            assertEquals(10, windows.size());
            assertEquals(10, lines.size());
        }

        @Test
        void itIncludesTheDefaultBoardFromTheEmbeddedResources() throws DevicetreeException {
            DeviceTree t = Boards.load("stress");
            assertEquals("Sluice microVM (stress)", t.root().property("model").orElseThrow().asString());
            assertTrue(t.findByLabel("virtio_console").isPresent());
        }
    }

    @Test
    void embeddedBoardsAreListedAndTheirSourceIsAvailable() throws DevicetreeException {
        assertEquals(List.of("microvm", "stress"), Boards.names());
        DtsSource source = Boards.source("microvm");
        assertEquals("boards/microvm.dts", source.name());
        assertTrue(source.text().contains("/dts-v1/;"));
    }

    @Test
    void anUnknownBoardNameIsAnError() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> Boards.load("pdp11"));
        assertEquals("boards/pdp11.dts: no embedded board 'pdp11': expected one of microvm, stress", e.getMessage());
        assertFalse(e.location().hasLine());
    }
}
