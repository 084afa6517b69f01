package dev.sluice.drivers.serial.console;

import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.serial.api.SerialStreams;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.Logger;

/**
 * The kernel console on a serial port: a Gogo shell (gogo.jline's {@link Shell}) on a dumb jline
 * {@link ExternalTerminal} (80x24) over the port's {@link SerialStreams}, with the prompt {@code sluice> }. The session runs on its own
 * thread (named after the port); when the remote side types {@code exit} a new session starts, so
 * the console stays available for the next person. {@link #stop()} ends the session and joins the
 * thread and the terminal's input pump; the driver calls it from its stop, after turning
 * {@code open} false.
 *
 * <p>Like a getty that asks to press Enter, each session starts at the first byte received: until
 * then the thread only waits on the port, so an unused console costs no Gogo session, terminal or
 * input pump (threads and memory at boot; output sent before a client connects would be lost on
 * the line anyway). A leading Enter only wakes the console; other bytes are the session's first input.
 */
public final class SerialConsole {

    private final BundleContext context;
    private final SerialPort port;
    private final BooleanSupplier open;
    private final String name;
    private final Logger log;
    private final Runnable exitHook;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile Shell shell;
    private volatile Terminal terminal;

    /**
     * @param context the driver bundle's context (to find the {@link CommandProcessor})
     * @param port    the port (the driver itself, not its client front)
     * @param open    true while the driver runs
     * @param name    the thread and terminal name
     * @param log     where failures go; may be null
     * @param exitHook run on the console thread as its last action (the driver wakes its stop)
     */
    public SerialConsole(BundleContext context, SerialPort port, BooleanSupplier open, String name, Logger log,
            Runnable exitHook) {
        this.exitHook = exitHook;
        this.context = context;
        this.port = port;
        this.open = open;
        this.name = name;
        this.log = log;
    }

    /** Starts the console thread (daemon). Called once, from the driver's start. */
    public void start() {
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private boolean running() {
        return !stopping && open.getAsBoolean();
    }

    private void run() {
        try {
            runSessions();
        } finally {
            exitHook.run();
        }
    }

    private void runSessions() {
        Thread current = Thread.currentThread();
        current.setContextClassLoader(Terminal.class.getClassLoader());
        while (running() && !current.isInterrupted()) {
            byte[] typed;
            InputStream in = SerialStreams.input(port, this::running);
            try {
                typed = awaitFirstInput(in);
            } catch (IOException e) {
                return; // interrupted or the port closed: the console is stopping
            }
            if (typed == null) {
                return;
            }
            ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
            CommandProcessor processor = ref == null ? null : context.getService(ref);
            if (processor == null) {
                warn("no Gogo CommandProcessor service: no console on " + name, null);
                return;
            }
            try {
                session(processor, new SequenceInputStream(new ByteArrayInputStream(typed), in));
            } catch (Exception e) {
                if (running()) {
                    warn("the serial console session failed: " + e, e);
                    return;
                }
            } finally {
                context.ungetService(ref);
            }
        }
    }

    /**
     * Waits for the first bytes from the port.
     *
     * @return them without a leading CR or LF (possibly none), or null when the console stops first
     */
    private static byte[] awaitFirstInput(InputStream in) throws IOException {
        byte[] buf = new byte[64];
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            return null;
        }
        int skip = 0;
        while (skip < n && (buf[skip] == '\r' || buf[skip] == '\n')) {
            skip++;
        }
        return Arrays.copyOfRange(buf, skip, n);
    }

    private void session(CommandProcessor processor, InputStream input) throws Exception {
        BooleanSupplier live = this::running;
        // An external terminal over the port's streams (not TerminalBuilder, which would open a pty
        // with the native provider): no native code, one input pump thread that ends with the stream.
        ExternalTerminal t = new ExternalTerminal(name, Terminal.TYPE_DUMB, input,
                SerialStreams.output(port, live), StandardCharsets.UTF_8);
        t.setSize(new Size(80, 24));
        terminal = t;
        try {
            Shell.Context shellContext = new Shell.Context() {
                @Override
                public String getProperty(String key) {
                    return context.getProperty(key);
                }

                @Override
                public void exit() {
                    // leaving the serial session only ends it; the loop in run() starts another
                }
            };
            Shell s = new Shell(shellContext, processor);
            shell = s;
            try (CommandSession session = processor.createSession(t.input(), t.output(), t.output())) {
                session.put(Shell.VAR_CONTEXT, context);
                session.put(Shell.VAR_TERMINAL, t);
                session.put("prompt", "sluice> ");
                t.writer().println("Sluice kernel console on " + name + ". Type help for commands.");
                t.flush();
                s.gosh(session, new String[] {"--login", "--noshutdown"});
            }
        } finally {
            terminal = null;
            try {
                t.close();
            } catch (Exception e) {
                warn("closing the serial console terminal: " + e, null);
            }
        }
    }

    /**
     * Asks the session to end: marks the console stopping, stops the shell and interrupts the
     * console thread, without blocking. The thread then finds its streams closed (the driver has
     * turned {@code open} false), closes its terminal (whose input pump ends with the stream) and
     * runs the exit hook. Driver stop thread, gate held: so it must not wait here for the thread,
     * which needs the gate for its last reads and writes; see {@link #isAlive()}.
     */
    public void stop() {
        stopping = true;
        Shell s = shell;
        if (s != null) {
            s.stop();
        }
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
        }
    }

    /** @return true while the console thread is alive (diagnostics and tests) */
    public boolean isAlive() {
        Thread th = thread;
        return th != null && th.isAlive();
    }

    private void warn(String message, Throwable e) {
        if (log != null) {
            if (e != null) {
                log.warn(message, e);
            } else {
                log.warn(message);
            }
        }
    }
}
