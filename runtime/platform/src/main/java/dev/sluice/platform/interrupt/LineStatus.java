package dev.sluice.platform.interrupt;

import dev.sluice.kernel.interrupt.InterruptType;

import java.util.List;

/**
 * A snapshot of one controller line, for the {@code irq} shell command
 * ({@link InterruptController#status()}). The fields are read one after the other without a
 * common lock, so a line that is busy may show a count one event apart from another.
 *
 * @param line      the controller line number
 * @param type      level or edge, as configured from the board
 * @param raised    true while a model holds the line raised
 * @param masked    true while the line is masked: it has no registration, one of its
 *                  registrations is disabled, or it was disabled as "nobody cared"
 * @param pending   edge events not yet delivered, plus 1 for a level line raised while masked
 * @param delivered deliveries so far (one delivery = every enabled sharer's handler called once)
 * @param unclaimed deliveries no handler claimed (returned true for)
 * @param sharers   the registrations in registration order, as {@code nub[index] source}, with
 *                  {@code " (disabled)"} appended to those whose enable flag is off
 * @param p50Nanos  median latency from raise/pulse to the first handler starting, in nanoseconds
 *                  (0 without samples); within 1/16 of the true value
 * @param p99Nanos  99th percentile of that latency
 * @param p999Nanos 99.9th percentile of that latency
 * @param maxNanos  the largest latency seen (exact)
 */
public record LineStatus(int line, InterruptType type, boolean raised, boolean masked, long pending,
        long delivered, long unclaimed, List<String> sharers, long p50Nanos, long p99Nanos, long p999Nanos,
        long maxNanos) {

    public LineStatus {
        sharers = List.copyOf(sharers);
    }
}
