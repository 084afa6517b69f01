package dev.sluice.models.virtio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * virtio-console (virtio 1.x section 5.3, device ID 3) with a single port: queue 0 is port 0's
 * receiveq (host to guest), queue 1 its transmitq (guest to host). VIRTIO_CONSOLE_F_EMERG_WRITE is
 * offered: a write to the config field {@code emerg_wr} (offset 8) emits one byte.
 *
 * <h2>Host side</h2>
 * <ul>
 * <li><b>TCP</b> ({@code sluice,backend = "tcp:127.0.0.1:PORT"}, port 0 = any free port): a server
 * socket on loopback serves one client at a time; {@link #boundPort()} reports the port. Bytes
 * the guest transmits while no client is connected are kept (up to 64 KiB, then dropped and
 * counted) and delivered when one connects. Bytes from the client go to the guest as it makes
 * receive buffers available; while 64 KiB are pending the socket is not read (TCP back-pressure).
 * Threads: {@code model-<name>-io-2} accepts and reads, {@code model-<name>-io-3} writes.</li>
 * <li><b>In memory</b> (no backend): {@link #hostWrite(byte[])} queues bytes for the guest and
 * {@link #hostRead(byte[], long, TimeUnit)} takes what the guest transmitted.</li>
 * </ul>
 * Queues are served on the transport's io thread, which never blocks on the host side.
 */
public final class ConsoleDevice extends VirtioDevice {

    /** Port 0 receiveq and transmitq indices (5.3.2). */
    public static final int RECEIVEQ = 0;
    public static final int TRANSMITQ = 1;
    private static final int PIPE_BYTES = 64 * 1024;

    private final BytePipe toGuest = new BytePipe(PIPE_BYTES);
    private final BytePipe fromGuest = new BytePipe(PIPE_BYTES);
    private final ServerSocket server;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong transmitted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object clientLock = new Object();
    private Socket client;
    private long clients;
    private volatile boolean closed;

    private final ThreadFactory threadFactory;

    private ConsoleDevice(ServerSocket server, ThreadFactory threadFactory) {
        this.server = server;
        this.threadFactory = threadFactory;
    }

    /** @return a console whose host side is the in-memory pipe ({@link #hostWrite}, {@link #hostRead}) */
    public static ConsoleDevice inMemory() {
        return new ConsoleDevice(null, null);
    }

    /**
     * A console served on a loopback TCP socket.
     *
     * @param bind    a loopback address; port 0 picks a free port
     * @param threads makes the socket threads when the transport attaches ({@code model-<name>-io-2, -3})
     * @throws IOException if the socket cannot be bound
     */
    public static ConsoleDevice tcp(InetSocketAddress bind, ThreadFactory threads) throws IOException {
        if (!bind.getAddress().isLoopbackAddress()) {
            throw new IOException("console backend " + bind + " is not a loopback address");
        }
        ServerSocket s = new ServerSocket();
        try {
            s.bind(bind);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        return new ConsoleDevice(s, threads);
    }

    @Override
    protected void attached() {
        if (server != null) {
            Thread reader = threadFactory.newThread(this::acceptAndRead);
            Thread writer = threadFactory.newThread(this::writeToClients);
            threads.add(reader);
            threads.add(writer);
            reader.start();
            writer.start();
        }
    }

    @Override public int deviceId() { return Virtio.ID_CONSOLE; }

    @Override public String typeName() { return "console"; }

    @Override public int queueCount() { return 2; }

    @Override protected long deviceFeatures() { return Virtio.bit(Virtio.CONSOLE_F_EMERG_WRITE); }

    /** struct virtio_console_config (5.3.4): cols, rows (0: unknown), max_nr_ports 1, emerg_wr. */
    @Override
    protected byte[] config() {
        byte[] c = new byte[12];
        c[4] = 1;
        return c;
    }

    @Override
    protected void configWrite(int offset, int widthBytes, long value) {
        if (offset == 8) {
            emit(new byte[] {(byte) value}, 1);
        }
    }

    /** @return the TCP port the console listens on, if it has a TCP backend */
    public OptionalInt boundPort() {
        return server == null ? OptionalInt.empty() : OptionalInt.of(server.getLocalPort());
    }

    /**
     * Queues bytes for the guest (either backend); they are delivered as the guest makes receive
     * buffers available.
     *
     * @return bytes accepted (fewer if 64 KiB are already pending)
     */
    public int hostWrite(byte[] data) {
        int n = toGuest.offer(data, 0, data.length);
        transport().runOnIo(this::deliver);
        return n;
    }

    /**
     * Takes bytes the guest transmitted (in-memory backend only).
     *
     * @return bytes read, 0 on timeout
     * @throws IllegalStateException if the console has a TCP backend (its socket takes them)
     * @throws InterruptedException  if interrupted while waiting
     */
    public int hostRead(byte[] dst, long timeout, TimeUnit unit) throws InterruptedException {
        if (server != null) {
            throw new IllegalStateException("console output goes to its TCP client on port " + server.getLocalPort());
        }
        return Math.max(0, fromGuest.take(dst, 0, dst.length, timeout, unit));
    }

    @Override
    protected void queueNotified(VirtQueue queue) {
        if (queue.index() == RECEIVEQ) {
            fill(queue);
            return;
        }
        DescriptorChain chain;
        while ((chain = queue.pop()) != null) {
            int n = chain.readableLength();
            emit(chain.read(0, n), n);
            queue.complete(chain, 0);
        }
    }

    private void emit(byte[] data, int n) {
        int accepted = fromGuest.offer(data, 0, n);
        transmitted.addAndGet(accepted);
        dropped.addAndGet(n - accepted);
    }

    private void deliver() {
        VirtQueue rx = transport().queue(RECEIVEQ);
        if (rx != null) {
            fill(rx);
        }
    }

    private void fill(VirtQueue rx) {
        DescriptorChain chain;
        while (toGuest.available() > 0 && (chain = rx.pop()) != null) {
            byte[] buf = new byte[Math.min(toGuest.available(), chain.writableLength())];
            int n = toGuest.poll(buf, 0, buf.length);
            chain.write(0, buf, 0, n);
            rx.complete(chain, n);
            received.addAndGet(n);
        }
    }

    // ------------------------------------------------------------------ TCP backend threads

    private void acceptAndRead() {
        byte[] buf = new byte[4096];
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // server closed
            }
            synchronized (clientLock) {
                client = s;
                clients++;
                clientLock.notifyAll();
            }
            try (InputStream in = s.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (!toGuest.put(buf, 0, n)) {
                        break;
                    }
                    VirtioMmioDevice t = transport();
                    if (t != null) {
                        t.runOnIo(this::deliver);
                    }
                }
            } catch (IOException e) {
                // client gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                dropClient(s);
            }
        }
    }

    private void writeToClients() {
        byte[] buf = new byte[4096];
        try {
            while (!closed) {
                Socket s;
                synchronized (clientLock) {
                    while (client == null && !closed) {
                        clientLock.wait();
                    }
                    s = client;
                }
                if (s == null) {
                    return;
                }
                int n = fromGuest.take(buf, 0, buf.length, 200, TimeUnit.MILLISECONDS);
                if (n < 0) {
                    return;
                }
                if (n > 0) {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(buf, 0, n);
                        out.flush();
                    } catch (IOException e) {
                        dropped.addAndGet(n);
                        dropClient(s);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dropClient(Socket s) {
        synchronized (clientLock) {
            if (client == s) {
                client = null;
            }
        }
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    protected void close() {
        closed = true;
        toGuest.close();
        fromGuest.close();
        Socket s;
        synchronized (clientLock) {
            s = client;
            client = null;
            clientLock.notifyAll();
        }
        try {
            if (s != null) {
                s.close();
            }
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    protected List<String> describe() {
        String backend;
        if (server == null) {
            backend = "in-memory pipe";
        } else {
            synchronized (clientLock) {
                backend = "tcp 127.0.0.1:" + server.getLocalPort() + (client != null ? ", client connected" : ", no client")
                        + " (" + clients + " so far)";
            }
        }
        return List.of("console " + backend, String.format("bytes: %d to guest (%d pending), %d from guest (%d pending), %d dropped",
                received.get(), toGuest.available(), transmitted.get(), fromGuest.available(), dropped.get()));
    }
}
