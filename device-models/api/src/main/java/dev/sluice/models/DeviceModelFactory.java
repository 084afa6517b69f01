package dev.sluice.models;

/**
 * An OSGi service that builds {@link DeviceModel}s for Devicetree nodes. Register it with the
 * service property {@value #COMPATIBLE} (a String or String[]) listing the {@code compatible}
 * strings it builds; the platform expert picks the factory whose list contains the node's first
 * matching {@code compatible} entry and calls {@link #create(DeviceModelContext)} once per node,
 * on a platform thread.
 */
public interface DeviceModelFactory {

    /** Service property: the {@code compatible} strings this factory builds. */
    String COMPATIBLE = "compatible";

    /**
     * @param context everything the model may use: its node, lines, memory, clock, backend
     * @return a model in its reset state, ready for MMIO accesses
     * @throws DeviceModelException naming the node and the reason if the node cannot be modelled
     *         (missing or bad property, backend that cannot be opened)
     */
    DeviceModel create(DeviceModelContext context) throws DeviceModelException;
}
