package dev.sluice.drivers.uart.internal;

import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.serial.api.SerialStreams;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.Logger;

/**
 * The kernel console on a serial port: a Gogo shell (gogo.jline's {@link Shell}) on a dumb jline
 * terminal over the port's streams, with the prompt {@code sluice> }. The session runs on its own
 * thread (named after the port); when the remote side types {@code exit} a new session starts, so
 * the console stays available for the next person. {@link #stop()} ends the session and joins the
 * thread and the terminal's input pump; the driver calls it from its stop, after turning
 * {@code open} false.
 */
public final class SerialConsole {

    private final BundleContext context;
    private final SerialPort port;
    private final BooleanSupplier open;
    private final String name;
    private final Logger log;
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
     */
    public SerialConsole(BundleContext context, SerialPort port, BooleanSupplier open, String name, Logger log) {
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
        Thread current = Thread.currentThread();
        current.setContextClassLoader(Terminal.class.getClassLoader());
        while (running() && !current.isInterrupted()) {
            ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
            CommandProcessor processor = ref == null ? null : context.getService(ref);
            if (processor == null) {
                warn("no Gogo CommandProcessor service: no console on " + name, null);
                return;
            }
            try {
                session(processor);
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

    private void session(CommandProcessor processor) throws Exception {
        BooleanSupplier live = this::running;
        Terminal t = TerminalBuilder.builder().name(name).system(false).type(Terminal.TYPE_DUMB)
                .streams(SerialStreams.input(port, live), SerialStreams.output(port, live))
                .encoding(StandardCharsets.UTF_8).build();
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
            t.close();
        }
    }

    /** Ends the session and waits (up to 5 s) for the console thread. Driver stop thread. */
    public void stop() {
        stopping = true;
        Shell s = shell;
        if (s != null) {
            s.stop();
        }
        Terminal t = terminal;
        if (t != null) {
            try {
                t.close();
            } catch (Exception e) {
                warn("closing the serial console terminal: " + e, null);
            }
        }
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
            try {
                th.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
