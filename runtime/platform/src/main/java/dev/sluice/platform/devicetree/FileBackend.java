package dev.sluice.platform.devicetree;

import java.util.Objects;

/**
 * A host file behind a device ({@code file:var/disk0.img}); a relative path is relative to the
 * runtime's working directory.
 *
 * @param path the file path as written, never empty
 */
public record FileBackend(String path) implements Backend {

    /** Checks the path. */
    public FileBackend {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty file backend path");
        }
    }

    static FileBackend parse(String rest, SourceLocation where) throws DevicetreeException {
        if (rest.isEmpty()) {
            throw new DevicetreeException(where, "backend 'file:' has no path: expected 'file:<path>'");
        }
        return new FileBackend(rest);
    }

    @Override
    public String spec() {
        return "file:" + path;
    }
}
