package dev.sluice.kernel.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A node of the I/O registry: a property table plus parent/child links in named
 * {@link IORegistryPlane planes} (SEMANTICS S57). Links are always kept both ways; ids are
 * unique in the JVM and only increase; an entry can be neither its own parent nor its own
 * ancestor.
 *
 * <p>Threads: every method may be called from any thread except primary interrupt context.
 * Topology changes and walks share one registry-wide read/write lock (as xnu's registry lock);
 * the property table has its own monitor, so reading properties never waits for a topology
 * change.
 */
public class IORegistryEntry {

    /** Topology lock shared by every entry (xnu's gIORegistryLock). */
    static final ReentrantReadWriteLock TOPOLOGY = new ReentrantReadWriteLock();
    private static final AtomicLong NEXT_ID = new AtomicLong(0x100000000L);

    private final long id = NEXT_ID.getAndIncrement();
    private final Map<String, Object> properties = new HashMap<>();
    private final Map<IORegistryPlane, List<IORegistryEntry>> parents = new HashMap<>();
    private final Map<IORegistryPlane, List<IORegistryEntry>> children = new HashMap<>();
    private volatile String name;
    private volatile String location;

    /** Creates a detached entry named after its class. */
    public IORegistryEntry() {
        this.name = getClass().getSimpleName();
    }

    /** Creates a detached entry with a name and optional location (unit address). */
    public IORegistryEntry(String name, String location) {
        this.name = checkName(name);
        this.location = location;
    }

    /** @return the registry id, unique in this JVM and increasing with creation order */
    public final long getRegistryEntryID() {
        return id;
    }

    /** @return the entry's name (a driver's defaults to its class's simple name) */
    public final String getName() {
        return name;
    }

    /** Renames the entry, e.g. after a board node. */
    public final void setName(String name) {
        this.name = checkName(name);
    }

    /** @return the location (unit address) shown after '@' in paths, or null */
    public final String getLocation() {
        return location;
    }

    public final void setLocation(String location) {
        this.location = location;
    }

    // ---------------------------------------------------------------- properties

    /** @return the property value, or null */
    public final Object getProperty(String key) {
        synchronized (properties) {
            return properties.get(key);
        }
    }

    /** Sets a property; a null value removes it. */
    public final void setProperty(String key, Object value) {
        Objects.requireNonNull(key, "key");
        synchronized (properties) {
            if (value == null) {
                properties.remove(key);
            } else {
                properties.put(key, value);
            }
        }
        propertiesChanged();
    }

    /** Sets several properties at once; null values remove keys. */
    public final void setProperties(Map<String, ?> values) {
        synchronized (properties) {
            values.forEach((k, v) -> {
                if (v == null) {
                    properties.remove(k);
                } else {
                    properties.put(k, v);
                }
            });
        }
        propertiesChanged();
    }

    public final void removeProperty(String key) {
        setProperty(key, null);
    }

    /** @return a sorted snapshot of the property table */
    public final Map<String, Object> getProperties() {
        synchronized (properties) {
            return Collections.unmodifiableMap(new TreeMap<>(properties));
        }
    }

    /** Hook called after properties changed, outside the property monitor. */
    protected void propertiesChanged() {
    }

    // ---------------------------------------------------------------- topology

    /**
     * Links this entry under {@code parent} in {@code plane}, both ways.
     *
     * @return true if linked, false if it already was
     * @throws IllegalArgumentException if the link would make the entry its own parent or ancestor
     */
    public boolean attachToParent(IORegistryEntry parent, IORegistryPlane plane) {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(plane, "plane");
        TOPOLOGY.writeLock().lock();
        try {
            if (parent == this || parent.hasAncestor(this, plane)) {
                throw new IllegalArgumentException("cannot attach " + this + " under " + parent + " in " + plane
                        + ": an entry cannot be its own parent or ancestor");
            }
            List<IORegistryEntry> mine = parents.computeIfAbsent(plane, p -> new ArrayList<>(1));
            if (mine.contains(parent)) {
                return false;
            }
            mine.add(parent);
            parent.children.computeIfAbsent(plane, p -> new ArrayList<>(2)).add(this);
            return true;
        } finally {
            TOPOLOGY.writeLock().unlock();
        }
    }

    /** Unlinks this entry from {@code parent} in {@code plane}, both ways. @return true if it was linked */
    public boolean detachFromParent(IORegistryEntry parent, IORegistryPlane plane) {
        TOPOLOGY.writeLock().lock();
        try {
            List<IORegistryEntry> mine = parents.get(plane);
            if (mine == null || !mine.remove(parent)) {
                return false;
            }
            if (mine.isEmpty()) {
                parents.remove(plane);
            }
            List<IORegistryEntry> theirs = parent.children.get(plane);
            if (theirs != null) {
                theirs.remove(this);
                if (theirs.isEmpty()) {
                    parent.children.remove(plane);
                }
            }
            return true;
        } finally {
            TOPOLOGY.writeLock().unlock();
        }
    }

    /** Detaches from every parent in every plane and every child from this entry. */
    public void detachAll() {
        TOPOLOGY.writeLock().lock();
        try {
            for (IORegistryPlane plane : new ArrayList<>(parents.keySet())) {
                for (IORegistryEntry p : new ArrayList<>(parents.getOrDefault(plane, List.of()))) {
                    detachFromParent(p, plane);
                }
            }
            for (IORegistryPlane plane : new ArrayList<>(children.keySet())) {
                for (IORegistryEntry c : new ArrayList<>(children.getOrDefault(plane, List.of()))) {
                    c.detachFromParent(this, plane);
                }
            }
        } finally {
            TOPOLOGY.writeLock().unlock();
        }
    }

    /** @return the first parent in {@code plane}, or null */
    public final IORegistryEntry getParentEntry(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            List<IORegistryEntry> list = parents.get(plane);
            return list == null || list.isEmpty() ? null : list.get(0);
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return a snapshot of the parents in {@code plane}, in attach order */
    public final List<IORegistryEntry> getParentEntries(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            return List.copyOf(parents.getOrDefault(plane, List.of()));
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return the first child in {@code plane}, or null */
    public final IORegistryEntry getChildEntry(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            List<IORegistryEntry> list = children.get(plane);
            return list == null || list.isEmpty() ? null : list.get(0);
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return a snapshot of the children in {@code plane}, in attach order */
    public final List<IORegistryEntry> getChildEntries(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            return List.copyOf(children.getOrDefault(plane, List.of()));
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return true if this entry has at least one parent in {@code plane} */
    public final boolean inPlane(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            return parents.containsKey(plane) || children.containsKey(plane);
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return true if {@code other} is a parent, grandparent, ... of this entry in {@code plane} */
    public final boolean hasAncestor(IORegistryEntry other, IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            List<IORegistryEntry> todo = new ArrayList<>(parents.getOrDefault(plane, List.of()));
            java.util.Set<IORegistryEntry> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            while (!todo.isEmpty()) {
                IORegistryEntry e = todo.remove(todo.size() - 1);
                if (e == other) {
                    return true;
                }
                if (seen.add(e)) {
                    todo.addAll(e.parents.getOrDefault(plane, List.of()));
                }
            }
            return false;
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return the path component: {@code name} or {@code name@location} */
    public final String getPathComponent() {
        String loc = location;
        return loc == null || loc.isEmpty() ? name : name + "@" + loc;
    }

    /**
     * The entry's path in {@code plane} through first parents, e.g.
     * {@code IOService:/platform/uart@10000000/Serial16550}; the root's path is {@code IOService:/}.
     *
     * @return the path, or null if the entry is not reachable from a root in that plane
     */
    public final String getPath(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            List<String> parts = new ArrayList<>();
            IORegistryEntry e = this;
            while (true) {
                List<IORegistryEntry> ps = e.parents.get(plane);
                if (ps == null || ps.isEmpty()) {
                    if (!(e instanceof IORegistryRoot)) {
                        return null;
                    }
                    break;
                }
                parts.add(e.getPathComponent());
                e = ps.get(0);
            }
            Collections.reverse(parts);
            return plane.name() + ":/" + String.join("/", parts);
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    /** @return the depth below the root in {@code plane} through first parents (root = 0), or -1 */
    public final int getDepth(IORegistryPlane plane) {
        TOPOLOGY.readLock().lock();
        try {
            int depth = 0;
            IORegistryEntry e = this;
            while (true) {
                List<IORegistryEntry> ps = e.parents.get(plane);
                if (ps == null || ps.isEmpty()) {
                    return e instanceof IORegistryRoot ? depth : -1;
                }
                depth++;
                e = ps.get(0);
            }
        } finally {
            TOPOLOGY.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + getPathComponent() + ", id 0x" + Long.toHexString(id) + ")";
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.contains(":")) {
            throw new IllegalArgumentException("bad registry entry name '" + name + "': must be non-empty without '/' or ':'");
        }
        return name;
    }
}
