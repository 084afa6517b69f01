package dev.sluice.drivers.virtio;

import dev.sluice.drivers.virtio.BlockEngine.Kind;
import dev.sluice.drivers.virtio.BlockEngine.Request;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOReturnException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;

/**
 * How client requests reach the {@link BlockEngine} from any thread: through the work loop's gate
 * if it is free, else handed to the gate's current holder.
 *
 * <p>A caller that finds the gate taken (typically by the loop thread, still finishing the
 * interrupt action that just completed this caller's previous request and woke it) does not wait
 * for it: it queues the request and rings a doorbell, and the loop thread submits it in its next
 * pass, usually without having parked in between. A thread waiting for the gate would otherwise
 * cost one more park and unpark per request. Once something is queued, later requests queue behind
 * it, so one thread's requests reach the device in the order it made them.
 *
 * <p>Every submission polls for its completion ({@link BlockEngine#submitPolled}): when the device
 * model processes the notification on the notifying thread (its default when idle), a synchronous
 * request is done before its submitting gate action ends and the caller never parks; only what the
 * device completes later goes through the interrupt.
 *
 * <h2>Threads</h2>
 * {@link #submit} and {@link #await} run on any client thread; the doorbell's action runs on the
 * loop thread with the gate closed. {@link #close()} may run on any thread, after the engine was
 * shut down: requests still queued then, or queued later, fail with {@code OFFLINE}.
 */
public final class BlockSubmitter {

    private final IOCommandGate<?> gate;
    private final BlockEngine engine;
    private final ConcurrentLinkedQueue<Request> handedOff = new ConcurrentLinkedQueue<>();
    private final IOInterruptEventSource<BlockSubmitter> doorbell;
    private volatile boolean closed;

    /**
     * @param gate   the gate that serialises the engine (added to its loop)
     * @param engine the started engine
     */
    public BlockSubmitter(IOCommandGate<?> gate, BlockEngine engine) {
        this.gate = gate;
        this.engine = engine;
        this.doorbell = IOInterruptEventSource.interruptEventSource(this, (self, source, count) -> self.drain());
    }

    /** @return the doorbell source; add it to the engine's work loop before submitting */
    public IOInterruptEventSource<BlockSubmitter> doorbell() {
        return doorbell;
    }

    /**
     * Submits a request; it completes through its callback (never on this thread if it reaches the
     * device). Never waits for the gate while another thread holds it.
     */
    public void submit(Request r) {
        if (handedOff.isEmpty()) {
            IOReturn rc = gate.attemptAction(owner -> {
                engine.submitPolled(r);
                return IOReturn.SUCCESS;
            });
            if (rc == IOReturn.SUCCESS) {
                return;
            }
            if (rc != IOReturn.CANNOT_LOCK) {
                // disabled, being removed or not on a loop: let the gate decide, as a plain call would
                rc = gate.runAction(owner -> {
                    engine.submitPolled(r);
                    return IOReturn.SUCCESS;
                });
                if (rc != IOReturn.SUCCESS) {
                    fail(r, rc);
                }
                return;
            }
        }
        handedOff.add(r);
        doorbell.interruptOccurred();
        if (closed) {
            failHandedOff();
        }
    }

    /**
     * Submits a request and blocks the caller (outside the gate) until it completed.
     *
     * @throws IOReturnException with the request's failure; ABORTED if the thread was interrupted
     */
    public void await(Kind kind, long sector, byte[] buffer) {
        CompletableFuture<Request> finished = new CompletableFuture<>();
        submit(new Request(kind, sector, buffer, finished::complete));
        Request r;
        try {
            r = finished.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOReturnException(IOReturn.ABORTED, "interrupted while waiting for the virtio-blk request");
        } catch (ExecutionException e) {
            throw new IOReturnException(IOReturn.ERROR, String.valueOf(e.getCause()));
        }
        if (r.failure() != null) {
            throw r.failure();
        }
    }

    /** Fails whatever is queued now or later with OFFLINE. Call after the engine was shut down. */
    public void close() {
        closed = true;
        failHandedOff();
    }

    /** @return requests waiting for the loop thread (diagnostics) */
    public int handedOffCount() {
        return handedOff.size();
    }

    /** The doorbell's action: on the loop thread, gate closed. */
    private void drain() {
        Request r;
        while ((r = handedOff.poll()) != null) {
            try {
                engine.submitPolled(r);
            } catch (IllegalArgumentException e) { // a malformed request fails alone
                r.partsLeft = 1;
                r.partFinished(new IOReturnException(IOReturn.BAD_ARGUMENT, e.getMessage()));
            }
        }
    }

    private void failHandedOff() {
        Request r;
        while ((r = handedOff.poll()) != null) {
            fail(r, IOReturn.OFFLINE);
        }
    }

    private static void fail(Request r, IOReturn rc) {
        r.partsLeft = 1;
        r.partFinished(new IOReturnException(rc, "the virtio-blk driver is not accepting requests: " + rc));
    }
}
