package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * {@code ioreg} draws the kernel's I/O registry as macOS ioreg does. The tests publish their own
 * nubs under IOResources, as a platform expert would, and terminate them afterwards.
 */
@ExtendWith(ServiceExtension.class)
class IoregCommandIT {

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    private final List<IOService> nubs = new ArrayList<>();
    private GogoShell shell;

    @BeforeEach
    void open() {
        shell = new GogoShell(processor);
    }

    @AfterEach
    void cleanUp() {
        for (int i = nubs.size() - 1; i >= 0; i--) {
            nubs.get(i).terminate(true);
        }
        shell.close();
    }

    /** Publishes a nub under {@code provider} and waits until matching for it has settled. */
    private IOService nub(String name, String location, IOService provider, Map<String, Object> properties) {
        IOService nub = new IOService(name, location);
        assertTrue(nub.attach(provider), "attach " + name);
        nub.setProperties(properties);
        nub.registerService();
        nubs.add(nub);
        assertEquals(IOReturn.SUCCESS, registry.resources().waitQuiet(10, TimeUnit.SECONDS), "matching settles");
        return nub;
    }

    /**
     * The indent of IOResources' children: its bar continues ("  | ") when Root has children after
     * it (the platform's root device once a board is loaded), else blank.
     */
    private String underResources() {
        return registry.root().getChildEntries(dev.sluice.kernel.registry.IORegistryPlane.SERVICE).size() > 1 ? "  | " : "    ";
    }

    private String resourcesLine() {
        return "  +-o IOResources  <class IOResources, id 0x" + Long.toHexString(registry.resources().getRegistryEntryID())
                + ", registered, matched, active, busy 0>";
    }

    private static String header(String component, IOService s) {
        return component + "  <class IOService, id 0x" + Long.toHexString(s.getRegistryEntryID())
                + ", registered, matched, active, busy 0>";
    }

    private static List<String> lines(String text) {
        return text.lines().toList();
    }

    @Test
    @DisplayName("ioreg draws the service plane from Root: IOResources under it, nubs under their providers with | lines to later siblings")
    void treeShape() throws Exception {
        IOService a = nub("shellA", "1", registry.resources(), Map.of());
        IOService a1 = nub("shellA1", null, a, Map.of());
        IOService b = nub("shellB", "2", registry.resources(), Map.of());

        List<String> out = lines(shell.run("ioreg"));

        assertEquals("+-o Root  <class IORegistryRoot, id 0x" + Long.toHexString(registry.root().getRegistryEntryID()) + ">", out.get(0));
        assertEquals(resourcesLine(), out.get(1));
        String u = underResources();
        int at = out.indexOf(u + "+-o " + header("shellA@1", a));
        assertTrue(at > 1, String.join("\n", out));
        assertEquals(List.of(
                u + "+-o " + header("shellA@1", a),
                u + "| +-o " + header("shellA1", a1),
                u + "+-o " + header("shellB@2", b)), out.subList(at, at + 3));
    }

    @Test
    @DisplayName("ioreg -l shows each entry's properties under it: strings quoted, numbers decimal, ids hex, lists (a, b), bytes <hex>, maps {k = v}")
    void properties() throws Exception {
        Map<String, Object> clock = new LinkedHashMap<>();
        clock.put("hz", 1843200L);
        clock.put("name", "uartclk");
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("model", "sim \"16550\"");
        props.put("irq", 5);
        props.put("vendorID", 0x1af4);
        props.put("compatible", List.of("ns16550a", "ns16550"));
        props.put("reg", new byte[] {0x10, 0x00, 0x00, (byte) 0xff});
        props.put("clock", clock);
        props.put("enabled", true);
        IOService uart = nub("shelluart", "10000000", registry.resources(), props);

        List<String> out = lines(shell.run("ioreg -l"));

        String u = underResources();
        int at = out.indexOf(u + "+-o " + header("shelluart@10000000", uart));
        assertTrue(at > 0, String.join("\n", out));
        assertEquals(List.of(
                u + "    {",
                u + "      \"clock\" = {\"hz\" = 1843200, \"name\" = \"uartclk\"}",
                u + "      \"compatible\" = (\"ns16550a\", \"ns16550\")",
                u + "      \"enabled\" = Yes",
                u + "      \"irq\" = 5",
                u + "      \"model\" = \"sim \\\"16550\\\"\"",
                u + "      \"reg\" = <100000ff>",
                u + "      \"vendorID\" = 0x1af4",
                u + "    }"), out.subList(at + 1, at + 10));
        assertTrue(out.contains("  | {"), "Root's (empty) table, with the bar down to its children:\n" + String.join("\n", out));
    }

