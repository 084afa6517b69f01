package dev.sluice.kernel.lincheck;

import dev.sluice.kernel.sync.IOSemaphore;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * S52: IOSemaphore's non-blocking operations (vsema, cpsema, cvsema, count) are linearizable
 * against the obvious sequential counter. No operation here waits, so cvsema never finds a waiter
 * and must leave the count alone. The blocking psema is checked in {@link SemaphoreHandoffTest}.
 * Budgets are explicit ({@link Budget}): Lincheck's defaults ran past 25 minutes on 2 cores.
 */
public class IOSemaphoreLinearizabilityTest {

    private final IOSemaphore sema = new IOSemaphore(1);

    @Operation
    public void vsema() {
        sema.vsema();
    }

    @Operation
    public boolean cpsema() {
        return sema.cpsema();
    }

    @Operation
    public boolean cvsema() {
        return sema.cvsema();
    }

    @Operation
    public int count() {
        return sema.count();
    }

    /** The sequential specification. */
    public static final class Spec {
        private int count = 1;

        public void vsema() {
            count++;
        }

        public boolean cpsema() {
            if (count > 0) {
                count--;
                return true;
            }
            return false;
        }

        public boolean cvsema() {
            return false;
        }

        public int count() {
            return count;
        }
    }

    @Test
    @Timeout(120)
    @DisplayName("S52 IOSemaphore vsema/cpsema/cvsema/count linearizable (model checking)")
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(Budget.ITERATIONS)
                .invocationsPerIteration(Budget.INVOCATIONS_PER_ITERATION)
                .threads(2)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    @Test
    @Timeout(120)
    @DisplayName("S52 IOSemaphore vsema/cpsema/cvsema/count linearizable (stress)")
    void stress() {
        new StressOptions()
                .iterations(Budget.ITERATIONS)
                .invocationsPerIteration(Budget.INVOCATIONS_PER_ITERATION)
                .threads(2)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }
}
