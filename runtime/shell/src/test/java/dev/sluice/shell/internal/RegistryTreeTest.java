package dev.sluice.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ioreg drawing on a registry without a kernel (nothing registered, nothing busy). */
class RegistryTreeTest {

    private final IORegistry registry = new IORegistry();

    private static String id(IORegistryEntry e) {
        return "0x" + Long.toHexString(e.getRegistryEntryID());
    }

    private static String service(String component, IORegistryEntry e) {
        return component + "  <class IOService, id " + id(e) + ", !registered, !matched, active, busy 0>";
    }

    private String draw(boolean properties, String className, String name, boolean rooted, int depth) {
        return RegistryTree.render(registry, new RegistryTree.Options(IORegistryPlane.SERVICE, properties, className, name, rooted, depth, 0));
    }

    @Test
    @DisplayName("bars join an entry to its later siblings; properties sit under the entry, barred when it has children")
    void layout() {
        IOService a = new IOService("a", "1");
        a.attach(registry.resources());
        a.setProperty("p", 1);
        IOService a1 = new IOService("a1", null);
        a1.attach(a);
        IOService b = new IOService("b", "2");
        b.attach(registry.resources());

        assertEquals(String.join("\n",
                "+-o Root  <class IORegistryRoot, id " + id(registry.root()) + ">",
                "  | {",
                "  | }",
                "  |",
                "  +-o IOResources  <class IOResources, id " + id(registry.resources()) + ", !registered, !matched, active, busy 0>",
                "    | {",
                "    | }",
                "    |",
                "    +-o " + service("a@1", a),
                "    | | {",
                "    | |   \"p\" = 1",
                "    | | }",
                "    | |",
                "    | +-o " + service("a1", a1),
                "    |     {",
                "    |     }",
                "    |",
                "    +-o " + service("b@2", b),
                "        {",
                "        }") + "\n", draw(true, null, null, false, 0));
    }

    @Test
    @DisplayName("an entry with two providers is drawn under each")
    void twoParents() {
        IOService a = new IOService("a", null);
        a.attach(registry.resources());
        IOService b = new IOService("b", null);
        b.attach(registry.resources());
        IOService shared = new IOService("shared", null);
        shared.attach(a);
        shared.attach(b);

        List<String> lines = draw(false, null, "shared", false, 0).lines().toList();
        assertEquals(List.of(
                "+-o Root  <class IORegistryRoot, id " + id(registry.root()) + ">",
                "  +-o IOResources  <class IOResources, id " + id(registry.resources()) + ", !registered, !matched, active, busy 0>",
                "    +-o " + service("a", a),
                "    | +-o " + service("shared", shared),
                "    +-o " + service("b", b),
                "      +-o " + service("shared", shared)), lines);
    }

    @Test
    @DisplayName("-r draws each match's subtree once, -d cuts each subtree, an inactive service shows !active")
    void rootedAndDepth() {
        IOService a = new IOService("x", "1");
        a.attach(registry.resources());
        IOService inner = new IOService("x", "2");
        inner.attach(a);
        IOService leaf = new IOService("leaf", null);
        leaf.attach(inner);

        assertEquals(List.of("+-o " + service("x@1", a), "  +-o " + service("x@2", inner), "    +-o " + service("leaf", leaf)),
                draw(false, null, "x", true, 0).lines().toList(), "the inner match is drawn inside the outer one, not again");
        assertEquals(List.of("+-o " + service("x@1", a), "  +-o " + service("x@2", inner)),
                draw(false, null, "x", true, 2).lines().toList());

        assertTrue(a.terminate());
        assertTrue(RegistryTree.describe(a).endsWith(", !registered, !matched, !active, busy 0>"), RegistryTree.describe(a));
    }
}
