package dev.sluice.kernel.lincheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.sync.IOLock;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.kernel.workloop.SleepResult;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate + sleep protocol (S4, S5, S8, S51, P1) under Lincheck's model checker, with the real
 * IOWorkLoop / IOCommandGate / IOLock and sleeps without deadline: a lost wakeup is a hang, which
 * Lincheck reports with its interleaving. The naive protocol beside it is a negative control that
 * must make Lincheck fail.
 */
class GateSleepWakeupTest {

    static final int INVOCATIONS = Budget.GATE_INVOCATIONS;
    static final Object EVENT = new Object();

    /** Shared state of one invocation; touched under the gate. */
    static final class Flag {
        boolean done;
        volatile boolean doneOutside;
    }

    @Test
    @Timeout(180)
    @DisplayName("S5/S8/P1: commandSleep with the flag tested in the gate never loses commandWakeup")
    void commandSleepNeverLosesWakeup() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            IOWorkLoop loop = IOWorkLoop.create("lincheck", IOWorkLoop.Options.defaults().withSpinNanos(0));
            try {
                IOCommandGate<Flag> gate = IOCommandGate.commandGate(new Flag());
                assertEquals(IOReturn.SUCCESS, loop.addEventSource(gate));
                int[] sleeps = {0};
                Thread sleeper = new Thread(() -> gate.runAction(flag -> {
                    while (!flag.done) {
                        assertEquals(SleepResult.AWAKENED, gate.commandSleep(EVENT));
                        sleeps[0]++;
                    }
                    assertEquals(1, loop.gateHoldCount());
                    return IOReturn.SUCCESS;
                }));
                sleeper.start();
                gate.runAction(flag -> {
                    flag.done = true;
                    return IOReturn.SUCCESS;
                });
                gate.commandWakeup(EVENT, true);   // S8: outside the gate
                SemaphoreHandoffTest.join(sleeper);
            } finally {
                loop.shutdown();
            }
        });
    }

    @Test
    @Timeout(180)
    @DisplayName("NEGATIVE CONTROL P1: flag tested outside the gate; Lincheck must find the lost wakeup")
    void flagOutsideGateHangs() {
        // Measured: found at 300 interleavings (25 s), missed at 150. In verify the semaphore
        // negative control proves Lincheck sees a lost-wakeup hang at the quick budget, and the
        // jcstress negative control covers the real gate; this one runs with -Dlincheck.full=true.
        Assumptions.assumeTrue(Budget.FULL, "gate negative control needs the full budget (-Dlincheck.full=true)");
        Throwable failure = NegativeControl.expectFailure(() -> Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            IOWorkLoop loop = IOWorkLoop.create("lincheck", IOWorkLoop.Options.defaults().withSpinNanos(0));
            try {
                Flag f = new Flag();
                IOCommandGate<Flag> gate = IOCommandGate.commandGate(f);
                assertEquals(IOReturn.SUCCESS, loop.addEventSource(gate));
                Thread sleeper = new Thread(() -> {
                    if (!f.doneOutside) {                 // BUG: tested outside the gate
                        gate.runAction(flag -> {
                            gate.commandSleep(EVENT);     // no re-test: sleeps even if done
                            return IOReturn.SUCCESS;
                        });
                    }
                });
                sleeper.start();
                f.doneOutside = true;
                gate.commandWakeup(EVENT, true);
                SemaphoreHandoffTest.join(sleeper);
            } finally {
                loop.shutdown();
            }
        }));
        NegativeControl.assertHang(failure);
    }

    @Test
    @Timeout(180)
    @DisplayName("S51: IOLock sleep with the flag tested under the lock never loses wakeup")
    void ioLockSleepNeverLosesWakeup() {
        Lincheck.runConcurrentTest(Budget.CONCURRENT_INVOCATIONS, () -> {
            IOLock lock = new IOLock();
            Flag f = new Flag();
            Thread sleeper = new Thread(() -> {
                lock.lock();
                try {
                    while (!f.done) {
                        assertEquals(dev.sluice.kernel.sync.SleepResult.AWAKENED, lock.sleep(EVENT, false));
                    }
                } finally {
                    lock.unlock();
                }
            });
            sleeper.start();
            lock.lock();
            try {
                f.done = true;
            } finally {
                lock.unlock();
            }
            lock.wakeup(EVENT, true);
            SemaphoreHandoffTest.join(sleeper);
        });
    }
}
