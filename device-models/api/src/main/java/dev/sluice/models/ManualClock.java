package dev.sluice.models;

import java.util.PriorityQueue;

/**
 * A {@link DeviceClock} that moves only when told to, for deterministic tests. Time starts at
 * 0 (or the given start); {@link #advance(long)} moves it forward and runs every callback that
 * became due, on the calling thread, in deadline order (ties in scheduling order), each with
 * {@link #nanoTime()} equal to its deadline. Callbacks scheduled by callbacks run in the same
 * advance if they fall due within it; a callback scheduled for a deadline already passed runs at
 * the next advance ({@code advance(0)} is allowed). Thread-safe; callbacks run without the
 * clock's lock held.
 */
public final class ManualClock implements DeviceClock {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now;
    private long sequence;

    public ManualClock() {
        this(0);
    }

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Scheduled schedule(long deadlineNanos, Runnable task) {
        Task t = new Task(deadlineNanos, sequence++, task);
        queue.add(t);
        return t;
    }

    /**
     * Moves time forward by {@code nanos} and runs what fell due.
     *
     * @return how many callbacks ran
     * @throws IllegalArgumentException for a negative amount
     */
    public int advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + nanos);
        }
        long target;
        synchronized (this) {
            target = now + nanos;
        }
        int ran = 0;
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.deadline > target) {
                    now = target;
                    return ran;
                }
                queue.poll();
                now = Math.max(now, next.deadline);
                next.started = true;
            }
            next.action.run();
            ran++;
        }
    }

    /** @return callbacks scheduled and not yet run or cancelled */
    public synchronized int pending() {
        return queue.size();
    }

    private final class Task implements Scheduled, Comparable<Task> {
        final long deadline;
        final long seq;
        final Runnable action;
        boolean started;

        Task(long deadline, long seq, Runnable action) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public boolean cancel() {
            synchronized (ManualClock.this) {
                return !started && queue.remove(this);
            }
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
