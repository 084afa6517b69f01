package dev.sluice.platform.devicetree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code sluice,backend} value type: file paths and loopback-only TCP endpoints. */
class BackendTest {

    private static final SourceLocation AT = new SourceLocation("board.dts", 7, 3);

    @Test
    void aFileBackendKeepsThePathAsWritten() throws DevicetreeException {
        Backend b = Backend.parse("file:var/disk0.img", AT);
        assertEquals(new FileBackend("var/disk0.img"), b);
        assertEquals("file:var/disk0.img", b.spec());
    }

    @ParameterizedTest(name = "{0} is host {1} port {2}")
    @CsvSource({
        "tcp:127.0.0.1:0, 127.0.0.1, 0",
        "tcp:127.1.2.3:5555, 127.1.2.3, 5555",
        "tcp:localhost:65535, localhost, 65535",
        "'tcp:[::1]:8080', ::1, 8080",
    })
    void tcpBackendsOnLoopbackAreAccepted(String spec, String host, int port) throws DevicetreeException {
        Backend b = Backend.parse(spec, AT);
        assertEquals(new TcpBackend(host, port), b);
        assertEquals(spec, b.spec());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "udp:127.0.0.1:9 | unknown backend scheme 'udp' in 'udp:127.0.0.1:9': expected 'file:<path>' or 'tcp:<loopback host>:<port>'",
        "disk0.img | unknown backend scheme 'disk0.img' in 'disk0.img'",
        "file: | backend 'file:' has no path",
        "tcp:192.168.1.10:80 | tcp backend host '192.168.1.10' is not a loopback address",
        "tcp:example.com:80 | tcp backend host 'example.com' is not a loopback address",
        "tcp:0.0.0.0:80 | tcp backend host '0.0.0.0' is not a loopback address",
        "tcp:127.0.0.1 | malformed tcp backend 'tcp:127.0.0.1': expected 'tcp:<host>:<port>'",
        "tcp:127.0.0.1: | tcp backend port '' is not a number in 0..65535",
        "tcp:127.0.0.1:65536 | tcp backend port '65536' is not a number in 0..65535",
        "tcp:127.0.0.1:-1 | tcp backend port '-1' is not a number",
        "tcp:localhost | malformed tcp backend 'tcp:localhost': expected 'tcp:<host>:<port>'",
    })
    void badBackendsAreRefusedWithTheReasonAndTheLocation(String spec, String reason) {
        DevicetreeException e = assertThrows(DevicetreeException.class, () -> Backend.parse(spec, AT));
        assertEquals(AT, e.location());
        assertTrue(e.problem().startsWith(reason), () -> "problem was: " + e.problem());
    }

    @Test
    void theValueTypesThemselvesRefuseWhatTheParserRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new TcpBackend("10.0.0.1", 1));
        assertThrows(IllegalArgumentException.class, () -> new TcpBackend("127.0.0.1", 70000));
        assertThrows(IllegalArgumentException.class, () -> new FileBackend(""));
    }
}
