package dev.sluice.kernel.lincheck;

/**
 * Lincheck budgets. The default is the quick set that {@code mvn verify} runs on 2 busy cores;
 * {@code -Dlincheck.full=true} raises them to 30 iterations x 1000 invocations (several minutes).
 * Never leave them to Lincheck's defaults: those ran past 25 minutes here.
 */
final class Budget {

    static final boolean FULL = Boolean.getBoolean("lincheck.full");
    /** Data-structure tests: iterations (scenarios) and invocations per scenario. */
    static final int ITERATIONS = FULL ? 30 : 5;
    static final int INVOCATIONS_PER_ITERATION = FULL ? 1000 : 150;
    /** runConcurrentTest on plain objects (semaphore, IOLock): interleavings explored per test. */
    static final int CONCURRENT_INVOCATIONS = FULL ? 1000 : 80;
    /** runConcurrentTest with a work loop (a thread per invocation): far slower per interleaving. */
    static final int GATE_INVOCATIONS = FULL ? 1000 : 40;

    private Budget() {
    }
}
