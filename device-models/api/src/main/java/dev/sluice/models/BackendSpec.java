package dev.sluice.models;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * What a device model is connected to on the host, from the Devicetree vendor property
 * {@code sluice,backend}:
 * <ul>
 * <li>{@code file:PATH}: a file relative to the platform's base directory (e.g. a disk image).
 * The path must stay inside the base directory; absolute paths and {@code ..} escapes are
 * refused.</li>
 * <li>{@code tcp:HOST:PORT}: a TCP server socket the model listens on. HOST must be a loopback
 * name ({@code 127.0.0.1}, {@code localhost}, {@code ::1} or {@code [::1]}): a simulated device is
 * never exposed beyond this machine. PORT 0 picks a free port; the model reports the bound
 * one.</li>
 * </ul>
 * Anything else is refused by {@link #parse(String)} with an {@link IllegalArgumentException}
 * naming the value.
 */
public sealed interface BackendSpec permits BackendSpec.FileBackend, BackendSpec.TcpBackend {

    /** The Devicetree property that holds the spec. */
    String PROPERTY = "sluice,backend";

    /** @return the spec in its textual form */
    String text();

    /**
     * @param text a spec such as {@code file:disk0.img} or {@code tcp:127.0.0.1:0}
     * @return the parsed spec
     * @throws IllegalArgumentException naming the value if it is malformed, has an unknown
     *         scheme, a non-loopback host, a bad port or a path that escapes the base directory
     */
    static BackendSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty " + PROPERTY + " value");
        }
        if (text.startsWith("file:")) {
            return FileBackend.parse(text, text.substring(5));
        }
        if (text.startsWith("tcp:")) {
            return TcpBackend.parse(text, text.substring(4));
        }
        throw new IllegalArgumentException(PROPERTY + " value '" + text
                + "' has an unknown scheme (expected file:PATH or tcp:127.0.0.1:PORT)");
    }

    /** A host file, relative to the platform's base directory. */
    record FileBackend(String path) implements BackendSpec {

        public FileBackend {
            check(path, "file:" + path);
        }

        static FileBackend parse(String text, String path) {
            check(path, text);
            return new FileBackend(path);
        }

        private static void check(String path, String text) {
            if (path == null || path.isEmpty()) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text + "' has no path");
            }
            Path p = Path.of(path);
            if (p.isAbsolute() || p.getRoot() != null) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text
                        + "': the path must be relative to the platform's base directory");
            }
            Path n = p.normalize();
            if (n.toString().isEmpty() || n.startsWith("..")) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text
                        + "': the path must stay inside the platform's base directory");
            }
        }

        /** @return the file under {@code baseDirectory} */
        public Path resolve(Path baseDirectory) {
            return baseDirectory.resolve(path).normalize();
        }

        @Override
        public String text() {
            return "file:" + path;
        }
    }

    /** A loopback TCP endpoint; port 0 means "any free port". */
    record TcpBackend(InetAddress address, int port) implements BackendSpec {

        public TcpBackend {
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("tcp backend address " + address.getHostAddress()
                        + " is not a loopback address");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("tcp backend port " + port + " is not in 0..65535");
            }
        }

        static TcpBackend parse(String text, String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text + "' is not tcp:HOST:PORT");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text + "': port '"
                        + hostPort.substring(colon + 1) + "' is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text + "': port " + port + " is not in 0..65535");
            }
            InetAddress address;
            try {
                switch (host) {
                    case "127.0.0.1": address = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}); break;
                    case "localhost": address = InetAddress.getLoopbackAddress(); break;
                    case "::1": address = InetAddress.getByAddress("localhost",
                            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}); break;
                    default:
                        throw new IllegalArgumentException(PROPERTY + " value '" + text + "': host '" + host
                                + "' refused; a device backend may only listen on 127.0.0.1, localhost or ::1");
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(PROPERTY + " value '" + text + "': " + e.getMessage(), e);
            }
            return new TcpBackend(address, port);
        }

        /** @return the address to bind */
        public InetSocketAddress socketAddress() {
            return new InetSocketAddress(address, port);
        }

        @Override
        public String text() {
            String h = address.getHostAddress();
            return "tcp:" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
        }
    }
}
