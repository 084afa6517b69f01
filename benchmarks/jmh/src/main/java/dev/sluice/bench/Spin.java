package dev.sluice.bench;

/** Busy waits used by the benchmark threads (never by the code under test). */
final class Spin {

    private Spin() {
    }

    /** Spins for about {@code nanos}; models the quiet time between two device interrupts. */
    static void gap(long nanos) {
        if (nanos <= 0) {
            return;
        }
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** Spins until {@code condition} holds; fails after 10 s so a lost hand-off ends the run. */
    static void until(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no " + what + " within 10 s: a hand-off was lost");
            }
            Thread.onSpinWait();
        }
    }
}
