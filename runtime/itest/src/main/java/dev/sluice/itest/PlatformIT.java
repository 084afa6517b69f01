package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.uart.Ns16550a;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.IOPlatformExpertDevice;
import dev.sluice.platform.PlatformExpert;
import dev.sluice.platform.devicetree.DevicetreeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The platform expert in the real kernel: the default board's IODeviceTree plane and nubs with
 * their models, and broken boards refused with a located error and no registry change.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class PlatformIT {

    static final int VIRTIO_MAGIC = 0x74726976; // "virt"

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

    static IOPlatformDevice nub(PlatformExpert platform, String pathComponent) {
        return platform.devices().stream().filter(n -> n.getPathComponent().equals(pathComponent)).findFirst()
                .orElseThrow(() -> new AssertionError("no nub " + pathComponent + " among " + platform.devices()));
    }

    static List<IORegistryEntry> deviceTreePlane(IORegistry registry) {
        List<IORegistryEntry> all = registry.entries(IORegistryPlane.DEVICE_TREE);
        return all.subList(1, all.size()); // without the root
    }

    @Test
    @DisplayName("the default board is loaded: every node has an entry in the IODeviceTree plane under the platform device")
    void theDeviceTreePlaneMirrorsTheBoard() {
        PlatformExpert.LoadedBoard board = platform.board().orElseThrow();
        assertEquals("boards/microvm.dts", board.source());
        IOPlatformExpertDevice root = platform.platformDevice().orElseThrow();
        assertEquals("sluice,microvm", root.getName());
        assertEquals(board.tree().nodes().size(), deviceTreePlane(registry).size(), "one entry per node");
        IORegistryEntry cpu1 = registry.fromPath("IODeviceTree:/sluice,microvm/cpus/cpu@1").orElseThrow();
        assertEquals("cpu", cpu1.getProperty("device_type"));
        assertEquals(1L, cpu1.getProperty("reg"));
        IORegistryEntry memory = registry.fromPath("IODeviceTree:/sluice,microvm/memory@80000000").orElseThrow();
        assertEquals(List.of(0L, 0x80000000L, 0L, 0x08000000L), memory.getProperty("reg"), "cells of a plain entry as written");
        assertEquals("Sluice microVM", root.getProperty("model"));
        assertTrue(registry.fromPath("IODeviceTree:/sluice,microvm/interrupt-controller@8000000").orElseThrow()
                .getProperty("interrupt-controller") instanceof Boolean);
    }

    @Test
    @DisplayName("S64 one registered nub per device node, the same object in both planes, sharing the platform's work loop")
    void nubsArePublishedInBothPlanes() throws Exception {
        IOPlatformExpertDevice root = platform.platformDevice().orElseThrow();
        List<String> names = platform.devices().stream().map(IOService::getPathComponent).toList();
        assertEquals(List.of("serial@9000000", "rtc@9010000", "timer@9020000", "virtio@a000000", "virtio@a000200",
                "virtio@a000400"), names);
        for (IOPlatformDevice nub : platform.devices()) {
            assertTrue(nub.isRegistered(), nub + " is registered");
            assertTrue(nub.model().isPresent(), nub + " has its model: " + nub.modelError());
            assertSame(nub, registry.fromPath("IOService:/sluice,microvm/" + nub.getPathComponent()).orElseThrow());
            assertSame(nub, registry.fromPath("IODeviceTree:/sluice,microvm/" + nub.getPathComponent()).orElseThrow());
            assertSame(root.getWorkLoop(), nub.getWorkLoop(), "S64: a nub's loop is its provider's");
        }
        assertNotNull(root.getWorkLoop());
        assertEquals(1, context.getServiceReferences(IOService.class, "(&(compatible=arm,pl031)(IOClass="
                + IOPlatformDevice.class.getName() + "))").size(), "nubs are found by compatible in the OSGi registry");
    }

    @Test
    @DisplayName("a nub's properties are the node's: name, compatible list, decoded reg and interrupt lines, the rest converted")
    void nubProperties() {
        IOPlatformDevice uart = nub(platform, "serial@9000000");
        assertEquals("serial", uart.getProperty("name"));
        assertEquals(List.of("ns16550a"), uart.getProperty("compatible"));
        assertEquals(List.of(0x09000000L, 0x100L), uart.getProperty("reg"));
        assertEquals(List.of(1L), uart.getProperty("interrupts"));
        assertEquals(115200L, uart.getProperty("current-speed"));
        assertEquals("tcp:127.0.0.1:0", uart.getProperty("sluice,backend"));
        assertEquals(65536L, nub(platform, "virtio@a000000").getProperty("sluice,capacity-sectors"));
    }

    @Test
    @DisplayName("the virtio-blk nub's registers are the model's: MagicValue 'virt', version 2, DeviceID 2 (block)")
    void virtioBlockRegisters() {
        IOPlatformDevice blk = nub(platform, "virtio@a000000");
        assertEquals(1, blk.getDeviceMemoryCount());
        MmioRegion regs = blk.getDeviceMemory(0);
        assertEquals(0x0a000000L, regs.base());
        assertEquals(VIRTIO_MAGIC, regs.read32(0x000));
        assertEquals(2, regs.read32(0x004), "virtio-mmio version 2");
        assertEquals(2, regs.read32(0x008), "block");
        assertEquals(4, nub(platform, "virtio@a000200").getDeviceMemory(0).read32(0x008), "entropy");
        assertThrows(IndexOutOfBoundsException.class, () -> blk.getDeviceMemory(1));
        assertSame(blk.guestMemory(), nub(platform, "serial@9000000").guestMemory(), "one guest RAM");
        assertSame(blk.dmaAllocator(), nub(platform, "rtc@9010000").dmaAllocator(), "one DMA allocator");
        assertEquals(0x80000000L, blk.guestMemory().base());
    }

    @Test
    @DisplayName("the UART model listens on the loopback port it reports, and its scratch register works through the nub")
    void uartBackendPort() throws IOException {
        IOPlatformDevice uart = nub(platform, "serial@9000000");
        Ns16550a model = (Ns16550a) uart.model().orElseThrow();
        int port = model.port();
        assertTrue(port > 0, "bound port " + port);
        assertTrue(model.describe().stream().anyMatch(l -> l.contains(":" + port)), String.join("\n", model.describe()));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            assertTrue(s.isConnected());
        }
        uart.getDeviceMemory(0).write8(7, 0x5a);
        assertEquals(0x5a, uart.getDeviceMemory(0).read8(7), "SCR keeps what was written");
    }

    // ------------------------------------------------------------------ broken boards

    /** Copies the corpus of broken boards (bundled from runtime/platform's tests) into a folder. */
    static List<Path> brokenCorpus(Path dir) throws IOException {
        List<Path> boards = new ArrayList<>();
        List<URL> entries = Collections.list(FrameworkUtil.getBundle(PlatformIT.class).findEntries("broken", "*", false));
        for (URL u : entries) {
            String name = u.getPath().substring(u.getPath().lastIndexOf('/') + 1);
            Path file = dir.resolve(name);
            try (InputStream in = u.openStream()) {
                Files.copy(in, file);
            }
            if (name.endsWith(".dts") || name.endsWith(".dtb")) {
                boards.add(file);
            }
        }
        Collections.sort(boards);
        return boards;
    }

    static String expectedFragment(Path board) throws IOException {
        if (board.toString().endsWith(".dtb")) {
            return Files.readString(Path.of(board + ".expect"), StandardCharsets.UTF_8).strip();
        }
        String first = Files.readAllLines(board, StandardCharsets.UTF_8).get(0);
        assertTrue(first.startsWith("// expect: "), board + " names its expected error");
        return first.substring("// expect: ".length()).strip();
    }

    static Map<String, Object> snapshot(IORegistry registry, PlatformExpert platform) {
        Map<String, Object> s = new TreeMap<>();
        for (IORegistryEntry e : registry.entries(IORegistryPlane.DEVICE_TREE)) {
            s.put(e.getPath(IORegistryPlane.DEVICE_TREE), e);
        }
        for (IORegistryEntry e : registry.entries(IORegistryPlane.SERVICE)) {
            s.put(e.getPath(IORegistryPlane.SERVICE), e);
        }
        s.put("board", platform.board().orElseThrow());
        return s;
    }

    @Test
    @DisplayName("every board of the broken corpus is refused with its located error; the running board and the registry stay as they were")
    void brokenBoardsLeaveTheRegistryAlone(@TempDir Path dir) throws Exception {
        List<Path> boards = brokenCorpus(dir);
        assertTrue(boards.size() >= 40, "the corpus is bundled: " + boards.size());
        Await.kernelSettled(context, registry);
        Map<String, Object> before = snapshot(registry, platform);
        for (Path board : boards) {
            String fragment = expectedFragment(board);
            DevicetreeException e = assertThrows(DevicetreeException.class, () -> platform.load(board), board.toString());
            assertTrue(e.getMessage().contains(fragment), () -> board + "\n  was:      " + e.getMessage() + "\n  expected: ..." + fragment);
            assertTrue(e.getMessage().startsWith(e.file() + (e.line() > 0 ? ":" + e.line() + ":" + e.column() : "") + ": "),
                    "file:line:col first: " + e.getMessage());
            assertSame(e, platform.loadError().orElseThrow(), "the error is kept for 'board -e'");
            assertEquals(before, snapshot(registry, platform), "no half-built registry after " + board.getFileName());
        }
        String shown = run("sluice:board -e");
        assertTrue(shown.contains(platform.loadError().orElseThrow().getMessage()), shown);
    }

    @Test
    @DisplayName("a board the platform cannot build (interrupt beyond the controller) is refused before the registry is touched")
    void semanticallyBrokenBoard(@TempDir Path dir) throws Exception {
        Path board = dir.resolve("bad-line.dts");
        Files.writeString(board, "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tinterrupt-parent = <&intc>;\n"
                + "\tmemory { device_type = \"memory\"; reg = <0x80000000 0x100000>; };\n"
                + "\tintc: intc { compatible = \"sluice,intc\"; interrupt-controller; #interrupt-cells = <2>; sluice,num-lines = <4>; };\n"
                + "\tuart@1000 { compatible = \"ns16550a\"; reg = <0x1000 0x100>; interrupts = <9 4>; };\n};\n");
        Await.kernelSettled(context, registry);
        Map<String, Object> before = snapshot(registry, platform);
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> platform.load(board));
        assertEquals(board + ":8:61: property 'interrupts' of /uart@1000: interrupt 0 is line 9 but /intc has lines 0..3",
                e.getMessage());
        assertEquals(before, snapshot(registry, platform));
    }

    // ------------------------------------------------------------------ shell

    private String run(String command) throws Exception {
        CommandProcessor processor = context.getService(context.getServiceReference(CommandProcessor.class));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : String.valueOf(result));
        }
    }

    @Test
    @DisplayName("sluice:board prints the running board as source that names it; sluice:devices lists the models; sluice:irq the used lines")
    void boardAndDevicesCommands() throws Exception {
        String board = run("sluice:board");
        assertTrue(board.startsWith("// board: boards/microvm.dts\n/dts-v1/;\n"), board);
        assertTrue(board.contains("compatible = \"virtio,mmio\";"), board);
        String devices = run("sluice:devices");
        assertTrue(devices.contains("/virtio@a000000  [virtio,mmio]  VirtioMmioDevice"), devices);
        assertFalse(devices.contains("no model"), devices);
        String irq = run("sluice:irq");
        assertTrue(irq.startsWith("LINE TYPE  MASKED PENDING"), irq);
        assertEquals(7, irq.lines().count() - 1, "one row per line the board uses: " + irq);
        assertTrue(irq.lines().anyMatch(l -> l.matches(" +16 level .*")), irq);
    }
    // ------------------------------------------------------------------ lifecycle

    static List<String> platformThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.matches("cpu\\d+") || n.equals("IOWorkLoop-platform") || n.startsWith("model-"))
                .sorted().toList();
    }

    @Test
    @DisplayName("S70 stopping the platform bundle takes the board out of the registry, closes the models and ends every platform thread; starting it boots the board again")
    void stopAndStart() throws Exception {
        org.osgi.framework.Bundle bundle = FrameworkUtil.getBundle(PlatformExpert.class);
        int port = ((Ns16550a) nub(platform, "serial@9000000").model().orElseThrow()).port();
        assertTrue(platformThreads().containsAll(List.of("cpu0", "cpu1", "IOWorkLoop-platform")), platformThreads().toString());
        bundle.stop();
        try {
            assertEquals(List.of(), deviceTreePlane(registry), "no IODeviceTree entry left");
            assertTrue(registry.fromPath("IOService:/sluice,microvm").isEmpty());
            assertEquals(0, context.getServiceReferences(IOService.class, "(IOClass=" + IOPlatformDevice.class.getName() + ")").size());
            Await.until(() -> platformThreads().isEmpty(), "no cpuN, IOWorkLoop-platform or model-* thread: " + platformThreads());
            try (Socket s = new Socket()) {
                assertThrows(IOException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", port), 2_000),
                        "the UART's port is closed");
            }
        } finally {
            bundle.start();
        }
        org.osgi.util.tracker.ServiceTracker<PlatformExpert, PlatformExpert> t = new org.osgi.util.tracker.ServiceTracker<>(
                context, PlatformExpert.class, null);
        t.open();
        try {
            PlatformExpert again = t.waitForService(10_000);
            assertNotNull(again);
            assertEquals(6, again.devices().size());
            assertTrue(registry.fromPath("IOService:/sluice,microvm/virtio@a000000").isPresent());
        } finally {
            t.close();
        }
    }
    // ------------------------------------------------------------------ factories

    /** A one-register device (ID at offset 0 reads 0x5eed) whose close is observable. */
    static final class IdDevice implements dev.sluice.models.DeviceModel {
        final MmioRegion region;
        final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        IdDevice(dev.sluice.models.DeviceModelContext ctx) {
            region = dev.sluice.models.RegisterBank.builder(ctx.nodeName(), 0x100)
                    .add(dev.sluice.models.Register.builder("ID", 0, 32).reset(0x5eed).readOnly())
                    .build().asRegion(ctx.regs().get(0).address());
        }

        @Override public MmioRegion mmio(int index) { return region; }
        @Override public int mmioCount() { return 1; }
        @Override public void reset() { }
        @Override public void close() { closed.set(true); }
        @Override public List<String> describe() { return List.of("id device"); }
    }

    @Test
    @DisplayName("a throwing factory gives a registered nub without a model; a late factory gets its nub in the node's place; a departing one unplugs it")
    void lateFailingAndDepartingFactories(@TempDir Path dir) throws Exception {
        Path board = dir.resolve("factories.dts");
        Files.writeString(board, "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tcompatible = \"test,board\";\n"
                + "\tinterrupt-parent = <&intc>;\n"
                + "\tmemory { device_type = \"memory\"; reg = <0x80000000 0x100000>; };\n"
                + "\tintc: intc { compatible = \"sluice,intc\"; interrupt-controller; #interrupt-cells = <2>; };\n"
                + "\tfirst@1000 { compatible = \"test,late\"; reg = <0x1000 0x100>; interrupts = <5 4>; };\n"
                + "\tsecond@2000 { compatible = \"test,broken\"; reg = <0x2000 0x100>; };\n};\n");
        java.util.Hashtable<String, Object> brokenProps = new java.util.Hashtable<>(Map.of(
                dev.sluice.models.DeviceModelFactory.COMPATIBLE, "test,broken"));
        org.osgi.framework.ServiceRegistration<?> broken = context.registerService(dev.sluice.models.DeviceModelFactory.class,
                ctx -> {
                    throw new dev.sluice.models.DeviceModelException("node " + ctx.nodePath() + ": disk on fire");
                }, brokenProps);
        List<IdDevice> built = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.osgi.framework.ServiceRegistration<?> late = null;
        try {
            platform.load(board);
            IOPlatformDevice second = nub(platform, "second@2000");
            assertTrue(second.isRegistered());
            assertTrue(second.model().isEmpty());
            assertEquals("node /second@2000: disk on fire", second.modelError().orElseThrow());
            assertEquals(0, second.getDeviceMemoryCount());
            assertEquals(List.of("second@2000"), platform.devices().stream().map(IOService::getPathComponent).toList(),
                    "no nub for a node whose factory has not arrived");
            IORegistryEntry root = platform.platformDevice().orElseThrow();
            List<String> order = root.getChildEntries(IORegistryPlane.DEVICE_TREE).stream().map(IORegistryEntry::getPathComponent).toList();
            assertEquals(List.of("memory", "intc", "first@1000", "second@2000"), order);

            late = context.registerService(dev.sluice.models.DeviceModelFactory.class, ctx -> {
                IdDevice d = new IdDevice(ctx);
                built.add(d);
                return d;
            }, new java.util.Hashtable<>(Map.of(dev.sluice.models.DeviceModelFactory.COMPATIBLE, new String[] {"test,late"})));
            IOPlatformDevice first = nub(platform, "first@1000");
            assertTrue(first.isRegistered());
            assertEquals(0x5eed, first.getDeviceMemory(0).read32(0));
            assertSame(first, registry.fromPath("IODeviceTree:/test,board/first@1000").orElseThrow());
            assertEquals(order, root.getChildEntries(IORegistryPlane.DEVICE_TREE).stream().map(IORegistryEntry::getPathComponent).toList(),
                    "the nub took the plain entry's place");
            assertEquals(dev.sluice.kernel.interrupt.InterruptType.LEVEL, first.getInterruptType(0));

            late.unregister();
            late = null;
            assertTrue(first.isInactive(), "the departing factory's nub is terminated");
            assertTrue(built.get(0).closed.get(), "and its model closed");
            assertFalse(registry.fromPath("IODeviceTree:/test,board/first@1000").orElseThrow() instanceof IOService,
                    "a plain entry stands for the node again");
            assertEquals(List.of("second@2000"), platform.devices().stream().map(IOService::getPathComponent).toList());
        } finally {
            if (late != null) {
                late.unregister();
            }
            broken.unregister();
            platform.loadEmbedded("microvm");
        }
    }
}
