package dev.sluice.drivers.timer;

import dev.sluice.drivers.clock.api.HardwareTimer.Method;
import dev.sluice.drivers.clock.api.HardwareTimer.Wakeup;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.OSAction;
import dev.sluice.kernel.userclient.IOAsyncReference;
import dev.sluice.kernel.userclient.IOExternalMethodArguments;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOExternalMethodTable;
import dev.sluice.kernel.userclient.IOUserClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One application connection to the SP804 driver: seed 000's "block a user-client call until a
 * hardware interrupt", as external methods. Each takes one scalar, the delay in microseconds
 * (1 .. {@value #MAX_MICROS}, 10 s: a counter is a shared resource, so a client may not hold
 * one for the hardware's full 71 minutes), arms a free SP804 counter for it and ends when the
 * counter's interrupt arrives. Each returns three scalars: the measured wait in µs (from arming
 * the counter to the caller running again), how late that was in µs (past the counter's expiry;
 * negative would mean woken early), and which counter served the call (1 or 2).
 *
 * <table>
 * <caption>Methods (owner {@value #OWNER})</caption>
 * <tr><th>selector</th><th>name</th><th>how the caller waits</th></tr>
 * <tr><td>0</td><td>waitForInterrupt</td><td>sleeps in IOCommandGate.commandSleep; the interrupt action commandWakeup()s it</td></tr>
 * <tr><td>1</td><td>waitForInterruptQueue</td><td>a block sleeps on a REENTRANT IODispatchQueue; the interrupt path Wakeup()s it</td></tr>
 * <tr><td>2</td><td>waitForInterruptAction</td><td>willWait / waitForInvocation on an OSAction the interrupt action invokes</td></tr>
 * <tr><td>3</td><td>waitForInterruptPolling</td><td>the seed's baseline: interrupt disabled, spins on RIS</td></tr>
 * <tr><td>4</td><td>waitForInterruptAsync</td><td>does not wait: asynchronous; the interrupt action invokes an OSAction whose callback completes the call</td></tr>
 * </table>
 *
 * <p>Threads: synchronous methods run on the caller's thread and block only it (the gate and the
 * queue are released while it sleeps; two callers use the two counters at once, a third waits
 * for a free one). The asynchronous method returns at once; its OSAction callback runs on the
 * driver's {@code <name>-actions} queue and hands the result to the kernel, which runs the
 * application's completion on the connection's completion context (S56). When the application
 * closes the connection, its waits still pending are withdrawn and their counters freed: a
 * synchronous call blocked in another of its threads returns ABORTED at once instead of at the
 * counter's expiry; asynchronous ones complete with ABORTED. When the driver stops, the kernel
 * fails pending asynchronous calls with OFFLINE.
 */
final class Sp804UserClient extends IOUserClient {

    /** The name calls are reported under: the driver's personality. */
    static final String OWNER = "Sp804Timer";
    /** The longest delay a user client may ask for: 10 s. */
    static final long MAX_MICROS = 10_000_000L;

    private final Sp804Timers timers;
    /** Asynchronous waits not completed yet (any thread). */
    private final Set<Sp804Timers.AsyncWait> pending;
    /** This connection's synchronous waits, withdrawn together when it closes. */
    private final Sp804Timers.WaitOwner syncWaits;

    /** @param timers the driver's hardware logic; its action queue runs the OSAction callbacks */
    static Sp804UserClient create(Sp804Timers timers) {
        return new Sp804UserClient(timers, ConcurrentHashMap.newKeySet(), new Sp804Timers.WaitOwner());
    }

    private Sp804UserClient(Sp804Timers timers, Set<Sp804Timers.AsyncWait> pending, Sp804Timers.WaitOwner syncWaits) {
        super(IOExternalMethodTable.of(OWNER, List.of(
                IOExternalMethodDispatch.sync(0, "waitForInterrupt", 1, 3, 0, 0,
                        a -> waitSync(timers, syncWaits, a, Method.COMMAND_GATE)),
                IOExternalMethodDispatch.sync(1, "waitForInterruptQueue", 1, 3, 0, 0,
                        a -> waitSync(timers, syncWaits, a, Method.DISPATCH_QUEUE)),
                IOExternalMethodDispatch.sync(2, "waitForInterruptAction", 1, 3, 0, 0,
                        a -> waitSync(timers, syncWaits, a, Method.OS_ACTION)),
                IOExternalMethodDispatch.sync(3, "waitForInterruptPolling", 1, 3, 0, 0,
                        a -> waitSync(timers, syncWaits, a, Method.POLLING)),
                IOExternalMethodDispatch.async(4, "waitForInterruptAsync", 1, 3, 0, 0,
                        a -> waitAsync(timers, pending, a)))));
        this.timers = timers;
        this.pending = pending;
        this.syncWaits = syncWaits;
    }

    /** @return null if {@code micros} is acceptable, else why not */
    private static String badDelay(long micros) {
        return micros >= 1 && micros <= MAX_MICROS ? null
                : "micros must be 1.." + MAX_MICROS + " (at most 10 s), got " + micros;
    }

    private static void output(IOExternalMethodArguments a, long micros, Wakeup w) {
        long[] out = outputs(micros, w);
        System.arraycopy(out, 0, a.scalarOutput(), 0, out.length);
    }

    /** @return waited µs (arm to wake), late µs (past expiry; negative if woken early), counter */
    static long[] outputs(long micros, Wakeup w) {
        long lateNanos = w.latencyNanos();
        return new long[] {(micros * 1_000 + lateNanos) / 1_000, lateNanos / 1_000, w.timer()};
    }

    /** Caller's thread: blocks it (only it) until the counter's interrupt or the connection's close. */
    private static IOReturn waitSync(Sp804Timers timers, Sp804Timers.WaitOwner syncWaits, IOExternalMethodArguments a,
                                     Method method) {
        long micros = a.scalarInput(0);
        String bad = badDelay(micros);
        if (bad != null) {
            return a.fail(IOReturn.BAD_ARGUMENT, bad);
        }
        try {
            output(a, micros, timers.waitForInterrupt(micros, method, syncWaits));
            return IOReturn.SUCCESS;
        } catch (IllegalStateException e) {
            return a.fail(IOReturn.ABORTED, syncWaits.withdrawn()
                    ? "the connection closed while the call waited for the SP804 interrupt"
                    : String.valueOf(e.getMessage()));
        }
    }

    /** Caller's thread: arms (or queues) the wait and returns; the OSAction callback completes it. */
    private static IOReturn waitAsync(Sp804Timers timers, Set<Sp804Timers.AsyncWait> pending, IOExternalMethodArguments a) {
        long micros = a.scalarInput(0);
        String bad = badDelay(micros);
        if (bad != null) {
            return a.fail(IOReturn.BAD_ARGUMENT, bad);
        }
        IOAsyncReference ref = a.asyncReference();
        Sp804Timers.AsyncWait[] self = new Sp804Timers.AsyncWait[1];
        OSAction<Wakeup> action = OSAction.create(timers.actionQueue(), w -> { // on the driver's action queue
            pending.remove(self[0]);
            long[] out = outputs(micros, w);
            ref.complete(IOReturn.SUCCESS, out, null);
        });
        self[0] = new Sp804Timers.AsyncWait(micros, action);
        pending.add(self[0]);
        IOReturn r = timers.waitForInterruptAsync(self[0]);
        if (r != IOReturn.SUCCESS) {
            pending.remove(self[0]);
            return a.fail(r, r == IOReturn.BUSY
                    ? "both SP804 counters are busy and " + Sp804Timers.MAX_QUEUED_ASYNC + " asynchronous waits are queued"
                    : "the SP804 driver is stopping");
        }
        return IOReturn.SUCCESS;
    }

    /**
     * The application closed the connection: withdraw its waits so their counters are free again
     * and its callers blocked in synchronous calls return now.
     */
    @Override
    protected void clientClose() {
        timers.withdraw(syncWaits);
        for (Sp804Timers.AsyncWait w : List.copyOf(pending)) {
            timers.cancel(w);
            w.callback.cancel(null);
            pending.remove(w);
        }
    }
}
