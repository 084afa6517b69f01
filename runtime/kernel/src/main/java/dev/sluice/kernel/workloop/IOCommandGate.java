package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;

import java.util.HashMap;
import java.util.Map;

/**
 * A passive event source through which client threads run actions with the work loop's gate
 * closed, on their own thread (SEMANTICS S23-S31). It never asks the loop thread for anything.
 *
 * <h2>Running actions</h2>
 * {@link #runAction(Action)} and {@link #runCommand(Object)} close the gate (recursively), run the
 * action on the caller's thread with the owner as first argument, open the gate and return the
 * action's result. While the gate is <em>disabled</em>, a caller that is not the loop thread sleeps
 * (interruptibly, gate released) until {@link #enable()}; the loop thread runs the action anyway.
 * An interrupt during that wait, or the removal of the gate from its loop, makes the call return
 * {@link IOReturn#ABORTED} without running the action. {@link #attemptAction(Action)} never waits.
 *
 * <h2>Sleeping inside an action</h2>
 * {@link #commandSleep(Object)} and its variants must be called with the gate held (from inside an
 * action); they are {@link IOWorkLoop#sleepGate(Object)} on this gate's loop, so events are keys
 * shared with every other sleeper of that loop's gate (S7). {@link #commandWakeup(Object, boolean)}
 * needs no gate.
 *
 * <h2>Removal</h2>
 * Removing the gate from its loop wakes its enable-waiters (they return ABORTED) and its
 * commandSleep sleepers (they get {@link SleepResult#INTERRUPTED}), then waits, with the gate
 * released, until they and every action of this gate running on other threads have left (S30).
 * Actions of this gate on the remover's own stack are not waited for (a gate may remove itself from
 * inside its own action, P5).
 *
 * <p>Blocking calls refuse at once in primary interrupt context (S31).
 *
 * @param <O> the owner's type
 */
public final class IOCommandGate<O> extends IOEventSource<O> {

    /** An action run with the gate closed; receives the gate's owner. */
    @FunctionalInterface
    public interface Action<O> {
        /** @return the result handed back to the caller of runAction */
        IOReturn run(O owner);
    }

    /** The gate's default action, run by {@link #runCommand(Object)} with the caller's argument. */
    @FunctionalInterface
    public interface Command<O> {
        /** @return the result handed back to the caller of runCommand */
        IOReturn run(O owner, Object command);
    }

    private final Command<O> defaultCommand;
    private final Object enableEvent = new Object();
    private final Object drainEvent = new Object();

    // Guarded by the loop's gate.
    private int enableWaiters;
    private boolean removing;
    /*
     * This gate's actions in progress, counted per thread for the removal drain (S30), which waits
     * for other threads' actions but not for those on the remover's own stack. The count of the
     * thread that last entered or left an action (normally the gate holder) sits in two plain
     * fields; the counts of threads whose actions sleep in the gate while another thread enters
     * move to parkedDepths, which exists only while that happens.
     */
    private Thread depthThread;
    private int depth;
    private Map<Thread, Integer> parkedDepths;

    private IOCommandGate(O owner, Command<O> defaultCommand) {
        super(owner);
        this.defaultCommand = defaultCommand;
    }

    /** Creates a gate without a default command: use {@link #runAction}. */
    public static <O> IOCommandGate<O> commandGate(O owner) {
        return new IOCommandGate<>(owner, null);
    }

    /** Creates a gate whose {@link #runCommand(Object)} runs {@code defaultCommand}. */
    public static <O> IOCommandGate<O> commandGate(O owner, Command<O> defaultCommand) {
        return new IOCommandGate<>(owner, defaultCommand);
    }

    /** Command gates are passive: the loop thread never polls them (S11). */
    @Override
    protected boolean isPassive() {
        return true;
    }

