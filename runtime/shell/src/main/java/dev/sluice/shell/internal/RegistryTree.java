package dev.sluice.shell.internal;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Draws one plane of an {@link IORegistry} as macOS {@code ioreg} does:
 *
 * <pre>
 * +-o Root  &lt;class IORegistryRoot, id 0x100000000&gt;
 *   +-o IOResources  &lt;class IOResources, id 0x100000001, registered, matched, active, busy 0&gt;
 *     +-o uart@1000  &lt;class IOService, id 0x100000007, registered, matched, active, busy 0&gt;
 * </pre>
 *
 * An IOService's flags are {@code registered} (registerService was called), {@code matched}
 * (registered and no matching or termination in progress at or below it, i.e. busy 0),
 * {@code active} ({@code !active} once termination began) and its busy count. With properties on,
 * each entry's table follows its line as {@code "key" = value} between braces. An entry with
 * several parents is drawn under each. Pure function of the registry's state; thread-safe.
 */
final class RegistryTree {

    /**
     * What to draw.
     *
     * @param plane      the plane to walk
     * @param properties show property tables
     * @param className  only entries of this class or a subclass (simple or qualified name), or null
     * @param name       only entries with this name or name@location, or null
     * @param rooted     with a class or name filter: draw the subtrees rooted at matches instead of
     *                   the matches and their ancestors
     * @param depth      levels to draw (1 = the start entry only), 0 for all; with {@code rooted}
     *                   it applies to each subtree
     * @param width      clip lines to this many characters, 0 for no limit
     */
    record Options(IORegistryPlane plane, boolean properties, String className, String name, boolean rooted,
            int depth, int width) {

        boolean filtered() {
            return className != null || name != null;
        }
    }

    private record Node(IORegistryEntry entry, List<Node> children) {
    }

    private final Options options;
    private final StringBuilder out = new StringBuilder();

    private RegistryTree(Options options) {
        this.options = options;
    }

    /** @return the drawing, one line per entry (and per property with properties on) */
    static String render(IORegistry registry, Options options) {
        RegistryTree tree = new RegistryTree(options);
        Node root = build(registry.root(), options.plane());
        if (!options.filtered()) {
            tree.draw(limit(root, options.depth()), "", false);
        } else if (options.rooted()) {
            List<Node> matches = new ArrayList<>();
            tree.collectMatches(root, matches);
            for (Node m : matches) {
                tree.draw(limit(m, options.depth()), "", false);
            }
        } else {
            Node kept = tree.prune(limit(root, options.depth()));
            if (kept != null) {
                tree.draw(kept, "", false);
            }
        }
        String text = tree.out.toString();
        while (text.endsWith("\n\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }

    private static Node build(IORegistryEntry entry, IORegistryPlane plane) {
        List<Node> kids = new ArrayList<>();
        for (IORegistryEntry child : entry.getChildEntries(plane)) {
            kids.add(build(child, plane));
        }
        return new Node(entry, kids);
    }

    /** @return the node cut to {@code depth} levels (0 = all) */
    private static Node limit(Node node, int depth) {
        if (depth == 0) {
            return node;
        }
        if (depth == 1) {
            return new Node(node.entry(), List.of());
        }
        List<Node> kids = new ArrayList<>();
        for (Node child : node.children()) {
            kids.add(limit(child, depth - 1));
        }
        return new Node(node.entry(), kids);
    }

    /** Keeps the matches and their ancestors; null if nothing at or below matches. */
    private Node prune(Node node) {
        List<Node> kids = new ArrayList<>();
        for (Node child : node.children()) {
            Node kept = prune(child);
            if (kept != null) {
                kids.add(kept);
            }
        }
        if (kids.isEmpty() && !matches(node.entry())) {
            return null;
        }
        return new Node(node.entry(), kids);
    }

    /** Matches in walk order; the matches inside an earlier match's subtree are drawn with it. */
    private void collectMatches(Node node, List<Node> into) {
        if (matches(node.entry())) {
            into.add(node);
            return;
        }
        for (Node child : node.children()) {
            collectMatches(child, into);
        }
    }

    boolean matches(IORegistryEntry e) {
        if (options.className() != null && !isInstance(e, options.className())) {
            return false;
        }
        return options.name() == null || hasName(e, options.name());
    }

    /** @return true if the entry's class or a superclass has this simple or fully qualified name */
    static boolean isInstance(IORegistryEntry e, String className) {
        for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(className) || c.getSimpleName().equals(className)) {
                return true;
            }
        }
        return false;
    }

    /** @return true if {@code name} is the entry's name, or its name@location (location case-insensitive) */
    static boolean hasName(IORegistryEntry e, String name) {
        int at = name.indexOf('@');
        if (at < 0) {
            return e.getName().equals(name);
        }
        return e.getName().equals(name.substring(0, at)) && name.substring(at + 1).equalsIgnoreCase(String.valueOf(e.getLocation()));
    }

    private void draw(Node node, String prefix, boolean moreSiblings) {
        IORegistryEntry e = node.entry();
        line(prefix + "+-o " + e.getPathComponent() + "  " + describe(e));
        String inner = prefix + (moreSiblings ? "| " : "  ");
        if (options.properties() && (!options.filtered() || options.rooted() || matches(e))) {
            String bar = inner + (node.children().isEmpty() ? "  " : "| ");
            line(bar + "{");
            for (Map.Entry<String, Object> p : e.getProperties().entrySet()) {
                line(bar + "  " + PropertyValues.entry(p.getKey(), p.getValue()));
            }
            line(bar + "}");
            line(bar);
        }
        List<Node> kids = node.children();
        for (int i = 0; i < kids.size(); i++) {
            draw(kids.get(i), inner, i < kids.size() - 1);
        }
    }

    /** @return the part in angle brackets after the entry's name */
    static String describe(IORegistryEntry e) {
        Class<?> c = e.getClass();
        String cls = c.getSimpleName().isEmpty() ? c.getName() : c.getSimpleName();
        StringBuilder d = new StringBuilder("<class ").append(cls).append(", id 0x")
                .append(Long.toHexString(e.getRegistryEntryID()));
        if (e instanceof IOService) {
            IOService s = (IOService) e;
            int busy = s.getBusyState();
            d.append(s.isRegistered() ? ", registered" : ", !registered")
                    .append(s.isRegistered() && busy == 0 ? ", matched" : ", !matched")
                    .append(s.isInactive() ? ", !active" : ", active")
                    .append(", busy ").append(busy);
        }
        return d.append('>').toString();
    }

    private void line(String text) {
        int width = options.width();
        String clipped = width > 0 && text.length() > width ? text.substring(0, width) : text;
        out.append(clipped.stripTrailing()).append('\n');
    }
}
