package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Base of every event source (SEMANTICS S21, S22): an object that hands one kind of event to the
 * protected context of an {@link IOWorkLoop} and runs the driver's action there.
 *
 * <p><b>Owner and action.</b> A source needs an owner, normally the driver; every action a source
 * runs receives the owner as its first argument (I/O Kit's target/action pair, Java-shaped as a
 * functional interface typed by the owner's class {@code O}).
 *
 * <p><b>Enable flag.</b> A new source starts enabled. {@link #enable()} sets the flag and signals
 * the loop; {@link #disable()} clears it. Detaching the source from its loop
 * ({@link IOWorkLoop#removeEventSource}) disables it.
 *
 * <p><b>Active and passive sources.</b> The loop thread polls only active sources
 * ({@link #isPassive()} false) by calling {@link #checkForWork()} with the gate closed; passive
 * sources (command gates, passive timers) run their actions on other threads after closing the
 * gate themselves (S11).
 *
 * <p>A driver may subclass this to make its own source: override {@link #checkForWork()} and call
 * {@link #signalWorkAvailable()} from any thread when there is work.
 *
 * @param <O> the owner's type
 */
public abstract class IOEventSource<O> {

    private static final VarHandle WORK_LOOP;

    static {
        try {
            WORK_LOOP = MethodHandles.lookup().findVarHandle(IOEventSource.class, "workLoop", IOWorkLoop.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final O owner;
    private volatile boolean enabled = true;
    @SuppressWarnings("unused") // accessed through WORK_LOOP
    private volatile IOWorkLoop workLoop;

    /**
     * @param owner the object whose actions this source runs, passed as first argument to them
     * @throws IllegalArgumentException if owner is null (S21)
     */
    protected IOEventSource(O owner) {
        if (owner == null) {
            throw new IllegalArgumentException("an event source needs an owner (S21)");
        }
        this.owner = owner;
    }

    /** @return the owner given at creation; never null. Any thread. */
    public final O getOwner() {
        return owner;
    }

    /** @return the loop this source is attached to, or null. Any thread; a snapshot. */
    public final IOWorkLoop getWorkLoop() {
        return workLoop;
    }

    /** @return the enable flag. Any thread. */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Sets the enable flag and signals the loop so that work held back while disabled is looked at
     * (S22). Subclasses extend this (an interrupt source also unmasks its line). Any thread.
     */
    public void enable() {
        enabled = true;
        signalWorkAvailable();
    }

    /** Clears the enable flag (S22). Subclasses extend this. Any thread. */
    public void disable() {
        enabled = false;
    }

    /** @return true if the calling thread is the loop's own thread (S3) */
    public final boolean onThread() {
        IOWorkLoop wl = workLoop;
        return wl != null && wl.onThread();
    }

    /** @return true if the calling thread holds the gate of this source's loop (S3) */
    public final boolean inGate() {
        IOWorkLoop wl = workLoop;
        return wl != null && wl.inGate();
    }

    /**
     * Asks the loop to scan its sources soon. Never blocks; any thread, including primary
     * interrupt context. Does nothing when the source is not attached.
     */
    protected final void signalWorkAvailable() {
        IOWorkLoop wl = workLoop;
        if (wl != null) {
            wl.signalWorkAvailable();
        }
    }

    /**
     * Called by the loop with the gate closed, on the loop thread or on a thread calling
     * {@link IOWorkLoop#runEventSources()}. Runs at most a bounded amount of work.
     *
     * @return true if more work remains and the loop should make another full pass
     */
    protected boolean checkForWork() {
        return false;
    }

    /** @return true if the loop thread never needs to poll this source (S11); fixed for a source */
    protected boolean isPassive() {
        return false;
    }

    /**
     * Hook: the source has just been linked to {@code loop}; runs on the adding thread with the gate
     * closed. A failure result makes {@link IOWorkLoop#addEventSource} undo the link and return it.
     */
    protected IOReturn attached(IOWorkLoop loop) {
        return IOReturn.SUCCESS;
    }

    /**
     * Hook: the source has been unlinked from {@code loop} and disabled; runs on the removing thread
     * with the gate closed. {@link #getWorkLoop()} still returns {@code loop} until this returns.
     */
    protected void detached(IOWorkLoop loop) {
    }

    /** Reports a throwable from a driver action to the loop's error handler; the loop survives. */
    final void reportFailure(IOWorkLoop loop, Throwable t) {
        if (loop != null) {
            loop.reportFailure(this, t);
        }
    }

    boolean claim(IOWorkLoop loop) {
        return WORK_LOOP.compareAndSet(this, (IOWorkLoop) null, loop);
    }

    void release(IOWorkLoop loop) {
        WORK_LOOP.compareAndSet(this, loop, (IOWorkLoop) null);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(owner " + ownerName(owner) + ")";
    }

    static String ownerName(Object owner) {
        return owner instanceof CharSequence ? owner.toString()
                : owner.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(owner));
    }
}
