package dev.sluice.drivers.timer;

import dev.sluice.drivers.clock.api.HardwareTimer;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.dispatch.OSAction;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOEventSource;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.SleepResult;
import dev.sluice.models.MmioRegion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The SP804 driver's hardware logic, written from the SP804 TRM (ARM DDI 0271) against nothing but
 * the nub's register window and interrupt lines, so that it runs the same under the kernel and in
 * a plain unit test.
 *
 * <h2>Hardware use</h2>
 * Each counter (timer 1 at 0x00, timer 2 at 0x20) is a channel. A wait takes a free channel,
 * programs it one-shot, 32-bit, prescale /1 (1 MHz): Control = 0 (stop), IntClr, Load = delay,
 * Control = enable | one-shot | 32-bit (| interrupt enable, except for polling). A one-shot
 * counter reaches zero {@code Load} ticks later and stays there; RIS goes to 1 and, with the
 * interrupt enabled, the channel's level line (TIMINT1 = interrupt 0, TIMINT2 = interrupt 1) is
 * raised. With one line (TIMINTC) both channels share interrupt 0 and the action looks at each
 * MIS. The interrupt action clears the interrupt (IntClr), stops the counter and wakes the
 * channel's waiter the way that waiter chose. Two channels let two callers wait at once; a third
 * waits (in the gate, without spinning) for a channel to become free.
 *
 * <h2>Asynchronous waits</h2>
 * {@link #waitForInterruptAsync} is seed 000's async callback: it arms a channel and returns at
 * once; the interrupt action frees the channel and invokes the wait's {@link OSAction}, whose
 * callback runs on the action's own queue. With both channels busy the wait is queued (at most
 * {@value #MAX_QUEUED_ASYNC}) and armed, in order, on the next channel that frees up, ahead of
 * synchronous callers blocked for one. {@link #cancel(AsyncWait)} withdraws a wait.
 *
 * <h2>Withdrawing synchronous waits</h2>
 * A synchronous wait made on behalf of a {@link WaitOwner} (a user-client connection) ends early
 * when {@link #withdraw(WaitOwner)} is called: the caller, whichever way it waits and whether it
 * holds a counter or still waits for one, returns with {@link IllegalStateException} and its
 * counter is stopped and given back. The plain {@link HardwareTimer} calls have no owner.
 *
 * <h2>Threads</h2>
 * Callers run {@link #waitForInterrupt} on their own thread. Channel bookkeeping is guarded by
 * the work loop's gate ({@link IOCommandGate}). The interrupt action runs on the work loop thread
 * with the gate closed. {@link HardwareTimer.Method#DISPATCH_QUEUE} blocks run on the reentrant
 * queue {@code IODispatchQueue-<name>-wait}; OSAction callbacks (empty) on
 * {@code IODispatchQueue-<name>-actions}. No static state.
 */
final class Sp804Timers implements HardwareTimer {

    static final int LOAD = 0x00, VALUE = 0x04, CONTROL = 0x08, INTCLR = 0x0C, RIS = 0x10, MIS = 0x14;
    static final int CTRL_ONESHOT = 0x01, CTRL_32BIT = 0x02, CTRL_IE = 0x20, CTRL_ENABLE = 0x80;
    /** TimerPeriphID0-3, TimerPCellID0-3 at 0xFE0..0xFFC (TRM 3.3.10-3.3.17). */
    static final List<Integer> EXPECTED_IDS = List.of(0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1);
    /** How long past the delay a wait may take before the call fails. */
    static final long GRACE_NANOS = 10_000_000_000L;
    /** How many asynchronous waits may be queued for a channel. */
    static final int MAX_QUEUED_ASYNC = 64;
    /** Why a withdrawn synchronous wait failed. */
    static final String WITHDRAWN = "the wait was withdrawn by its owner";
    /** What {@link #withdraw} invokes a channel's OSAction with (a real RIS is 0 or 1). */
    private static final int WITHDRAWN_RIS = -1;

    private final MmioRegion regs;
    private final IOCommandGate<Sp804Timers> gate;
    private final List<IOInterruptEventSource<Sp804Timers>> sources = new ArrayList<>();
    private final IODispatchQueue waitQueue;
    private final IODispatchQueue actionQueue;
    private final Channel[] channels;
    /** Event that channel-free sleepers wait on (gate). */
    private final Object channelFree = new Object();
    /** Asynchronous waits for a free channel, oldest first; guarded by the gate. */
    private final ArrayDeque<AsyncWait> queuedAsync = new ArrayDeque<>();
    /** Written under the gate; polling waiters read it without. */
    private volatile boolean stopped;
    /** The owner of the plain {@link HardwareTimer} calls: never withdrawn. */
    private final WaitOwner anyone = new WaitOwner();

    /** One hardware counter and its current waiter; fields guarded by the gate unless noted. */
    final class Channel {
        final int number;
        final int base;
        boolean busy;
        Method method;
        /** On whose behalf the synchronous wait holding this channel runs, or null. */
        WaitOwner owner;
        /** Set by the interrupt action (gate); read by gate sleepers (gate). */
        boolean fired;
        /** Set on the wait queue, read on the wait queue. */
        boolean queueFired;
        int risSeen;
        /** The asynchronous wait this channel is armed for, or null. */
        AsyncWait async;
        final OSAction<Integer> action;

        Channel(int number) {
            this.number = number;
            this.base = (number - 1) * 0x20;
            this.action = OSAction.create(actionQueue, ris -> { });
        }

        int read(int off) {
            return regs.read32(base + off);
        }

        void write(int off, int v) {
            regs.write32(base + off, v);
        }
    }

    /**
     * The party synchronous waits are made for (one user-client connection), so that they can be
     * withdrawn together. Written under the gate, read by waiters on any thread.
     */
    static final class WaitOwner {
        private volatile boolean withdrawn;

        /** @return true once {@link Sp804Timers#withdraw(WaitOwner)} ran for this owner */
        boolean withdrawn() {
            return withdrawn;
        }
    }

    /**
     * One asynchronous wait: {@code callback} is invoked once with the wakeup when its channel
     * expires, unless the wait is cancelled first (or the timers stop). Fields guarded by the gate.
     */
    static final class AsyncWait {
        final long micros;
        final OSAction<Wakeup> callback;
        Channel channel; // while armed
        long expiry;     // host nanoTime at which the armed channel expires

        /**
         * @param micros   the delay, 1 .. {@link HardwareTimer#MAX_MICROS}
         * @param callback invoked with the wakeup (its {@code method} is {@link Method#OS_ACTION},
         *                 its latency measured when the interrupt action invokes it)
         */
        AsyncWait(long micros, OSAction<Wakeup> callback) {
            checkDelay(micros);
            this.micros = micros;
            this.callback = Objects.requireNonNull(callback, "callback");
        }
    }

    /**
     * Creates the channels, the gate, the queues and one interrupt source per line and adds them
     * with {@code addToLoop} (the driver passes its {@code addEventSource}; a test its loop's).
     * The caller releases everything with {@link #stop()} (and by removing the sources).
     *
     * @param name      names the queues
     * @param regs      the SP804 register window (4 KiB)
     * @param nub       the interrupt provider with one (TIMINTC) or two (TIMINT1, TIMINT2) lines
     * @param lines     how many interrupt lines the nub has (1 or 2)
     * @param addToLoop adds an event source to the work loop; returns its answer
     */
    Sp804Timers(String name, MmioRegion regs, IOInterruptProvider nub, int lines,
                java.util.function.Function<IOEventSource<?>, IOReturn> addToLoop) {
        this.regs = Objects.requireNonNull(regs);
        this.waitQueue = IODispatchQueue.create(name + "-wait", IODispatchQueue.Option.REENTRANT);
        this.actionQueue = IODispatchQueue.create(name + "-actions");
        this.channels = new Channel[] {new Channel(1), new Channel(2)};
        for (Channel c : channels) { // quiesce: both counters stopped, no interrupt pending
            c.write(CONTROL, 0);
            c.write(INTCLR, 0);
        }
        this.gate = IOCommandGate.commandGate(this);
        check(addToLoop.apply(gate), "adding the command gate");
        for (int i = 0; i < Math.min(lines, 2); i++) {
            final int line = i;
            IOInterruptEventSource<Sp804Timers> src = IOInterruptEventSource.interruptEventSource(this,
                    (self, s, count) -> self.interruptAction(lines == 1 ? -1 : line), nub, i);
            check(addToLoop.apply(src), "adding interrupt source " + i);
            src.enable();
            sources.add(src);
        }
    }

    private static void check(IOReturn r, String what) {
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException(what + ": " + r);
        }
    }

    /**
     * Checks the PrimeCell identification registers (TRM 3.3.10-17) of a register window.
     *
     * @return null if they read as an SP804, else what differs
     */
    static String checkIds(MmioRegion regs) {
        for (int i = 0; i < EXPECTED_IDS.size(); i++) {
            int v = regs.read32(0xFE0 + 4 * i) & 0xFF;
            if (v != EXPECTED_IDS.get(i)) {
                return String.format("ID register 0x%x reads 0x%02x, an SP804 has 0x%02x", 0xFE0 + 4 * i, v,
                        EXPECTED_IDS.get(i));
            }
        }
        return null;
    }

    /** Runs on the work loop thread with the gate closed. {@code line} -1: the combined line. */
    private void interruptAction(int line) {
        for (Channel c : channels) {
            if (line >= 0 && c.number != line + 1) {
                continue;
            }
            if ((c.read(MIS) & 1) == 0) {
                continue;
            }
            c.risSeen = c.read(RIS) & 1;
            c.write(INTCLR, 0);                   // lowers the level line
            c.write(CONTROL, CTRL_ONESHOT | CTRL_32BIT); // stopped; Value keeps reading 0
            AsyncWait w = c.async;
            if (w != null) {
                Wakeup wake = new Wakeup(Method.OS_ACTION, c.number, System.nanoTime() - w.expiry,
                        c.read(VALUE) & 0xFFFF_FFFFL, c.risSeen);
                free(c);
                w.callback.invoke(wake); // the callback runs on its queue, never here
                continue;
            }
            if (!c.busy || c.method == null) {
                continue;                          // spurious: nobody waits
            }
            switch (c.method) {
                case COMMAND_GATE:
                    c.fired = true;
                    gate.commandWakeup(c, false);
                    break;
                case DISPATCH_QUEUE:
                    int seen = c.risSeen;
                    waitQueue.dispatchAsync(() -> {   // Wakeup must be called on the queue
                        c.queueFired = true;
                        c.risSeen = seen;
                        waitQueue.wakeup(c);
                    });
                    break;
                case OS_ACTION:
                    c.action.invoke(c.risSeen);
                    break;
                default:
                    break;
            }
        }
    }

    private static void checkDelay(long micros) {
        if (micros < 1 || micros > MAX_MICROS) {
            throw new IllegalArgumentException("delay " + micros + " us is outside 1.." + MAX_MICROS);
        }
    }

    @Override
    public Wakeup waitForInterrupt(long micros, Method method) {
        return waitForInterrupt(micros, method, anyone);
    }

    /**
     * {@link #waitForInterrupt(long, Method)} on behalf of {@code owner}: {@link #withdraw} ends it
     * early. Caller's thread (any but the loop's).
     *
     * @throws IllegalStateException if the wait failed, the timers stopped or the owner withdrew it
     */
    Wakeup waitForInterrupt(long micros, Method method, WaitOwner owner) {
        checkDelay(micros);
        if (method == null) {
            throw new IllegalArgumentException("no method");
        }
        Objects.requireNonNull(owner, "owner");
        Channel c = acquire(method, owner);
        try {
            switch (method) {
                case COMMAND_GATE:
                    return viaGate(c, micros, owner);
                case DISPATCH_QUEUE:
                    return viaQueue(c, micros, owner);
                case OS_ACTION:
                    return viaAction(c, micros, owner);
                default:
                    return viaPolling(c, micros, owner);
            }
        } finally {
            release(c);
        }
    }

    /**
     * Ends every synchronous wait of {@code owner}, and any it starts later: each caller wakes,
     * whichever way it waits, and returns with {@link IllegalStateException}; their counters are
     * given back. Any thread but the loop's.
     */
    void withdraw(WaitOwner owner) {
        gate.runAction(self -> {
            owner.withdrawn = true;
            for (Channel c : channels) {
                if (c.owner != owner || c.method == null) {
                    continue;
                }
                switch (c.method) {
                    case COMMAND_GATE:
                        gate.commandWakeup(c, false);
                        break;
                    case DISPATCH_QUEUE:
                        waitQueue.dispatchAsync(() -> waitQueue.wakeup(c)); // Wakeup on the queue
                        break;
                    case OS_ACTION:
                        c.action.invoke(WITHDRAWN_RIS);
                        break;
                    default:
                        break; // polling reads the owner's flag between reads of RIS
                }
            }
            gate.commandWakeup(channelFree, false); // its callers still waiting for a channel
            return IOReturn.SUCCESS;
        });
    }

    /** Takes a free channel, sleeping in the gate while both are busy. Any thread but the loop's. */
    private Channel acquire(Method method, WaitOwner owner) {
        Channel[] got = new Channel[1];
        IOReturn r = gate.runAction(self -> {
            while (true) {
                if (stopped) {
                    return IOReturn.OFFLINE;
                }
                if (owner.withdrawn) {
                    return IOReturn.ABORTED;
                }
                for (Channel c : channels) {
                    if (!c.busy) {
                        c.busy = true;
                        c.method = method;
                        c.owner = owner;
                        c.fired = false;
                        got[0] = c;
                        return IOReturn.SUCCESS;
                    }
                }
                if (gate.commandSleep(channelFree) != SleepResult.AWAKENED) {
                    return IOReturn.ABORTED;
                }
            }
        });
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException(owner.withdrawn ? WITHDRAWN : "no timer channel: " + r);
        }
        return got[0];
    }

    private void release(Channel c) {
        gate.runAction(self -> {
            free(c);
            return IOReturn.SUCCESS;
        });
    }

    /**
     * Stops a channel and gives it to the oldest queued asynchronous wait, else to a caller
     * blocked in {@link #acquire}. Gate held.
     */
    private void free(Channel c) {
        c.write(CONTROL, 0);
        c.write(INTCLR, 0);
        c.busy = false;
        c.method = null;
        c.owner = null;
        c.async = null;
        AsyncWait next = stopped ? null : queuedAsync.poll();
        if (next != null) {
            start(c, next);
        } else {
            gate.commandWakeup(channelFree, true);
        }
    }

    /** Arms a free channel for an asynchronous wait. Gate held. */
    private void start(Channel c, AsyncWait w) {
        c.busy = true;
        c.method = null;
        c.async = w;
        w.channel = c;
        w.expiry = arm(c, w.micros, true); // gate held: the interrupt action cannot run before this returns
    }

    /**
     * Starts an asynchronous wait and returns at once (seed 000's async callback). Any thread but
     * the loop's.
     *
     * @return SUCCESS (armed, or queued for the next free channel); BUSY if both channels are busy
     * and {@value #MAX_QUEUED_ASYNC} waits are queued already; OFFLINE once stopped
     */
    IOReturn waitForInterruptAsync(AsyncWait w) {
        Objects.requireNonNull(w, "wait");
        IOReturn r = gate.runAction(self -> {
            if (stopped) {
                return IOReturn.OFFLINE;
            }
            for (Channel c : channels) {
                if (!c.busy) {
                    start(c, w);
                    return IOReturn.SUCCESS;
                }
            }
            if (queuedAsync.size() >= MAX_QUEUED_ASYNC) {
                return IOReturn.BUSY;
            }
            queuedAsync.add(w);
            return IOReturn.SUCCESS;
        });
        return r == IOReturn.NOT_READY || r == IOReturn.ABORTED ? IOReturn.OFFLINE : r;
    }

    /**
     * Withdraws an asynchronous wait that has not fired: its channel is stopped and freed (or it
     * leaves the queue) and its action is never invoked by these timers. Any thread but the loop's.
     *
     * @return true if it was pending; false if it fired already, was cancelled, or the timers stopped
     */
    boolean cancel(AsyncWait w) {
        boolean[] pending = new boolean[1];
        gate.runAction(self -> {
            Channel c = w.channel;
            if (c != null && c.async == w) {
                free(c);
                pending[0] = true;
            } else {
                pending[0] = queuedAsync.remove(w);
            }
            return IOReturn.SUCCESS;
        });
        return pending[0];
    }

    /** Programs the channel one-shot; returns the host time at which it expires. */
    private static long arm(Channel c, long micros, boolean interrupt) {
        c.write(CONTROL, 0);
        c.write(INTCLR, 0);
        c.write(LOAD, (int) micros);
        long armed = System.nanoTime();
        c.write(CONTROL, CTRL_ENABLE | CTRL_ONESHOT | CTRL_32BIT | (interrupt ? CTRL_IE : 0));
        return armed + micros * 1_000L;
    }

    private Wakeup woke(Method m, Channel c, long expiry, int ris) {
        long now = System.nanoTime();
        return new Wakeup(m, c.number, now - expiry, c.read(VALUE) & 0xFFFF_FFFFL, ris);
    }

    /** (a) Sleep in the gate; the interrupt action (loop thread, gate held) wakes us. */
    private Wakeup viaGate(Channel c, long micros, WaitOwner owner) {
        Wakeup[] out = new Wakeup[1];
        IOReturn r = gate.runAction(self -> {
            long expiry = arm(c, micros, true); // armed with the gate held: the action cannot run before we sleep
            long deadline = expiry + GRACE_NANOS;
            while (!c.fired) {
                if (owner.withdrawn) {
                    return IOReturn.ABORTED;
                }
                SleepResult s = gate.commandSleep(c, deadline); // releases the gate: other clients proceed
                if (s != SleepResult.AWAKENED && !c.fired) {
                    return IOReturn.TIMEOUT;
                }
            }
            out[0] = woke(Method.COMMAND_GATE, c, expiry, c.risSeen);
            return IOReturn.SUCCESS;
        });
        return result(r, out[0], owner);
    }

    /** (b) A block on the reentrant queue sleeps; the interrupt path wakes it with a block on the queue. */
    private Wakeup viaQueue(Channel c, long micros, WaitOwner owner) {
        Wakeup[] out = new Wakeup[1];
        IOReturn[] r = {IOReturn.ERROR};
        long[] expiry = new long[1];
        IOReturn d = waitQueue.dispatchSync(() -> {
            c.queueFired = false;
            expiry[0] = arm(c, micros, true); // the waking block can only run once this one sleeps
            long deadline = expiry[0] + GRACE_NANOS;
            while (!c.queueFired) {
                if (owner.withdrawn) {
                    r[0] = IOReturn.ABORTED;
                    return;
                }
                IOReturn s = waitQueue.sleepWithDeadline(c, deadline); // gives the queue to other blocks
                if (s != IOReturn.SUCCESS && !c.queueFired) {
                    r[0] = s;
                    return;
                }
            }
            r[0] = IOReturn.SUCCESS;
        });
        if (d != IOReturn.SUCCESS) {
            r[0] = d;
        }
        if (r[0] == IOReturn.SUCCESS) {
            out[0] = woke(Method.DISPATCH_QUEUE, c, expiry[0], c.risSeen); // the caller's thread, running again
        }
        return result(r[0], out[0], owner);
    }

    /** (c) WillWait on the channel's OSAction, arm, Wait; the interrupt action invokes it. */
    private Wakeup viaAction(Channel c, long micros, WaitOwner owner) {
        OSAction<Integer>.WaitToken token = c.action.willWait(); // before anything can invoke it
        try {
            if (owner.withdrawn) { // withdrawn before the token existed: its invocation woke no one
                return result(IOReturn.ABORTED, null, owner);
            }
            long expiry = arm(c, micros, true);
            IOReturn r = c.action.waitForInvocation(token, expiry + GRACE_NANOS);
            Integer ris = token.arguments();
            if (r != IOReturn.SUCCESS || (ris != null && ris == WITHDRAWN_RIS)) {
                return result(r == IOReturn.SUCCESS ? IOReturn.ABORTED : r, null, owner);
            }
            return woke(Method.OS_ACTION, c, expiry, ris == null ? 0 : ris);
        } finally {
            c.action.endWait(token);
        }
    }

    /** (d) Seed 000's baseline: interrupt disabled, spin reading RIS. */
    private Wakeup viaPolling(Channel c, long micros, WaitOwner owner) {
        long expiry = arm(c, micros, false);
        long deadline = expiry + GRACE_NANOS;
        int ris;
        while ((ris = c.read(RIS) & 1) == 0) {
            if (owner.withdrawn || stopped || System.nanoTime() - deadline > 0) {
                return result(owner.withdrawn ? IOReturn.ABORTED : stopped ? IOReturn.OFFLINE : IOReturn.TIMEOUT, null, owner);
            }
            Thread.onSpinWait();
        }
        return woke(Method.POLLING, c, expiry, ris);
    }

    /** @return {@code w} if the wait succeeded; else throws, naming a withdrawal as such */
    private static Wakeup result(IOReturn r, Wakeup w, WaitOwner owner) {
        if (r == IOReturn.SUCCESS && w != null) {
            return w;
        }
        throw new IllegalStateException(owner.withdrawn ? WITHDRAWN : "timer wait failed: " + r);
    }

    /**
     * Stops the hardware and the queues; waiters get {@link IllegalStateException}, asynchronous
     * waits' actions are cancelled (never invoked). Call before
     * the event sources are removed (the driver's stop).
     */
    void stop() {
        gate.runAction(self -> {
            stopped = true;
            for (Channel c : channels) {
                c.write(CONTROL, 0);
                c.write(INTCLR, 0);
                if (c.async != null) {
                    c.async.callback.cancel(null);
                    c.async = null;
                }
            }
            queuedAsync.forEach(w -> w.callback.cancel(null));
            queuedAsync.clear();
            gate.commandWakeup(channelFree, false);
            return IOReturn.SUCCESS;
        });
        for (Channel c : channels) {
            c.action.cancel(null);
        }
        waitQueue.cancel(null);
        actionQueue.cancel(null);
    }

    /** Releases the queues' threads. */
    void close() {
        waitQueue.close();
        actionQueue.close();
    }

    /** @return the queue that runs OSAction callbacks ({@code IODispatchQueue-<name>-actions}) */
    IODispatchQueue actionQueue() {
        return actionQueue;
    }

    /** @return the channels' busy flags, for tests; takes the gate */
    boolean[] busy() {
        boolean[] b = new boolean[channels.length];
        gate.runAction(self -> {
            for (int i = 0; i < channels.length; i++) {
                b[i] = channels[i].busy;
            }
            return IOReturn.SUCCESS;
        });
        return b;
    }
}
