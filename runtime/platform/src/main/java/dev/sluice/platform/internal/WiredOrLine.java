package dev.sluice.platform.internal;

import dev.sluice.models.InterruptLine;
import java.util.Objects;

/**
 * The board-level wiring of one controller line shared by several devices: each device drives
 * its own {@link #pin()}, and the line is asserted while any pin is (wired-OR), as an
 * open-drain shared interrupt line behaves. Pulses pass straight through. Pin methods never
 * block (a short monitor orders the level changes), from any thread.
 */
final class WiredOrLine {

    private final InterruptLine line;
    private int raisedPins;

    WiredOrLine(InterruptLine line) {
        this.line = Objects.requireNonNull(line, "line");
    }

    /** @return a new pin on this line, initially low */
    InterruptLine pin() {
        return new Pin();
    }

    private final class Pin implements InterruptLine {
        private boolean raised;

        @Override
        public void raise() {
            synchronized (WiredOrLine.this) {
                if (!raised) {
                    raised = true;
                    if (raisedPins++ == 0) {
                        line.raise();
                    }
                }
            }
        }

        @Override
        public void lower() {
            synchronized (WiredOrLine.this) {
                if (raised) {
                    raised = false;
                    if (--raisedPins == 0) {
                        line.lower();
                    }
                }
            }
        }

        @Override
        public void pulse() {
            line.pulse();
        }

        @Override
        public boolean isRaised() {
            synchronized (WiredOrLine.this) {
                return raised;
            }
        }

        @Override
        public String toString() {
            return "pin of " + line;
        }
    }
}
