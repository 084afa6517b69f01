package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.BackendSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vendor property {@code sluice,backend} decodes into the device-model API's
 * {@link BackendSpec} (one type for the concept); whatever {@link BackendSpec#parse} refuses is
 * reported at the property, with file, line and column, before any model is built.
 */
class BackendTest {

    private static Optional<BackendSpec> backendOf(String value) throws DevicetreeException {
        DeviceTree t = DtsParser.parse("board.dts", "/dts-v1/;\n/ {\n\tdev {\n\t\tsluice,backend = \"" + value + "\";\n\t};\n};\n");
        return t.findByPath("/dev").orElseThrow().backend();
    }

    @Test
    void aFileBackendKeepsThePathRelativeToTheBaseDirectory() throws DevicetreeException {
        BackendSpec b = backendOf("file:disk0.img").orElseThrow();
        assertEquals(new BackendSpec.FileBackend("disk0.img"), b);
        assertEquals("file:disk0.img", b.text());
    }

    @ParameterizedTest(name = "{0} listens on loopback port {1}")
    @CsvSource({
        "tcp:127.0.0.1:0, 0",
        "tcp:localhost:65535, 65535",
        "'tcp:[::1]:8080', 8080",
    })
    void tcpBackendsOnLoopbackAreAccepted(String spec, int port) throws DevicetreeException {
        BackendSpec.TcpBackend b = (BackendSpec.TcpBackend) backendOf(spec).orElseThrow();
        assertTrue(b.address().isLoopbackAddress());
        assertEquals(port, b.port());
    }

    @Test
    void aNodeWithoutTheProperty_hasNoBackend() throws DevicetreeException {
        DeviceTree t = DtsParser.parse("board.dts", "/dts-v1/;\n/ { rng { }; };\n");
        assertEquals(Optional.empty(), t.findByPath("/rng").orElseThrow().backend());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "udp:127.0.0.1:9 | has an unknown scheme",
        "file: | has no path",
        "file:/etc/passwd | the path must be relative",
        "file:../outside.img | the path must stay inside",
        "tcp:192.168.1.10:80 | host '192.168.1.10' refused",
        "tcp:0.0.0.0:80 | host '0.0.0.0' refused",
        "tcp:127.0.0.1 | is not tcp:HOST:PORT",
        "tcp:127.0.0.1:65536 | port 65536 is not in 0..65535",
        "tcp:127.0.0.1:x | port 'x' is not a number",
    })
    void badBackendsAreRefusedAtThePropertyWithTheReason(String spec, String reason) {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> backendOf(spec));
        assertEquals(new SourceLocation("board.dts", 4, 3), e.location());
        assertTrue(e.problem().startsWith("property 'sluice,backend' of /dev: "), e::getMessage);
        assertTrue(e.problem().contains(reason), () -> "problem was: " + e.problem());
    }

    @Test
    void aBackendThatIsNotOneStringIsRefused() {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> DtsParser.parse("board.dts",
                "/dts-v1/;\n/ { dev { sluice,backend = <1>; }; };\n").findByPath("/dev").orElseThrow().backend());
        assertTrue(e.getMessage().startsWith("board.dts:2:11: property 'sluice,backend' of /dev: "), e::getMessage);
    }
}
