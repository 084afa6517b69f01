package dev.sluice.kernel.interrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PrimaryInterruptContextTest {

    @Test
    @DisplayName("S43 a blocking call in primary context is refused at once, naming operation and handler")
    void blockingRefusedInPrimaryContext() {
        PrimaryInterruptContextViolation v = assertThrows(PrimaryInterruptContextViolation.class,
                () -> PrimaryInterruptContext.run("filter of uart0", () -> {
                    PrimaryInterruptContext.checkMayBlock("IOLock.lock");
                    return true;
                }));
        assertEquals("IOLock.lock", v.operation());
        assertEquals("filter of uart0", v.handler());
        assertTrue(v.getMessage().contains("IOLock.lock") && v.getMessage().contains("filter of uart0"));
        assertFalse(PrimaryInterruptContext.isActive(), "context is left even when the handler throws");
    }

    @Test
    @DisplayName("outside primary context blocking is allowed and nesting restores the outer handler")
    void nestingRestoresOuter() {
        PrimaryInterruptContext.checkMayBlock("IOLock.lock");
        boolean result = PrimaryInterruptContext.run("outer", () -> {
            PrimaryInterruptContext.run("inner", () -> "inner".equals(PrimaryInterruptContext.currentHandler()));
            return "outer".equals(PrimaryInterruptContext.currentHandler());
        });
        assertTrue(result);
        assertFalse(PrimaryInterruptContext.isActive());
    }
}