    @Test
    @DisplayName("ioreg -c CLASS shows the entries of that class or a subclass with their ancestors; -r shows the subtrees under them")
    void byClass() throws Exception {
        IOService nub = nub("shellclass", "3", registry.resources(), Map.of());
        String resources = "  +-o IOResources  <class IOResources";

        List<String> onlyResources = lines(shell.run("ioreg -c IOResources"));
        assertEquals(2, onlyResources.size(), String.join("\n", onlyResources));
        assertTrue(onlyResources.get(0).startsWith("+-o Root  "), "Root is shown as the ancestor");
        assertTrue(onlyResources.get(1).startsWith(resources), onlyResources.get(1));

        String qualified = shell.run("ioreg -c dev.sluice.kernel.registry.IOResources");
        assertEquals(String.join("\n", onlyResources) + "\n", qualified, "a fully qualified name selects the same entries");

        String services = shell.run("ioreg -c IOService");
        assertTrue(services.contains(header("shellclass@3", nub)), "IOResources and nubs are IOServices:\n" + services);
        assertTrue(services.contains(resources), services);

        String entries = shell.run("ioreg -c IORegistryEntry");
        assertEquals(shell.run("ioreg"), entries, "every entry is an IORegistryEntry");

        List<String> subtree = lines(shell.run("ioreg -c IOResources -r"));
        assertTrue(subtree.get(0).startsWith("+-o IOResources  <class IOResources"), "the subtree starts at the match:\n" + subtree);
        assertTrue(subtree.contains("  +-o " + header("shellclass@3", nub)), String.join("\n", subtree));

        assertEquals("", shell.run("ioreg -c NoSuchClass"), "no entry of an unknown class");
    }

    @Test
    @DisplayName("ioreg -n NAME matches a name or name@location; with -l only the matches show properties")
    void byName() throws Exception {
        IOService one = nub("shellname", "10", registry.resources(), Map.of("unit", 1));
        IOService two = nub("shellname", "20", registry.resources(), Map.of("unit", 2));
        IOService child = nub("shellchild", null, one, Map.of());

        String both = shell.run("ioreg -n shellname");
        assertTrue(both.contains(header("shellname@10", one)) && both.contains(header("shellname@20", two)), both);
        assertFalse(both.contains("shellchild"), "descendants of a match are not shown without -r:\n" + both);

        List<String> exact = lines(shell.run("ioreg -n shellname@20 -l"));
        assertEquals(List.of(
                "+-o Root  <class IORegistryRoot, id 0x" + Long.toHexString(registry.root().getRegistryEntryID()) + ">",
                resourcesLine(),
                "    +-o " + header("shellname@20", two),
                "        {",
                "          \"unit\" = 2",
                "        }"), exact, "Root and IOResources for context, without their properties");

        List<String> subtree = lines(shell.run("ioreg -n shellname@10 -r"));
        assertEquals(List.of("+-o " + header("shellname@10", one), "  +-o " + header("shellchild", child)), subtree);
    }

    @Test
    @DisplayName("ioreg -d limits the depth: 1 is Root alone, 2 adds its children")
    void depth() throws Exception {
        nub("shelldeep", "4", registry.resources(), Map.of());

        List<String> one = lines(shell.run("ioreg -d 1"));
        assertEquals(1, one.size(), String.join("\n", one));
        assertTrue(one.get(0).startsWith("+-o Root  "));

        List<String> two = lines(shell.run("ioreg -d 2"));
        assertTrue(two.size() >= 2 && two.get(1).startsWith("  +-o IOResources  "), String.join("\n", two));
        assertTrue(two.stream().noneMatch(l -> l.contains("shelldeep")), "the nub is on level 3:\n" + String.join("\n", two));
    }

    @Test
    @DisplayName("ioreg -p IODeviceTree walks the device-tree plane: the board's nodes, not the service plane's nubs")
    void deviceTreePlane() throws Exception {
        nub("shellplane", "5", registry.resources(), Map.of());
        List<String> out = lines(shell.run("ioreg -p IODeviceTree"));
        assertEquals("+-o Root  <class IORegistryRoot, id 0x" + Long.toHexString(registry.root().getRegistryEntryID()) + ">", out.get(0));
        assertTrue(out.stream().noneMatch(l -> l.contains("shellplane") || l.contains("IOResources")), String.join("\n", out));
        assertEquals(registry.root().getChildEntries(dev.sluice.kernel.registry.IORegistryPlane.DEVICE_TREE).size() + 1,
                out.stream().filter(l -> l.startsWith("+-o ") || l.startsWith("  +-o ")).count(), "Root and its children: " + out);
    }

    @Test
    @DisplayName("ioreg -w clips each line to the width; -w 0 does not clip")
    void width() throws Exception {
        nub("shellwidth", "6", registry.resources(), Map.of("description", "x".repeat(100)));
        List<String> clipped = lines(shell.run("ioreg -l -w 30"));
        assertTrue(clipped.stream().allMatch(l -> l.length() <= 30), String.join("\n", clipped));
        assertEquals("+-o Root  <class IORegistryRoo", clipped.get(0));
        assertEquals(shell.run("ioreg -l"), shell.run("ioreg -l -w 0"));
    }

    @Test
    @DisplayName("a bad ioreg argument is refused with one line naming it")
    void badArguments() {
        assertEquals("ioreg: unknown plane 'Foo' (planes: IOService, IODeviceTree)", shell.failure("ioreg -p Foo"));
        assertEquals("ioreg: -d must be 0 (all levels) or more, not -1", shell.failure("ioreg -d -1"));
        assertEquals("ioreg: -w must be 0 (no limit) or more, not -5", shell.failure("ioreg -w -5"));
        assertEquals("ioreg: -w must be a whole number of characters (0 = no limit), not 'wide'", shell.failure("ioreg -w wide"));
        assertEquals("ioreg: -r needs -c CLASS or -n NAME to say which subtrees to show", shell.failure("ioreg -r"));
    }
}
