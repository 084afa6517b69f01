package dev.sluice.platform.devicetree;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * Fills in references once the whole source is parsed, as dtc does: a path reference becomes
 * the node's path string; a reference in cells becomes the node's phandle, and a node without
 * one gets a {@code phandle} property (appended) with the lowest free value from 1 upwards, in
 * the order references appear (nodes parents first, properties in order).
 */
final class ReferenceResolver {

    /** Finds the node a reference names, or fails with an error at the reference. */
    @FunctionalInterface
    interface Lookup {
        MutableNode find(String ref, SourceLocation where) throws DevicetreeException;
    }

    private final MutableNode root;
    private final Lookup lookup;
    private final Set<Long> used = new HashSet<>();
    private long next = 1;

    ReferenceResolver(MutableNode root, Lookup lookup) {
        this.root = root;
        this.lookup = lookup;
    }

    void resolve() throws DevicetreeException {
        collectUsed(root);
        resolveIn(root);
    }

    private void collectUsed(MutableNode n) {
        for (String name : new String[] {"phandle", "linux,phandle"}) {
            MutableProperty p = n.properties.get(name);
            if (p != null && p.references.isEmpty()) {
                byte[] b = p.bytes();
                if (b.length == 4) {
                    used.add(Integer.toUnsignedLong(Bytes.readInt(b, 0)));
                }
            }
        }
        for (MutableNode c : n.children.values()) {
            collectUsed(c);
        }
    }

    private void resolveIn(MutableNode n) throws DevicetreeException {
        for (MutableProperty p : new ArrayList<>(n.properties.values())) {
            for (MutableProperty.Reference r : p.references) {
                MutableNode target = lookup.find(r.ref(), r.location());
                if (r.cell() < 0) {
                    p.chunks.set(r.chunk(), new ValueChunk.PathRef(r.ref(), target.path()));
                } else {
                    ((ValueChunk.Cells) p.chunks.get(r.chunk())).values()[r.cell()] = phandleOf(target);
                }
            }
        }
        for (MutableNode c : new ArrayList<>(n.children.values())) {
            resolveIn(c);
        }
    }

    private long phandleOf(MutableNode target) {
        for (String name : new String[] {"phandle", "linux,phandle"}) {
            MutableProperty p = target.properties.get(name);
            if (p != null && p.references.isEmpty() && p.bytes().length == 4) {
                return Integer.toUnsignedLong(Bytes.readInt(p.bytes(), 0));
            }
        }
        while (used.contains(next)) {
            next++;
        }
        long value = next;
        used.add(value);
        target.put(MutableProperty.ofCell("phandle", value, target.location));
        return value;
    }
}
