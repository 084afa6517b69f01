package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of broken boards under {@code src/test/resources/broken/}: every {@code .dts}
 * starts with {@code // expect: <fragment>}, every {@code .dtb} has a {@code .dtb.expect}
 * beside it, and loading the board must fail with a message containing the fragment, which
 * begins with the file name, line and column ({@code file.dts:4:13: ...}).
 * Files ending in {@code .dtsi} are helpers included by the boards.
 */
class BrokenBoardsTest {

    private static final String EXPECT = "// expect: ";

    static Stream<Arguments> corpus() throws IOException {
        Path dir = Fixtures.path("broken");
        List<Path> boards;
        try (Stream<Path> files = Files.list(dir)) {
            boards = files.filter(p -> p.toString().endsWith(".dts") || p.toString().endsWith(".dtb")).sorted().toList();
        }
        return boards.stream().map(p -> Arguments.of(p.getFileName().toString(), p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aBrokenBoardIsRejectedWithFileLineColumnAndWhatWasExpected(String name, Path board) throws IOException {
        String fragment = expectedFragment(board);
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> load(board));
        assertTrue(e.getMessage().contains(fragment),
                () -> "message of " + name + "\n  was:      " + e.getMessage() + "\n  expected: ..." + fragment + "...");
        assertEquals(e.location() + ": " + e.problem(), e.getMessage(), "message is location + problem");
        if (name.endsWith(".dts")) {
            assertTrue(e.line() > 0 && e.column() > 0, "a source error has a line and column: " + e.getMessage());
        } else {
            assertTrue(e.file().endsWith(name), "a blob error names the blob: " + e.getMessage());
        }
    }

    @Test
    void theCorpusCoversEveryRequiredKindOfError() throws IOException {
        List<String> names = corpus().map(a -> (String) a.get()[0]).toList();
        for (String required : List.of("unterminated-string.dts", "unterminated-comment.dts", "bad-hex-number.dts",
                "unknown-label.dts", "duplicate-label.dts", "missing-version.dts", "cell-too-big.dts",
                "unbalanced-missing-close.dts", "unbalanced-extra-close.dts", "missing-include.dts",
                "include-cycle.dts", "cpp-include.dts", "cpp-macro.dts", "bad-magic.dtb", "truncated-blob.dtb",
                "truncated-header.dtb")) {
            assertTrue(names.contains(required), "corpus lacks " + required);
        }
    }

    private static void load(Path board) throws DevicetreeException {
        if (board.toString().endsWith(".dtb")) {
            DtbReader.read(board);
        } else {
            DtsParser.parse(board);
        }
    }

    private static String expectedFragment(Path board) throws IOException {
        if (board.toString().endsWith(".dtb")) {
            return Files.readString(Path.of(board + ".expect"), StandardCharsets.UTF_8).strip();
        }
        String first = Files.readAllLines(board, StandardCharsets.UTF_8).get(0);
        assertTrue(first.startsWith(EXPECT), board + " must start with '" + EXPECT + "<message fragment>'");
        return first.substring(EXPECT.length()).strip();
    }
}
