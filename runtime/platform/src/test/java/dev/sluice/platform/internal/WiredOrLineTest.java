package dev.sluice.platform.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.InterruptLine;
import dev.sluice.models.RecordingInterruptLine;
import org.junit.jupiter.api.Test;

/** Two devices on one line: the line is asserted while either device asserts it. */
class WiredOrLineTest {

    @Test
    void theLineStaysRaisedUntilEveryPinIsLowered() {
        RecordingInterruptLine line = new RecordingInterruptLine();
        WiredOrLine wire = new WiredOrLine(line);
        InterruptLine uart0 = wire.pin();
        InterruptLine uart1 = wire.pin();
        uart0.raise();
        uart1.raise();
        uart0.raise();
        assertEquals(1, line.raiseCount(), "one assertion of the shared line");
        uart0.lower();
        assertTrue(line.isRaised(), "uart1 still asserts the line");
        assertFalse(uart0.isRaised());
        uart1.lower();
        assertFalse(line.isRaised());
        uart1.lower();
        uart0.raise();
        assertEquals(2, line.raiseCount());
    }

    @Test
    void pulsesPassThrough() {
        RecordingInterruptLine line = new RecordingInterruptLine();
        InterruptLine pin = new WiredOrLine(line).pin();
        pin.pulse();
        pin.pulse();
        assertEquals(2, line.pulseCount());
        assertFalse(pin.isRaised());
    }
}
