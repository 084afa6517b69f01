package dev.sluice.kernel.internal.debug;

import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.internal.service.MatchingEngine;
import dev.sluice.kernel.registry.IOService;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Per-driver debug logging (seed 003). Reads configuration {@value #PID} (ConfigAdmin, e.g. a
 * FileInstall {@code dev.sluice.debug.cfg}): one property per driver, keyed by personality name
 * or IOName, valued with a mask in decimal or {@code 0x} hex ({@code VirtioBlock = 0x3}). A
 * change applies at once to running instances (a key that disappears restores the
 * personality's {@code IODebugMask}) and to instances matched later. Also the sink of
 * {@link IOService#debug(long, String)}: each message is logged at DEBUG through the OSGi
 * Logger of the driver's bundle, named {@code sluice.debug.<name>} (the kernel log policy lets
 * that logger family through at DEBUG, see KernelLogBuffer), so it reaches {@code dmesg}.
 */
@Component(service = {}, immediate = true, configurationPid = DebugMasks.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DebugMasks implements MatchingEngine.DebugSupport {

    /** The configuration PID. */
    public static final String PID = "dev.sluice.debug";
    /** Prefix of the loggers that carry driver debug messages. */
    public static final String LOGGER_PREFIX = "sluice.debug";

    private final BundleContext context;
    private final MatchingEngine engine;
    private final LoggerFactory loggers;
    private final Logger logger;
    private volatile Map<String, Long> masks = Map.of();

    @Activate
    public DebugMasks(BundleContext context, @Reference MatchingEngine engine, @Reference LoggerFactory loggers,
            Map<String, Object> config) {
        this.context = context;
        this.engine = engine;
        this.loggers = loggers;
        this.logger = loggers.getLogger(DebugMasks.class);
        update(config);
        engine.setDebugSupport(this);
    }

    @Modified
    void modified(Map<String, Object> config) {
        update(config);
    }

    @Deactivate
    void deactivate() {
        engine.setDebugSupport(null);
    }

    private void update(Map<String, Object> config) {
        Map<String, Long> parsed = new LinkedHashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.") || key.startsWith("osgi.")) {
                return;
            }
            try {
                parsed.put(key, parseMask(value));
            } catch (IllegalArgumentException e) {
                logger.error("{}: {} = '{}' is not a debug mask (use decimal or 0x hex); ignored", PID, key, value);
            }
        });
        Map<String, Long> previous = masks;
        masks = Map.copyOf(parsed);
        int changed = 0;
        for (IOService s : engine.allServices()) {
            Long m = lookup(s, parsed);
            if (m != null) {
                s.setDebugMask(m);
                changed++;
            } else if (lookup(s, previous) != null) {
                IOPersonality p = s.personality();
                s.setDebugMask(p == null ? 0 : p.debugMask());
                changed++;
            }
        }
        if (!parsed.isEmpty() || !previous.isEmpty()) {
            logger.info("{}: debug masks {} applied to {} running service(s)", PID, format(parsed), changed);
        }
    }

    private static Long lookup(IOService s, Map<String, Long> table) {
        IOPersonality p = s.personality();
        if (p != null && table.containsKey(p.name())) {
            return table.get(p.name());
        }
        return table.get(s.getName());
    }

    @Override
    public void configure(IOService driver) {
        Long m = lookup(driver, masks);
        if (m != null) {
            driver.setDebugMask(m);
        }
    }

    @Override
    public void log(IOService service, long bits, String message) {
        IOPersonality p = service.personality();
        Bundle b = p == null ? null : context.getBundle(p.bundleId());
        if (b == null) {
            b = context.getBundle();
        }
        String name = p != null ? p.name() : service.getName();
        Logger l = loggers.getLogger(b, LOGGER_PREFIX + "." + name, Logger.class);
        l.debug("{}", "debug 0x" + Long.toHexString(bits) + " " + service.getName() + ": " + message);
    }

    /**
     * Parses a mask: a number, or text in decimal or {@code 0x} hex (up to 64 bits).
     *
     * @throws IllegalArgumentException if it is neither
     */
    public static long parseMask(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        String t = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("0x")) {
                return Long.parseUnsignedLong(t.substring(2).replace("_", ""), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a mask: '" + value + "'");
        }
    }

    private static String format(Map<String, Long> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append("=0x").append(Long.toHexString(v)));
        return b.append('}').toString();
    }
}
