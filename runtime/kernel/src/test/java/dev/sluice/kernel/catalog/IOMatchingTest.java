package dev.sluice.kernel.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IOMatchingTest {

    /** A nub class hierarchy like the platform's. */
    static class IOPlatformDevice extends IORegistryEntry {
        IOPlatformDevice(String name, String location) {
            super(name, location);
        }
    }

    static final class VirtioMmioDevice extends IOPlatformDevice {
        VirtioMmioDevice(String location) {
            super("virtio", location);
        }
    }

    private final IORegistry registry = new IORegistry();
    private long order;

    private IOPersonality personality(String name, String provider, long score, Object... kv) throws Exception {
        Object[] all = new Object[kv.length + 6];
        all[0] = "sluice.personality";
        all[1] = name;
        all[2] = "IOProviderClass";
        all[3] = provider;
        all[4] = "IOProbeScore";
        all[5] = score;
        System.arraycopy(kv, 0, all, 6, kv.length);
        return IOPersonality.parse("test", 1, order++, IOPersonalityTest.attrs(all));
    }

    private VirtioMmioDevice blockNub() {
        VirtioMmioDevice nub = new VirtioMmioDevice("d0000000");
        nub.setProperties(Map.of("compatible", List.of("virtio,mmio"), "sluice,device-id", 2,
                "sluice,backend", "file:var/disk0.img"));
        IORegistryEntry platform = new IORegistryEntry("platform", null);
        platform.setProperty("IOPlatformBus", "sluice");
        platform.attachToParent(registry.root(), IORegistryPlane.SERVICE);
        nub.attachToParent(platform, IORegistryPlane.SERVICE);
        return nub;
    }

    @Test
    @DisplayName("S58 candidates are personalities for the nub's class or a superclass, best score first, ties in catalogue order")
    void candidatesByClassAndScore() throws Exception {
        IOPersonality generic = personality("Generic", "IOPlatformDevice", 0);
        IOPersonality specificA = personality("A", "VirtioMmioDevice", 100);
        IOPersonality other = personality("Other", "IOPCIDevice", 5000);
        IOPersonality specificB = personality("B", IOMatchingTest.class.getName() + "$VirtioMmioDevice", 100);
        IOPersonality base = personality("Base", "IORegistryEntry", -10);
        List<IOMatching.Match> c = IOMatching.candidates(List.of(generic, specificA, other, specificB, base), blockNub());
        assertEquals(List.of("A", "B", "Generic", "Base"), c.stream().map(m -> m.personality().name()).toList());
    }

    @Test
    @DisplayName("S59 IONameMatch checks name and compatible, any element matches, and reports what matched")
    void nameMatch() throws Exception {
        VirtioMmioDevice nub = blockNub();
        assertEquals("virtio,mmio", IOMatching.match(personality("p", "IOPlatformDevice", 0,
                "IONameMatch", List.of("nothing", "virtio,mmio")), nub).orElseThrow().nameMatched());
        assertEquals("virtio", IOMatching.match(personality("p", "IOPlatformDevice", 0, "IONameMatch", "virtio"), nub)
                .orElseThrow().nameMatched());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IONameMatch", "ns16550a"), nub).isEmpty());
    }

    @Test
    @DisplayName("S59 IOPropertyMatch is a subset test; numbers compare numerically; a list of tables matches if any does")
    void propertyMatch() throws Exception {
        VirtioMmioDevice nub = blockNub();
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPropertyMatch", "sluice,device-id=0x2"), nub).isPresent());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPropertyMatch",
                "sluice,device-id=2&compatible=virtio,mmio"), nub).isPresent(), "a list property matches any element");
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPropertyMatch",
                "sluice,device-id=2&missing=1"), nub).isEmpty(), "every key of a table must match");
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPropertyMatch",
                List.of("sluice,device-id=4", "sluice,device-id=2")), nub).isPresent(), "any table");
    }

    @Test
    @DisplayName("S59 keys are ANDed: IOPropertyExistsMatch, IOPathMatch and IOParentMatch each must hold")
    void keysAreAnded() throws Exception {
        VirtioMmioDevice nub = blockNub();
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPropertyExistsMatch",
                List.of("nope", "sluice,backend")), nub).isPresent());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPropertyExistsMatch", "nope"), nub).isEmpty());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPathMatch",
                "IOService:/platform/virtio@d0000000"), nub).isPresent());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOPathMatch", "IOService:/elsewhere"), nub).isEmpty());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOParentMatch", "IOPlatformBus=sluice"), nub).isPresent());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0, "IOParentMatch", "IOPlatformBus=pci"), nub).isEmpty());
        assertTrue(IOMatching.match(personality("p", "IOPlatformDevice", 0,
                "IONameMatch", "virtio,mmio", "IOPropertyMatch", "sluice,device-id=3"), nub).isEmpty(),
                "name matches but properties do not: no match");
    }
}
