package dev.sluice.platform.devicetree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node while a tree is being built (by the source parser or the blob reader); frozen into a
 * {@link DeviceTreeNode} when building ends. Properties and children keep definition order;
 * redefining a property or child replaces or merges it in place, as dtc does.
 */
final class MutableNode {

    final String name;
    final MutableNode parent;
    final List<String> labels = new ArrayList<>();
    final Map<String, MutableProperty> properties = new LinkedHashMap<>();
    final Map<String, MutableNode> children = new LinkedHashMap<>();
    SourceLocation location;

    MutableNode(String name, MutableNode parent, SourceLocation location) {
        this.name = name;
        this.parent = parent;
        this.location = location;
    }

    String path() {
        if (parent == null) {
            return "/";
        }
        String p = parent.path();
        return p.equals("/") ? "/" + name : p + "/" + name;
    }

    /** @return the existing child of that name, or a new one appended after the others */
    MutableNode childFor(String childName, SourceLocation where) {
        MutableNode c = children.get(childName);
        if (c == null) {
            c = new MutableNode(childName, this, where);
            children.put(childName, c);
        }
        return c;
    }

    /** Sets a property: a redefinition keeps the old position and takes the new value. */
    void put(MutableProperty p) {
        properties.put(p.name, p);
    }

    void addLabel(String label) {
        if (!labels.contains(label)) {
            labels.add(label);
        }
    }
}
