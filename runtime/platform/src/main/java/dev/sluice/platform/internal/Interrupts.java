package dev.sluice.platform.internal;

import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.models.InterruptLine;
import java.util.List;

/**
 * What the platform needs from its interrupt controller: the model side of each line, one
 * provider per nub for the nub side, the line configuration from the board, a status table for
 * the {@code irq} command, and close. Implemented over the platform's
 * {@code InterruptController}; every method is thread-safe.
 */
interface Interrupts extends AutoCloseable {

    /** Sets a line's trigger type from the board. */
    void configure(int line, InterruptType type);

    /** @return the model side of a line (one object per line: sharers must be wired-OR'ed by the caller) */
    InterruptLine line(int line);

    /** @return the nub side: interrupt index {@code i} is controller line {@code lines[i]} */
    IOInterruptProvider provider(String nubName, int[] lines);

    /** @return a table, header first, one row per line that is configured or used */
    List<String> statusTable();

    /** Stops the controller's threads and waits for them. Idempotent. */
    @Override
    void close();
}
