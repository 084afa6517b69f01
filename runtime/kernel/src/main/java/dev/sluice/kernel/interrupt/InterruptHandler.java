package dev.sluice.kernel.interrupt;

/**
 * A primary interrupt handler, registered with an {@link IOInterruptProvider}. Runs on a
 * {@code cpuN} thread in {@link PrimaryInterruptContext primary interrupt context}: it must not
 * block, and must be short.
 */
@FunctionalInterface
public interface InterruptHandler {

    /**
     * Called once per interrupt delivered on the line.
     *
     * @param index the provider's interrupt index
     * @return true if this handler claimed the interrupt (a filter that says "mine"), false if not
     */
    boolean interruptOccurred(int index);
}
