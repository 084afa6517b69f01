package dev.sluice.shell.internal;

import dev.sluice.kernel.log.KernelLog;
import dev.sluice.kernel.log.KernelMessage;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Kernel-wide Gogo commands in scope {@code sluice}: {@code dmesg} and {@code shutdown}.
 * Gogo calls them on the session's thread.
 */
@Component(service = KernelCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=dmesg",
        "osgi.command.function=shutdown"
})
public final class KernelCommands {

    private static final Set<String> LEVELS = Set.of("AUDIT", "ERROR", "WARN", "INFO", "DEBUG", "TRACE");

    private final KernelLog log;
    private final BundleContext context;

    @Activate
    public KernelCommands(@Reference KernelLog log, BundleContext context) {
        this.log = log;
        this.context = context;
    }

    /**
     * Prints the kernel message ring.
     *
     * @param count how many of the newest messages to show, 0 for all
     * @param level only messages at this level or more severe
     * @param grep  only messages whose text or source contains this string
     * @return the messages, one per line
     */
    @Descriptor("print the kernel message ring (the OSGi log of the kernel and its drivers)")
    public String dmesg(
            @Descriptor("show only the newest N messages (0 = all)") @Parameter(names = {"-n", "--count"}, absentValue = "0") int count,
            @Descriptor("minimum level: AUDIT, ERROR, WARN, INFO, DEBUG or TRACE") @Parameter(names = {"-l", "--level"}, absentValue = "TRACE") String level,
            @Descriptor("only messages containing this text") @Parameter(names = {"-g", "--grep"}, absentValue = "") String grep) {
        if (count < 0) {
            throw new IllegalArgumentException("dmesg: -n must be 0 or more, not " + count);
        }
        String wanted = level.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(wanted)) {
            throw new IllegalArgumentException("dmesg: unknown level '" + level + "' (expected one of AUDIT, ERROR, WARN, INFO, DEBUG, TRACE)");
        }
        int threshold = severity(wanted);
        List<KernelMessage> all = log.messages().stream()
                .filter(m -> severity(m.level()) <= threshold)
                .filter(m -> grep.isEmpty() || m.message().contains(grep) || String.valueOf(m.source()).contains(grep))
                .toList();
        List<KernelMessage> shown = count == 0 || count >= all.size() ? all : all.subList(all.size() - count, all.size());
        StringBuilder out = new StringBuilder();
        for (KernelMessage m : shown) {
            out.append(m.format()).append('\n');
        }
        if (log.dropped() > 0) {
            out.append("(").append(log.dropped()).append(" older messages dropped; ring holds ").append(log.capacity()).append(")\n");
        }
        return out.toString();
    }

    /**
     * Stops the framework: every driver is stopped and every bundle released, then the JVM exits.
     */
    @Descriptor("stop every driver and the kernel, then exit")
    public String shutdown() throws BundleException {
        context.getBundle(0).stop();
        return "shutting down";
    }

    private static int severity(String level) {
        switch (level) {
            case "AUDIT": return 0;
            case "ERROR": return 1;
            case "WARN": return 2;
            case "INFO": return 3;
            case "DEBUG": return 4;
            default: return 5;
        }
    }
}
