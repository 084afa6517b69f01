package dev.sluice.benchmarks.uart;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The far end of the line: a thread ({@code echo-peer}) that writes back every byte it reads from
 * a connected socket, as {@code socat TCP:127.0.0.1:PORT EXEC:cat} would. Ends when the socket
 * closes.
 */
final class EchoPeer implements AutoCloseable {

    private final Socket socket;
    private final Thread thread;

    EchoPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        thread = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (IOException closed) {
                // the benchmark closed the socket
            }
        }, "echo-peer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
