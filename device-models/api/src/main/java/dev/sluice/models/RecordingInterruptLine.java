package dev.sluice.models;

import java.util.concurrent.TimeUnit;

/**
 * An {@link InterruptLine} that only records what the model did: the current level, how many
 * times the line went from low to high, and how many pulses it saw. Tests of every model use it
 * in place of the interrupt controller, and may wait (with a deadline, without polling sleeps)
 * for the level or a pulse count.
 *
 * <p>Thread-safe: the model may drive it from any thread while a test thread waits on it.
 */
public final class RecordingInterruptLine implements InterruptLine {

    private final String name;
    private boolean raised;
    private long raiseCount;
    private long pulseCount;

    /** @param name shown by {@link #toString()} */
    public RecordingInterruptLine(String name) {
        this.name = name;
    }

    /** A line named "irq". */
    public RecordingInterruptLine() {
        this("irq");
    }

    @Override
    public synchronized void raise() {
        if (!raised) {
            raised = true;
            raiseCount++;
            notifyAll();
        }
    }

    @Override
    public synchronized void lower() {
        if (raised) {
            raised = false;
            notifyAll();
        }
    }

    @Override
    public synchronized void pulse() {
        pulseCount++;
        notifyAll();
    }

    @Override
    public synchronized boolean isRaised() {
        return raised;
    }

    /** @return how many times the line went from low to high */
    public synchronized long raiseCount() {
        return raiseCount;
    }

    /** @return how many pulses were signalled */
    public synchronized long pulseCount() {
        return pulseCount;
    }

    /**
     * Waits until the line has the given level.
     *
     * @return true if it did before the timeout, false otherwise
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public synchronized boolean awaitLevel(boolean level, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (raised != level) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Waits until at least {@code count} pulses were seen in total.
     *
     * @return true if they were before the timeout, false otherwise
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public synchronized boolean awaitPulses(long count, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (pulseCount < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    public synchronized String toString() {
        return name + (raised ? " raised" : " low") + " (raised " + raiseCount + "x, pulsed " + pulseCount + "x)";
    }
}
