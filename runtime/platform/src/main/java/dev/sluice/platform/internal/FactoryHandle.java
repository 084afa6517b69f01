package dev.sluice.platform.internal;

import dev.sluice.models.DeviceModelFactory;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.ServiceReference;

/**
 * A tracked device-model factory service and the {@code compatible} strings it declares.
 *
 * @param reference  its service reference (orders factories: higher ranking first)
 * @param factory    the service object
 * @param compatible the strings of its {@code compatible} service property
 */
record FactoryHandle(ServiceReference<DeviceModelFactory> reference, DeviceModelFactory factory, List<String> compatible)
        implements Comparable<FactoryHandle> {

    static FactoryHandle of(ServiceReference<DeviceModelFactory> reference, DeviceModelFactory factory) {
        Object p = reference.getProperty(DeviceModelFactory.COMPATIBLE);
        List<String> strings = new ArrayList<>();
        if (p instanceof String s) {
            strings.add(s);
        } else if (p instanceof String[] a) {
            strings.addAll(List.of(a));
        } else if (p instanceof Iterable<?> it) {
            it.forEach(o -> strings.add(String.valueOf(o)));
        }
        return new FactoryHandle(reference, factory, List.copyOf(strings));
    }

    /**
     * Picks the factory for a node: the first of the node's compatible strings, in order, that
     * some factory declares; among factories declaring it, the best ranked.
     *
     * @param nodeCompatible the node's compatible list, most specific first
     * @param factories      candidates, best ranked first
     * @return the factory, or null if none builds any of the strings
     */
    static FactoryHandle choose(List<String> nodeCompatible, List<FactoryHandle> factories) {
        for (String c : nodeCompatible) {
            for (FactoryHandle f : factories) {
                if (f.compatible.contains(c)) {
                    return f;
                }
            }
        }
        return null;
    }

    /** Best ranked first (ServiceReference orders the best last). */
    @Override
    public int compareTo(FactoryHandle o) {
        return o.reference.compareTo(reference);
    }

    /** @return the implementation class and the strings, for messages */
    String describe() {
        return factory.getClass().getName() + " " + compatible;
    }
}
