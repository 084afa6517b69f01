package dev.sluice.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PropertyValuesTest {

    @Test
    @DisplayName("scalars: strings quoted and escaped, numbers decimal, id keys hex, booleans Yes/No")
    void scalars() {
        assertEquals("\"a \\\"b\\\" \\\\ c\\n\"", PropertyValues.format("k", "a \"b\" \\ c\n"));
        assertEquals("-42", PropertyValues.format("irq", -42));
        assertEquals("0x100000001", PropertyValues.format("IORegistryEntryID", 0x100000001L));
        assertEquals("0x1af4", PropertyValues.format("vendorId", (short) 0x1af4));
        assertEquals("Yes", PropertyValues.format("k", true));
        assertEquals("No", PropertyValues.format("k", false));
        assertEquals("2.5", PropertyValues.format("k", 2.5));
        assertEquals("\"x\"", PropertyValues.format("k", 'x'));
    }

    @Test
    @DisplayName("containers: byte arrays <hex>, lists and arrays (a, b), maps {\"k\" = v} sorted unless ordered")
    void containers() {
        assertEquals("<00ff7f>", PropertyValues.format("reg", new byte[] {0, (byte) 0xff, 0x7f}));
        assertEquals("<>", PropertyValues.format("reg", new byte[0]));
        assertEquals("(1, 2)", PropertyValues.format("k", new int[] {1, 2}));
        assertEquals("(\"a\", (\"b\"))", PropertyValues.format("k", new Object[] {"a", List.of("b")}));
        assertEquals("()", PropertyValues.format("k", List.of()));
        Map<String, Object> unordered = new HashMap<>();
        unordered.put("z", 1);
        unordered.put("a", List.of(2));
        assertEquals("{\"a\" = (2), \"z\" = 1}", PropertyValues.format("k", unordered));
        assertEquals("\"key\" = {\"deviceID\" = 0x10}", PropertyValues.entry("key", Map.of("deviceID", 16)));
    }

    @Test
    @DisplayName("a list that contains itself is cut at the nesting limit instead of overflowing the stack")
    void selfContaining() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        String text = PropertyValues.format("k", loop);
        assertEquals("(".repeat(PropertyValues.MAX_NESTING) + "(...)" + ")".repeat(PropertyValues.MAX_NESTING), text);
    }
}
