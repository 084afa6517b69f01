package dev.sluice.platform.devicetree;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Parses Devicetree source ({@code .dts}, version 1) into a {@link DeviceTree}.
 *
 * <p>Supported: {@code /dts-v1/;}, {@code /memreserve/}, nodes with unit addresses and labels,
 * strings and string lists, {@code <cells>} (decimal, hex, octal, {@code 'c'}haracters,
 * parenthesised C expressions, {@code /bits/ 8|16|32|64}), {@code &label} and
 * <code>&amp;{/path}</code> references (a phandle inside cells, a path string outside),
 * {@code [bytes]}, comma-joined mixed values, empty properties, {@code /include/ "file"}
 * (through an {@link IncludeResolver}), {@code /delete-node/}, {@code /delete-property/},
 * merging of nodes that appear again by path or {@code &label}, C and C++ comments, and cpp
 * line markers. C preprocessor directives ({@code #include}, {@code #define}) and macros are
 * refused with advice to run {@code cpp -nostdinc -undef -x assembler-with-cpp} first.
 *
 * <p>References are resolved after the whole input is read, as dtc does: each node referenced
 * from cells gets a {@code phandle} property unless it has one. Parsers hold no state between
 * calls and may be shared.
 */
public final class DtsParser {

    private final IncludeResolver resolver;

    /**
     * @param resolver finds the files named by {@code /include/}
     */
    public DtsParser(IncludeResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Parses one source.
     *
     * @param source the text and its display name
     * @return the tree
     * @throws DevicetreeException at the first problem, naming file, line and column
     */
    public DeviceTree parse(DtsSource source) throws DevicetreeException {
        return new SourceParser(source, resolver).parse();
    }

    /**
     * Parses a file, resolving {@code /include/}s relative to it on the file system.
     *
     * @param file a {@code .dts} file (UTF-8)
     * @return the tree
     * @throws DevicetreeException if the file cannot be read or at the first problem in it
     */
    public static DeviceTree parse(Path file) throws DevicetreeException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DevicetreeException(SourceLocation.of(file.toString()), "cannot read board: " + e, e);
        }
        return new DtsParser(IncludeResolver.fileSystem()).parse(new DtsSource(file.toString(), text));
    }

    /**
     * Parses text that includes nothing ({@code /include/} is reported as a missing file).
     *
     * @param name display name for messages, for example {@code board.dts}
     * @param text the source
     * @return the tree
     * @throws DevicetreeException at the first problem
     */
    public static DeviceTree parse(String name, String text) throws DevicetreeException {
        return new DtsParser(IncludeResolver.none()).parse(new DtsSource(name, text));
    }
}
