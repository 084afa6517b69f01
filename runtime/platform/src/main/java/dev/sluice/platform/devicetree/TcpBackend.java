package dev.sluice.platform.devicetree;

import java.util.Objects;

/**
 * A TCP socket on the host's loopback interface behind a device ({@code tcp:127.0.0.1:0});
 * port 0 asks for any free port. Boards may not name other hosts, so a board cannot make the
 * runtime listen on or connect to a real network.
 *
 * @param host a loopback host: an address in 127.0.0.0/8, {@code ::1} or {@code localhost}
 * @param port 0..65535
 */
public record TcpBackend(String host, int port) implements Backend {

    /** Checks host and port. */
    public TcpBackend {
        Objects.requireNonNull(host, "host");
        if (!isLoopback(host)) {
            throw new IllegalArgumentException("not a loopback host: " + host);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    static TcpBackend parse(String rest, SourceLocation where) throws DevicetreeException {
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new DevicetreeException(where, "malformed tcp backend 'tcp:" + rest
                        + "': expected 'tcp:[<ipv6>]:<port>'");
            }
            host = rest.substring(1, close);
            port = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new DevicetreeException(where, "malformed tcp backend 'tcp:" + rest
                        + "': expected 'tcp:<host>:<port>'");
            }
            host = rest.substring(0, colon);
            port = rest.substring(colon + 1);
        }
        if (!isLoopback(host)) {
            throw new DevicetreeException(where, "tcp backend host '" + host
                    + "' is not a loopback address: boards may only use 127.0.0.1 (127.0.0.0/8), ::1 or localhost");
        }
        int p;
        try {
            p = port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                    ? -1 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65535) {
            throw new DevicetreeException(where, "tcp backend port '" + port + "' is not a number in 0..65535");
        }
        return new TcpBackend(host, p);
    }

    /** Decides loopback-ness from the text alone: no name lookup. */
    static boolean isLoopback(String host) {
        if (host.equals("localhost") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return parts[0].equals("127");
    }

    @Override
    public String spec() {
        return host.contains(":") ? "tcp:[" + host + "]:" + port : "tcp:" + host + ":" + port;
    }
}
