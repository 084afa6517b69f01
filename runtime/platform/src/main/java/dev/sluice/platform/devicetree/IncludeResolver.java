package dev.sluice.platform.devicetree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the source named by {@code /include/ "file"}, relative to the including source.
 * The name of the returned source identifies the file: the parser detects include cycles
 * by comparing names, so a resolver must return the same name for the same file.
 */
@FunctionalInterface
public interface IncludeResolver {

    /**
     * @param including the source containing the {@code /include/}
     * @param requested the quoted file name
     * @return the included source, or empty if there is no such file
     * @throws IOException if the file exists but cannot be read
     */
    Optional<DtsSource> resolve(DtsSource including, String requested) throws IOException;

    /** @return a resolver that finds nothing (every include is reported as missing) */
    static IncludeResolver none() {
        return (including, requested) -> Optional.empty();
    }

    /**
     * @return a resolver reading UTF-8 files relative to the directory of the including file
     *         (whose name is taken as a path); absolute names are used as they are
     */
    static IncludeResolver fileSystem() {
        return (including, requested) -> {
            Path parent = Path.of(including.name()).getParent();
            Path file = (parent == null ? Path.of(requested) : parent.resolve(requested)).normalize();
            try {
                return Optional.of(new DtsSource(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        };
    }

    /**
     * @param loader the class loader whose resources hold the sources (in OSGi: the bundle's)
     * @return a resolver reading UTF-8 resources relative to the including resource's folder
     */
    static IncludeResolver classpath(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        return (including, requested) -> {
            String name = resourceName(including.name(), requested);
            try (InputStream in = loader.getResourceAsStream(name)) {
                if (in == null) {
                    return Optional.empty();
                }
                return Optional.of(new DtsSource(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        };
    }

    /**
     * Resolves a relative resource name the way a relative file name would be.
     *
     * @param including name of the including resource, for example {@code boards/stress.dts}
     * @param requested the included name, for example {@code microvm.dts} or {@code ../x.dtsi}
     * @return the normalised resource name, for example {@code boards/microvm.dts}
     */
    static String resourceName(String including, String requested) {
        Deque<String> parts = new ArrayDeque<>();
        String joined = requested.startsWith("/") ? requested
                : (including.contains("/") ? including.substring(0, including.lastIndexOf('/') + 1) : "") + requested;
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }
}
