package dev.sluice.kernel.workloop;

import dev.sluice.kernel.interrupt.IOInterruptProvider;

/**
 * An interrupt source for shared lines (SEMANTICS S40-S44): a filter decides, in primary interrupt
 * context, whether an interrupt is this driver's.
 *
 * <p>On every interrupt of the line the provider calls each sharer's primary handler in
 * registration order; this source's handler runs the filter on that {@code cpuN} thread, in
 * primary context, where nothing may block (a blocking call is refused at once with a
 * {@link dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation}, S43). If the filter returns
 * true the source (on a level line: masks its registration, then) counts the interrupt and signals
 * its loop, whose thread runs the action as for {@link IOInterruptEventSource}. If it returns false
 * nothing is counted and this source's registration stays enabled (S41). Because every sharer that
 * claimed a level line keeps its own registration disabled until its action has returned, the line
 * is unmasked only when all of them are done (S44, the Linux {@code IRQF_ONESHOT} rule, enforced by
 * the provider's masking rule).
 *
 * <p>{@link #signalInterrupt()} counts and signals regardless of the filter and never masks: a
 * filter that wants work done on the loop while keeping the line enabled (pseudo-DMA) calls it and
 * returns false (S42).
 *
 * @param <O> the owner's type
 */
public final class IOFilterInterruptEventSource<O> extends IOInterruptEventSource<O> {

    /** Decides in primary interrupt context whether an interrupt belongs to this driver. */
    @FunctionalInterface
    public interface Filter<O> {
        /**
         * Runs on a {@code cpuN} thread in primary interrupt context: must not block.
         *
         * @return true to claim the interrupt and have the action run on the loop
         */
        boolean filter(O owner, IOFilterInterruptEventSource<O> source);
    }

    private final Filter<O> filter;

    private IOFilterInterruptEventSource(O owner, Action<O> action, Filter<O> filter,
                                         IOInterruptProvider provider, int intIndex) {
        super(owner, action, provider, intIndex);
        this.filter = filter;
    }

    /**
     * Creates the source and registers its primary handler with the provider (line masked until
     * {@link #enable()}).
     *
     * @param filter required (S40)
     * @throws IllegalArgumentException for a null filter (S40), a null provider or a negative index (S32)
     * @throws IOReturnException if the provider refuses the registration (S32)
     */
    public static <O> IOFilterInterruptEventSource<O> filterInterruptEventSource(
            O owner, Action<O> action, Filter<O> filter, IOInterruptProvider provider, int intIndex) {
        if (filter == null) {
            throw new IllegalArgumentException("a filter interrupt event source needs a filter (S40)");
        }
        if (provider == null) {
            throw new IllegalArgumentException("a filter interrupt event source needs a provider");
        }
        IOFilterInterruptEventSource<O> s = new IOFilterInterruptEventSource<>(owner, action, filter, provider, intIndex);
        s.register();
        return s;
    }

    /** @return the filter */
    public Filter<O> getFilter() {
        return filter;
    }

    @Override
    boolean primaryInterrupt(int index) {
        if (filter.filter(getOwner(), this)) {
            countInterrupt(true);
            return true;
        }
        return false;
    }

    /**
     * Runs the filter as the line would, then counts if it claims. Call it only where the filter
     * may run (it assumes primary-interrupt rules).
     */
    @Override
    public void interruptOccurred() {
        primaryInterrupt(getIntIndex());
    }

    /**
     * Counts one interrupt and signals the loop regardless of the filter, without masking (S42).
     * Any thread, including the filter itself; never blocks.
     */
    public void signalInterrupt() {
        countInterrupt(false);
    }
}
