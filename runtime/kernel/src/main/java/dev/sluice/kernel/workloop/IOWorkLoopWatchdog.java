package dev.sluice.kernel.workloop;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Watches work loops and reports (a) a gate held, or an action running with it, for longer than a
 * budget, and (b) a deadlock between loops: threads that each hold one loop's gate and wait for
 * another's, in a cycle (pitfall P4). Reports go to the {@code Consumer} given at creation; the
 * OSGi LogService wiring is the caller's business.
 *
 * <p>One daemon thread, {@code IOWorkLoopWatchdog}, samples every watched loop each period: the
 * gate's owner, how often the gate has been taken, and which threads queue for it. It never takes a
 * gate and costs the loops nothing beyond what they record anyway. Consequences of sampling:
 * <ul>
 * <li>A hold is timed from the first sample that saw it, so it is reported after between
 * {@code budget} and {@code budget + period}; the reported duration is a lower bound.</li>
 * <li>A hold is reported once; a deadlock cycle is reported once, after it has been seen in two
 * consecutive samples (a single racy snapshot is never reported).</li>
 * <li>Loops that have terminated are dropped from the watch list.</li>
 * </ul>
 * The sink runs on the watchdog thread; it should not block for long. A sink that throws is
 * ignored for that report.
 */
public final class IOWorkLoopWatchdog implements AutoCloseable {

    /** What a report is about. */
    public enum Kind {
        /** A gate held (an action running with it) longer than the budget. */
        GATE_HELD,
        /** Threads holding gates of watched loops wait for each other's gates in a cycle. */
        DEADLOCK
    }

    /**
     * One finding.
     *
     * @param kind          what was found
     * @param message       a readable description naming loops, threads and the running source
     * @param loops         the loops involved (for a deadlock, in cycle order)
     * @param threads       the threads involved (the gate owner; for a deadlock, the cycle)
     * @param durationNanos how long the gate has been held (a lower bound), or how long the
     *                      deadlock has been seen
     * @param stacks        the stack of each thread in {@code threads}, same order
     */
    public record Report(Kind kind, String message, List<IOWorkLoop> loops, List<Thread> threads,
                         long durationNanos, List<StackTraceElement[]> stacks) {
    }

    private static final class HoldState {
        Thread owner;
        long acquisitions;
        long since;
        boolean reported;
    }

    private final long budgetNanos;
    private final long periodNanos;
    private final Consumer<? super Report> sink;
    private final List<IOWorkLoop> loops = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long samples;

    // Touched only under "this" (by the watchdog thread, or a caller of check()).
    private final Map<IOWorkLoop, HoldState> holds = new IdentityHashMap<>();
    private final Map<Set<Thread>, Long> cyclesSeen = new HashMap<>();
    private final Set<Set<Thread>> cyclesReported = new HashSet<>();

    private IOWorkLoopWatchdog(long budgetNanos, long periodNanos, Consumer<? super Report> sink) {
        if (budgetNanos <= 0 || periodNanos <= 0) {
            throw new IllegalArgumentException("budget and period must be > 0");
        }
        this.budgetNanos = budgetNanos;
        this.periodNanos = periodNanos;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.thread = new Thread(this::run, "IOWorkLoopWatchdog");
        thread.setDaemon(true);
    }

    /**
     * Starts a watchdog thread.
     *
     * @param budget how long a gate may be held before it is reported
     * @param period how often the loops are sampled
     * @param sink   receives reports, on the watchdog thread
     */
    public static IOWorkLoopWatchdog start(long budget, long period, TimeUnit unit, Consumer<? super Report> sink) {
        IOWorkLoopWatchdog w = new IOWorkLoopWatchdog(unit.toNanos(budget), unit.toNanos(period), sink);
        w.thread.start();
        return w;
    }

    /** Adds {@code loop} to the watch list. Any thread. */
    public void watch(IOWorkLoop loop) {
        Objects.requireNonNull(loop, "loop");
        if (!loops.contains(loop)) {
            loops.add(loop);
        }
    }

    /** Removes {@code loop} from the watch list. Any thread. */
    public void unwatch(IOWorkLoop loop) {
        loops.remove(loop);
    }

    /** @return the watched loops; a snapshot */
    public List<IOWorkLoop> watched() {
        return List.copyOf(loops);
    }

