package dev.sluice.drivers.rtc;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptHandler;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.models.InterruptLine;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A minimal level-triggered interrupt controller standing in for the platform nub in unit tests:
 * the model drives {@link #line(int)}; a {@code cpu0} thread runs the registered handler in
 * primary interrupt context whenever a line is asserted and its registration enabled (again after
 * each re-enable while it stays asserted, as a level line does). State is guarded by the monitor,
 * which is never held while a handler runs.
 */
final class TestNub implements IOInterruptProvider, AutoCloseable {

    private final int count;
    private final InterruptHandler[] handlers;
    private final Object[] owners;
    private final boolean[] enabled;
    private final boolean[] asserted;
    private final boolean[] queued;
    private final BlockingQueue<Integer> ready = new LinkedBlockingQueue<>();
    private final Thread cpu;

    TestNub(int lines) {
        count = lines;
        handlers = new InterruptHandler[lines];
        owners = new Object[lines];
        enabled = new boolean[lines];
        asserted = new boolean[lines];
        queued = new boolean[lines];
        cpu = new Thread(this::deliver, "cpu0");
        cpu.setDaemon(true);
        cpu.start();
    }

    /** @return the device side of line {@code i}, for the model's context */
    InterruptLine line(int i) {
        return new InterruptLine() {
            @Override public void raise() { drive(i, true); }
            @Override public void lower() { drive(i, false); }
            @Override public void pulse() { drive(i, true); drive(i, false); }
            @Override public boolean isRaised() { synchronized (TestNub.this) { return asserted[i]; } }
        };
    }

    private synchronized void drive(int i, boolean level) {
        asserted[i] = level;
        kick(i);
    }

    private void kick(int i) { // monitor held
        if (asserted[i] && enabled[i] && handlers[i] != null && !queued[i]) {
            queued[i] = true;
            ready.add(i);
        }
    }

    private void deliver() {
        try {
            while (true) {
                int i = ready.take();
                if (i < 0) {
                    return;
                }
                InterruptHandler h;
                synchronized (this) {
                    queued[i] = false;
                    if (!(asserted[i] && enabled[i])) {
                        continue;
                    }
                    h = handlers[i];
                }
                if (h != null) {
                    PrimaryInterruptContext.run("test-nub line " + i, () -> h.interruptOccurred(i));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean valid(int i) {
        return i >= 0 && i < count;
    }

    @Override
    public synchronized IOReturn registerInterrupt(int index, Object source, InterruptHandler handler) {
        if (!valid(index)) {
            return IOReturn.BAD_ARGUMENT;
        }
        if (handlers[index] != null) {
            return IOReturn.BUSY;
        }
        handlers[index] = handler;
        owners[index] = source;
        enabled[index] = false;
        return IOReturn.SUCCESS;
    }

    @Override
    public synchronized IOReturn unregisterInterrupt(int index, Object source) {
        if (!valid(index) || owners[index] != source) {
            return IOReturn.BAD_ARGUMENT;
        }
        handlers[index] = null;
        owners[index] = null;
        enabled[index] = false;
        return IOReturn.SUCCESS;
    }

    @Override
    public synchronized IOReturn enableInterrupt(int index, Object source) {
        if (!valid(index) || owners[index] != source) {
            return IOReturn.BAD_ARGUMENT;
        }
        enabled[index] = true;
        kick(index);
        return IOReturn.SUCCESS;
    }

    @Override
    public synchronized IOReturn disableInterrupt(int index, Object source) {
        if (!valid(index) || owners[index] != source) {
            return IOReturn.BAD_ARGUMENT;
        }
        enabled[index] = false;
        return IOReturn.SUCCESS;
    }

    @Override
    public InterruptType getInterruptType(int index) {
        return valid(index) ? InterruptType.LEVEL : null;
    }

    @Override
    public synchronized IOReturn causeInterrupt(int index) {
        return IOReturn.NOT_PERMITTED;
    }

    @Override
    public void close() {
        ready.add(-1);
    }
}
