package dev.sluice.shell.internal;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code iodebug}: shows and sets drivers' debug masks (seed 003). A mask set here applies to
 * the running instances only; configuration {@code dev.sluice.debug} sets masks for running and
 * future instances.
 */
@Component(service = DebugCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=iodebug"
})
public final class DebugCommands {

    private final IORegistry registry;

    @Activate
    public DebugCommands(@Reference IORegistry registry) {
        this.registry = registry;
    }

    /** Lists every driver (a service created from a personality) with its debug mask. */
    @Descriptor("list drivers and their debug masks")
    public String iodebug() {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-18s  %-20s  %-20s  %s%n", "MASK", "PERSONALITY", "NAME", "PATH"));
        for (IOService s : ServiceArgument.services(registry)) {
            if (s.personality() != null) {
                out.append(String.format(Locale.ROOT, "0x%016x  %-20s  %-20s  %s%n", s.debugMask(), s.personality().name(),
                        s.getName(), ServiceArgument.describe(s)));
            }
        }
        return out.toString();
    }

    /** Shows the debug mask of the named drivers. */
    @Descriptor("show a driver's debug mask")
    public String iodebug(@Descriptor("personality name, IOName, registry path or id (0x...)") String driver) {
        StringBuilder out = new StringBuilder();
        for (IOService s : targets(driver)) {
            out.append(String.format(Locale.ROOT, "%s: debug mask 0x%x%n", ServiceArgument.describe(s), s.debugMask()));
        }
        return out.toString();
    }

    /** Sets the debug mask of the named drivers (every running instance of a personality). */
    @Descriptor("set a driver's debug mask: iodebug DRIVER MASK (decimal or 0x hex, up to 64 bits)")
    public String iodebug(
            @Descriptor("personality name, IOName, registry path or id (0x...)") String driver,
            @Descriptor("the new mask, decimal or 0x hex") String mask) {
        long value = parseMask(mask);
        StringBuilder out = new StringBuilder();
        for (IOService s : targets(driver)) {
            long old = s.debugMask();
            s.setDebugMask(value);
            out.append(String.format(Locale.ROOT, "%s: debug mask 0x%x -> 0x%x%n", ServiceArgument.describe(s), old, value));
        }
        return out.toString();
    }

    private List<IOService> targets(String driver) {
        List<IOService> found = ServiceArgument.candidates(registry, driver, "iodebug");
        if (found.isEmpty()) {
            throw new IllegalArgumentException("iodebug: no driver or service '" + driver
                    + "' (give a personality name, an IOName, a registry path or an id; 'iodebug' lists drivers)");
        }
        return found;
    }

    static long parseMask(String mask) {
        String t = mask.trim().toLowerCase(Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iodebug: '" + mask + "' is not a mask (decimal or 0x hex, up to 64 bits)");
        }
    }
}
