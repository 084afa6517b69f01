package dev.sluice.kernel.internal.log;

import dev.sluice.kernel.log.KernelLog;
import dev.sluice.kernel.log.KernelMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;

/**
 * Fills the kernel ring from the OSGi log: a {@link LogListener} on the framework's
 * {@link LogReaderService}. On activation it sets the kernel's log policy through the
 * {@link LoggerAdmin}: root level INFO, or DEBUG when the framework property
 * {@value #DEBUG_PROPERTY} is true ({@code ./sluice --debug}); loggers named
 * {@value #DRIVER_DEBUG_LOGGERS}{@code .*} (drivers' debug messages, gated by their debug masks)
 * at DEBUG. Listener calls arrive on the log
 * implementation's delivery thread; readers take a snapshot under the ring's monitor.
 */
@Component(service = KernelLog.class, immediate = true)
public final class KernelLogBuffer implements KernelLog, LogListener {

    /** Framework property that turns on DEBUG-level kernel logging. */
    public static final String DEBUG_PROPERTY = "sluice.debug";

    /** Logger-name prefix of drivers' debug messages, let through at DEBUG whatever the root level. */
    public static final String DRIVER_DEBUG_LOGGERS = "sluice.debug";

    static final int CAPACITY = 4096;

    private final LogReaderService reader;
    private final long bootNanos = System.nanoTime();
    private final long bootMillis = System.currentTimeMillis();
    private final ArrayDeque<KernelMessage> ring = new ArrayDeque<>();
    private long sequence;
    private long dropped;

    @Activate
    public KernelLogBuffer(BundleContext context, @Reference LogReaderService reader,
            @Reference LoggerAdmin admin, @Reference(service = LoggerFactory.class) Logger logger) {
        this.reader = reader;
        reader.addLogListener(this);
        boolean debug = Boolean.parseBoolean(context.getProperty(DEBUG_PROPERTY));
        LoggerContext root = admin.getLoggerContext(null);
        Map<String, LogLevel> levels = new HashMap<>(root.getLogLevels());
        levels.put(Logger.ROOT_LOGGER_NAME, debug ? LogLevel.DEBUG : LogLevel.INFO);
        // drivers' debug messages (IOService.debug, already filtered by their debug masks) always pass
        levels.put(DRIVER_DEBUG_LOGGERS, LogLevel.DEBUG);
        root.setLogLevels(levels);
        logger.info("kernel log ring ready ({} messages, level {})", CAPACITY, debug ? "DEBUG" : "INFO");
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        String source = entry.getBundle() != null ? entry.getBundle().getSymbolicName() : entry.getLoggerName();
        String text = entry.getMessage();
        if (entry.getException() != null) {
            text = text + ": " + entry.getException();
        }
        long uptime = entry.getTime() >= bootMillis
                ? (entry.getTime() - bootMillis) * 1_000_000L
                : System.nanoTime() - bootNanos;
        synchronized (ring) {
            if (ring.size() == CAPACITY) {
                ring.removeFirst();
                dropped++;
            }
            ring.addLast(new KernelMessage(++sequence, uptime, entry.getLogLevel().name(), source, text));
        }
    }

    @Override
    public List<KernelMessage> messages() {
        synchronized (ring) {
            return new ArrayList<>(ring);
        }
    }

    @Override
    public int capacity() {
        return CAPACITY;
    }

    @Override
    public long dropped() {
        synchronized (ring) {
            return dropped;
        }
    }
}
