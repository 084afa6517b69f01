package dev.sluice.kernel.catalog;

import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The matching rules of the catalogue (SEMANTICS S58-S60), as pure functions of a personality
 * and a nub. Thread-safe; runs on the matching thread ({@code IOConfig-N}).
 *
 * <ul>
 * <li>Candidates: personalities whose {@code IOProviderClass} is the nub's class or a superclass
 * (simple or fully qualified name), sorted by probe score, highest first, ties in catalogue order.
 * <li>Keys are ANDed; a list value matches if any element does.
 * <li>{@code IONameMatch}: the nub's name or any of its {@code compatible} strings; the matched
 * string is reported so the caller can record {@code IONameMatched}.
 * <li>{@code IOPropertyMatch}: a table is a subset of the nub's properties; a number matches a
 * property numerically (decimal or 0x hex), a string matches a string property or any element
 * of a list property.
 * <li>{@code IOPropertyExistsMatch}: the nub has at least one of the keys.
 * <li>{@code IOPathMatch}: the nub's path in the IOService or IODeviceTree plane equals it.
 * <li>{@code IOParentMatch}: some provider above the nub (service plane) has the table.
 * </ul>
 */
public final class IOMatching {

    /** Property recording which name or compatible string an IONameMatch matched. */
    public static final String IO_NAME_MATCHED = "IONameMatched";

    private IOMatching() {
    }

    /** The outcome of matching one personality against one nub. */
    public record Match(IOPersonality personality, String nameMatched) {
    }

    /** @return true if the nub's class or a superclass is the personality's IOProviderClass */
    public static boolean providerClassMatches(IOPersonality p, Class<?> nubClass) {
        for (Class<?> c = nubClass; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(p.providerClass()) || c.getSimpleName().equals(p.providerClass())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Candidates for a nub, best first (S58), keeping only those whose keys all match (S59).
     */
    public static List<Match> candidates(Collection<IOPersonality> catalogue, IORegistryEntry nub) {
        List<Match> out = new ArrayList<>();
        for (IOPersonality p : catalogue) {
            if (providerClassMatches(p, nub.getClass())) {
                match(p, nub).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparingLong((Match m) -> m.personality().probeScore()).reversed()
                .thenComparingLong(m -> m.personality().order()));
        return out;
    }

    /**
     * Tests every matching key except the provider class.
     *
     * @return the match, with the matched name if IONameMatch was given, or empty
     */
    public static Optional<Match> match(IOPersonality p, IORegistryEntry nub) {
        String nameMatched = null;
        if (!p.nameMatch().isEmpty()) {
            nameMatched = nameMatch(p.nameMatch(), nub);
            if (nameMatched == null) {
                return Optional.empty();
            }
        }
        if (!p.propertyMatch().isEmpty() && p.propertyMatch().stream().noneMatch(t -> tableMatches(t, nub))) {
            return Optional.empty();
        }
        if (!p.propertyExistsMatch().isEmpty() && p.propertyExistsMatch().stream().noneMatch(k -> nub.getProperty(k) != null)) {
            return Optional.empty();
        }
        if (p.pathMatch() != null && !p.pathMatch().equals(nub.getPath(IORegistryPlane.SERVICE))
                && !p.pathMatch().equals(nub.getPath(IORegistryPlane.DEVICE_TREE))) {
            return Optional.empty();
        }
        if (!p.parentMatch().isEmpty() && !parentMatches(p.parentMatch(), nub)) {
            return Optional.empty();
        }
        return Optional.of(new Match(p, nameMatched));
    }

    /** @return the first of {@code names} equal to the nub's name or one of its compatible strings, or null */
    public static String nameMatch(List<String> names, IORegistryEntry nub) {
        List<String> nubNames = new ArrayList<>();
        nubNames.add(nub.getName());
        nubNames.addAll(strings(nub.getProperty("compatible")));
        Object ioName = nub.getProperty("IOName");
        if (ioName instanceof String) {
            nubNames.add((String) ioName);
        }
        for (String wanted : names) {
            if (nubNames.contains(wanted)) {
                return wanted;
            }
        }
        return null;
    }

    /** @return true if every key of {@code table} is a property of the entry with a matching value */
    public static boolean tableMatches(Map<String, String> table, IORegistryEntry entry) {
        for (Map.Entry<String, String> want : table.entrySet()) {
            Object have = "IOName".equals(want.getKey()) && entry.getProperty("IOName") == null
                    ? entry.getName() : entry.getProperty(want.getKey());
            if (!valueMatches(want.getValue(), have)) {
                return false;
            }
        }
        return true;
    }

    private static boolean parentMatches(Map<String, String> table, IORegistryEntry nub) {
        List<IORegistryEntry> todo = new ArrayList<>(nub.getParentEntries(IORegistryPlane.SERVICE));
        while (!todo.isEmpty()) {
            IORegistryEntry e = todo.remove(0);
            if (tableMatches(table, e)) {
                return true;
            }
            todo.addAll(e.getParentEntries(IORegistryPlane.SERVICE));
        }
        return false;
    }

    static boolean valueMatches(String wanted, Object have) {
        if (have == null) {
            return false;
        }
        if (have instanceof Number) {
            Long w = parseNumber(wanted);
            return w != null && w == ((Number) have).longValue();
        }
        if (have instanceof Boolean) {
            return wanted.equalsIgnoreCase(have.toString());
        }
        if (have instanceof String) {
            return wanted.equals(have);
        }
        if (have instanceof Collection<?> || have.getClass().isArray()) {
            for (Object element : elements(have)) {
                if (valueMatches(wanted, element)) {
                    return true;
                }
            }
            return false;
        }
        return wanted.equals(have.toString());
    }

    private static Long parseNumber(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<Object> elements(Object v) {
        List<Object> out = new ArrayList<>();
        if (v instanceof Collection<?>) {
            out.addAll((Collection<?>) v);
        } else if (v != null && v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(Array.get(v, i));
            }
        }
        return out;
    }

    private static List<String> strings(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof String) {
            out.add((String) v);
        } else {
            for (Object o : elements(v)) {
                if (o instanceof String) {
                    out.add((String) o);
                }
            }
        }
        return out;
    }
}
