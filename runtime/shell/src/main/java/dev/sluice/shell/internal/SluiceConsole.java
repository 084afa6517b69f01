package dev.sluice.shell.internal;

import java.time.Duration;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The interactive kernel console: a Gogo shell (gogo.jline's {@link Shell}) on the process's
 * terminal, started when the framework property {@value #CONSOLE} is true ({@code ./sluice}
 * without {@code -c}). Unlike gogo.jline's own console it waits until the kernel is ready before
 * showing the prompt, and it builds the terminal with jline's bundle class loader as the thread
 * context class loader, without which jline finds no terminal provider inside OSGi and falls back
 * to a dumb terminal (no line editing, history or completion); when standard input or output is
 * not a terminal it builds the dumb terminal at once. Leaving the shell ({@code exit},
 * Ctrl-D) stops the framework. Runs on its own thread, {@code sluice-console}.
 */
@Component(immediate = true, service = {})
public final class SluiceConsole {

    /** Framework property that turns the console on. */
    public static final String CONSOLE = "sluice.console";

    private final BundleContext context;
    private final CommandProcessor processor;
    private final Logger logger;
    private volatile Thread thread;
    private volatile Shell shell;
    private volatile Terminal terminal;
    private volatile boolean closing;

    @Activate
    public SluiceConsole(BundleContext context, @Reference CommandProcessor processor,
            @Reference(service = LoggerFactory.class) Logger logger) {
        this.context = context;
        this.processor = processor;
        this.logger = logger;
        if (Boolean.parseBoolean(context.getProperty(CONSOLE)) && context.getProperty(BatchRunner.COMMANDS) == null) {
            Thread t = new Thread(this::run, "sluice-console");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private void run() {
        Thread current = Thread.currentThread();
        current.setContextClassLoader(Terminal.class.getClassLoader());
        try {
            new KernelReadiness(context).await(Duration.ofSeconds(60));
            TerminalBuilder builder = TerminalBuilder.builder().name("sluice").system(true).nativeSignals(true)
                    .signalHandler(Terminal.SignalHandler.SIG_IGN);
            if (System.console() == null) {
                // standard input or output is no terminal (a pipe, a file): a dumb terminal, as
                // jline's providers would conclude too, but without their probes (the exec
                // provider runs test -t and tty for each stream: eight processes at boot)
                builder.dumb(true).ffm(false).jni(false).jansi(false).jna(false).exec(false);
            }
            terminal = builder.build();
            Shell.Context shellContext = new Shell.Context() {
                @Override
                public String getProperty(String name) {
                    return context.getProperty(name);
                }

                @Override
                public void exit() {
                    stopFramework();
                }
            };
            shell = new Shell(shellContext, processor);
            try (CommandSession session = processor.createSession(terminal.input(), terminal.output(), terminal.output())) {
                session.put(Shell.VAR_CONTEXT, context);
                session.put(Shell.VAR_TERMINAL, terminal);
                // `exit` leaves the kernel console and so stops the kernel, like Ctrl-D. Defined
                // here, not in the shared gosh profile, so other consoles (the serial one) do not
                // stop the kernel when their user types exit.
                session.put("exit", (Function) (s, arguments) -> {
                    stopFramework();
                    return "shutting down";
                });
                terminal.writer().println("Sluice " + context.getBundle().getVersion()
                        + " kernel ready. Type help for commands; shutdown, exit or Ctrl-D stops the kernel.");
                terminal.flush();
                shell.gosh(session, new String[] {"--login"});
            }
        } catch (InterruptedException e) {
            current.interrupt();
        } catch (Exception e) {
            if (!closing) {
                logger.error("the console stopped: {}", e.toString(), e);
            }
        } finally {
            if (!closing) {
                stopFramework();
            }
        }
    }

    private void stopFramework() {
        if (closing) {
            return;
        }
        try {
            context.getBundle(0).stop();
        } catch (Exception e) {
            logger.error("could not stop the framework when the console closed", e);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        closing = true;
        Shell s = shell;
        if (s != null) {
            s.stop();
        }
        Terminal t = terminal;
        if (t != null) {
            try {
                t.close();
            } catch (Exception e) {
                logger.debug("closing the console terminal: {}", e.toString());
            }
        }
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
            th.join(2_000);
        }
    }
}
