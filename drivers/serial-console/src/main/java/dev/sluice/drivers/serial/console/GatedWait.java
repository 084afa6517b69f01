package dev.sluice.drivers.serial.console;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.SleepResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The waits a serial-port driver makes inside its work loop's gate: moving bytes until enough have
 * moved or a deadline passes, and waiting for its console session to end. While waiting, the gate
 * is released ({@code commandSleep}), so the driver's interrupt action can run and wake the waiter.
 *
 * <h2>Threads</h2>
 * {@link #untilDone} and {@link #stopConsole} run inside an action of the given gate (gate held, on
 * the caller's thread), never in primary interrupt context; the others run on the caller's thread,
 * before or after the gate action.
 */
public final class GatedWait {

    private static final long CONSOLE_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private GatedWait() {
    }

    /** @return the {@code System.nanoTime()} deadline {@code timeoutMillis} from now (negative counts as 0) */
    public static long deadline(long timeoutMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    }

    /**
     * Runs {@code step} until it reports done or the deadline has passed, sleeping on {@code event}
     * between tries. Whoever makes progress possible (the interrupt action) wakes {@code event}.
     *
     * @param sliceNanos if above 0, the longest single sleep: for a condition no interrupt signals
     *                   (a 16550's transmitter emptying one character time after its last interrupt)
     * @param open       false once the port is closed
     * @param step       moves what it can; true when the wait is over
     * @return SUCCESS when the step was done or time ran out; ABORTED if the thread was interrupted
     *         while the port was open (the sleep consumed the interrupt: see {@link #transferred});
     *         OFFLINE if the port closed
     */
    public static IOReturn untilDone(IOCommandGate<?> gate, Object event, long deadline, long sliceNanos,
            BooleanSupplier open, BooleanSupplier step) {
        while (open.getAsBoolean()) {
            if (step.getAsBoolean() || deadline - System.nanoTime() <= 0) {
                return IOReturn.SUCCESS;
            }
            long until = sliceNanos > 0 ? Math.min(deadline, System.nanoTime() + sliceNanos) : deadline;
            if (gate.commandSleep(event, until) == SleepResult.INTERRUPTED && open.getAsBoolean()) {
                return IOReturn.ABORTED;
            }
        }
        return IOReturn.OFFLINE;
    }

    /**
     * Turns the result of a transfer made with {@link #untilDone} into what {@code SerialPort.read}
     * and {@code write} return. Runs after the gate action, on the caller's thread.
     *
     * @param stillOpen whether the port is still open (an ABORTED from a closing port is a close)
     * @return {@code n}; for an interrupted caller, with its interrupt status set again
     * @throws IllegalStateException naming the operation and the port if the port is closed
     */
    public static int transferred(IOReturn r, int n, boolean stillOpen, String operation, String port) {
        if (interruptGivenBack(r, stillOpen)) {
            return n;
        }
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException(operation + " on " + port + ": the port is closed (" + r + ")");
        }
        return n;
    }

    /**
     * Gives an interrupted caller its interrupt status back: the sleep inside {@link #untilDone}
     * consumed it. Runs after the gate action, on the caller's thread.
     *
     * @param stillOpen whether the port is still open (an ABORTED from a closing port is a close)
     * @return true if {@code r} said the caller was interrupted
     */
    public static boolean interruptGivenBack(IOReturn r, boolean stillOpen) {
        if (r == IOReturn.ABORTED && stillOpen) {
            Thread.currentThread().interrupt();
            return true;
        }
        return false;
    }

    /**
     * Asks the console session to end and waits, gate released, until its thread has gone or the
     * timeout has passed: the session needs the gate for its last reads and writes. The console's
     * exit hook must wake {@code exitEvent}.
     *
     * @return true if the session's thread has ended
     */
    public static boolean stopConsole(IOCommandGate<?> gate, Object exitEvent, SerialConsole console,
            Duration timeout) {
        console.stop();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (console.isAlive() && deadline - System.nanoTime() > 0) {
            long slice = Math.min(deadline, System.nanoTime() + CONSOLE_SLICE_NANOS);
            if (gate.commandSleepUninterruptibly(exitEvent, slice) == SleepResult.RESTART) {
                break;
            }
        }
        return !console.isAlive();
    }
}
