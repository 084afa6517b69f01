package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A general work queue on a work loop: any thread {@linkplain #submit(Runnable) submits} work, the
 * loop thread runs it in FIFO order with the gate closed. I/O Kit has no public equivalent (its
 * IOCommandQueue is long deprecated); this is the way to move work onto the loop thread, e.g. to
 * complete a request asynchronously, never on the submitter's stack (P2).
 *
 * <p>Each {@code checkForWork()} runs at most {@code batchLimit} items and asks for another pass if
 * more remain, so one busy queue cannot starve the sources after it. A disabled queue keeps its
 * items and runs them after {@link #enable()}. Items still queued when the source is removed stay
 * queued and run if it is added again; {@link #drainPending()} takes them out. An item that throws
 * is reported to the loop's error handler and the next item runs.
 *
 * <p>Items run on the loop thread, or on a thread calling {@link IOWorkLoop#runEventSources()}.
 *
 * @param <O> the owner's type
 */
public final class IOWorkQueueEventSource<O> extends IOEventSource<O> {

    /** Default number of items run per checkForWork before the loop makes another pass. */
    public static final int DEFAULT_BATCH = 64;

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int batchLimit;

    private IOWorkQueueEventSource(O owner, int batchLimit) {
        super(owner);
        if (batchLimit < 1) {
            throw new IllegalArgumentException("batch limit must be >= 1: " + batchLimit);
        }
        this.batchLimit = batchLimit;
    }

    /** Creates a queue running up to {@link #DEFAULT_BATCH} items per pass. */
    public static <O> IOWorkQueueEventSource<O> workQueue(O owner) {
        return new IOWorkQueueEventSource<>(owner, DEFAULT_BATCH);
    }

    /** Creates a queue running up to {@code batchLimit} items per pass. */
    public static <O> IOWorkQueueEventSource<O> workQueue(O owner, int batchLimit) {
        return new IOWorkQueueEventSource<>(owner, batchLimit);
    }

    /**
     * Queues {@code work} and signals the loop. Any thread, including primary interrupt context:
     * never blocks. The item never runs before this call returns, and never on the caller's stack
     * unless the caller itself runs the loop's sources.
     */
    public void submit(Runnable work) {
        Objects.requireNonNull(work, "work");
        queue.add(work);
        size.incrementAndGet();
        signalWorkAvailable();
    }

    /** @return how many items wait to run; a snapshot */
    public int pendingCount() {
        return size.get();
    }

    /** Removes and returns the items not yet run, in FIFO order. */
    public List<Runnable> drainPending() {
        List<Runnable> out = new ArrayList<>();
        Runnable r;
        while ((r = queue.poll()) != null) {
            size.decrementAndGet();
            out.add(r);
        }
        return out;
    }

    @Override
    protected boolean checkForWork() {
        if (!isEnabled()) {
            return false;
        }
        for (int i = 0; i < batchLimit; i++) {
            Runnable r = queue.poll();
            if (r == null) {
                return false;
            }
            size.decrementAndGet();
            try {
                r.run();
            } catch (Throwable t) {
                reportFailure(getWorkLoop(), t);
            }
            if (!isEnabled() || getWorkLoop() == null) {
                return false; // disabled or removed by the item itself
            }
        }
        return !queue.isEmpty();
    }

    /** Signals the loop if items were queued before the add. */
    @Override
    protected IOReturn attached(IOWorkLoop loop) {
        if (!queue.isEmpty()) {
            loop.signalWorkAvailable();
        }
        return IOReturn.SUCCESS;
    }
}
