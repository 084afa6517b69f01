package dev.sluice.models;

/**
 * The device side of one interrupt line: what a model drives, as the interrupt output pin of a
 * real device. The platform's interrupt controller supplies the implementation and decides
 * (from the board's {@code interrupts} cells) whether the line is level- or edge-triggered.
 *
 * <ul>
 * <li>Level devices call {@link #raise()} while they have a condition to report and
 * {@link #lower()} once the driver has serviced it; raising an already raised line is a no-op.</li>
 * <li>Edge devices call {@link #pulse()} once per event.</li>
 * </ul>
 * Every method may be called from any thread (register side effects on a driver thread, a
 * backend thread, a clock thread) and must never block or call back into the model.
 */
public interface InterruptLine {

    /** Asserts the line (level semantics). Idempotent. */
    void raise();

    /** De-asserts the line (level semantics). Idempotent. */
    void lower();

    /** Signals one edge event; the line's level is unchanged. */
    void pulse();

    /** @return true while the line is asserted by {@link #raise()} */
    boolean isRaised();

    /**
     * Convenience for level devices: raises or lowers.
     *
     * @param asserted true to raise, false to lower
     */
    default void set(boolean asserted) {
        if (asserted) {
            raise();
        } else {
            lower();
        }
    }
}
