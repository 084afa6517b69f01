package dev.sluice.shell.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Runs the Gogo command lines given in the framework property {@value #COMMANDS} (what
 * {@code ./sluice -c} passes), once the kernel is ready, then stops the framework. Each line
 * runs in one session whose output is the kernel console; the first failing line stops the
 * batch. The exit status (0, or 1 after a failure) is written to the file named by
 * {@value #EXIT_FILE} for the launcher script. Runs on its own thread, {@code sluice-batch}.
 */
@Component(immediate = true, service = {})
public final class BatchRunner {

    /** Framework property holding the command lines to run. */
    public static final String COMMANDS = "sluice.commands";
    /** Framework property naming the file that receives the exit status. */
    public static final String EXIT_FILE = "sluice.exit.file";

    private final BundleContext context;
    private final CommandProcessor processor;
    private final Logger logger;

    @Activate
    public BatchRunner(BundleContext context, @Reference CommandProcessor processor,
            @Reference(service = LoggerFactory.class) Logger logger) {
        this.context = context;
        this.processor = processor;
        this.logger = logger;
        String script = context.getProperty(COMMANDS);
        if (script != null) {
            Thread t = new Thread(() -> run(script), "sluice-batch");
            t.setDaemon(true);
            t.start();
        }
    }

    private void run(String script) {
        int status = 1;
        // The process's own descriptors: Gogo's ThreadIO has replaced System.out with a stream that
        // routes to the current session, so handing System.out to a session would loop forever.
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream errors = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        try {
            new KernelReadiness(context).await(Duration.ofSeconds(60));
            status = execute(script, new FileInputStream(FileDescriptor.in), console, errors);
        } catch (Exception e) {
            errors.println("sluice: " + e.getMessage());
            logger.error("batch failed", e);
        } finally {
            console.flush();
            errors.flush();
            writeStatus(status);
            try {
                context.getBundle(0).stop();
            } catch (Exception e) {
                logger.error("could not stop the framework after the batch", e);
            }
        }
    }

    private int execute(String script, InputStream in, PrintStream out, PrintStream err) {
        try (CommandSession session = processor.createSession(in, out, err)) {
            for (String line : script.split("\\R")) {
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
                try {
                    Object result = session.execute(line);
                    if (result != null) {
                        CharSequence text = session.format(result, Converter.INSPECT);
                        out.println(text);
                    }
                    out.flush();
                } catch (Exception e) {
                    out.flush();
                    err.println("Error: " + describe(e) + "  (in: " + line.strip() + ")");
                    if (Boolean.getBoolean("sluice.trace")) { e.printStackTrace(err); }
                    return 1;
                }
            }
            return 0;
        }
    }

    private static String describe(Throwable e) {
        while ((e instanceof java.lang.reflect.InvocationTargetException || e.getMessage() == null) && e.getCause() != null) {
            e = e.getCause();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private void writeStatus(int status) {
        String file = context.getProperty(EXIT_FILE);
        if (file == null) {
            return;
        }
        try {
            Files.writeString(Path.of(file), Integer.toString(status), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            logger.error("could not write the exit status to " + file, e);
        }
    }
}
