package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptHandler;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A small but honest interrupt controller for tests, following {@link IOInterruptProvider}'s
 * contract.
 *
 * <ul>
 * <li>Each registration has its own enable flag, starting disabled. A line is masked while it has
 * no registration or any registration on it is disabled.</li>
 * <li>A device raises an edge line with {@link #causeInterrupt(int)} (one event) and drives a level
 * line with {@link #assertLine(int)} / {@link #deassertLine(int)}. What arrives while the line is
 * masked is held pending (edges coalesce into one) and delivered when it is unmasked.</li>
 * <li>{@code cpuN} threads deliver: they run every registration's handler in registration order,
 * each inside {@link PrimaryInterruptContext#run}. A line is never serviced by two CPUs at once.
 * A handler that throws (e.g. a primary-context violation) is recorded in {@link #faults} and the
 * controller carries on, as the real kernel reports and survives.</li>
 * <li>A level line still asserted and unmasked after delivery is delivered again (a real level
 * line keeps interrupting), except when no handler claimed it: then it is held until the next
 * assertion or unmask, instead of storming (Linux would eventually disable it as spurious).</li>
 * </ul>
 * All state is guarded by the controller's monitor, which is never held while handlers run.
 */
final class TestInterruptController implements IOInterruptProvider, AutoCloseable {

    private static final class Registration {
        final Object source;
        final InterruptHandler handler;
        boolean enabled;

        Registration(Object source, InterruptHandler handler) {
            this.source = source;
            this.handler = handler;
        }
    }

    private static final class Line {
        final InterruptType type;
        final List<Registration> regs = new ArrayList<>();
        boolean asserted;
        boolean pending;
        boolean inService;
        boolean spuriousHold;
        long deliveries;
        long requeued;

        Line(InterruptType type) {
            this.type = type;
        }

        boolean masked() {
            if (regs.isEmpty()) {
                return true;
            }
            for (Registration r : regs) {
                if (!r.enabled) {
                    return true;
                }
            }
            return false;
        }
    }

    private final Line[] lines;
    private final BlockingQueue<Integer> ready = new LinkedBlockingQueue<>();
    private final List<Thread> cpus = new ArrayList<>();
    final List<Throwable> faults = new CopyOnWriteArrayList<>();
    volatile IOReturn refuseRegistrationsWith;

    TestInterruptController(int cpuCount, InterruptType... lineTypes) {
        lines = new Line[lineTypes.length];
        for (int i = 0; i < lineTypes.length; i++) {
            lines[i] = new Line(lineTypes[i]);
        }
        for (int c = 0; c < cpuCount; c++) {
            Thread t = new Thread(this::cpuMain, "cpu" + c);
            t.setDaemon(true);
            cpus.add(t);
            t.start();
        }
    }

    private Line line(int index) {
        return index >= 0 && index < lines.length ? lines[index] : null;
    }

    private Registration find(Line l, Object source) {
        for (Registration r : l.regs) {
            if (r.source == source) {
                return r;
            }
        }
        return null;
    }

    // ------------------------------------------------------------ IOInterruptProvider

    @Override
    public synchronized IOReturn registerInterrupt(int index, Object source, InterruptHandler handler) {
        Line l = line(index);
        if (l == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        if (refuseRegistrationsWith != null) {
            return refuseRegistrationsWith;
        }
        if (find(l, source) != null) {
            return IOReturn.BUSY;
        }
        l.regs.add(new Registration(source, handler));
        return IOReturn.SUCCESS;
    }

    @Override
    public synchronized IOReturn unregisterInterrupt(int index, Object source) {
        Line l = line(index);
        Registration r = l == null ? null : find(l, source);
        if (r == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        l.regs.remove(r);
        dispatchIfReady(index);
        return IOReturn.SUCCESS;
    }

    @Override
    public synchronized IOReturn enableInterrupt(int index, Object source) {
        Line l = line(index);
        Registration r = l == null ? null : find(l, source);
        if (r == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        boolean wasMasked = l.masked();
        r.enabled = true;
        if (wasMasked && !l.masked()) {
            l.spuriousHold = false;
        }
        dispatchIfReady(index);
        return IOReturn.SUCCESS;
    }

    @Override
    public synchronized IOReturn disableInterrupt(int index, Object source) {
        Line l = line(index);
        Registration r = l == null ? null : find(l, source);
        if (r == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        r.enabled = false;
        return IOReturn.SUCCESS;
    }

    @Override
    public InterruptType getInterruptType(int index) {
        Line l = line(index);
        return l == null ? null : l.type;
    }

    @Override
    public synchronized IOReturn causeInterrupt(int index) {
        Line l = line(index);
        if (l == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        l.pending = true;
        dispatchIfReady(index);
        return IOReturn.SUCCESS;
    }

    /** Keeps handed-back events pending (coalesced, as every edge here) and counts them. */
    @Override
    public synchronized IOReturn requeueInterrupts(int index, int count) {
        Line l = line(index);
        if (l == null || count < 1) {
            return IOReturn.BAD_ARGUMENT;
        }
        l.requeued += count;
        l.pending = true;
        dispatchIfReady(index);
        return IOReturn.SUCCESS;
    }

    // ------------------------------------------------------------ device side

    /** A level device raises its line; it stays raised until {@link #deassertLine}. */
    synchronized void assertLine(int index) {
        Line l = lines[index];
        if (!l.asserted) {
            l.asserted = true;
            l.spuriousHold = false;
        }
        dispatchIfReady(index);
    }

    /** The device has been serviced and lowers its line. */
    synchronized void deassertLine(int index) {
        lines[index].asserted = false;
    }

    // ------------------------------------------------------------ observation

    synchronized boolean isMasked(int index) {
        return lines[index].masked();
    }

    synchronized boolean isPending(int index) {
        Line l = lines[index];
        return l.pending || l.asserted && !l.inService;
    }

    /** @return how many events sources handed back on that line ({@link #requeueInterrupts}) */
    synchronized long requeued(int index) {
        return lines[index].requeued;
    }

    synchronized long deliveries(int index) {
        return lines[index].deliveries;
    }

    synchronized int registrations(int index) {
        return lines[index].regs.size();
    }

    synchronized boolean isRegistrationEnabled(int index, Object source) {
        Registration r = find(lines[index], source);
        return r != null && r.enabled;
    }

    // ------------------------------------------------------------ delivery

    private void dispatchIfReady(int index) {
        Line l = lines[index];
        boolean levelReady = l.asserted && !l.spuriousHold;
        if (!l.inService && !l.masked() && (l.pending || levelReady)) {
            l.inService = true;
            l.pending = false;
            ready.add(index);
        }
    }

    private void cpuMain() {
        try {
            for (;;) {
                int index = ready.take();
                deliver(index);
            }
        } catch (InterruptedException e) {
            // close(): the CPU goes offline
        }
    }

    private void deliver(int index) {
        List<Registration> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(lines[index].regs);
        }
        boolean claimed = false;
        for (Registration r : snapshot) {
            try {
                claimed |= PrimaryInterruptContext.run("handler of " + r.source + " on line " + index,
                        () -> r.handler.interruptOccurred(index));
            } catch (Throwable t) {
                faults.add(t);
            }
        }
        synchronized (this) {
            Line l = lines[index];
            l.deliveries++;
            l.inService = false;
            if (!claimed && l.asserted) {
                l.spuriousHold = true;
            }
            notifyAll();
            dispatchIfReady(index);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Thread t : cpus) {
            t.interrupt();
        }
        for (Thread t : cpus) {
            t.join(5_000);
        }
    }
}
