package dev.sluice.shell.internal;

import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.jline.terminal.Terminal;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands in scope {@code sluice} that show the I/O registry and the driver catalogue:
 * {@code ioreg} and {@code iocatalog}. Gogo calls them on the session's thread; they only read.
 */
@Component(service = RegistryCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=ioreg",
        "osgi.command.function=iocatalog"
})
public final class RegistryCommands {

    private static final List<IORegistryPlane> PLANES = List.of(IORegistryPlane.SERVICE, IORegistryPlane.DEVICE_TREE);
    private static final String AUTO = "auto";

    private final IORegistry registry;
    private final IOCatalogue catalogue;
    private final BundleContext context;

    @Activate
    public RegistryCommands(@Reference IORegistry registry, @Reference IOCatalogue catalogue, BundleContext context) {
        this.registry = registry;
        this.catalogue = catalogue;
        this.context = context;
    }

    /**
     * Draws the I/O registry as macOS {@code ioreg} does (see {@link RegistryTree}).
     *
     * @return the tree, one line per entry
     */
    @Descriptor("show the I/O registry tree: each entry as name@location <class, id, registered, matched, active, busy>")
    public String ioreg(CommandSession session,
            @Descriptor("show each entry's properties") @Parameter(names = {"-l"}, presentValue = "true", absentValue = "false") boolean properties,
            @Descriptor("the plane to walk: IOService (default) or IODeviceTree") @Parameter(names = {"-p"}, absentValue = "IOService") String plane,
            @Descriptor("only entries of this class or a subclass (simple or fully qualified name), with their ancestors") @Parameter(names = {"-c"}, absentValue = "") String className,
            @Descriptor("only entries with this name or name@location, with their ancestors") @Parameter(names = {"-n"}, absentValue = "") String name,
            @Descriptor("with -c or -n: show the subtrees rooted at the matching entries") @Parameter(names = {"-r"}, presentValue = "true", absentValue = "false") boolean rooted,
            @Descriptor("draw at most this many levels (1 = the root only; 0 = all)") @Parameter(names = {"-d"}, absentValue = "0") int depth,
            @Descriptor("clip lines to this many characters (0 = no limit; default: the terminal's width, 0 without a terminal)") @Parameter(names = {"-w"}, absentValue = AUTO) String width) {
        IORegistryPlane p = PLANES.stream().filter(known -> known.name().equalsIgnoreCase(plane)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("ioreg: unknown plane '" + plane + "' (planes: "
                        + PLANES.stream().map(IORegistryPlane::name).collect(Collectors.joining(", ")) + ")"));
        if (depth < 0) {
            throw new IllegalArgumentException("ioreg: -d must be 0 (all levels) or more, not " + depth);
        }
        if (rooted && className.isEmpty() && name.isEmpty()) {
            throw new IllegalArgumentException("ioreg: -r needs -c CLASS or -n NAME to say which subtrees to show");
        }
        RegistryTree.Options options = new RegistryTree.Options(p, properties, className.isEmpty() ? null : className,
                name.isEmpty() ? null : name, rooted, depth, width(session, width));
        return RegistryTree.render(registry, options);
    }

    private static int width(CommandSession session, String width) {
        if (AUTO.equals(width)) {
            Object terminal = session == null ? null : session.get(".terminal");
            if (terminal instanceof Terminal) {
                return Math.max(0, ((Terminal) terminal).getWidth());
            }
            return 0;
        }
        int w;
        try {
            w = Integer.parseInt(width.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ioreg: -w must be a whole number of characters (0 = no limit), not '" + width + "'");
        }
        if (w < 0) {
            throw new IllegalArgumentException("ioreg: -w must be 0 (no limit) or more, not " + w);
        }
        return w;
    }

    /**
     * Lists the catalogue's personalities in catalogue order with their matching keys, their bundle
     * and how many nubs each one's driver is active on, then the rejected personalities.
     *
     * @return one block per personality
     */
    @Descriptor("show the driver catalogue: each personality's matching keys, bundle and the nubs its driver is active on")
    public String iocatalog(
            @Descriptor("only personalities (and problems) of the bundle with this symbolic name") @Parameter(names = {"-b"}, absentValue = "") String bundle) {
        if (!bundle.isEmpty() && Arrays.stream(context.getBundles()).noneMatch(b -> bundle.equals(b.getSymbolicName()))) {
            throw new IllegalArgumentException("iocatalog: no bundle named '" + bundle + "' is installed (lb lists them)");
        }
        List<IOPersonality> shown = catalogue.personalities().stream()
                .filter(p -> bundle.isEmpty() || p.bundle().equals(bundle)).toList();
        List<String> problems = catalogue.problems().stream()
                .filter(m -> bundle.isEmpty() || m.startsWith("bundle " + bundle + ":")).toList();
        List<IOService> active = Drivers.activeInstances(registry, p -> true);
        StringBuilder out = new StringBuilder();
        if (shown.isEmpty()) {
            out.append(bundle.isEmpty() ? "no personalities in the catalogue\n"
                    : "no personalities of " + bundle + " in the catalogue (it is not started, or declares none valid)\n");
        } else {
            out.append(shown.size()).append(shown.size() == 1 ? " personality" : " personalities").append(" in catalogue order\n");
        }
        int index = 0;
        for (IOPersonality p : shown) {
            index++;
            out.append('\n').append(index).append(". ").append(p.name())
                    .append("  (bundle ").append(p.bundle()).append(" [").append(p.bundleId()).append("])\n");
            field(out, IOPersonality.IO_CLASS, p.ioClass());
            field(out, IOPersonality.IO_PROVIDER_CLASS, p.providerClass());
            if (!p.nameMatch().isEmpty()) {
                field(out, IOPersonality.IO_NAME_MATCH, PropertyValues.format("", p.nameMatch()));
            }
            if (!p.propertyMatch().isEmpty()) {
                field(out, IOPersonality.IO_PROPERTY_MATCH, PropertyValues.format("", p.propertyMatch()));
            }
            if (!p.propertyExistsMatch().isEmpty()) {
                field(out, IOPersonality.IO_PROPERTY_EXISTS_MATCH, PropertyValues.format("", p.propertyExistsMatch()));
            }
            if (p.pathMatch() != null) {
                field(out, IOPersonality.IO_PATH_MATCH, PropertyValues.quote(p.pathMatch()));
            }
            if (!p.parentMatch().isEmpty()) {
                field(out, IOPersonality.IO_PARENT_MATCH, PropertyValues.format("", p.parentMatch()));
            }
            field(out, IOPersonality.IO_PROBE_SCORE, Long.toString(p.probeScore()));
            field(out, IOPersonality.IO_MATCH_CATEGORY, p.matchCategory());
            if (p.debugMask() != 0) {
                field(out, IOPersonality.IO_DEBUG_MASK, "0x" + Long.toHexString(p.debugMask()));
            }
            List<String> nubs = active.stream().filter(s -> p.equals(s.personality())).map(Drivers::nubPath).toList();
            field(out, "active on", Drivers.count(nubs.size(), "nub") + (nubs.isEmpty() ? "" : ": " + String.join(", ", nubs)));
        }
        if (!problems.isEmpty()) {
            out.append("\nrejected personalities (").append(problems.size()).append("):\n");
            problems.forEach(m -> out.append("  ").append(m).append('\n'));
        }
        return out.toString();
    }

    private static void field(StringBuilder out, String key, String value) {
        out.append("    ").append(String.format("%-22s", key)).append(value).append('\n');
    }
}
