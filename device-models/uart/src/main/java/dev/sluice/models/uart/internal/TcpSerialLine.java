package dev.sluice.models.uart.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * The far end of a simulated serial line: a TCP server socket on a loopback address, serving one
 * client at a time. Bytes the client sends are handed to a {@link Listener} (the UART model);
 * bytes the model transmits are queued with {@link #send(int)} and written to the client.
 *
 * <h2>Threads</h2>
 * One thread, made by the model's thread factory ({@code model-<name>-io}), runs a selector loop
 * that accepts, reads and writes; it is the only thread that touches the sockets and the only one
 * that calls the listener. {@link #send(int)}, {@link #resumeReading()}, {@link #port()} and
 * {@link #isConnected()} may be called from any thread and never block on the network.
 *
 * <h2>Flow control</h2>
 * The listener may accept fewer bytes than offered; the rest are held and reading from the
 * socket stops (TCP backpressure on the client) until {@link #resumeReading()} is called.
 * Output is queued up to {@value #OUTPUT_CAPACITY} bytes (plus a 16 KiB socket send buffer); bytes
 * sent while no client is connected, or while the queue is full because the client does not read,
 * are dropped and counted, as bits on an unplugged (or unread) serial cable are lost.
 *
 * <h2>Clients</h2>
 * While a client is connected, further connections are accepted and closed at once. When the
 * client disconnects (or its socket fails) the line waits for the next one; held input and queued
 * output of the old connection are discarded.
 */
public final class TcpSerialLine implements AutoCloseable {

    /** Bytes queued for the client at most; more are dropped. */
    public static final int OUTPUT_CAPACITY = 64 * 1024;
    /** The client socket's kernel send buffer: a short cable, so unread output does not pile up in the kernel. */
    static final int SOCKET_SEND_BUFFER = 16 * 1024;

    /** What the line reports to its model; called only on the line's I/O thread. */
    public interface Listener {
        /**
         * Bytes from the client.
         *
         * @return how many of them (from the start) were taken; the rest are offered again after
         *         {@link TcpSerialLine#resumeReading()}
         */
        int received(byte[] data, int offset, int length);

        /** A client connected ({@code true}) or went away ({@code false}). */
        void connectionChanged(boolean connected);
    }

    private final Listener listener;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final int port;
    private final String address;

    // I/O thread only
    private SocketChannel client;
    private SelectionKey clientKey;
    private final ByteBuffer held = ByteBuffer.allocate(1024);

    // guarded by outLock
    private final Object outLock = new Object();
    /** Allocated by the first byte queued: a line nobody connects to holds no output buffer. */
    private byte[] out;
    private int outHead;
    private int outSize;
    private long dropped;
    private boolean outConnected;

    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile long connections;
    private volatile long refused;

    private TcpSerialLine(InetSocketAddress bind, ThreadFactory threads, Listener listener) throws IOException {
        this.listener = Objects.requireNonNull(listener, "listener");
        Selector sel = Selector.open();
        ServerSocketChannel srv = null;
        try {
            srv = ServerSocketChannel.open();
            srv.bind(bind, 4);
            srv.configureBlocking(false);
            srv.register(sel, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            if (srv != null) {
                srv.close();
            }
            sel.close();
            throw e;
        }
        this.selector = sel;
        this.server = srv;
        InetSocketAddress local = (InetSocketAddress) srv.getLocalAddress();
        this.port = local.getPort();
        String host = local.getAddress().getHostAddress();
        this.address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.thread = threads.newThread(this::run);
    }

    /**
     * Binds the server socket (so {@link #port()} is known at once) and starts the I/O thread.
     *
     * @throws IOException if the address cannot be bound
     */
    public static TcpSerialLine open(InetSocketAddress bind, ThreadFactory threads, Listener listener) throws IOException {
        TcpSerialLine line = new TcpSerialLine(bind, threads, listener);
        line.thread.start();
        return line;
    }

    /** @return the bound TCP port */
    public int port() {
        return port;
    }

    /** @return {@code host:port} the line listens on */
    public String address() {
        return address;
    }

    /** @return true while a client is connected */
    public boolean isConnected() {
        return connected;
    }

    /** @return clients accepted so far (refused extra clients not counted) */
    public long connections() {
        return connections;
    }

    /** @return connections refused because a client was already connected */
    public long refused() {
        return refused;
    }

    /** @return output bytes dropped (no client, or the client stopped reading) */
    public long dropped() {
        synchronized (outLock) {
            return dropped;
        }
    }

    /**
     * Queues one byte for the client; never blocks. Dropped (and counted) when no client is
     * connected or the output queue is full.
     */
    public void send(int b) {
        boolean wake;
        synchronized (outLock) {
            if (!outConnected || outSize == OUTPUT_CAPACITY) {
                dropped++;
                return;
            }
            if (out == null) {
                out = new byte[OUTPUT_CAPACITY];
            }
            out[(outHead + outSize) % OUTPUT_CAPACITY] = (byte) b;
            outSize++;
            wake = outSize == 1;
        }
        if (wake) {
            selector.wakeup();
        }
    }

    /** Tells the I/O thread the listener can take bytes again; never blocks. */
    public void resumeReading() {
        selector.wakeup();
    }

    /** Stops the I/O thread, closes the client and the server socket; returns when the thread has ended. */
    @Override
    public void close() {
        running = false;
        try {
            selector.wakeup();
        } catch (ClosedSelectorException ignored) {
            // already closed
        }
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }

    private void run() {
        try {
            while (running) {
                deliverHeld();
                flush();
                updateInterest();
                selector.select();
                if (!running) {
                    break;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key == clientKey) {
                        if (key.isReadable()) {
                            read();
                        }
                        if (clientKey != null && key.isValid() && key.isWritable()) {
                            flush();
                        }
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            // the selector failed or was closed: the line is down
        } finally {
            dropClient();
            closeQuietly();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) {
            return;
        }
        if (client != null) {
            refused++;
            ch.close();
            return;
        }
        SelectionKey key;
        try {
            ch.configureBlocking(false);
            ch.socket().setTcpNoDelay(true);
            ch.socket().setSendBufferSize(SOCKET_SEND_BUFFER);
            key = ch.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            ch.close(); // this client went away while being accepted; keep serving the next one
            return;
        }
        client = ch;
        clientKey = key;
        held.clear();
        synchronized (outLock) {
            outHead = 0;
            outSize = 0;
            outConnected = true;
        }
        connections++;
        listener.connectionChanged(true); // the model sees the client before isConnected() says so
        connected = true;
    }

    private void read() {
        if (held.position() > 0) {
            return; // still holding bytes the listener refused; backpressure
        }
        int n;
        try {
            n = client.read(held);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            dropClient();
            return;
        }
        deliverHeld();
    }

    private void deliverHeld() {
        if (client == null || held.position() == 0) {
            return;
        }
        held.flip();
        int taken = listener.received(held.array(), held.position(), held.remaining());
        held.position(held.position() + Math.max(0, Math.min(taken, held.remaining())));
        held.compact();
    }

    private void flush() {
        if (client == null) {
            return;
        }
        synchronized (outLock) {
            try {
                while (outSize > 0) {
                    int chunk = Math.min(outSize, OUTPUT_CAPACITY - outHead);
                    int written = client.write(ByteBuffer.wrap(out, outHead, chunk));
                    outHead = (outHead + written) % OUTPUT_CAPACITY;
                    outSize -= written;
                    if (written < chunk) {
                        break;
                    }
                }
            } catch (IOException e) {
                outSize = 0;
            }
        }
    }

    private void updateInterest() {
        if (clientKey == null || !clientKey.isValid()) {
            return;
        }
        int ops = 0;
        if (held.position() == 0) {
            ops |= SelectionKey.OP_READ;
        }
        synchronized (outLock) {
            if (outSize > 0) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        clientKey.interestOps(ops);
    }

    private void dropClient() {
        if (client == null) {
            return;
        }
        if (clientKey != null) {
            clientKey.cancel();
        }
        try {
            client.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        client = null;
        clientKey = null;
        held.clear();
        synchronized (outLock) {
            outConnected = false;
            outHead = 0;
            outSize = 0;
        }
        listener.connectionChanged(false);
        connected = false;
    }

    @Override
    public String toString() {
        return "tcp:" + address + (connected ? " (client connected)" : " (no client)");
    }
}
