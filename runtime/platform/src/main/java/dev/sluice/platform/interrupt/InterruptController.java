package dev.sluice.platform.interrupt;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptHandler;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.interrupt.PrimaryInterruptContextViolation;
import dev.sluice.models.InterruptLine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The platform's simulated interrupt controller (SEMANTICS S31-S44; ARCHITECTURE "Interrupt
 * path"): a set of numbered lines that device models drive, and {@code cpuN} threads that deliver
 * them to the primary handlers the drivers' interrupt event sources register through
 * {@link #provider(String, int[]) nub providers}.
 *
 * <h2>Lines</h2>
 * Each line is level- or edge-triggered ({@link #configure}; {@link InterruptType#LEVEL} by
 * default, as most Devicetree {@code interrupts} cells say). The model side is
 * {@link #line(int)}:
 * <ul>
 * <li><b>Level</b>: {@code raise()} holds the line asserted until {@code lower()}. A raised,
 * unmasked line is delivered, and delivered again after each delivery for as long as it stays
 * raised and unmasked, as a real level line keeps interrupting.</li>
 * <li><b>Edge</b>: each {@code pulse()} (and each {@code raise()} of a low line: a rising edge)
 * adds one pending event. Each event is delivered separately, so the drivers' counts are
 * preserved.</li>
 * <li>{@code pulse()} on a level line and {@link IOInterruptProvider#causeInterrupt(int)} on any
 * line add one edge event, which is delivered once whatever the level.</li>
 * </ul>
 * Nothing raised on a masked line is lost: a raised level line and the count of pending edge
 * events wait, and are delivered once the line is unmasked (the count preserved: that is what lets
 * a driver be swapped without losing an interrupt).
 *
 * <h2>Masking: exactly "any registration disabled"</h2>
 * A registration ({@link IOInterruptProvider#registerInterrupt}) has its own enable flag, which
 * starts disabled (S37). A line is masked while it has no registration, while <em>any</em> of its
 * registrations is disabled, or after it was disabled as "nobody cared" (below). The kernel's
 * {@code IOInterruptEventSource} disables its own registration in its primary handler on a level
 * line and enables it after its action, so a device still asserting the line is interrupted again
 * (S33, S36) and a shared level line is unmasked only when every sharer that claimed it has
 * finished (S44, Linux's {@code IRQF_ONESHOT} rule). Enabling and disabling are lock-free and may
 * be called from any thread, including primary interrupt context.
 *
 * <h2>Delivery</h2>
 * Line {@code n} is delivered by thread {@code cpu(n % cpuCount)}, so one line is never delivered
 * by two CPUs at once, and lines homed on different CPUs are delivered concurrently. A delivery
 * calls the handler of every registration that is enabled at that moment, in registration order
 * (S41), each inside {@link PrimaryInterruptContext#run}, where blocking kernel calls are refused
 * (S43). A handler that throws, including a refused blocking call, is reported through the
 * {@code reporter} naming the handler and the line, and delivery goes on with the next sharer: the
 * kernel survives where a real one would panic. An idle CPU spins for a short while (20 us, system
 * property {@code dev.sluice.irq.spinNanos}) before it parks, so a burst of interrupts is taken
 * without a park/unpark round trip.
 *
 * <h2>"Nobody cared"</h2>
 * When a level line has been delivered {@value #NOBODY_CARED_LIMIT} times in a row with no handler
 * claiming it (a filter that returns false does not claim, S41) while it stayed raised the whole
 * time, it would storm for ever: the controller masks it and reports it, as Linux's
 * {@code note_interrupt} does. Registering a new handler on the line gives it another chance.
 * A delivery after which the line was lowered and raised again starts a new run, so a filter that
 * acknowledges its device itself and returns false (pseudo-DMA, S42) is not a storm.
 *
 * <h2>Removal</h2>
 * {@link IOInterruptProvider#unregisterInterrupt} waits (spinning, for at most one handler call)
 * until a call of that handler already in progress on a CPU has returned, Linux's
 * {@code synchronize_irq}: once it returns, the handler is never called again. Called from that
 * handler itself it does not wait.
 *
 * <h2>Latency</h2>
 * Each line keeps a histogram of the time from a raise or pulse to the start of the first handler
 * of the delivery that serves it (one sample per delivery; for coalesced events, from the oldest
 * one; time spent masked is included, since the device waits through it). See
 * {@link #status()}.
 *
 * <h2>Anomalies</h2>
 * The {@code reporter} receives one line per anomaly: a handler that threw or made a blocking call
 * in primary context (the first 10 of each registration, then every 1000th), a line disabled as
 * "nobody cared", a bad line number from the board (in {@link #configure}, {@link #line} or
 * {@link #provider}), a CPU that would not stop. It is called on the thread that found the
 * anomaly, possibly a {@code cpuN} thread, and must not block for long.
 *
 * <p>Every method is thread-safe. The model side ({@code raise}, {@code lower}, {@code pulse}) is
 * lock-free and never waits for a delivery.
 */
public final class InterruptController implements AutoCloseable {

    /** Consecutive unclaimed deliveries of a raised level line after which it is masked. */
    public static final int NOBODY_CARED_LIMIT = 1000;

    /** How many handler failures of one registration are reported before only every 1000th is. */
    static final int REPORTED_FAILURES = 10;

    private static final long SPIN_NANOS = Long.getLong("dev.sluice.irq.spinNanos", 20_000L);
    /** Edge events delivered in one go before the line lets the other lines of its CPU in. */
    private static final int EDGE_BATCH = 64;
    private static final long UNREGISTER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    // Line state word. Low bits: flags. Bits 8..31: registration count (changed only under the
    // line's monitor). Bits 32..63: disabled-registration count, changed lock-free by atomic adds;
    // it is the top field so that a transiently "negative" count (racing enable/disable of one
    // registration) only wraps out of the word and reads as masked, never disturbing other fields.
    private static final long RAISED = 1L;
    private static final long IN_SERVICE = 1L << 1;
    private static final long NOBODY_CARED = 1L << 2;
    private static final long REG_ONE = 1L << 8;
    private static final long REG_MASK = 0xFFFFFFL << 8;
    private static final long DIS_ONE = 1L << 32;
    private static final long DIS_MASK = 0xFFFFFFFFL << 32;
    private static final long MAX_SHARERS = 0xFFFFFFL;

    private static final VarHandle STATE;
    private static final VarHandle REG_STATE;
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Line.class, "state", long.class);
            REG_STATE = l.findVarHandle(Registration.class, "regState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Registration[] NONE = new Registration[0];

    private final String name;
    private final Consumer<String> reporter;
    private final Line[] lines;
    private final Cpu[] cpus;
    private volatile boolean closed;

    /**
     * Creates the controller and starts its CPU threads {@code cpu0 .. cpu<cpuCount-1>} (daemons).
     *
     * @param name      the controller's name, used in reports and handler descriptions
     * @param lineCount number of lines, numbered from 0
     * @param cpuCount  number of CPU threads delivering interrupts, at least 1
     * @param reporter  receives one line of text per anomaly (see the class comment)
     * @throws IllegalArgumentException for a negative line count or a CPU count below 1
     */
    public InterruptController(String name, int lineCount, int cpuCount, Consumer<String> reporter) {
        this.name = Objects.requireNonNull(name, "name");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        if (lineCount < 0) {
            throw new IllegalArgumentException("line count must be >= 0: " + lineCount);
        }
        if (cpuCount < 1) {
            throw new IllegalArgumentException("cpu count must be >= 1: " + cpuCount);
        }
        cpus = new Cpu[cpuCount];
        for (int c = 0; c < cpuCount; c++) {
            cpus[c] = new Cpu(c, lineCount);
        }
        lines = new Line[lineCount];
        for (int i = 0; i < lineCount; i++) {
            lines[i] = new Line(i, cpus[i % cpuCount]);
        }
        for (Cpu c : cpus) {
            c.thread.start();
        }
    }

    /** @return the name given at creation */
    public String name() {
        return name;
    }

    /** @return the number of lines */
    public int lineCount() {
        return lines.length;
    }

    /**
     * Sets a line's trigger type (from the board's interrupt cells). Meant for board set-up, before
     * drivers register: an {@code IOInterruptEventSource} reads the type once, when it is created.
     * A bad line number or a null type is reported and ignored.
     */
    public void configure(int line, InterruptType type) {
        Line l = lineOrNull(line);
        if (l == null) {
            report("configure: no line " + line + " (the controller has lines 0.." + (lines.length - 1)
                    + "); ignored");
            return;
        }
        if (type == null) {
            report("configure: no trigger type for line " + line + "; left " + l.type);
            return;
        }
        l.type = type;
        kick(l);
    }

    /**
     * The model side of a line: what a device model raises, lowers or pulses. Never blocks. A bad
     * line number is reported and gives a disconnected line (it remembers its level and delivers
     * nothing), so a device with a wrong {@code interrupts} cell still works without interrupts.
     */
    public InterruptLine line(int line) {
        Line l = lineOrNull(line);
        if (l == null) {
            report("line: no line " + line + " (the controller has lines 0.." + (lines.length - 1)
                    + "); the device gets a disconnected line");
            return new DisconnectedLine();
        }
        return l;
    }

    /**
     * The nub side: a provider whose interrupt index {@code i} is controller line {@code lines[i]}.
     * An entry naming no line is reported; that index then does not exist for the nub's drivers
     * (BAD_ARGUMENT on registration, null type), and the others work.
     *
     * @param nubName the nub's name, used in sharer lists and handler descriptions
     * @param lines   the controller line of each of the nub's interrupt indexes (copied)
     */
    public IOInterruptProvider provider(String nubName, int[] lines) {
        Objects.requireNonNull(nubName, "nubName");
        Line[] byIndex = new Line[lines.length];
        for (int i = 0; i < lines.length; i++) {
            byIndex[i] = lineOrNull(lines[i]);
            if (byIndex[i] == null) {
                report(nubName + ": interrupt " + i + " names line " + lines[i] + ", but the controller has lines 0.."
                        + (this.lines.length - 1) + "; that interrupt is unusable");
            }
        }
        return new NubProvider(nubName, lines.clone(), byIndex);
    }

    /** @return one snapshot per line, in line order */
    public List<LineStatus> status() {
        List<LineStatus> out = new ArrayList<>(lines.length);
        for (Line l : lines) {
            out.add(l.status());
        }
        return out;
    }

    /** @return the status of one line */
    public LineStatus status(int line) {
        Line l = lineOrNull(line);
        if (l == null) {
            throw new IllegalArgumentException("no line " + line);
        }
        return l.status();
    }

    /**
     * Stops the CPU threads and waits until they have ended (a handler in progress finishes
     * first). Idempotent. Lines and providers stay usable but nothing is delivered any more, and
     * new registrations are refused with OFFLINE.
     */
    @Override
    public void close() {
        closed = true;
        for (Cpu c : cpus) {
            LockSupport.unpark(c.thread);
        }
        boolean interrupted = false;
        for (Cpu c : cpus) {
            if (c.thread == Thread.currentThread()) {
                continue; // closing from a handler: this CPU stops when the handler returns
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
            while (c.thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    report(c.thread.getName() + " did not stop within " + CLOSE_WAIT_MILLIS
                            + " ms (a handler that never returns?); interrupting it");
                    c.thread.interrupt();
                    break;
                }
                try {
                    c.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the CPU threads (for tests: none may be alive after close) */
    List<Thread> threads() {
        List<Thread> out = new ArrayList<>();
        for (Cpu c : cpus) {
            out.add(c.thread);
        }
        return out;
    }

    @Override
    public String toString() {
        return "InterruptController(" + name + ", " + lines.length + " lines, " + cpus.length + " cpus)";
    }

    // ================================================================== internals

    private Line lineOrNull(int line) {
        return line >= 0 && line < lines.length ? lines[line] : null;
    }

    private void report(String message) {
        try {
            reporter.accept(name + ": " + message);
        } catch (RuntimeException e) {
            // a broken reporter must not take a CPU down
        }
    }

    private static boolean masked(long s) {
        return (s & REG_MASK) == 0 || (s & DIS_MASK) != 0 || (s & NOBODY_CARED) != 0;
    }

    private static boolean deliverable(Line l, long s) {
        return !masked(s) && (l.edges.get() > 0 || (s & RAISED) != 0 && l.type == InterruptType.LEVEL);
    }

    /**
     * Hands the line to its CPU if it can be delivered and is not in service. Called after every
     * change that may make a line deliverable; the CPU calls it again after clearing IN_SERVICE,
     * so a change racing the end of a delivery is never lost (each side re-reads the other's write).
     */
    private void kick(Line l) {
        for (;;) {
            long s = l.state;
            if ((s & IN_SERVICE) != 0 || !deliverable(l, s)) {
                return;
            }
            if (STATE.compareAndSet(l, s, s | IN_SERVICE)) {
                l.home.post(l.index);
                return;
            }
        }
    }

    /** Notes the time of an event if no earlier one is waiting. */
    private static void stamp(Line l) {
        if (l.stamp.get() == 0) {
            l.stamp.compareAndSet(0, System.nanoTime() | 1);
        }
    }

    /** Runs on the line's CPU thread, which set IN_SERVICE; clears it when done. */
    private void service(Line l) {
        try {
            for (int budget = EDGE_BATCH; budget > 0 && !closed; budget--) {
                long s = l.state;
                if (masked(s)) {
                    return;
                }
                boolean edge = takeEdge(l);
                boolean level = !edge && (s & RAISED) != 0 && l.type == InterruptType.LEVEL;
                if (!edge && !level) {
                    return;
                }
                deliverOnce(l, level);
                if (level) {
                    return; // the line is handed back: other lines of this CPU get a turn
                }
            }
        } finally {
            STATE.getAndBitwiseAnd(l, ~IN_SERVICE);
            kick(l);
        }
    }

    private static boolean takeEdge(Line l) {
        for (;;) {
            long e = l.edges.get();
            if (e <= 0) {
                return false;
            }
            if (l.edges.compareAndSet(e, e - 1)) {
                return true;
            }
        }
    }

    /** One delivery: every enabled registration's handler, in registration order. */
    private void deliverOnce(Line l, boolean level) {
        long t0 = l.stamp.get() == 0 ? 0 : l.stamp.getAndSet(0);
        Registration[] regs = l.regs;
        if (t0 != 0) {
            l.latency.record(System.nanoTime() - t0);
        }
        boolean claimed = false;
        for (Registration r : regs) {
            l.current = r; // published before the state check: see unregister (synchronize_irq)
            if (r.regState != Registration.ENABLED) {
                continue;
            }
            try {
                if (PrimaryInterruptContext.run(r.description, r)) {
                    claimed = true;
                }
            } catch (Throwable t) {
                handlerFailed(l, r, t);
            }
        }
        l.current = null;
        l.delivered++;
        if (claimed) {
            l.streak = 0;
            return;
        }
        l.unclaimed++;
        if (!level || (l.state & RAISED) == 0) {
            return;
        }
        long assertions = l.assertions.get();
        if (assertions != l.streakAssertion) {
            l.streakAssertion = assertions;
            l.streak = 1;
        } else {
            l.streak++;
        }
        if (l.streak >= NOBODY_CARED_LIMIT) {
            l.streak = 0;
            STATE.getAndBitwiseOr(l, NOBODY_CARED);
            report("line " + l.index + ": nobody cared (" + NOBODY_CARED_LIMIT
                    + " deliveries in a row unclaimed while the line stayed raised); line disabled until a new"
                    + " handler registers. Sharers: " + l.sharers());
        }
    }

    private void handlerFailed(Line l, Registration r, Throwable t) {
        long n = ++r.failures;
        if (n > REPORTED_FAILURES && n % 1000 != 0) {
            return;
        }
        StringBuilder b = new StringBuilder("line ").append(l.index).append(": handler ").append(r.description);
        if (t instanceof PrimaryInterruptContextViolation) {
            b.append(" was refused a blocking call in primary interrupt context: ").append(t.getMessage());
        } else {
            b.append(" threw ").append(t);
            StackTraceElement[] st = t.getStackTrace();
            if (st.length > 0) {
                b.append(" at ").append(st[0]);
            }
        }
        b.append("; delivery continues with the next sharer");
        if (n == REPORTED_FAILURES) {
            b.append(" (further failures of this handler: every 1000th is reported)");
        } else if (n > REPORTED_FAILURES) {
            b.append(" (failure ").append(n).append(')');
        }
        report(b.toString());
    }

    // ------------------------------------------------------------ registrations

    private IOReturn register(Line l, String nub, int index, Object source, InterruptHandler handler) {
        synchronized (l) {
            if (closed) {
                return IOReturn.OFFLINE;
            }
            Registration[] regs = l.regs;
            for (Registration r : regs) {
                if (r.source == source) {
                    return IOReturn.BUSY;
                }
            }
            if (regs.length >= MAX_SHARERS) {
                return IOReturn.NO_RESOURCES;
            }
            String sharer = nub + "[" + index + "] " + describe(source);
            Registration r = new Registration(index, source, handler, sharer, sharer + " on " + name + " line " + l.index);
            Registration[] n = Arrays.copyOf(regs, regs.length + 1);
            n[regs.length] = r;
            l.regs = n;
            // starts disabled (S37); a new handler gives a "nobody cared" line another chance
            long s = (long) STATE.getAndAdd(l, REG_ONE + DIS_ONE);
            if ((s & NOBODY_CARED) != 0) {
                STATE.getAndBitwiseAnd(l, ~NOBODY_CARED);
            }
        }
        kick(l);
        return IOReturn.SUCCESS;
    }

    private IOReturn unregister(Line l, Object source) {
        Registration r;
        synchronized (l) {
            Registration[] regs = l.regs;
            int at = indexOf(regs, source);
            if (at < 0) {
                return IOReturn.BAD_ARGUMENT;
            }
            r = regs[at];
            Registration[] n = new Registration[regs.length - 1];
            System.arraycopy(regs, 0, n, 0, at);
            System.arraycopy(regs, at + 1, n, at, regs.length - at - 1);
            l.regs = n;
            int prev = (int) REG_STATE.getAndSet(r, Registration.REMOVED);
            STATE.getAndAdd(l, prev == Registration.DISABLED ? -REG_ONE - DIS_ONE : -REG_ONE);
        }
        kick(l); // removing a disabled sharer may unmask the line
        synchronizeHandler(l, r);
        return IOReturn.SUCCESS;
    }

    /** Waits until a call of {@code r}'s handler that is in progress on the line's CPU returned. */
    private void synchronizeHandler(Line l, Registration r) {
        if (l.current != r || Thread.currentThread() == l.home.thread) {
            return;
        }
        long deadline = System.nanoTime() + UNREGISTER_WAIT_NANOS;
        int spins = 0;
        while (l.current == r) {
            if (System.nanoTime() - deadline > 0) {
                report("line " + l.index + ": handler " + r.description + " still running "
                        + TimeUnit.NANOSECONDS.toMillis(UNREGISTER_WAIT_NANOS) + " ms after it was unregistered");
                return;
            }
            if (++spins < 1000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private IOReturn setEnabled(Line l, Object source, boolean enable) {
        Registration r = find(l, source);
        if (r == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        int from = enable ? Registration.DISABLED : Registration.ENABLED;
        int to = enable ? Registration.ENABLED : Registration.DISABLED;
        for (;;) {
            int st = r.regState;
            if (st == Registration.REMOVED) {
                return IOReturn.BAD_ARGUMENT;
            }
            if (st == to) {
                break;
            }
            if (REG_STATE.compareAndSet(r, from, to)) {
                STATE.getAndAdd(l, enable ? -DIS_ONE : DIS_ONE);
                break;
            }
        }
        kick(l); // also after a disable: a racing enable of the same registration may have left the count at 0
        return IOReturn.SUCCESS;
    }

    private static Registration find(Line l, Object source) {
        for (Registration r : l.regs) {
            if (r.source == source) {
                return r;
            }
        }
        return null;
    }

    private static int indexOf(Registration[] regs, Object source) {
        for (int i = 0; i < regs.length; i++) {
            if (regs[i].source == source) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(Object source) {
        try {
            return String.valueOf(source);
        } catch (RuntimeException e) {
            return source.getClass().getName();
        }
    }

    private void causeInterrupt(Line l) {
        stamp(l);
        l.edges.incrementAndGet();
        kick(l);
    }

    // ================================================================== types

    /** One handler registered on a line through a nub's provider. */
    private static final class Registration implements BooleanSupplier {
        static final int DISABLED = 0;
        static final int ENABLED = 1;
        static final int REMOVED = 2;

        final int index;
        final Object source;
        final InterruptHandler handler;
        /** {@code nub[index] source}, for sharer lists. */
        final String sharer;
        /** The sharer and its line, for primary-context violations and reports. */
        final String description;
        volatile int regState = DISABLED;
        /** Written only by the line's CPU thread. */
        long failures;

        Registration(int index, Object source, InterruptHandler handler, String sharer, String description) {
            this.index = index;
            this.sharer = sharer;
            this.source = source;
            this.handler = handler;
            this.description = description;
        }

        /** The handler call, run inside PrimaryInterruptContext without allocating a lambda. */
        @Override
        public boolean getAsBoolean() {
            return handler.interruptOccurred(index);
        }

        String sharerName() {
            return regState == DISABLED ? sharer + " (disabled)" : sharer;
        }
    }

    /** A controller line; also its model-side view. */
    private final class Line implements InterruptLine {
        final int index;
        final Cpu home;
        volatile InterruptType type = InterruptType.LEVEL;
        /** Flags and counts, see the constants; through STATE. */
        volatile long state;
        /** Pending edge events. */
        final AtomicLong edges = new AtomicLong();
        /** nanoTime of the oldest raise/pulse not yet delivered (low bit set), or 0. */
        final AtomicLong stamp = new AtomicLong();
        /** Rising transitions of the level, to tell a storm from a re-asserted line. */
        final AtomicLong assertions = new AtomicLong();
        /** Registration order; replaced (copy on write) under this line's monitor. */
        volatile Registration[] regs = NONE;
        /** The registration whose handler the CPU is calling (or about to), else null. */
        volatile Registration current;
        final LatencyHistogram latency = new LatencyHistogram();
        // Written only by the home CPU thread (volatile for status readers).
        volatile long delivered;
        volatile long unclaimed;
        int streak;
        long streakAssertion = -1;

        Line(int index, Cpu home) {
            this.index = index;
            this.home = home;
        }

        @Override
        public void raise() {
            if ((state & RAISED) != 0) {
                return;
            }
            stamp(this);
            long s = (long) STATE.getAndBitwiseOr(this, RAISED);
            if ((s & RAISED) == 0) {
                assertions.incrementAndGet();
                if (type == InterruptType.EDGE) {
                    edges.incrementAndGet(); // a rising edge
                }
                kick(this);
            }
        }

        @Override
        public void lower() {
            if ((state & RAISED) != 0) {
                STATE.getAndBitwiseAnd(this, ~RAISED);
                long st = stamp.get();
                if (st != 0 && edges.get() == 0) {
                    stamp.compareAndSet(st, 0); // lowered before delivery: no latency sample
                }
            }
        }

        @Override
        public void pulse() {
            causeInterrupt(this);
        }

        @Override
        public boolean isRaised() {
            return (state & RAISED) != 0;
        }

        List<String> sharers() {
            List<String> out = new ArrayList<>();
            for (Registration r : regs) {
                out.add(r.sharerName());
            }
            return out;
        }

        LineStatus status() {
            long s = state;
            boolean m = masked(s);
            boolean raised = (s & RAISED) != 0;
            InterruptType t = type;
            long pending = edges.get() + (t == InterruptType.LEVEL && raised && m ? 1 : 0);
            long[] p = latency.percentiles(0.5, 0.99, 0.999);
            return new LineStatus(index, t, raised, m, pending, delivered, unclaimed, sharers(),
                    p[0], p[1], p[2], latency.max());
        }

        @Override
        public String toString() {
            return "InterruptLine(" + name + " line " + index + ", " + type + ")";
        }
    }

    /** What a model gets for a line number the controller does not have. */
    private static final class DisconnectedLine implements InterruptLine {
        private volatile boolean raised;

        @Override
        public void raise() {
            raised = true;
        }

        @Override
        public void lower() {
            raised = false;
        }

        @Override
        public void pulse() {
        }

        @Override
        public boolean isRaised() {
            return raised;
        }

        @Override
        public String toString() {
            return "InterruptLine(disconnected)";
        }
    }

    /** A simulated CPU: a thread delivering the lines homed on it. */
    private final class Cpu implements Runnable {
        final Thread thread;
        /** One bit per line to deliver; set by kick, taken word by word by the thread. */
        final long[] pending;
        volatile boolean parked;

        Cpu(int id, int lineCount) {
            pending = new long[(lineCount + 63) >>> 6];
            thread = new Thread(this, "cpu" + id);
            thread.setDaemon(true);
        }

        /** Any thread: marks the line and wakes the CPU if it is parked. */
        void post(int line) {
            BITS.getAndBitwiseOr(pending, line >>> 6, 1L << (line & 63));
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        private boolean hasWork() {
            for (int w = 0; w < pending.length; w++) {
                if ((long) BITS.getVolatile(pending, w) != 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void run() {
            while (!closed) {
                boolean any = false;
                for (int w = 0; w < pending.length; w++) {
                    long bits = (long) BITS.getAndSet(pending, w, 0L);
                    while (bits != 0) {
                        int line = (w << 6) + Long.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                        any = true;
                        try {
                            service(lines[line]);
                        } catch (Throwable t) { // a controller bug: keep the CPU alive and say so
                            report(thread.getName() + ": internal error delivering line " + line + ": " + t);
                        }
                    }
                }
                if (any) {
                    continue;
                }
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while (!hasWork() && !closed && System.nanoTime() - spinUntil < 0) {
                    Thread.onSpinWait();
                }
                if (hasWork() || closed) {
                    continue;
                }
                parked = true;
                if (!hasWork() && !closed) { // re-checked after publishing 'parked': no lost wakeup
                    LockSupport.park(this);
                }
                parked = false;
            }
        }
    }

    /** A nub's view: its interrupt indexes mapped to controller lines. */
    private final class NubProvider implements IOInterruptProvider {
        private final String nub;
        private final int[] lineNumbers;
        private final Line[] byIndex;

        NubProvider(String nub, int[] lineNumbers, Line[] byIndex) {
            this.nub = nub;
            this.lineNumbers = lineNumbers;
            this.byIndex = byIndex;
        }

        private Line at(int index) {
            return index >= 0 && index < byIndex.length ? byIndex[index] : null;
        }

        @Override
        public IOReturn registerInterrupt(int index, Object source, InterruptHandler handler) {
            Line l = at(index);
            if (l == null || source == null || handler == null) {
                return IOReturn.BAD_ARGUMENT;
            }
            return register(l, nub, index, source, handler);
        }

        @Override
        public IOReturn unregisterInterrupt(int index, Object source) {
            Line l = at(index);
            return l == null ? IOReturn.BAD_ARGUMENT : unregister(l, source);
        }

        @Override
        public IOReturn enableInterrupt(int index, Object source) {
            Line l = at(index);
            return l == null ? IOReturn.BAD_ARGUMENT : setEnabled(l, source, true);
        }

        @Override
        public IOReturn disableInterrupt(int index, Object source) {
            Line l = at(index);
            return l == null ? IOReturn.BAD_ARGUMENT : setEnabled(l, source, false);
        }

        @Override
        public InterruptType getInterruptType(int index) {
            Line l = at(index);
            return l == null ? null : l.type;
        }

        @Override
        public IOReturn causeInterrupt(int index) {
            Line l = at(index);
            if (l == null) {
                return IOReturn.BAD_ARGUMENT;
            }
            InterruptController.this.causeInterrupt(l);
            return IOReturn.SUCCESS;
        }

        @Override
        public String toString() {
            return "IOInterruptProvider(" + nub + " on " + name + " lines " + Arrays.toString(lineNumbers) + ")";
        }
    }
}
