package dev.sluice.platform.devicetree;

import java.util.Objects;

/**
 * Devicetree source text with the name used for it in messages and for resolving its
 * {@code /include/}s.
 *
 * @param name display name, for example {@code boards/microvm.dts} or a file path
 * @param text the source text
 */
public record DtsSource(String name, String text) {

    /** Checks the arguments. */
    public DtsSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
    }
}