    /** Stops the watchdog thread and waits for it to end. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long next = System.nanoTime();
        while (!closed) {
            next += periodNanos;
            check();
            long wait;
            while (!closed && (wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    /** @return how many samples have been taken so far; a monitoring value */
    public long samples() {
        return samples;
    }

    /** Takes one sample now, on the calling thread, reporting what it finds. */
    public synchronized void check() {
        samples++;
        long now = System.nanoTime();
        loops.removeIf(IOWorkLoop::isTerminated);
        holds.keySet().retainAll(new HashSet<>(loops));
        for (IOWorkLoop loop : loops) {
            checkHold(loop, now);
        }
        checkDeadlock(now);
    }

    private void checkHold(IOWorkLoop loop, long now) {
        HoldState st = holds.computeIfAbsent(loop, l -> new HoldState());
        long acq = loop.gateAcquisitions();
        Thread owner = loop.gateOwner();
        if (owner == null) {
            st.owner = null;
            return;
        }
        if (owner != st.owner || acq != st.acquisitions) {
            st.owner = owner;
            st.acquisitions = acq;
            st.since = now;
            st.reported = false;
            return;
        }
        long held = now - st.since;
        if (!st.reported && held >= budgetNanos) {
            st.reported = true;
            IOEventSource<?> src = owner == loop.thread() ? loop.currentSource() : null;
            String what = src != null ? "the action of " + src + " on " + owner.getName()
                    : owner.getName() + (owner == loop.thread() ? "" : " (caller's thread)");
            emit(new Report(Kind.GATE_HELD, "gate of " + loop + " held by " + what + " for at least "
                    + TimeUnit.NANOSECONDS.toMillis(held) + " ms (budget " + TimeUnit.NANOSECONDS.toMillis(budgetNanos)
                    + " ms)", List.of(loop), List.of(owner), held, java.util.Collections.singletonList(owner.getStackTrace())));
        }
    }

    private void checkDeadlock(long now) {
        Map<Thread, IOWorkLoop> waitsFor = new IdentityHashMap<>();
        for (IOWorkLoop loop : loops) {
            Collection<Thread> queued = loop.gateQueuedThreads();
            for (Thread t : queued) {
                waitsFor.put(t, loop);
            }
        }
        Set<Set<Thread>> seenNow = new HashSet<>();
        for (Thread start : waitsFor.keySet()) {
            List<Thread> path = new ArrayList<>();
            List<IOWorkLoop> waited = new ArrayList<>();
            Thread t = start;
            while (t != null && !path.contains(t)) {
                IOWorkLoop l = waitsFor.get(t);
                if (l == null) {
                    t = null;
                    break;
                }
                path.add(t);
                waited.add(l);
                t = l.gateOwner();
            }
            if (t == null) {
                continue;
            }
            int from = path.indexOf(t);
            List<Thread> cycle = path.subList(from, path.size());
            List<IOWorkLoop> cycleLoops = waited.subList(from, waited.size());
            Set<Thread> key = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            key.addAll(cycle);
            if (!seenNow.add(key)) {
                continue;
            }
            Long first = cyclesSeen.putIfAbsent(key, now);
            if (first != null && !cyclesReported.contains(key)) {
                cyclesReported.add(key);
                emit(deadlockReport(List.copyOf(cycle), List.copyOf(cycleLoops), now - first));
            }
        }
        cyclesSeen.keySet().retainAll(seenNow);
        cyclesReported.retainAll(seenNow);
    }

    private Report deadlockReport(List<Thread> cycle, List<IOWorkLoop> waited, long seenFor) {
        StringBuilder sb = new StringBuilder("deadlock between work loops:");
        List<StackTraceElement[]> stacks = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            Thread t = cycle.get(i);
            IOWorkLoop held = waited.get((i + waited.size() - 1) % waited.size());
            sb.append(' ').append(t.getName()).append(" holds the gate of ").append(held)
              .append(" and waits for the gate of ").append(waited.get(i)).append(';');
            stacks.add(t.getStackTrace());
        }
        sb.setLength(sb.length() - 1);
        return new Report(Kind.DEADLOCK, sb.toString(), waited, cycle, seenFor, stacks);
    }

    private void emit(Report r) {
        try {
            sink.accept(r);
        } catch (RuntimeException ignored) {
            // a faulty sink must not stop the watchdog
        }
    }
}
