package dev.sluice.platform.devicetree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test resources as files (surefire runs the tests against target/test-classes). */
final class Fixtures {

    private Fixtures() {
    }

    static Path path(String resource) {
        URL url = Fixtures.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + resource);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] bytes(String resource) {
        try {
            return Files.readAllBytes(path(resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a snippet that needs no includes. */
    static DeviceTree dts(String text) throws DevicetreeException {
        return DtsParser.parse("test.dts", text);
    }
}
