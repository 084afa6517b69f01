package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Damaged input never escapes as anything but a {@link DevicetreeException}: every prefix of
 * the default board's source, every prefix of its blob and every single-byte corruption of the
 * blob either loads or is rejected with a located error.
 */
class RobustnessTest {

    @Test
    void everyPrefixOfTheDefaultBoardSourceLoadsOrFailsWithALocatedError() throws DevicetreeException {
        String text = Boards.source("microvm").text();
        List<String> escaped = new ArrayList<>();
        int rejected = 0;
        for (int n = 0; n <= text.length(); n++) {
            try {
                DtsParser.parse("prefix.dts", text.substring(0, n));
            } catch (DevicetreeException e) {
                rejected++;
                if (!e.location().hasLine()) {
                    escaped.add(n + ": no line in " + e.getMessage());
                }
            } catch (RuntimeException | StackOverflowError e) {
                escaped.add(n + ": " + e);
            }
        }
        assertTrue(escaped.isEmpty(), () -> String.join("\n", escaped));
        assertTrue(rejected > text.length() / 2, "most prefixes are incomplete boards");
    }

    @Test
    void absurdNestingIsRefusedWithALocatedErrorRatherThanExhaustingTheStack() {
        String nodes = "/dts-v1/;\n/ {" + "n {".repeat(10_000) + "};".repeat(10_000) + "};";
        String parens = "/dts-v1/;\n/ { p = <" + "(".repeat(10_000) + "1" + ")".repeat(10_000) + ">; };";
        String ternary = "/dts-v1/;\n/ { p = <(" + "1 ? ".repeat(10_000) + "1" + " : 0".repeat(10_000) + ")>; };";
        String unary = "/dts-v1/;\n/ { p = <(" + "- ".repeat(100_000) + "1)>; };";
        assertEquals("nodes nested deeper than 64 levels",
                assertThrows(DevicetreeException.class, () -> DtsParser.parse("deep.dts", nodes)).problem());
        assertEquals("expression nested deeper than 64 levels",
                assertThrows(DevicetreeException.class, () -> DtsParser.parse("deep.dts", parens)).problem());
        assertEquals("expression nested deeper than 64 levels",
                assertThrows(DevicetreeException.class, () -> DtsParser.parse("deep.dts", ternary)).problem());
        assertDoesNotThrow(() -> DtsParser.parse("deep.dts", unary), "prefix operators are applied without recursion");
    }

    @Test
    void everyTruncationAndSingleByteCorruptionOfTheBlobLoadsOrFailsCleanly() throws DevicetreeException {
        byte[] blob = DtbWriter.write(Boards.defaultBoard());
        List<String> escaped = new ArrayList<>();
        for (int n = 0; n < blob.length; n++) {
            check(java.util.Arrays.copyOf(blob, n), "prefix " + n, escaped);
            for (int value : new int[] {0x00, 0x7f, 0xff}) {
                byte[] damaged = blob.clone();
                damaged[n] = (byte) value;
                check(damaged, "byte " + n + " = " + value, escaped);
            }
        }
        assertTrue(escaped.isEmpty(), () -> String.join("\n", escaped.subList(0, Math.min(20, escaped.size()))));
    }

    private static void check(byte[] blob, String what, List<String> escaped) {
        try {
            DtbReader.read("damaged.dtb", blob);
        } catch (DevicetreeException e) {
            // a located rejection is the expected outcome for most damage
            if (!e.file().equals("damaged.dtb")) {
                escaped.add(what + ": wrong file in " + e.getMessage());
            }
        } catch (RuntimeException | StackOverflowError e) {
            escaped.add(what + ": " + e);
        }
    }
}
