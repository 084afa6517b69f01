package dev.sluice.kernel.jcstress.virtio;

import java.lang.invoke.VarHandle;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The virtio-blk driver's completion polling (virtio 2.7.7): it submits with used-buffer
 * interrupts suppressed, then clears VIRTQ_AVAIL_F_NO_INTERRUPT and checks the used ring once more
 * ({@code Virtqueue.suppressInterrupts(false)} then {@code hasUsed()}). A device completing at the
 * same moment writes the used index, then reads the flag to decide on an interrupt
 * ({@code VirtQueue.complete} then {@code takeInterruptNeed}). Both put a full barrier between
 * their store and their load, so at least one of them sees the other: the driver harvests the
 * element or the device interrupts. Otherwise the request would wait for an interrupt that never
 * comes. r1 = 1 if the device interrupts; r2 = 1 if the driver's check sees the element.
 */
@JCStressTest
@Description("virtio 2.7.7 NO_INTERRUPT cleared vs used element: the driver sees it or the device interrupts")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "both: the interrupt finds nothing left to harvest")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "completed after the check: interrupt")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "completed while suppressed: the driver's check harvests it")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "LOST COMPLETION: no interrupt and the driver did not see it")
@State
public class UsedRingInterruptSuppression {

    private final RingFields ring = new RingFields();

    public UsedRingInterruptSuppression() {
        ring.write16(RingFields.AVAIL_FLAGS, RingFields.NO_INTERRUPT); // the driver is polling
    }

    @Actor
    public void device(II_Result r) {
        ring.write16(RingFields.USED_IDX, 1);
        VarHandle.fullFence();
        r.r1 = (ring.read16(RingFields.AVAIL_FLAGS) & RingFields.NO_INTERRUPT) == 0 ? 1 : 0;
    }

    @Actor
    public void driver(II_Result r) {
        ring.write16(RingFields.AVAIL_FLAGS, 0);
        VarHandle.fullFence();
        r.r2 = ring.read16(RingFields.USED_IDX) != 0 ? 1 : 0;
    }
}
