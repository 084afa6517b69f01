package dev.sluice.kernel.registry;

import static dev.sluice.kernel.registry.IORegistryPlane.DEVICE_TREE;
import static dev.sluice.kernel.registry.IORegistryPlane.SERVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IORegistryTest {

    private final IORegistry registry = new IORegistry();

    private IORegistryEntry entry(String name, String location, IORegistryEntry parent, IORegistryPlane plane) {
        IORegistryEntry e = new IORegistryEntry(name, location);
        e.attachToParent(parent, plane);
        return e;
    }

    @Test
    @DisplayName("S57 links are kept both ways in each plane, independently per plane")
    void linksBothWays() {
        IORegistryEntry platform = entry("platform", null, registry.root(), SERVICE);
        IORegistryEntry uart = entry("uart", "10000000", platform, SERVICE);
        assertSame(platform, uart.getParentEntry(SERVICE));
        assertEquals(List.of(uart), platform.getChildEntries(SERVICE));
        assertNull(uart.getParentEntry(DEVICE_TREE), "the device-tree plane has its own links");

        IORegistryEntry node = entry("soc", null, registry.root(), DEVICE_TREE);
        uart.attachToParent(node, DEVICE_TREE);
        assertSame(node, uart.getParentEntry(DEVICE_TREE));
        assertSame(platform, uart.getParentEntry(SERVICE));

        assertTrue(uart.detachFromParent(platform, SERVICE));
        assertTrue(platform.getChildEntries(SERVICE).isEmpty(), "the parent forgets the child too");
        assertFalse(uart.detachFromParent(platform, SERVICE), "a second detach is a no-op");
    }

    @Test
    @DisplayName("S57 entry ids are unique and only increase")
    void idsIncrease() {
        long previous = registry.root().getRegistryEntryID();
        for (int i = 0; i < 1000; i++) {
            long id = new IORegistryEntry("e", null).getRegistryEntryID();
            assertTrue(id > previous, "id " + id + " after " + previous);
            previous = id;
        }
    }

    @Test
    @DisplayName("S57 an entry cannot be its own parent, nor its own ancestor")
    void noCycles() {
        IORegistryEntry a = entry("a", null, registry.root(), SERVICE);
        IORegistryEntry b = entry("b", null, a, SERVICE);
        IORegistryEntry c = entry("c", null, b, SERVICE);
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class, () -> a.attachToParent(a, SERVICE));
        assertTrue(self.getMessage().contains("its own parent"), self.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.attachToParent(c, SERVICE));
        assertTrue(a.attachToParent(c, DEVICE_TREE), "the same link is fine in another plane");
    }

    @Test
    @DisplayName("S57 a client may have several providers; attaching twice is idempotent")
    void severalParents() {
        IORegistryEntry p1 = entry("p1", null, registry.root(), SERVICE);
        IORegistryEntry p2 = entry("p2", null, registry.root(), SERVICE);
        IORegistryEntry raid = entry("raid", null, p1, SERVICE);
        assertTrue(raid.attachToParent(p2, SERVICE));
        assertFalse(raid.attachToParent(p2, SERVICE));
        assertEquals(List.of(p1, p2), raid.getParentEntries(SERVICE));
        List<String> walked = new ArrayList<>();
        registry.walk(registry.root(), SERVICE, e -> walked.add(e.getName()));
        assertEquals(List.of("Root", "IOResources", "p1", "raid", "p2", "raid"), walked);
    }

    @Test
    @DisplayName("paths name each component with its location; lookup by path and by id")
    void pathsAndLookup() {
        IORegistryEntry platform = entry("platform", null, registry.root(), SERVICE);
        IORegistryEntry virtio = entry("virtio", "d0000000", platform, SERVICE);
        IORegistryEntry blk = entry("VirtioBlock", null, virtio, SERVICE);
        assertEquals("IOService:/platform/virtio@d0000000/VirtioBlock", blk.getPath(SERVICE));
        assertEquals("IOService:/", registry.root().getPath(SERVICE));
        assertEquals("IOService:/IOResources", registry.resources().getPath(SERVICE));
        assertEquals(3, blk.getDepth(SERVICE));
        assertSame(blk, registry.fromPath("IOService:/platform/virtio@d0000000/VirtioBlock").orElseThrow());
        assertSame(virtio, registry.fromPath("IOService:/platform/virtio").orElseThrow(), "a bare name matches any location");
        assertTrue(registry.fromPath("IOService:/platform/virtio@d0000200").isEmpty());
        assertNull(new IORegistryEntry("loose", null).getPath(SERVICE), "an unattached entry has no path");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> registry.fromPath("/platform"));
        assertTrue(bad.getMessage().contains("'/platform'"), bad.getMessage());

        registry.track(blk);
        assertSame(blk, registry.fromId(blk.getRegistryEntryID()).orElseThrow());
        registry.untrack(blk);
        assertTrue(registry.fromId(blk.getRegistryEntryID()).isEmpty());
    }

    @Test
    @DisplayName("properties: set, replace, remove with null, sorted snapshot")
    void properties() {
        IORegistryEntry e = new IORegistryEntry("e", null);
        e.setProperty("b", 2);
        e.setProperties(Map.of("a", "x", "c", List.of(1, 2)));
        e.setProperty("b", null);
        assertEquals(List.of("a", "c"), new ArrayList<>(e.getProperties().keySet()));
        assertEquals("x", e.getProperty("a"));
        assertThrows(UnsupportedOperationException.class, () -> e.getProperties().put("z", 1));
    }

    @Test
    @DisplayName("detachAll unlinks parents and children in every plane")
    void detachAll() {
        IORegistryEntry p = entry("p", null, registry.root(), SERVICE);
        IORegistryEntry e = entry("e", null, p, SERVICE);
        e.attachToParent(registry.root(), DEVICE_TREE);
        IORegistryEntry c = entry("c", null, e, SERVICE);
        e.detachAll();
        assertFalse(e.inPlane(SERVICE));
        assertFalse(e.inPlane(DEVICE_TREE));
        assertTrue(p.getChildEntries(SERVICE).isEmpty());
        assertNull(c.getParentEntry(SERVICE));
    }

    @Test
    @DisplayName("bad names are refused naming the value")
    void badNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IORegistryEntry("a/b", null));
        assertTrue(e.getMessage().contains("'a/b'"));
    }
}