    /**
     * Runs the default command with {@code command} as its argument; see {@link #runAction(Action)}.
     *
     * @return BAD_ARGUMENT if the gate has no default command, otherwise as runAction
     */
    public IOReturn runCommand(Object command) {
        Command<O> c = defaultCommand;
        if (c == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        return run(owner -> c.run(owner, command), "IOCommandGate.runCommand");
    }

    /**
     * Closes the gate, waits while the gate is disabled unless called on the loop thread, runs
     * {@code action} on the caller's thread, opens the gate (S24, S25).
     *
     * @return the action's result; BAD_ARGUMENT for null (S23); NOT_READY when not on a loop (S23);
     * ABORTED if the wait for enable was interrupted (the thread's interrupt status is set again) or
     * the gate was removed from its loop (S26)
     * @throws dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation in primary interrupt context (S31)
     */
    public IOReturn runAction(Action<O> action) {
        if (action == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        return run(action, "IOCommandGate.runAction");
    }

    private IOReturn run(Action<O> action, String op) {
        PrimaryInterruptContext.checkMayBlock(op);
        IOWorkLoop wl = getWorkLoop();
        if (wl == null) {
            return IOReturn.NOT_READY;
        }
        wl.closeGateChecked();
        try {
            if (removing || getWorkLoop() != wl) {
                return IOReturn.ABORTED;
            }
            if (!isEnabled() && !wl.onThread()) {
                IOReturn aborted = awaitEnable(wl);
                if (aborted != null) {
                    return aborted;
                }
            }
            return invoke(wl, action);
        } finally {
            wl.openGate();
        }
    }

    /** Sleeps (gate released) until the gate is enabled (S25). @return null once enabled, else ABORTED */
    private IOReturn awaitEnable(IOWorkLoop wl) {
        while (!isEnabled()) {
            enableWaiters++;
            SleepResult r;
            try {
                r = wl.sleepTagged(enableEvent, this, false, 0L, true);
            } finally {
                enableWaiters--;
            }
            if (removing || getWorkLoop() != wl) {
                wl.wakeupGate(drainEvent, false);
                return IOReturn.ABORTED;
            }
            if (r == SleepResult.INTERRUPTED) {
                Thread.currentThread().interrupt();
                return IOReturn.ABORTED;
            }
            if (r == SleepResult.RESTART) {
                return IOReturn.ABORTED;
            }
        }
        return null;
    }

    /**
     * Runs {@code action} only if that needs no waiting (S27). Never blocks, so it is not refused in
     * primary interrupt context; the action itself must not block there either.
     *
     * @return CANNOT_LOCK if another thread holds the gate; NOT_PERMITTED if the gate is disabled
     * and the caller is not the loop thread; BAD_ARGUMENT for null; NOT_READY when not on a loop;
     * ABORTED while the gate is being removed; else the action's result
     */
    public IOReturn attemptAction(Action<O> action) {
        if (action == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        IOWorkLoop wl = getWorkLoop();
        if (wl == null) {
            return IOReturn.NOT_READY;
        }
        if (!wl.tryCloseGate()) {
            return IOReturn.CANNOT_LOCK;
        }
        try {
            if (getWorkLoop() != wl || removing) {
                return IOReturn.ABORTED;
            }
            if (!isEnabled() && !wl.onThread()) {
                return IOReturn.NOT_PERMITTED;
            }
            return invoke(wl, action);
        } finally {
            wl.openGate();
        }
    }

    private IOReturn invoke(IOWorkLoop wl, Action<O> action) {
        Thread me = Thread.currentThread();
        if (depthThread != me) {
            switchDepth(me);
        }
        depth++;
        try {
            return action.run(getOwner());
        } finally {
            if (depthThread != me) {
                switchDepth(me); // another thread entered while this action slept in the gate
            }
            if (--depth == 0) {
                depthThread = null; // keep no reference to a thread that may end
            }
            if (removing) {
                wl.wakeupGate(drainEvent, false);
            }
        }
    }

    /** Makes {@code me} the thread whose count is in {@link #depth}; called with the gate held. */
    private void switchDepth(Thread me) {
        if (depth == 0 && parkedDepths == null) {
            depthThread = me;
            return;
        }
        if (depth > 0) {
            if (parkedDepths == null) {
                parkedDepths = new HashMap<>(4);
            }
            parkedDepths.put(depthThread, depth);
        }
        Integer mine = parkedDepths.remove(me);
        if (parkedDepths.isEmpty()) {
            parkedDepths = null;
        }
        depthThread = me;
        depth = mine == null ? 0 : mine;
    }

    // ---------------------------------------------------------------- enable / disable

    /**
     * Enables the gate and wakes every thread waiting for it (S28). Takes the gate to do so, so that
     * a caller about to wait cannot miss the wakeup: not allowed in primary interrupt context.
     */
    @Override
    public void enable() {
        IOWorkLoop wl = getWorkLoop();
        if (wl == null) {
            super.enable();
            return;
        }
        PrimaryInterruptContext.checkMayBlock("IOCommandGate.enable");
        wl.closeGate();
        try {
            super.enable();
            wl.wakeupGate(enableEvent, false);
        } finally {
            wl.openGate();
        }
    }

    /** Disables the gate: later runAction callers off the loop thread wait for enable (S25). */
    @Override
    public void disable() {
        super.disable();
    }

    /** @return how many threads wait for this gate to be enabled; a monitoring snapshot */
    public int enableWaiterCount() {
        IOWorkLoop wl = getWorkLoop();
        return wl == null ? 0 : wl.sleeperCount(enableEvent);
    }

    // ---------------------------------------------------------------- sleep / wakeup (S29)

    /**
     * Sleeps interruptibly on {@code event} with the gate released, re-taking it with the same
     * recursion count (S4).
     *
     * @return AWAKENED; INTERRUPTED on a Java interrupt or when the gate is removed (S30); RESTART
     * when the loop shuts down
     * @throws IllegalStateException if the caller does not hold the gate (S29)
     */
    public SleepResult commandSleep(Object event) {
        return sleep(event, false, 0L, true);
    }

    /**
     * Sleeps interruptibly on {@code event} until woken or the absolute {@code deadline}
     * ({@link System#nanoTime()} based).
     *
     * @return AWAKENED, TIMED_OUT, INTERRUPTED or RESTART
     * @throws IllegalStateException if the caller does not hold the gate (S29)
     */
    public SleepResult commandSleep(Object event, long deadline) {
        return sleep(event, true, deadline, true);
    }

    /** As {@link #commandSleep(Object)}, ignoring Java interrupts (their status is kept). */
    public SleepResult commandSleepUninterruptibly(Object event) {
        return sleep(event, false, 0L, false);
    }

    /** As {@link #commandSleep(Object, long)}, ignoring Java interrupts (their status is kept). */
    public SleepResult commandSleepUninterruptibly(Object event, long deadline) {
        return sleep(event, true, deadline, false);
    }

    private SleepResult sleep(Object event, boolean timed, long deadline, boolean interruptible) {
        PrimaryInterruptContext.checkMayBlock("IOCommandGate.commandSleep");
        IOWorkLoop wl = getWorkLoop();
        if (wl == null || !wl.inGate()) {
            throw new IllegalStateException("commandSleep requires the caller to hold the gate of " + this
                    + (wl == null ? ", which is on no work loop" : "; " + Thread.currentThread().getName()
                    + " does not hold the gate of " + wl) + " (S29)");
        }
        if (removing) {
            return SleepResult.INTERRUPTED;
        }
        return wl.sleepTagged(event, this, timed, deadline, interruptible);
    }

    /**
     * Wakes the threads sleeping on {@code event} in this gate's loop: the longest-sleeping one if
     * {@code oneThread}, else all. Needs no gate; does nothing when the gate is on no loop or nobody
     * sleeps on the event.
     */
    public void commandWakeup(Object event, boolean oneThread) {
        IOWorkLoop wl = getWorkLoop();
        if (wl != null) {
            wl.wakeupGate(event, oneThread);
        }
    }

    // ---------------------------------------------------------------- removal (S30)

    @Override
    protected void detached(IOWorkLoop loop) {
        removing = true;
        try {
            loop.wakeupTagged(this, SleepResult.INTERRUPTED);
            Thread me = Thread.currentThread();
            while (enableWaiters > 0 || othersInside(me)) {
                loop.sleepDrain(drainEvent);
            }
        } finally {
            removing = false;
        }
    }

    private boolean othersInside(Thread me) {
        if (depthThread != me && depth > 0) {
            return true;
        }
        if (parkedDepths != null) {
            for (Thread t : parkedDepths.keySet()) {
                if (t != me) {
                    return true;
                }
            }
        }
        return false;
    }
}
