package dev.sluice.shell.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Formats registry property values the way macOS {@code ioreg -l} does: strings quoted, numbers
 * in decimal (in hex for keys ending in {@code ID}, such as registry entry ids), booleans as
 * {@code Yes}/{@code No}, lists and arrays as {@code (a, b)}, byte arrays as {@code <0a1b>},
 * maps as {@code {"k" = v, ...}}. Pure functions; thread-safe.
 */
final class PropertyValues {

    /** Containers nested deeper than this are shown as {@code ...} (guards self-containing values). */
    static final int MAX_NESTING = 8;

    private PropertyValues() {
    }

    /** @return {@code "key" = value} */
    static String entry(String key, Object value) {
        return quote(key) + " = " + format(key, value, 0);
    }

    /** @return the value formatted for the property {@code key} */
    static String format(String key, Object value) {
        return format(key, value, 0);
    }

    private static String format(String key, Object value, int nesting) {
        if (value == null) {
            return "null";
        }
        if (value instanceof CharSequence || value instanceof Character) {
            return quote(value.toString());
        }
        if (value instanceof Boolean) {
            return (Boolean) value ? "Yes" : "No";
        }
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            long n = ((Number) value).longValue();
            return isIdKey(key) ? "0x" + Long.toHexString(n) : Long.toString(n);
        }
        if (value instanceof Enum<?>) {
            return ((Enum<?>) value).name();
        }
        if (value instanceof byte[]) {
            StringBuilder hex = new StringBuilder("<");
            for (byte b : (byte[]) value) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.append('>').toString();
        }
        if (value instanceof Collection<?> || value.getClass().isArray()) {
            if (nesting >= MAX_NESTING) {
                return "(...)";
            }
            List<String> parts = new ArrayList<>();
            for (Object element : elements(value)) {
                parts.add(format(key, element, nesting + 1));
            }
            return "(" + String.join(", ", parts) + ")";
        }
        if (value instanceof Map<?, ?>) {
            if (nesting >= MAX_NESTING) {
                return "{...}";
            }
            Map<?, ?> map = (Map<?, ?>) value;
            Map<String, Object> ordered = map instanceof LinkedHashMap<?, ?> || map instanceof SortedMap<?, ?>
                    ? new LinkedHashMap<>() : new TreeMap<>();
            map.forEach((k, v) -> ordered.put(String.valueOf(k), v));
            List<String> parts = new ArrayList<>();
            ordered.forEach((k, v) -> parts.add(quote(k) + " = " + format(k, v, nesting + 1)));
            return "{" + String.join(", ", parts) + "}";
        }
        return value.toString();
    }

    /** @return true for keys whose numbers are identifiers, shown in hex ({@code IORegistryEntryID}, {@code vendorID}) */
    static boolean isIdKey(String key) {
        return key != null && (key.endsWith("ID") || key.endsWith("Id"));
    }

    private static List<Object> elements(Object value) {
        List<Object> out = new ArrayList<>();
        if (value instanceof Collection<?>) {
            out.addAll((Collection<?>) value);
        } else {
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(Array.get(value, i));
            }
        }
        return out;
    }

    /** @return the text in double quotes, with quotes, backslashes and control characters escaped */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\t': out.append("\\t"); break;
                case '\r': out.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }
}
