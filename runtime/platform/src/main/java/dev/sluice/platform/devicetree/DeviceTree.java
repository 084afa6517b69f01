package dev.sluice.platform.devicetree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A whole board description: the root node, the memory reservation map and the boot CPU, with
 * lookups by path, phandle, label and alias.
 *
 * <p>Trees are immutable; make one with {@link DtsParser}, {@link DtbReader} or
 * {@link Boards}. Two trees are equal when they would compile to the same blob: equal
 * reservations, boot CPU and root node (names, property bytes and order, children and order).
 * Labels and source locations do not take part, since a blob does not keep them.
 */
public final class DeviceTree {

    private final DeviceTreeNode root;
    private final List<MemoryReservation> reservations;
    private final long bootCpuId;
    private final Map<String, DeviceTreeNode> byPath = new HashMap<>();
    private final Map<Integer, DeviceTreeNode> byPhandle = new HashMap<>();
    private final Map<String, DeviceTreeNode> byLabel = new LinkedHashMap<>();
    private final List<DeviceTreeNode> nodes = new ArrayList<>();

    /**
     * Freezes a built tree and indexes it.
     *
     * @throws DevicetreeException if two nodes have the same phandle or a phandle is 0 or ~0
     */
    DeviceTree(MutableNode root, List<MemoryReservation> reservations, long bootCpuId) throws DevicetreeException {
        this.reservations = List.copyOf(reservations);
        this.bootCpuId = bootCpuId;
        this.root = new DeviceTreeNode(this, null, root);
        index(this.root);
    }

    private void index(DeviceTreeNode node) throws DevicetreeException {
        nodes.add(node);
        byPath.put(node.path(), node);
        for (String label : node.labels()) {
            byLabel.put(label, node);
        }
        OptionalInt ph = node.phandle();
        if (ph.isPresent()) {
            int v = ph.getAsInt();
            DeviceTreeProperty prop = node.property("phandle").orElseGet(() -> node.property("linux,phandle").get());
            if (v == 0 || v == -1) {
                throw prop.error("phandle 0x" + Integer.toHexString(v) + " is reserved");
            }
            DeviceTreeNode other = byPhandle.putIfAbsent(v, node);
            if (other != null && other != node) {
                throw prop.error("phandle 0x" + Integer.toHexString(v) + " is already used by " + other.path());
            }
        }
        for (DeviceTreeNode c : node.children()) {
            index(c);
        }
    }

    /** @return the root node {@code /} */
    public DeviceTreeNode root() {
        return root;
    }

    /** @return the memory reservation map, in order */
    public List<MemoryReservation> memoryReservations() {
        return reservations;
    }

    /** @return the physical id of the boot CPU from the blob header (0 for source) */
    public long bootCpuId() {
        return bootCpuId;
    }

    /** @return every node, parents before children, siblings in order */
    public List<DeviceTreeNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** @return every label and the node it names, in tree order */
    public Map<String, DeviceTreeNode> labels() {
        return Collections.unmodifiableMap(byLabel);
    }

    /**
     * Finds a node by path. Components may leave out the unit address where only one child
     * has that base name ({@code /memory} for {@code /memory@80000000}). A path not starting
     * with {@code /} begins with an alias from {@code /aliases} ({@code serial0} or
     * {@code serial0/child}).
     *
     * @param nodePath a path such as {@code /cpus/cpu@0}
     * @return the node, if there is one
     */
    public Optional<DeviceTreeNode> findByPath(String nodePath) {
        Objects.requireNonNull(nodePath, "nodePath");
        DeviceTreeNode exact = byPath.get(nodePath);
        if (exact != null) {
            return Optional.of(exact);
        }
        DeviceTreeNode at;
        String rest;
        if (nodePath.startsWith("/")) {
            at = root;
            rest = nodePath.substring(1);
        } else {
            int slash = nodePath.indexOf('/');
            String alias = slash < 0 ? nodePath : nodePath.substring(0, slash);
            Optional<DeviceTreeNode> base = aliasTarget(alias);
            if (base.isEmpty()) {
                return Optional.empty();
            }
            at = base.get();
            rest = slash < 0 ? "" : nodePath.substring(slash + 1);
        }
        for (String component : rest.split("/")) {
            if (component.isEmpty()) {
                continue;
            }
            Optional<DeviceTreeNode> next = at.child(component);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            at = next.get();
        }
        return Optional.of(at);
    }

    /**
     * @param phandle a phandle value
     * @return the node with that {@code phandle} (or {@code linux,phandle}), if any
     */
    public Optional<DeviceTreeNode> findByPhandle(int phandle) {
        return Optional.ofNullable(byPhandle.get(phandle));
    }

    /**
     * @param label a source label, without {@code &} or {@code :}
     * @return the node carrying that label, if any (trees read from blobs have no labels)
     */
    public Optional<DeviceTreeNode> findByLabel(String label) {
        return Optional.ofNullable(byLabel.get(label));
    }

    /**
     * @param alias a property name in {@code /aliases}, such as {@code serial0}
     * @return the node the alias names, if the alias exists and its path leads to a node
     */
    public Optional<DeviceTreeNode> aliasTarget(String alias) {
        Optional<DeviceTreeProperty> p = byPath.containsKey("/aliases")
                ? byPath.get("/aliases").property(alias) : Optional.empty();
        if (p.isEmpty()) {
            return Optional.empty();
        }
        try {
            String target = p.get().asString();
            return target.startsWith("/") ? findByPath(target) : Optional.empty();
        } catch (DevicetreeException e) {
            return Optional.empty();
        }
    }

    /**
     * Resolves {@code /chosen/stdout-path}: a path or alias, optionally followed by
     * {@code :options}, which are split off.
     *
     * @return the console and its options, empty when {@code /chosen} has no {@code stdout-path}
     * @throws DevicetreeException if the property is not one string or names no node
     */
    public Optional<ChosenStdout> stdout() throws DevicetreeException {
        Optional<DeviceTreeNode> chosen = findByPath("/chosen");
        Optional<DeviceTreeProperty> p = chosen.flatMap(c -> c.property("stdout-path"));
        if (p.isEmpty()) {
            return Optional.empty();
        }
        String value = p.get().asString();
        int colon = value.indexOf(':');
        String target = colon < 0 ? value : value.substring(0, colon);
        Optional<String> options = colon < 0 ? Optional.empty() : Optional.of(value.substring(colon + 1));
        Optional<DeviceTreeNode> node = findByPath(target);
        if (node.isEmpty()) {
            throw p.get().error(target.startsWith("/")
                    ? "'" + target + "' names no node"
                    : "'" + target + "' is neither a path nor an alias in /aliases that leads to a node");
        }
        return Optional.of(new ChosenStdout(node.get(), options));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceTree t && bootCpuId == t.bootCpuId && reservations.equals(t.reservations)
                && root.equals(t.root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    /** @return the tree in source form */
    @Override
    public String toString() {
        return DtsPrinter.print(this);
    }
}
