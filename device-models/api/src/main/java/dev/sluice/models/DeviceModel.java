package dev.sluice.models;

import java.util.List;

/**
 * A simulated device behind one Devicetree node, built by a {@link DeviceModelFactory}. It
 * exposes its {@code reg} ranges as {@link MmioRegion}s and acts only through its registers,
 * guest memory (DMA) and interrupt lines: a model never calls a driver.
 *
 * <h2>Threads</h2>
 * MMIO accesses arrive on driver threads; a model that does slow work (files, sockets, long
 * DMA) does it on its own backend thread(s), made with the context's thread factory
 * ({@code model-<name>-io}), and never blocks the accessing thread on it. {@link #reset()},
 * {@link #close()} and {@link #describe()} may be called from any thread.
 */
public interface DeviceModel extends AutoCloseable {

    /**
     * @param index position in the node's {@code reg} list
     * @return the driver's view of that range
     * @throws IndexOutOfBoundsException for an index the node does not have
     */
    MmioRegion mmio(int index);

    /** @return how many {@code reg} ranges the model serves */
    int mmioCount();

    /** Puts the device in its power-on state, as a hardware reset line would (backends stay open). */
    void reset();

    /**
     * Releases everything the model holds (threads, files, sockets, clock callbacks), lowers its
     * lines, and makes later MMIO accesses harmless (reads 0, writes ignored). Idempotent; returns
     * only when the model's threads have stopped.
     */
    @Override
    void close();

    /** @return a few human-readable status lines for the shell (state, backend, counters) */
    List<String> describe();
}
