package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptType;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Delivers a device interrupt to the driver's action on the work loop thread (SEMANTICS S32-S39).
 *
 * <h2>Two halves</h2>
 * The <b>primary half</b> runs on the interrupt controller's {@code cpuN} thread in primary
 * interrupt context: for a level-triggered line it first masks the line (by disabling this
 * source's registration with the provider), then increments the producer count and signals the
 * loop. It never blocks. The <b>secondary half</b> runs on the loop thread with the gate closed
 * ({@link #checkForWork()}): it takes {@code n = producerCount - consumerCount} and, if n is not 0,
 * calls {@code action(owner, this, n)} once, then sets the consumer count to the snapshot and, on a
 * level line, unmasks the line again unless the driver disabled the source (S33-S36). Interrupts
 * that arrive before the loop runs are coalesced into one call; ones during the action give a later
 * call. Counts are 32-bit and wrap around; the difference is still right (S35).
 *
 * <h2>Nothing lost across a driver swap</h2>
 * <b>Difference from I/O Kit</b>, where a disabled source consumes its counts without calling the
 * action: here a disabled source keeps them, and its action runs for them once it is enabled again.
 * When the source leaves its loop (its driver stops, or its bundle is updated) with edge interrupts
 * counted but not handled, it unregisters and then hands them back to the provider
 * ({@link IOInterruptProvider#requeueInterrupts}), which keeps them pending for the line's next
 * registration: the next driver. A level line needs no hand-back: its device keeps it asserted.
 *
 * <h2>Enable</h2>
 * As every source, a new interrupt source is {@linkplain #isEnabled() enabled}, but its provider
 * registration starts disabled and the line stays masked until the driver calls {@link #enable()}
 * (S37): I/O Kit's "create, add, enable" sequence. {@link #disable()} masks the line again.
 *
 * <h2>Doorbell</h2>
 * Created without a provider, the source is a doorbell: {@link #interruptOccurred()} from any thread
 * (never blocking) makes the action run on the loop (S38). On a provider-backed source the same
 * call acts as if the line had fired once.
 *
 * <h2>Registration</h2>
 * The primary handler is registered with the provider at creation; removing the source from its
 * loop unregisters it, adding it back registers it again (S39).
 *
 * @param <O> the owner's type
 */
public class IOInterruptEventSource<O> extends IOEventSource<O> {

    /** The driver's interrupt action; runs on the loop thread with the gate closed. */
    @FunctionalInterface
    public interface Action<O> {
        /**
         * @param owner  the source's owner
         * @param source the source that fired
         * @param count  how many interrupts were counted since the last call (at least 1)
         */
        void interruptOccurred(O owner, IOInterruptEventSource<O> source, int count);
    }

    private static final VarHandle PRODUCER;

    static {
        try {
            PRODUCER = MethodHandles.lookup().findVarHandle(IOInterruptEventSource.class, "producerCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Action<O> action;
    private final IOInterruptProvider provider;
    private final int intIndex;
    private final boolean level;

    @SuppressWarnings("unused") // through PRODUCER
    private volatile int producerCount;
    /** Touched only with the gate closed. */
    private int consumerCount;
    /** Set by the primary half after masking a level line for service; cleared after the action. */
    private volatile boolean serviceMasked;
    private volatile boolean registered;

    IOInterruptEventSource(O owner, Action<O> action, IOInterruptProvider provider, int intIndex) {
        super(owner);
        if (provider != null && intIndex < 0) {
            throw new IllegalArgumentException("negative interrupt index " + intIndex + " (S32)");
        }
        this.action = action;
        this.provider = provider;
        this.intIndex = provider == null ? -1 : intIndex;
        InterruptType type = provider == null ? InterruptType.EDGE : provider.getInterruptType(intIndex);
        if (provider != null && type == null) {
            throw new IOReturnException(IOReturn.BAD_ARGUMENT, "the provider has no interrupt " + intIndex + " (S32)");
        }
        this.level = type == InterruptType.LEVEL;
    }

    /**
     * Creates a source for interrupt {@code intIndex} of {@code provider} and registers its primary
     * handler there (the line stays masked until {@link #enable()}).
     *
     * @param action the driver's action; may be null for a source whose interrupts are only counted
     * @throws IllegalArgumentException for a negative index (S32)
     * @throws IOReturnException if the provider refuses the registration (no such index, already
     *                           registered: S32)
     */
    public static <O> IOInterruptEventSource<O> interruptEventSource(O owner, Action<O> action,
                                                                     IOInterruptProvider provider, int intIndex) {
        if (provider == null) {
            throw new IllegalArgumentException("no provider: use the doorbell factory without one");
        }
        IOInterruptEventSource<O> s = new IOInterruptEventSource<>(owner, action, provider, intIndex);
        s.register();
        return s;
    }

    /** Creates a doorbell source: no provider; {@link #interruptOccurred()} rings it (S38). */
    public static <O> IOInterruptEventSource<O> interruptEventSource(O owner, Action<O> action) {
        return new IOInterruptEventSource<>(owner, action, null, -1);
    }

    /** @return the provider, or null for a doorbell */
    public final IOInterruptProvider getProvider() {
        return provider;
    }

    /** @return the interrupt index, or -1 for a doorbell */
    public final int getIntIndex() {
        return intIndex;
    }

    /** @return true if the line is level-triggered (masked while the action runs) */
    public final boolean isLevelTriggered() {
        return level;
    }

    /** @return true while the primary handler is registered with the provider */
    public final boolean isRegistered() {
        return registered;
    }

    final void register() {
        IOReturn r = provider.registerInterrupt(intIndex, this, this::primaryInterrupt);
        if (r != IOReturn.SUCCESS) {
            throw new IOReturnException(r, "registration of " + this + " on interrupt " + intIndex + " refused (S32)");
        }
        registered = true;
    }

    /**
     * The primary half, called by the provider in primary interrupt context. Must not block.
     *
     * @return true if this source claimed the interrupt
     */
    boolean primaryInterrupt(int index) {
        countInterrupt(true);
        return true;
    }

    /**
     * Counts one interrupt and signals the loop; on a level line with {@code mask}, masks it first
     * (S33). Never blocks.
     */
    final void countInterrupt(boolean mask) {
        if (mask && level && registered) {
            provider.disableInterrupt(intIndex, this);
            serviceMasked = true;
        }
        PRODUCER.getAndAdd(this, 1);
        signalWorkAvailable();
    }

    /**
     * Rings the doorbell, or on a provider-backed source acts as if the line had fired once. Any
     * thread, including primary interrupt context; never blocks (S38).
     */
    public void interruptOccurred() {
        countInterrupt(true);
    }

    /** The secondary half (S34): runs on the loop thread with the gate closed. Never asks for a rescan. */
    @Override
    protected boolean checkForWork() {
        int produced = producerCount;
        int n = produced - consumerCount; // modulo 2^32: survives wrap-around (S35)
        if (n == 0) {
            return false;
        }
        if (!isEnabled()) {
            return false; // kept for enable(), or handed back to the provider on removal
        }
        try {
            if (action != null) {
                action.interruptOccurred(getOwner(), this, n);
            }
        } finally {
            consumerCount = produced;
            if (serviceMasked) {
                serviceMasked = false;
                if (isEnabled() && registered) {
                    provider.enableInterrupt(intIndex, this); // S36
                    if (!isEnabled() && registered) {
                        provider.disableInterrupt(intIndex, this); // a disable() raced the unmask
                    }
                }
            }
        }
        return false;
    }

    /**
     * Enables the source and unmasks its line (this source's registration), unless the line is
     * masked for an action in progress, which unmasks it when it returns (S36, S37). Any thread;
     * never blocks.
     */
    @Override
    public void enable() {
        super.enable();
        if (provider != null && registered && !serviceMasked) {
            provider.enableInterrupt(intIndex, this);
        }
        if (producerCount != consumerCount) {
            signalWorkAvailable(); // counts kept while disabled
        }
    }

    /** Disables the source and masks its line (S37). Any thread; never blocks. */
    @Override
    public void disable() {
        super.disable();
        if (provider != null && registered) {
            provider.disableInterrupt(intIndex, this);
        }
    }

    /** Re-registers a source that was removed before (S39); signals if interrupts are pending. */
    @Override
    protected IOReturn attached(IOWorkLoop loop) {
        if (provider != null && !registered) {
            IOReturn r = provider.registerInterrupt(intIndex, this, this::primaryInterrupt);
            if (r != IOReturn.SUCCESS) {
                return r;
            }
            registered = true;
        }
        if (producerCount != consumerCount) {
            loop.signalWorkAvailable();
        }
        return IOReturn.SUCCESS;
    }

    /**
     * Unregisters the primary handler (S39), then hands edge interrupts counted but not handled back
     * to the provider for the line's next registration. Runs with the gate closed.
     */
    @Override
    protected void detached(IOWorkLoop loop) {
        if (provider != null && registered) {
            registered = false;
            serviceMasked = false;
            provider.unregisterInterrupt(intIndex, this); // waits for a primary handler in flight
            int unhandled = producerCount - consumerCount;
            if (unhandled != 0) {
                consumerCount += unhandled;
                if (!level && unhandled > 0) {
                    provider.requeueInterrupts(intIndex, unhandled);
                }
            }
        }
    }

    /** Test hook: starts both counts at {@code value} (to check wrap-around). Call with the gate held. */
    final void presetCounts(int value) {
        producerCount = value;
        consumerCount = value;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(owner " + ownerName(getOwner())
                + (provider == null ? ", doorbell)" : ", interrupt " + intIndex + (level ? " level)" : " edge)"));
    }
}
