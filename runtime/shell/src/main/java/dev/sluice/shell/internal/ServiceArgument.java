package dev.sluice.shell.internal;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How shell commands name a service: a registry path ({@code IOService:/a/b}), a registry id
 * ({@code 0x100000012}), or a name (IOName, or a driver's personality name). Every failure is an
 * {@link IllegalArgumentException} with one line of text prefixed by the command's name.
 */
final class ServiceArgument {

    private ServiceArgument() {
    }

    /** @return true if the text looks like a registry path */
    static boolean isPath(String arg) {
        return arg.contains(":/");
    }

    /** @return true if the text looks like a registry id */
    static boolean isId(String arg) {
        return arg.toLowerCase(Locale.ROOT).startsWith("0x");
    }

    /**
     * Resolves exactly one service.
     *
     * @throws IllegalArgumentException for an unknown path, id or name, or an ambiguous name (listing the candidates)
     */
    static IOService resolve(IORegistry registry, String arg, String command) {
        List<IOService> found = candidates(registry, arg, command);
        if (found.isEmpty()) {
            throw new IllegalArgumentException(command + ": unknown service '" + arg
                    + "' (give a registry path IOService:/..., an IOName or a registry id 0x...)");
        }
        if (found.size() > 1) {
            StringBuilder b = new StringBuilder(command + ": '" + arg + "' is ambiguous, " + found.size() + " services match:");
            for (IOService s : found) {
                b.append(' ').append(describe(s)).append(';');
            }
            b.setLength(b.length() - 1);
            throw new IllegalArgumentException(b.append(" (use a path or an id)").toString());
        }
        return found.get(0);
    }

    /**
     * @return the services the argument names: one for a path or id (none if unknown); for a
     * name, the services whose driver personality has that name, else those with that IOName
     */
    static List<IOService> candidates(IORegistry registry, String arg, String command) {
        if (isPath(arg)) {
            Optional<IORegistryEntry> e;
            try {
                e = registry.fromPath(arg);
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(command + ": " + bad.getMessage());
            }
            return e.filter(IOService.class::isInstance).map(IOService.class::cast).map(List::of).orElse(List.of());
        }
        if (isId(arg)) {
            long id;
            try {
                id = Long.parseUnsignedLong(arg.substring(2), 16);
            } catch (NumberFormatException bad) {
                throw new IllegalArgumentException(command + ": '" + arg + "' is not a registry id (0x followed by hex digits)");
            }
            return registry.fromId(id).filter(IOService.class::isInstance).map(IOService.class::cast).map(List::of).orElse(List.of());
        }
        List<IOService> byPersonality = new ArrayList<>();
        List<IOService> byName = new ArrayList<>();
        for (IOService s : services(registry)) {
            if (s.personality() != null && s.personality().name().equals(arg)) {
                byPersonality.add(s);
            }
            if (s.getName().equals(arg)) {
                byName.add(s);
            }
        }
        return byName.isEmpty() ? byPersonality : byName;
    }

    /** @return every IOService in the service plane, once each, in walk order */
    static List<IOService> services(IORegistry registry) {
        List<IOService> out = new ArrayList<>();
        for (IORegistryEntry e : registry.entries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService s && !out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** @return path and id, e.g. {@code IOService:/IOResources/uc@1/UCTestDriver (id 0x100000012)} */
    static String describe(IOService s) {
        String path = s.getPath(IORegistryPlane.SERVICE);
        return (path == null ? s.getPathComponent() : path) + " (id 0x" + Long.toHexString(s.getRegistryEntryID()) + ")";
    }
}
