package dev.sluice.kernel.jcstress.virtio;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * NEGATIVE CONTROL for {@link UsedRingInterruptSuppression}: the same two sides with only the
 * release/acquire semantics of the ring accessors, no full barrier. Each side's store may still
 * sit in its CPU's store buffer when it loads (store-load reordering, allowed even on x86), so both
 * can read the old value: the completion is lost. The build requires this to be observed, showing
 * the real test can fail.
 */
@JCStressTest
@Description("virtio 2.7.7 without the full barriers (negative control): the completion can be lost")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "both")
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "interrupt")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "harvested by the driver")
@Outcome(id = "0, 0", expect = Expect.ACCEPTABLE_INTERESTING, desc = "LOST COMPLETION")
@State
public class UsedRingInterruptSuppressionNoBarrierNegativeControl {

    private final RingFields ring = new RingFields();

    public UsedRingInterruptSuppressionNoBarrierNegativeControl() {
        ring.write16(RingFields.AVAIL_FLAGS, RingFields.NO_INTERRUPT);
    }

    @Actor
    public void device(II_Result r) {
        ring.write16(RingFields.USED_IDX, 1);
        r.r1 = (ring.read16(RingFields.AVAIL_FLAGS) & RingFields.NO_INTERRUPT) == 0 ? 1 : 0;
    }

    @Actor
    public void driver(II_Result r) {
        ring.write16(RingFields.AVAIL_FLAGS, 0);
        r.r2 = ring.read16(RingFields.USED_IDX) != 0 ? 1 : 0;
    }
}
