package dev.sluice.platform.devicetree;

import dev.sluice.models.BackendSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One node of a {@link DeviceTree}: a name with optional unit address, ordered properties,
 * ordered children, and the decoders the platform expert needs ({@code reg},
 * {@code interrupts}, {@code status}, {@code compatible}, {@code sluice,backend}).
 *
 * <p>Nodes are immutable and belong to exactly one tree. Two nodes are equal when their names,
 * properties (name and bytes, in order) and children (recursively, in order) are equal;
 * labels and source locations do not take part.
 */
public final class DeviceTreeNode {

    /** {@code #address-cells} when a node does not say (Devicetree Specification 2.3.5). */
    public static final int DEFAULT_ADDRESS_CELLS = 2;
    /** {@code #size-cells} when a node does not say (Devicetree Specification 2.3.5). */
    public static final int DEFAULT_SIZE_CELLS = 1;

    private final DeviceTree tree;
    private final DeviceTreeNode parent;
    private final String name;
    private final String path;
    private final List<String> labels;
    private final SourceLocation location;
    private final Map<String, DeviceTreeProperty> properties;
    private final List<DeviceTreeNode> children;

    DeviceTreeNode(DeviceTree tree, DeviceTreeNode parent, MutableNode source) {
        this.tree = tree;
        this.parent = parent;
        this.name = source.name;
        this.path = source.path();
        this.labels = List.copyOf(source.labels);
        this.location = source.location;
        Map<String, DeviceTreeProperty> props = new LinkedHashMap<>();
        for (MutableProperty p : source.properties.values()) {
            props.put(p.name, new DeviceTreeProperty(p.name, p.bytes(), p.labels, p.location, path, p.chunks));
        }
        this.properties = Collections.unmodifiableMap(props);
        List<DeviceTreeNode> kids = new ArrayList<>();
        for (MutableNode c : source.children.values()) {
            kids.add(new DeviceTreeNode(tree, this, c));
        }
        this.children = List.copyOf(kids);
    }

    /** @return the tree this node belongs to */
    public DeviceTree tree() {
        return tree;
    }

    /** @return the full node name, {@code uart@10000000}; the root's name is empty */
    public String name() {
        return name;
    }

    /** @return the name without unit address, {@code uart} for {@code uart@10000000} */
    public String baseName() {
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(0, at);
    }

    /** @return the unit address, {@code 10000000} for {@code uart@10000000}, if any */
    public Optional<String> unitAddress() {
        int at = name.indexOf('@');
        return at < 0 ? Optional.empty() : Optional.of(name.substring(at + 1));
    }

    /** @return the full path, {@code /} for the root, {@code /soc/uart@10000000} below */
    public String path() {
        return path;
    }

    /** @return labels attached to the node in source, in definition order (none from a blob) */
    public List<String> labels() {
        return labels;
    }

    /** @return where the node was first defined */
    public SourceLocation location() {
        return location;
    }

    /** @return true for the root node */
    public boolean isRoot() {
        return parent == null;
    }

    /** @return the parent node, empty for the root */
    public Optional<DeviceTreeNode> parent() {
        return Optional.ofNullable(parent);
    }

    /** @return properties in definition order */
    public List<DeviceTreeProperty> properties() {
        return List.copyOf(properties.values());
    }

    /**
     * @param propertyName a property name
     * @return the property, if the node has it
     */
    public Optional<DeviceTreeProperty> property(String propertyName) {
        return Optional.ofNullable(properties.get(propertyName));
    }

    /**
     * @param propertyName a property name
     * @return true if the node has the property (for booleans such as {@code interrupt-controller})
     */
    public boolean hasProperty(String propertyName) {
        return properties.containsKey(propertyName);
    }

    /** @return children in definition order */
    public List<DeviceTreeNode> children() {
        return children;
    }

    /**
     * @param childName a full child name ({@code uart@1000}), or a base name that only one child has
     * @return the child, if exactly one matches
     */
    public Optional<DeviceTreeNode> child(String childName) {
        DeviceTreeNode byBase = null;
        int baseMatches = 0;
        for (DeviceTreeNode c : children) {
            if (c.name.equals(childName)) {
                return Optional.of(c);
            }
            if (childName.indexOf('@') < 0 && c.baseName().equals(childName)) {
                byBase = c;
                baseMatches++;
            }
        }
        return baseMatches == 1 ? Optional.of(byBase) : Optional.empty();
    }

    /**
     * @return the node's phandle ({@code phandle} or the older {@code linux,phandle}), if any
     * @throws DevicetreeException if the property is not one cell
     */
    public OptionalInt phandle() throws DevicetreeException {
        Optional<DeviceTreeProperty> p = property("phandle").or(() -> property("linux,phandle"));
        return p.isPresent() ? OptionalInt.of((int) p.get().asU32()) : OptionalInt.empty();
    }

    /**
     * @return {@code #address-cells} of this node (for its children's {@code reg}), default 2
     * @throws DevicetreeException if the property is not one cell
     */
    public int addressCells() throws DevicetreeException {
        return cellCount("#address-cells", DEFAULT_ADDRESS_CELLS);
    }

    /**
     * @return {@code #size-cells} of this node (for its children's {@code reg}), default 1
     * @throws DevicetreeException if the property is not one cell
     */
    public int sizeCells() throws DevicetreeException {
        return cellCount("#size-cells", DEFAULT_SIZE_CELLS);
    }

