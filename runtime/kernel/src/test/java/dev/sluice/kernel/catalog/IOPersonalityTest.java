package dev.sluice.kernel.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IOPersonalityTest {

    static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("IOClass", "org.example.VirtioBlockDriver");
        m.put("IOProviderClass", "IOPlatformDevice");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove((String) kv[i]);
            } else {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    @Test
    @DisplayName("a capability written by bnd from @Personality parses with its values")
    void parsesBndCapability() throws Exception {
        IOPersonality p = IOPersonality.parse("org.example.virtio", 7, 3, attrs(
                "sluice.personality", "VirtioBlock",
                "IONameMatch", List.of("virtio,mmio", "virtio-mmio"),
                "IOPropertyMatch", List.of("sluice,device-id=2&vendor=0x554d4551", "sluice,device-id=0x2"),
                "IOPropertyExistsMatch", "sluice,backend",
                "IOProbeScore", 1000L,
                "IOMatchCategory", "IOBlockStorage",
                "IODebugMask", "0xff",
                "vendor-note", "kept"));
        assertEquals("VirtioBlock", p.name());
        assertEquals("org.example.virtio", p.bundle());
        assertEquals(List.of("virtio,mmio", "virtio-mmio"), p.nameMatch());
        assertEquals(Map.of("sluice,device-id", "2", "vendor", "0x554d4551"), p.propertyMatch().get(0));
        assertEquals(List.of("sluice,backend"), p.propertyExistsMatch());
        assertEquals(1000, p.probeScore());
        assertEquals("IOBlockStorage", p.matchCategory());
        assertEquals(0xff, p.debugMask());
        assertEquals("kept", p.properties().get("vendor-note"));
    }

    @Test
    @DisplayName("S60 defaults: name from the class, score 0, category IODefaultMatchCategory, mask 0")
    void defaults() throws Exception {
        IOPersonality p = IOPersonality.parse("b", 1, 0, attrs());
        assertEquals("VirtioBlockDriver", p.name());
        assertEquals(0, p.probeScore());
        assertEquals(IOPersonality.DEFAULT_MATCH_CATEGORY, p.matchCategory());
        assertEquals(0, p.debugMask());
        assertNull(p.pathMatch());
        assertTrue(p.nameMatch().isEmpty() && p.propertyMatch().isEmpty() && p.parentMatch().isEmpty());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(attrs("IOProviderClass", null), "IOProviderClass", "is missing"),
                Arguments.of(attrs("IOClass", null), "IOClass", "is missing"),
                Arguments.of(attrs("IOClass", "${@class}"), "IOClass", "was not expanded"),
                Arguments.of(attrs("IOClass", "not a class"), "IOClass", "fully qualified class name"),
                Arguments.of(attrs("IOProviderClass", "9lives"), "IOProviderClass", "must be a class name"),
                Arguments.of(attrs("IOProbeScore", "high"), "IOProbeScore", "whole number, not 'high'"),
                Arguments.of(attrs("IOProbeScore", 1.5), "IOProbeScore", "whole number"),
                Arguments.of(attrs("IOPropertyMatch", "device-id"), "IOPropertyMatch", "is not key=value"),
                Arguments.of(attrs("IONameMatch", List.of("ok", 3L)), "IONameMatch", "list of strings"),
                Arguments.of(attrs("IONameMatch", List.of(" ")), "IONameMatch", "empty string"),
                Arguments.of(attrs("IODebugMask", "0xZZ"), "IODebugMask", "whole number"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("malformed")
    @DisplayName("a malformed personality is refused naming bundle, personality and field")
    void malformedIsNamed(Map<String, Object> attributes, String field, String what) {
        PersonalityException e = assertThrows(PersonalityException.class,
                () -> IOPersonality.parse("org.example.bad", 9, 0, attributes));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith("bundle org.example.bad: personality "), e.getMessage());
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(what), e.getMessage());
    }
}
