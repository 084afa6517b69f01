package dev.sluice.kernel.interrupt;

import dev.sluice.kernel.IOReturn;

/**
 * What a nub offers its driver's interrupt event sources: the lines listed in its
 * {@code interrupts} property, by index (xnu's IOService interrupt API, Java-shaped).
 *
 * <h2>Masking rule (Linux {@code disable_irq} on a shared line)</h2>
 * Each registration on a line has its own enabled flag, which starts <b>disabled</b> (S37). The
 * line is masked at the controller while <em>any</em> registration on it is disabled, or while it
 * has no registration; interrupts raised on a masked line stay pending and are delivered, once
 * coalesced, when it is unmasked. A level-triggered source disables its own registration in its
 * primary handler and enables it again after its action, so a shared level line is unmasked only
 * when every sharer that claimed it has finished (S36, S44).
 *
 * <p>Every method may be called from any thread, including primary interrupt context, and never
 * blocks.
 */
public interface IOInterruptProvider {

    /**
     * Registers a primary handler on a line; the registration starts disabled.
     *
     * @param index  the interrupt index (position in the nub's interrupt list)
     * @param source the registering object, the key of this registration
     * @param handler called in primary context for each interrupt on the line
     * @return SUCCESS; BAD_ARGUMENT for no such index; BUSY if {@code source} is already registered there
     */
    IOReturn registerInterrupt(int index, Object source, InterruptHandler handler);

    /** @return SUCCESS, or BAD_ARGUMENT if {@code source} has no registration on that line */
    IOReturn unregisterInterrupt(int index, Object source);

    /** Enables {@code source}'s registration (its vote to unmask). @return SUCCESS or BAD_ARGUMENT */
    IOReturn enableInterrupt(int index, Object source);

    /** Disables {@code source}'s registration, masking the line. @return SUCCESS or BAD_ARGUMENT */
    IOReturn disableInterrupt(int index, Object source);

    /** @return the trigger type of the line, or null if there is no such index */
    InterruptType getInterruptType(int index);

    /**
     * Raises the line in software, as if the device had (edge semantics: one event).
     *
     * @return SUCCESS or BAD_ARGUMENT for no such index
     */
    IOReturn causeInterrupt(int index);

    /**
     * Takes back interrupts that a source's primary handler counted but its driver never handled,
     * because the source left its work loop first (a driver stopping, or its bundle being updated).
     * The provider keeps them pending on the line, each as one event, for the line's next enabled
     * registration: that is how a driver swap loses no interrupt. Called after the source has
     * unregistered. Only edge events are handed back; a level line stays asserted by its device.
     *
     * <p>The default raises the line {@code count} times with {@link #causeInterrupt(int)}.
     *
     * @param index the interrupt index
     * @param count how many events to hand back, at least 1
     * @return SUCCESS, or BAD_ARGUMENT for no such index or a count below 1
     */
    default IOReturn requeueInterrupts(int index, int count) {
        if (count < 1 || getInterruptType(index) == null) {
            return IOReturn.BAD_ARGUMENT;
        }
        for (int i = 0; i < count; i++) {
            IOReturn r = causeInterrupt(index);
            if (r != IOReturn.SUCCESS) {
                return r;
            }
        }
        return IOReturn.SUCCESS;
    }
}