    private int cellCount(String prop, int dflt) throws DevicetreeException {
        Optional<DeviceTreeProperty> p = property(prop);
        if (p.isEmpty()) {
            return dflt;
        }
        long v = p.get().asU32();
        if (v > 4) {
            throw p.get().error("a cell count of " + v + " is not plausible (expected 0..4)");
        }
        return (int) v;
    }

    /**
     * Decodes {@code reg} with the parent's {@code #address-cells} and {@code #size-cells}
     * (defaults 2 and 1 when the parent does not say).
     *
     * @return the (address, size) pairs, empty when there is no {@code reg}
     * @throws DevicetreeException if the length does not match the cell counts, or an address
     *                             or size would need more than 64 bits
     */
    public List<RegEntry> reg() throws DevicetreeException {
        Optional<DeviceTreeProperty> reg = property("reg");
        if (reg.isEmpty()) {
            return List.of();
        }
        int ac = parent == null ? DEFAULT_ADDRESS_CELLS : parent.addressCells();
        int sc = parent == null ? DEFAULT_SIZE_CELLS : parent.sizeCells();
        DeviceTreeProperty p = reg.get();
        String cellsFrom = " (#address-cells = <" + ac + ">, #size-cells = <" + sc + "> from "
                + (parent == null ? "defaults" : parent.path()) + ")";
        if (ac > 2 || sc > 2) {
            throw p.error("cannot decode into 64-bit numbers" + cellsFrom);
        }
        if (ac == 0) {
            throw p.error("a bus with #address-cells = <0> cannot give its children a 'reg'" + cellsFrom);
        }
        int[] cells = p.asCells();
        int per = ac + sc;
        if (cells.length == 0 || cells.length % per != 0) {
            throw p.error("expected a multiple of " + per + " cells but found " + cells.length + cellsFrom);
        }
        List<RegEntry> out = new ArrayList<>();
        for (int i = 0; i < cells.length; i += per) {
            out.add(new RegEntry(Cells.combine(cells, i, ac), Cells.combine(cells, i + ac, sc)));
        }
        return List.copyOf(out);
    }

    /**
     * @return the {@code status} string; {@code "okay"} when absent
     * @throws DevicetreeException if {@code status} is not one string
     */
    public String status() throws DevicetreeException {
        Optional<DeviceTreeProperty> p = property("status");
        return p.isEmpty() ? "okay" : p.get().asString();
    }

    /**
     * @return true when {@code status} is absent, {@code "okay"} or the older {@code "ok"}
     * @throws DevicetreeException if {@code status} is not one string
     */
    public boolean isEnabled() throws DevicetreeException {
        String s = status();
        return s.equals("okay") || s.equals("ok");
    }

    /**
     * @return the {@code compatible} strings, most specific first; empty when absent
     * @throws DevicetreeException if {@code compatible} is not a string list
     */
    public List<String> compatible() throws DevicetreeException {
        Optional<DeviceTreeProperty> p = property("compatible");
        return p.isEmpty() ? List.of() : p.get().asStringList();
    }

    /**
     * @param compatibleString for example {@code "ns16550a"}
     * @return true if {@code compatible} lists it
     * @throws DevicetreeException if {@code compatible} is not a string list
     */
    public boolean isCompatible(String compatibleString) throws DevicetreeException {
        return compatible().contains(compatibleString);
    }

    /**
     * Finds the node's interrupt parent as Linux does: follow {@code interrupt-parent} where a
     * node has one and the devicetree parent where it has not, until reaching a node with
     * {@code #interrupt-cells}.
     *
     * @return the interrupt controller (or nexus), empty if the walk reaches no such node
     * @throws DevicetreeException if an {@code interrupt-parent} refers to no node or the
     *                             walk loops
     */
    public Optional<DeviceTreeNode> interruptParent() throws DevicetreeException {
        return InterruptDecoder.interruptParent(this);
    }

    /**
     * Decodes the node's interrupts: {@code interrupts-extended} when present (each entry names
     * its controller), otherwise {@code interrupts} with the effective {@link #interruptParent()}
     * and that controller's {@code #interrupt-cells}.
     *
     * @return the interrupts in order, empty when the node has none
     * @throws DevicetreeException if there is no interrupt parent, the cell count does not
     *                             divide, a phandle is dangling, or a flags cell holds an
     *                             unknown trigger type
     */
    public List<InterruptSpecifier> interrupts() throws DevicetreeException {
        return InterruptDecoder.interrupts(this);
    }

    /**
     * Decodes the vendor property {@code sluice,backend} into the device-model API's
     * {@link BackendSpec} ({@code file:PATH} relative to the platform's base directory, or
     * {@code tcp:HOST:PORT} on loopback), so a bad value is reported at the property before any
     * model is built.
     *
     * @return the device's host backend, empty when the node has no {@code sluice,backend}
     * @throws DevicetreeException at the property if it is not one string or {@link BackendSpec#parse}
     *                             refuses it (unknown scheme, non-loopback host, bad port, a path
     *                             that is absolute or escapes the base directory)
     */
    public Optional<BackendSpec> backend() throws DevicetreeException {
        Optional<DeviceTreeProperty> p = property(BackendSpec.PROPERTY);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        String text = p.get().asString();
        try {
            return Optional.of(BackendSpec.parse(text));
        } catch (IllegalArgumentException e) {
            throw p.get().error(e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceTreeNode n && name.equals(n.name)
                && properties().equals(n.properties()) && children.equals(n.children);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + properties.hashCode();
    }

    /** @return the node's path */
    @Override
    public String toString() {
        return path;
    }
}
