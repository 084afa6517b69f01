package dev.sluice.kernel.jcstress.workloop;

import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.jcstress.Safety;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Interrupt count coalescing on a doorbell IOInterruptEventSource (S33-S35, S38): two threads ring
 * the same doorbell while the loop thread consumes; the counts handed to the action must sum
 * exactly to the rings, none lost and none invented, and the action must run on the loop thread
 * with the gate held and never concurrently with itself (S14).
 *
 * <p>The loop and source are one per forked VM (a loop thread per sample would be far too slow),
 * so the sum is checked per jcstress round: the arbiters run after every actor of the round has
 * finished, and each waits (on a monitor, with a deadline) until the action has consumed every ring
 * counted so far. A ring is counted after {@code interruptOccurred()} returns, so consumption may
 * briefly run ahead of the count but never end above it.
 *
 * <p>r1: 0 = sum exact; 1 = LOST counts (still short at the deadline); 2 = counts invented (sum
 * above rings). r2: 1 if the action ever ran off the loop thread, without the gate, or
 * concurrently with itself. r3: 1 if coalescing has been seen (fewer action calls than rings so
 * far); informational, S35.
 */
@JCStressTest
@Description("S33-S35/S38 doorbell interrupt counts: no count lost, counts sum exactly")
@Outcome(id = "0, 0, 1", expect = Expect.ACCEPTABLE, desc = "exact sum, coalescing seen")
@Outcome(id = "0, 0, 0", expect = Expect.ACCEPTABLE, desc = "exact sum, no coalescing seen yet")
@Outcome(id = "1, .*", expect = Expect.FORBIDDEN, desc = "LOST interrupt counts")
@Outcome(id = "2, .*", expect = Expect.FORBIDDEN, desc = "counts invented")
@Outcome(expect = Expect.FORBIDDEN, desc = "action ran off the loop thread, outside the gate, or re-entered")
@State
public class InterruptCountCoalescing {

    static final IOWorkLoop LOOP = IOWorkLoop.create("jcstress-interrupts");
    static final Object MON = new Object();
    static final AtomicLong RINGS = new AtomicLong();
    /** Guarded by MON (written by the action on the loop thread). */
    static long consumed;
    static long calls;
    static boolean violation;
    static volatile boolean inAction;

    static final IOInterruptEventSource<String> SOURCE =
            IOInterruptEventSource.interruptEventSource("jcstress", (owner, source, count) -> {
                boolean bad = inAction || !source.onThread() || !source.inGate() || count <= 0;
                inAction = true;
                synchronized (MON) {
                    consumed += count;
                    calls++;
                    violation |= bad;
                    MON.notifyAll();
                }
                inAction = false;
            });

    static {
        IOReturn r = LOOP.addEventSource(SOURCE);
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException("addEventSource(doorbell) = " + r);
        }
        SOURCE.enable();
    }

    @Actor
    public void producer1() {
        SOURCE.interruptOccurred();
        RINGS.incrementAndGet();
        SOURCE.interruptOccurred();
        RINGS.incrementAndGet();
    }

    @Actor
    public void producer2() {
        SOURCE.interruptOccurred();
        RINGS.incrementAndGet();
        SOURCE.interruptOccurred();
        RINGS.incrementAndGet();
    }

    @Arbiter
    public void arbiter(III_Result r) {
        long rings = RINGS.get();
        long deadline = Safety.deadline();
        synchronized (MON) {
            long left;
            while (consumed < rings && (left = deadline - System.nanoTime()) > 0) {
                try {
                    MON.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            r.r1 = consumed == rings ? 0 : consumed < rings ? 1 : 2;
            r.r2 = violation ? 1 : 0;
            r.r3 = calls < consumed ? 1 : 0;
        }
    }
}
