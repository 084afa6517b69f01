package dev.sluice.shell.internal;

import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOMatching;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands in scope {@code sluice} for driver bundles (bundles declaring at least one
 * {@code sluice.personality} capability): {@code kextstat}, {@code kextload}, {@code kextunload}
 * and {@code kextreload}. The kernel does the matching and termination (its catalogue extender
 * reacts to the bundle starting and stopping); these commands install, start, stop, update and
 * uninstall, then wait (bounded by {@link Drivers#SETTLE}) for matching to settle and report
 * what the registry looks like. Gogo calls them on the session's thread.
 */
@Component(service = DriverCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=kextstat",
        "osgi.command.function=kextload",
        "osgi.command.function=kextunload",
        "osgi.command.function=kextreload"
})
public final class DriverCommands {

    private final IORegistry registry;
    private final IOCatalogue catalogue;
    private final BundleContext context;

    @Activate
    public DriverCommands(@Reference IORegistry registry, @Reference IOCatalogue catalogue, BundleContext context) {
        this.registry = registry;
        this.catalogue = catalogue;
        this.context = context;
    }

    // ================================================================ kextstat

    /** @return a table of driver bundles, one row each */
    @Descriptor("list driver bundles: id, state, name (version), personalities, active driver instances and the nubs they drive")
    public String kextstat() {
        List<Bundle> drivers = Arrays.stream(context.getBundles()).filter(Drivers::isDriverBundle).toList();
        if (drivers.isEmpty()) {
            return "no driver bundles (none declares a sluice.personality capability)\n";
        }
        List<IOService> active = Drivers.activeInstances(registry, p -> true);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Id", "State", "Personalities", "Instances", "Name (Version)", "Nubs"});
        for (Bundle b : drivers) {
            List<IOService> mine = active.stream().filter(s -> s.personality().bundleId() == b.getBundleId()).toList();
            String nubs = mine.stream().map(Drivers::nubPath).distinct().collect(Collectors.joining(", "));
            rows.add(new String[] {Long.toString(b.getBundleId()), Drivers.stateName(b.getState()),
                    Integer.toString(Drivers.declaredPersonalities(b)), Integer.toString(mine.size()),
                    b.getSymbolicName() + " (" + b.getVersion() + ")", nubs.isEmpty() ? "-" : nubs});
        }
        return table(rows, new boolean[] {true, false, true, true, false, false});
    }

    private static String table(List<String[]> rows, boolean[] rightAligned) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(widths[i] - row[i].length());
                line.append(rightAligned[i] ? pad + row[i] : row[i] + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    // ================================================================ kextload

    /** @return what was loaded and what matched */
    @Descriptor("install and start a driver bundle, wait for matching to settle and show what matched")
    public String kextload(CommandSession session,
            @Descriptor("the bundle jar: a file path or a URL") String fileOrUrl) {
        String location = location(session, "kextload", fileOrUrl);
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().equals(location)) {
                throw new IllegalArgumentException("kextload: " + fileOrUrl + " is already loaded as bundle " + b.getBundleId()
                        + " (" + b.getSymbolicName() + " " + b.getVersion() + "); use kextreload " + b.getBundleId());
            }
        }
        Bundle bundle;
        try {
            bundle = context.installBundle(location);
        } catch (BundleException | RuntimeException e) {
            throw new IllegalArgumentException("kextload: cannot install " + fileOrUrl + ": " + e.getMessage(), e);
        }
        if (!Drivers.isDriverBundle(bundle)) {
            String what = bundle.getSymbolicName() + " " + bundle.getVersion();
            uninstallQuietly(bundle);
            throw new IllegalArgumentException("kextload: " + fileOrUrl + " (" + what
                    + ") is not a driver bundle: it declares no sluice.personality capability");
        }
        int problemsBefore = catalogue.problems().size();
        try {
            bundle.start();
        } catch (BundleException | RuntimeException e) {
            uninstallQuietly(bundle);
            throw new IllegalArgumentException("kextload: cannot start " + bundle.getSymbolicName() + " "
                    + bundle.getVersion() + " from " + fileOrUrl + ": " + e.getMessage(), e);
        }
        boolean settled = Drivers.settle(registry, Drivers.SETTLE);
        StringBuilder out = new StringBuilder();
        out.append("loaded bundle ").append(bundle.getBundleId()).append(": ").append(bundle.getSymbolicName())
                .append(' ').append(bundle.getVersion()).append(" (").append(location).append(")\n");
        newProblems(out, problemsBefore);
        report(out, bundle, settled);
        return out.toString();
    }

    /** Turns a path (relative to the session's directory) or URL into a bundle location, checking files exist. */
    private static String location(CommandSession session, String command, String fileOrUrl) {
        if (fileOrUrl == null || fileOrUrl.isBlank()) {
            throw new IllegalArgumentException(command + ": give a driver bundle's file path or URL");
        }
        URI uri = null;
        try {
            uri = new URI(fileOrUrl);
        } catch (URISyntaxException notAUri) {
            // a path with characters a URI does not allow, e.g. spaces
        }
        if (uri != null && uri.getScheme() != null && uri.getScheme().length() > 1) {
            if ("file".equalsIgnoreCase(uri.getScheme())) {
                Path file;
                try {
                    file = Path.of(uri);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(command + ": bad file URL '" + fileOrUrl + "': " + e.getMessage(), e);
                }
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException(command + ": no such file '" + file + "' (from " + fileOrUrl + ")");
                }
            }
            return fileOrUrl;
        }
        Path base = session == null || session.currentDir() == null ? Path.of("").toAbsolutePath() : session.currentDir();
        Path file = base.resolve(fileOrUrl).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(command + ": no such file '" + fileOrUrl + "'"
                    + (file.toString().equals(fileOrUrl) ? "" : " (looked for " + file + ")"));
        }
        return file.toUri().toString();
    }

    /**
     * Appends the catalogue problems added since {@code before}: the bundle's rejected personalities.
     * (The catalogue keeps the newest 256; once that many are kept, new ones are not told apart.)
     */
    private void newProblems(StringBuilder out, int before) {
        List<String> problems = catalogue.problems();
        for (int i = before; i < problems.size(); i++) {
            out.append("rejected: ").append(problems.get(i)).append('\n');
        }
    }

    /** Appends the bundle's personalities, what they are active on, and the nubs they match but do not drive. */
    private void report(StringBuilder out, Bundle bundle, boolean settled) {
        List<IOPersonality> mine = catalogue.personalities().stream().filter(p -> p.bundleId() == bundle.getBundleId()).toList();
        out.append("personalities: ").append(mine.isEmpty() ? "none valid"
                : mine.stream().map(p -> p.name() + " (" + p.ioClass() + " on " + p.providerClass() + ")")
                        .collect(Collectors.joining(", "))).append('\n');
        if (!settled) {
            out.append("matching has not settled after ").append(Drivers.SETTLE.toSeconds())
                    .append(" s; what follows may still change\n");
        }
        List<IOService> active = Drivers.activeInstances(registry, p -> p.bundleId() == bundle.getBundleId());
        if (active.isEmpty()) {
            out.append("matched: nothing\n");
        }
        for (IOService driver : active) {
            out.append("matched: ").append(driver.personality().name()).append(" on ").append(Drivers.nubPath(driver)).append('\n');
        }
        for (IOPersonality p : mine) {
            for (IOService nub : Drivers.services(registry)) {
                if (nub.isRegistered() && !nub.isInactive() && IOMatching.providerClassMatches(p, nub.getClass())
                        && IOMatching.match(p, nub).isPresent()
                        && active.stream().noneMatch(d -> p.equals(d.personality()) && d.getProvider() == nub)) {
                    out.append("not started: ").append(p.name()).append(" matches ").append(nub.getPath(IORegistryPlane.SERVICE))
                            .append(" but does not drive it (another driver won, or it failed to load or start: dmesg -l error)\n");
                }
            }
        }
    }

    // ================================================================ kextunload

    /** @return what was unloaded and what the nubs fell back to */
    @Descriptor("stop and uninstall a driver bundle: its driver instances terminate and their nubs are offered to the remaining drivers")
    public String kextunload(@Descriptor("the driver bundle's symbolic name or id") String bundleNameOrId) {
        Bundle bundle = driverBundle("kextunload", bundleNameOrId);
        String what = bundle.getSymbolicName() + " " + bundle.getVersion();
        Map<IOService, IOService> stopped = instancesOf(bundle);
        try {
            bundle.stop();
            bundle.uninstall();
        } catch (BundleException | RuntimeException e) {
            throw new IllegalStateException("kextunload: cannot unload " + what + " (bundle " + bundle.getBundleId() + "): " + e.getMessage(), e);
        }
        boolean settled = Drivers.settle(registry, Drivers.SETTLE);
        StringBuilder out = new StringBuilder();
        out.append("unloaded bundle ").append(bundle.getBundleId()).append(": ").append(what).append('\n');
        fallback(out, stopped, settled);
        return out.toString();
    }

    /** @return the bundle's active driver instances, each with its nub */
    private Map<IOService, IOService> instancesOf(Bundle bundle) {
        Map<IOService, IOService> out = new LinkedHashMap<>();
        for (IOService d : Drivers.activeInstances(registry, p -> p.bundleId() == bundle.getBundleId())) {
            out.put(d, d.getProvider());
        }
        return out;
    }

    /** Appends the stopped instances and, for each of their nubs, the drivers it has now. */
    private void fallback(StringBuilder out, Map<IOService, IOService> stopped, boolean settled) {
        out.append("stopped ").append(Drivers.count(stopped.size(), "driver instance")).append('\n');
        if (!settled) {
            out.append("matching has not settled after ").append(Drivers.SETTLE.toSeconds())
                    .append(" s; what follows may still change\n");
        }
        List<IOService> nubs = new ArrayList<>();
        stopped.forEach((driver, nub) -> {
            String path = nub == null ? null : nub.getPath(IORegistryPlane.SERVICE);
            out.append("  ").append(driver.personality().name()).append(" on ").append(path == null ? "-" : path).append('\n');
            if (nub != null && !nubs.contains(nub)) {
                nubs.add(nub);
            }
        });
        for (IOService nub : nubs) {
            String path = nub.getPath(IORegistryPlane.SERVICE);
            if (nub.isInactive() || path == null) {
                continue;
            }
            List<String> drivers = nub.getClients().stream()
                    .filter(c -> c.isStarted() && !c.isInactive() && c.personality() != null)
                    .map(c -> c.personality().name() + " (" + c.personality().bundle() + ")").toList();
            out.append(path).append(" now driven by ").append(drivers.isEmpty() ? "nothing" : String.join(", ", drivers)).append('\n');
        }
    }

    // ================================================================ kextreload

    /** @return what was reloaded and what matched */
    @Descriptor("update a driver bundle in place from its location: its instances stop, the new version is matched")
    public String kextreload(@Descriptor("the driver bundle's symbolic name or id") String bundleNameOrId) {
        return reload(null, bundleNameOrId, null);
    }

    /** @return what was reloaded and what matched */
    @Descriptor("update a driver bundle in place from a file or URL: its instances stop, the new version is matched")
    public String kextreload(CommandSession session,
            @Descriptor("the driver bundle's symbolic name or id") String bundleNameOrId,
            @Descriptor("the new bundle jar: a file path or a URL") String fileOrUrl) {
        return reload(session, bundleNameOrId, fileOrUrl);
    }

    private String reload(CommandSession session, String bundleNameOrId, String fileOrUrl) {
        Bundle bundle = driverBundle("kextreload", bundleNameOrId);
        String location = fileOrUrl == null ? null : location(session, "kextreload", fileOrUrl);
        String before = bundle.getSymbolicName() + " " + bundle.getVersion();
        Map<IOService, IOService> stopped = instancesOf(bundle);
        int problemsBefore = catalogue.problems().size();
        try {
            if (location == null) {
                bundle.update();
            } else {
                try (InputStream in = new URL(location).openStream()) {
                    bundle.update(in);
                }
            }
            if (bundle.getState() != Bundle.ACTIVE) {
                bundle.start();
            }
        } catch (BundleException | IOException | RuntimeException e) {
            throw new IllegalArgumentException("kextreload: cannot update " + before + " (bundle " + bundle.getBundleId() + ") from "
                    + (location == null ? "its location " + bundle.getLocation() : fileOrUrl) + ": " + e.getMessage(), e);
        }
        boolean settled = Drivers.settle(registry, Drivers.SETTLE);
        StringBuilder out = new StringBuilder();
        out.append("reloaded bundle ").append(bundle.getBundleId()).append(": ").append(before).append(" -> ")
                .append(bundle.getSymbolicName()).append(' ').append(bundle.getVersion())
                .append(" (").append(location == null ? bundle.getLocation() : location).append(")\n");
        if (!Drivers.isDriverBundle(bundle)) {
            out.append("note: the new version declares no sluice.personality capability; it drives nothing\n");
        }
        fallbackSummary(out, stopped);
        newProblems(out, problemsBefore);
        report(out, bundle, settled);
        return out.toString();
    }

    private static void fallbackSummary(StringBuilder out, Map<IOService, IOService> stopped) {
        out.append("stopped ").append(Drivers.count(stopped.size(), "driver instance")).append(" of the old version\n");
        stopped.forEach((driver, nub) -> {
            String path = nub == null ? null : nub.getPath(IORegistryPlane.SERVICE);
            out.append("  ").append(driver.personality().name()).append(" on ").append(path == null ? "-" : path).append('\n');
        });
    }

    /** @return the installed driver bundle with that id or symbolic name, or throws naming the argument */
    private Bundle driverBundle(String command, String nameOrId) {
        Bundle bundle;
        if (nameOrId.chars().allMatch(Character::isDigit) && !nameOrId.isEmpty()) {
            bundle = context.getBundle(Long.parseLong(nameOrId));
            if (bundle == null) {
                throw new IllegalArgumentException(command + ": no bundle with id " + nameOrId + " (kextstat lists driver bundles)");
            }
        } else {
            List<Bundle> named = Arrays.stream(context.getBundles()).filter(b -> nameOrId.equals(b.getSymbolicName())).toList();
            if (named.isEmpty()) {
                throw new IllegalArgumentException(command + ": no bundle named '" + nameOrId + "' (kextstat lists driver bundles)");
            }
            if (named.size() > 1) {
                throw new IllegalArgumentException(command + ": " + named.size() + " bundles are named '" + nameOrId + "' (ids "
                        + named.stream().map(b -> Long.toString(b.getBundleId())).collect(Collectors.joining(", ")) + "); give the id");
            }
            bundle = named.get(0);
        }
        if (!Drivers.isDriverBundle(bundle)) {
            throw new IllegalArgumentException(command + ": bundle " + bundle.getBundleId() + " (" + bundle.getSymbolicName()
                    + ") is not a driver bundle: it declares no sluice.personality capability");
        }
        return bundle;
    }

    private static void uninstallQuietly(Bundle bundle) {
        try {
            bundle.uninstall();
        } catch (BundleException | RuntimeException ignored) {
            // already gone; the error being reported matters more
        }
    }
}
