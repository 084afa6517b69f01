package dev.sluice.kernel.jcstress.workloop;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.kernel.workloop.SleepResult;

/**
 * One work loop and command gate per forked test VM. jcstress makes thousands of state objects
 * per iteration; each test uses its state object as the sleep event key (S7: events are keys), so
 * one gate serves them all and no loop thread is created per sample.
 */
final class Shared {

    static final IOWorkLoop LOOP = IOWorkLoop.create("jcstress");
    static final IOCommandGate<String> GATE = IOCommandGate.commandGate("jcstress");

    static {
        IOReturn r = LOOP.addEventSource(GATE);
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException("addEventSource(gate) = " + r);
        }
    }

    private Shared() {
    }

    /** Outcome codes of a sleep: 1 AWAKENED, 2 TIMED_OUT, 3 INTERRUPTED, 4 RESTART. */
    static int code(SleepResult s) {
        switch (s) {
            case AWAKENED: return 1;
            case TIMED_OUT: return 2;
            case INTERRUPTED: return 3;
            default: return 4;
        }
    }
}
