package dev.sluice.kernel.registry;

/**
 * The probe score handed to {@link IOService#probe}: starts at the personality's IOProbeScore;
 * a driver may raise or lower it after looking at the hardware (S61). Confined to the matching
 * thread.
 */
public final class IOProbeScore {

    private long score;

    public IOProbeScore(long initial) {
        this.score = initial;
    }

    public long get() {
        return score;
    }

    public void set(long score) {
        this.score = score;
    }

    @Override
    public String toString() {
        return Long.toString(score);
    }
}
