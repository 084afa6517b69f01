package dev.sluice.platform.devicetree;

import java.util.Objects;

/**
 * A place in a board file: the file's display name and a 1-based line and column.
 *
 * <p>Places in binary blobs (and in trees built without source) have no line: {@link #line()}
 * and {@link #column()} are then {@code 0} and the location prints as the file name alone.
 *
 * @param file   display name of the file (as given to the parser or resolved for an include)
 * @param line   1-based line, or 0 when the location is the file as a whole
 * @param column 1-based column (characters, a tab counts as one), or 0 with {@code line == 0}
 */
public record SourceLocation(String file, int line, int column) {

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException     if {@code file} is null
     * @throws IllegalArgumentException if {@code line} or {@code column} is negative
     */
    public SourceLocation {
        Objects.requireNonNull(file, "file");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("negative line or column: " + line + ":" + column);
        }
    }

    /**
     * A location that names a whole file (used for blobs and derived values).
     *
     * @param file display name of the file
     * @return a location with line and column 0
     */
    public static SourceLocation of(String file) {
        return new SourceLocation(file, 0, 0);
    }

    /** @return true when this location has a line and column */
    public boolean hasLine() {
        return line > 0;
    }

    /** @return {@code file:line:column}, or just {@code file} without a line */
    @Override
    public String toString() {
        return hasLine() ? file + ":" + line + ":" + column : file;
    }
}
