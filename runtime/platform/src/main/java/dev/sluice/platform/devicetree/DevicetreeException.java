package dev.sluice.platform.devicetree;

import java.util.Objects;

/**
 * A problem in a board description: a syntax error, an unresolvable reference, a malformed
 * blob, or a property whose value does not have the shape a decoder asked for.
 *
 * <p>The message always reads {@code file:line:column: problem} (or {@code file: problem} when
 * the place has no line, as in a blob), where the problem says what was expected, for example
 * {@code board.dts:12:17: expected ';' after property 'reg' but found '}'}.
 */
public final class DevicetreeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final SourceLocation location;
    private final String problem;

    /**
     * @param location where the problem is
     * @param problem  what is wrong, without the location prefix
     */
    public DevicetreeException(SourceLocation location, String problem) {
        this(location, problem, null);
    }

    /**
     * @param location where the problem is
     * @param problem  what is wrong, without the location prefix
     * @param cause    the underlying failure (for example an I/O error), may be null
     */
    public DevicetreeException(SourceLocation location, String problem, Throwable cause) {
        super(Objects.requireNonNull(location, "location") + ": " + Objects.requireNonNull(problem, "problem"),
                cause);
        this.location = location;
        this.problem = problem;
    }

    /** @return where the problem is */
    public SourceLocation location() {
        return location;
    }

    /** @return display name of the file the problem is in */
    public String file() {
        return location.file();
    }

    /** @return 1-based line of the problem, or 0 when it concerns a whole file (blobs) */
    public int line() {
        return location.line();
    }

    /** @return 1-based column of the problem, or 0 when it concerns a whole file (blobs) */
    public int column() {
        return location.column();
    }

    /** @return what is wrong, without the location prefix */
    public String problem() {
        return problem;
    }
}
