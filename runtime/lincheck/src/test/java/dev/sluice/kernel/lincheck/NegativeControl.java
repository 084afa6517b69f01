package dev.sluice.kernel.lincheck;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;

/** Helpers for the negative controls: tests that pass only when Lincheck finds the known bug. */
final class NegativeControl {

    private NegativeControl() {
    }

    /** @return the failure {@code check} threw; fails the test if it threw none */
    static Throwable expectFailure(Runnable check) {
        try {
            check.run();
        } catch (Throwable t) {
            return t;
        }
        fail("negative control: Lincheck found no failure, so it could not have caught the lost wakeup");
        return null;
    }

    /** Asserts that the failure is Lincheck reporting a hang (deadlock / livelock), not anything else. */
    static void assertHang(Throwable failure) {
        String text = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        boolean lincheck = failure.getClass().getName().startsWith("org.jetbrains");
        boolean hang = text.contains("deadlock") || text.contains("hang") || text.contains("livelock")
                || text.contains("blocked") || text.contains("timeout");
        assertTrue(lincheck && hang, () -> "negative control failed for another reason: " + failure);
    }
}
