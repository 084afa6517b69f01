package dev.sluice.kernel.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One driver personality of the catalogue, parsed from a {@code sluice.personality} capability
 * (see {@link Personality}). Immutable. Keys not listed here are kept in {@link #properties()}
 * and copied into the driver's property table when it is instantiated, as I/O Kit does.
 *
 * @param name               the personality's name
 * @param bundle             symbolic name of the bundle that declared it
 * @param bundleId           id of that bundle
 * @param ioClass            fully qualified driver class
 * @param providerClass      required nub class (simple or fully qualified name)
 * @param nameMatch          names/compatible strings, any of which matches; empty = no constraint
 * @param propertyMatch      property tables, any of which must be a subset of the nub's; empty = none
 * @param propertyExistsMatch keys of which the nub must have one; empty = none
 * @param pathMatch          required registry path, or null
 * @param parentMatch        table some provider above the nub must contain, or empty
 * @param probeScore         initial probe score
 * @param matchCategory      match category
 * @param debugMask          initial debug mask
 * @param order              catalogue order (ties in probe score keep this order, S58)
 * @param properties         every attribute of the capability, for the driver's property table
 */
public record IOPersonality(String name, String bundle, long bundleId, String ioClass, String providerClass,
        List<String> nameMatch, List<Map<String, String>> propertyMatch, List<String> propertyExistsMatch,
        String pathMatch, Map<String, String> parentMatch, long probeScore, String matchCategory, long debugMask,
        long order, Map<String, Object> properties) {

    /** The capability namespace of personalities. */
    public static final String NAMESPACE = "sluice.personality";
    public static final String IO_CLASS = "IOClass";
    public static final String IO_PROVIDER_CLASS = "IOProviderClass";
    public static final String IO_NAME_MATCH = "IONameMatch";
    public static final String IO_PROPERTY_MATCH = "IOPropertyMatch";
    public static final String IO_PROPERTY_EXISTS_MATCH = "IOPropertyExistsMatch";
    public static final String IO_PATH_MATCH = "IOPathMatch";
    public static final String IO_PARENT_MATCH = "IOParentMatch";
    public static final String IO_PROBE_SCORE = "IOProbeScore";
    public static final String IO_MATCH_CATEGORY = "IOMatchCategory";
    public static final String IO_DEBUG_MASK = "IODebugMask";
    /** The category of personalities that name none. */
    public static final String DEFAULT_MATCH_CATEGORY = "IODefaultMatchCategory";

    private static final Set<String> LIST_KEYS = Set.of(IO_NAME_MATCH, IO_PROPERTY_MATCH, IO_PROPERTY_EXISTS_MATCH);

    public IOPersonality {
        nameMatch = List.copyOf(nameMatch);
        propertyMatch = List.copyOf(propertyMatch);
        propertyExistsMatch = List.copyOf(propertyExistsMatch);
        parentMatch = Map.copyOf(parentMatch);
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /**
     * Parses one capability's attributes.
     *
     * @param bundle     symbolic name of the declaring bundle (for messages)
     * @param bundleId   its id
     * @param order      catalogue order
     * @param attributes the capability's attributes
     * @return the personality
     * @throws PersonalityException naming bundle, personality and field when a value is missing or malformed
     */
    public static IOPersonality parse(String bundle, long bundleId, long order, Map<String, Object> attributes)
            throws PersonalityException {
        Objects.requireNonNull(attributes, "attributes");
        String ioClass = string(bundle, "?", attributes, IO_CLASS, true);
        if (ioClass.startsWith("${")) {
            throw fail(bundle, "?", IO_CLASS, "was not expanded by bnd: '" + ioClass + "'");
        }
        String simple = ioClass.substring(ioClass.lastIndexOf('.') + 1);
        String name = string(bundle, simple, attributes, NAMESPACE, false);
        if (name == null || name.isEmpty()) {
            name = simple;
        }
        if (!isJavaName(ioClass)) {
            throw fail(bundle, name, IO_CLASS, "must be a fully qualified class name, not '" + ioClass + "'");
        }
        String provider = string(bundle, name, attributes, IO_PROVIDER_CLASS, true);
        if (!isJavaName(provider)) {
            throw fail(bundle, name, IO_PROVIDER_CLASS, "must be a class name, not '" + provider + "'");
        }
        List<String> nameMatch = strings(bundle, name, attributes, IO_NAME_MATCH);
        List<Map<String, String>> propertyMatch = new ArrayList<>();
        for (String table : strings(bundle, name, attributes, IO_PROPERTY_MATCH)) {
            propertyMatch.add(table(bundle, name, IO_PROPERTY_MATCH, table));
        }
        List<String> exists = strings(bundle, name, attributes, IO_PROPERTY_EXISTS_MATCH);
        String path = string(bundle, name, attributes, IO_PATH_MATCH, false);
        String parentText = string(bundle, name, attributes, IO_PARENT_MATCH, false);
        Map<String, String> parent = parentText == null || parentText.isEmpty() ? Map.of() : table(bundle, name, IO_PARENT_MATCH, parentText);
        long score = number(bundle, name, attributes, IO_PROBE_SCORE, 0);
        String category = string(bundle, name, attributes, IO_MATCH_CATEGORY, false);
        long mask = number(bundle, name, attributes, IO_DEBUG_MASK, 0);
        return new IOPersonality(name, bundle, bundleId, ioClass, provider, nameMatch, propertyMatch, exists,
                path == null || path.isEmpty() ? null : path, parent, score,
                category == null || category.isEmpty() ? DEFAULT_MATCH_CATEGORY : category, mask, order, attributes);
    }

    private static String string(String bundle, String name, Map<String, Object> attrs, String key, boolean required)
            throws PersonalityException {
        Object v = attrs.get(key);
        if (v == null) {
            if (required) {
                throw fail(bundle, name, key, "is missing");
            }
            return null;
        }
        if (!(v instanceof String)) {
            throw fail(bundle, name, key, "must be a string, not " + describe(v));
        }
        String s = ((String) v).trim();
        if (required && s.isEmpty()) {
            throw fail(bundle, name, key, "is empty");
        }
        return s;
    }

    private static List<String> strings(String bundle, String name, Map<String, Object> attrs, String key)
            throws PersonalityException {
        Object v = attrs.get(key);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v instanceof String) {
            out.add((String) v);
        } else if (v instanceof List<?>) {
            for (Object o : (List<?>) v) {
                if (!(o instanceof String)) {
                    throw fail(bundle, name, key, "must be a list of strings, but holds " + describe(o));
                }
                out.add((String) o);
            }
        } else {
            throw fail(bundle, name, key, "must be a string or a list of strings, not " + describe(v));
        }
        for (String s : out) {
            if (s.isBlank()) {
                throw fail(bundle, name, key, "holds an empty string");
            }
        }
        return out;
    }

    private static long number(String bundle, String name, Map<String, Object> attrs, String key, long dflt)
            throws PersonalityException {
        Object v = attrs.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        if (v instanceof String) {
            String s = ((String) v).trim().toLowerCase(Locale.ROOT);
            try {
                return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw fail(bundle, name, key, "must be a whole number, not '" + v + "'");
            }
        }
        throw fail(bundle, name, key, "must be a whole number, not " + describe(v));
    }

    private static Map<String, String> table(String bundle, String name, String key, String text)
            throws PersonalityException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw fail(bundle, name, key, "entry '" + pair + "' of '" + text + "' is not key=value");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return out;
    }

    private static boolean isJavaName(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (String part : s.split("\\.")) {
            if (!Character.isJavaIdentifierStart(part.charAt(0))) {
                return false;
            }
            for (int i = 1; i < part.length(); i++) {
                if (!Character.isJavaIdentifierPart(part.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String describe(Object v) {
        return v.getClass().getSimpleName() + " '" + v + "'";
    }

    private static PersonalityException fail(String bundle, String name, String field, String what) {
        return new PersonalityException(field, "bundle " + bundle + ": personality " + name + ": " + field + " " + what);
    }

    /** @return true if the key is one of the list-valued matching keys */
    static boolean isListKey(String key) {
        return LIST_KEYS.contains(key);
    }
}
