package dev.sluice.platform.devicetree;

/**
 * What a device model is connected to on the host, from the vendor property
 * {@code sluice,backend}: {@code file:<path>} ({@link FileBackend}) or
 * {@code tcp:<host>:<port>} ({@link TcpBackend}, loopback hosts only).
 */
public sealed interface Backend permits FileBackend, TcpBackend {

    /** @return the backend in its property form, for example {@code tcp:127.0.0.1:0} */
    String spec();

    /**
     * Parses a backend string.
     *
     * @param text  the value of a {@code sluice,backend} property
     * @param where where the value was written, for the error
     * @return the backend
     * @throws DevicetreeException for an unknown scheme, an empty path, a malformed or
     *                             non-loopback host, or a port outside 0..65535
     */
    static Backend parse(String text, SourceLocation where) throws DevicetreeException {
        int colon = text.indexOf(':');
        String scheme = colon < 0 ? text : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        switch (scheme) {
            case "file":
                return FileBackend.parse(rest, where);
            case "tcp":
                return TcpBackend.parse(rest, where);
            default:
                throw new DevicetreeException(where, "unknown backend scheme '" + scheme + "' in '" + text
                        + "': expected 'file:<path>' or 'tcp:<loopback host>:<port>'");
        }
    }
}
