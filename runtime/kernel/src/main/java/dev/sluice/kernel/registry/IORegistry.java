package dev.sluice.kernel.registry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One I/O registry: a root shared by every plane, an {@code IOResources} entry under it in the
 * service plane, lookup by path and by id, and walks. The kernel owns one instance; tests make
 * their own. Thread-safe; walks see a consistent snapshot of each entry's children.
 */
public final class IORegistry {

    private final IORegistryRoot root = new IORegistryRoot();
    private final IOResources resources = new IOResources();
    private final Map<Long, IORegistryEntry> byId = new ConcurrentHashMap<>();
    private final Object quietLock = new Object();
    private volatile IOServiceManager manager;

    public IORegistry() {
        track(root);
        resources.attachToRoot(this);
    }

    /** Installs the kernel's service manager (kernel use); null uninstalls it. */
    public void setManager(IOServiceManager manager) {
        this.manager = manager;
    }

    /** @return the kernel's service manager, or null when the registry runs without a kernel (unit tests) */
    public IOServiceManager manager() {
        return manager;
    }

    /** Monitor guarding busy counts; waitQuiet waits on it. */
    Object quietLock() {
        return quietLock;
    }

    /** @return the root entry */
    public IORegistryRoot root() {
        return root;
    }

    /** @return the {@code IOResources} nub, provider of resource-matched drivers */
    public IOResources resources() {
        return resources;
    }

    /**
     * Records an entry for lookup by id. Entries attached below the root are found by path
     * without this; ids need it because they are looked up without a walk.
     */
    public void track(IORegistryEntry entry) {
        byId.put(entry.getRegistryEntryID(), entry);
    }

    /** Forgets an entry recorded by {@link #track}. */
    public void untrack(IORegistryEntry entry) {
        byId.remove(entry.getRegistryEntryID(), entry);
    }

    /** @return the tracked entry with that id */
    public Optional<IORegistryEntry> fromId(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * Finds an entry by path, e.g. {@code IOService:/platform/uart@10000000}. A component
     * {@code name@location} must match both; a bare {@code name} matches the first child with
     * that name (any location).
     *
     * @return the entry, or empty if no entry has that path
     * @throws IllegalArgumentException naming the path if it has no {@code Plane:} prefix
     */
    public Optional<IORegistryEntry> fromPath(String path) {
        Objects.requireNonNull(path, "path");
        int colon = path.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("bad registry path '" + path + "': expected Plane:/a/b, e.g. IOService:/IOResources");
        }
        IORegistryPlane plane = new IORegistryPlane(path.substring(0, colon));
        IORegistryEntry at = root;
        for (String component : path.substring(colon + 1).split("/")) {
            if (component.isEmpty()) {
                continue;
            }
            IORegistryEntry next = null;
            for (IORegistryEntry child : at.getChildEntries(plane)) {
                if (matchesComponent(child, component)) {
                    next = child;
                    break;
                }
            }
            if (next == null) {
                return Optional.empty();
            }
            at = next;
        }
        return Optional.of(at);
    }

    /**
     * Visits the entries below {@code from} in {@code plane}, depth first, parents before
     * children, children in attach order; {@code from} itself is visited first. An entry with
     * several parents is visited once per path to it, as ioreg shows it.
     */
    public void walk(IORegistryEntry from, IORegistryPlane plane, Consumer<IORegistryEntry> visitor) {
        Deque<IORegistryEntry> stack = new ArrayDeque<>();
        stack.push(from);
        while (!stack.isEmpty()) {
            IORegistryEntry e = stack.pop();
            visitor.accept(e);
            List<IORegistryEntry> kids = new ArrayList<>(e.getChildEntries(plane));
            for (int i = kids.size() - 1; i >= 0; i--) {
                stack.push(kids.get(i));
            }
        }
    }

    /** @return every entry below the root in {@code plane}, in walk order (root first) */
    public List<IORegistryEntry> entries(IORegistryPlane plane) {
        List<IORegistryEntry> all = new ArrayList<>();
        walk(root, plane, all::add);
        return all;
    }

    private static boolean matchesComponent(IORegistryEntry e, String component) {
        int at = component.indexOf('@');
        if (at < 0) {
            return e.getName().equals(component);
        }
        return e.getName().equals(component.substring(0, at))
                && component.substring(at + 1).equalsIgnoreCase(String.valueOf(e.getLocation()));
    }
}
