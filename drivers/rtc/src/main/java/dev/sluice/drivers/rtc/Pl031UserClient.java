package dev.sluice.drivers.rtc;

import dev.sluice.drivers.clock.api.RealTimeClock;
import dev.sluice.drivers.clock.api.RealTimeClock.Alarm;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.userclient.IOAsyncReference;
import dev.sluice.kernel.userclient.IOExternalMethodArguments;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOExternalMethodTable;
import dev.sluice.kernel.userclient.IOUserClient;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One application connection to the PL031 driver. Times are seconds since 1970-01-01T00:00:00Z,
 * within the PL031's 32-bit counter (0 .. {@value #MAX_SECONDS}).
 *
 * <table>
 * <caption>Methods (owner {@value #OWNER})</caption>
 * <tr><th>selector</th><th>name</th><th>in</th><th>out</th></tr>
 * <tr><td>0</td><td>getTime</td><td>-</td><td>the clock's time (RTCDR)</td></tr>
 * <tr><td>1</td><td>setTime</td><td>the new time (RTCLR); needs entitlement {@value #SET_TIME}</td><td>-</td></tr>
 * <tr><td>2</td><td>alarm</td><td>the time to fire at; asynchronous</td><td>the time it fired</td></tr>
 * <tr><td>3</td><td>alarmIn</td><td>seconds from now; asynchronous</td><td>the time it fired</td></tr>
 * </table>
 *
 * <p>An alarm completes when the RTC's match interrupt says the clock reached its time (at once,
 * still asynchronously, if it already has). Setting the clock is refused with NOT_PERMITTED to a
 * bundle that does not declare {@value #SET_TIME} (the shell's {@code sluice.admin} grants it):
 * the time of day is shared by every application.
 *
 * <p>Threads: methods run on the caller's thread and return at once; alarm callbacks run on the
 * driver's {@code <name>-alarms} queue and hand the result to the kernel, which runs the
 * application's completion on the connection's completion context (S56). Alarms still pending
 * when the application closes the connection are cancelled; when the driver stops the kernel
 * fails them with OFFLINE.
 */
final class Pl031UserClient extends IOUserClient {

    /** The name calls are reported under: the driver's personality. */
    static final String OWNER = "Pl031Rtc";
    /** The entitlement {@code setTime} requires. */
    static final String SET_TIME = "sluice.rtc.set-time";
    /** The PL031's largest time: its 32-bit seconds counter. */
    static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private final RealTimeClock clock;
    /** Alarms not fired yet (any thread). */
    private final Set<Alarm> pending;

    /** @param clock the driver's RTC logic */
    static Pl031UserClient create(RealTimeClock clock) {
        return new Pl031UserClient(clock, ConcurrentHashMap.newKeySet());
    }

    private Pl031UserClient(RealTimeClock clock, Set<Alarm> pending) {
        super(IOExternalMethodTable.of(OWNER, List.of(
                IOExternalMethodDispatch.sync(0, "getTime", 0, 1, 0, 0, a -> getTime(clock, a)),
                IOExternalMethodDispatch.sync(1, "setTime", 1, 0, 0, 0, a -> setTime(clock, a)),
                IOExternalMethodDispatch.async(2, "alarm", 1, 1, 0, 0, a -> alarm(clock, pending, a, a.scalarInput(0))),
                IOExternalMethodDispatch.async(3, "alarmIn", 1, 1, 0, 0, a -> alarmIn(clock, pending, a)))));
        this.clock = clock;
        this.pending = pending;
    }

    /** @return null if {@code seconds} fits the counter, else why not */
    private static String badTime(long seconds) {
        return seconds >= 0 && seconds <= MAX_SECONDS ? null
                : seconds + " s is outside the PL031's 32-bit seconds counter (0.." + MAX_SECONDS + ")";
    }

    private static IOReturn getTime(RealTimeClock clock, IOExternalMethodArguments a) {
        a.setScalarOutput(0, clock.now().getEpochSecond());
        return IOReturn.SUCCESS;
    }

    private static IOReturn setTime(RealTimeClock clock, IOExternalMethodArguments a) {
        if (!a.caller().hasEntitlement(SET_TIME)) {
            return a.fail(IOReturn.NOT_PERMITTED, "bundle " + a.caller().bundle() + " lacks entitlement '" + SET_TIME
                    + "' (declare it with @Entitlement(\"" + SET_TIME + "\"))");
        }
        long seconds = a.scalarInput(0);
        String bad = badTime(seconds);
        if (bad != null) {
            return a.fail(IOReturn.BAD_ARGUMENT, bad);
        }
        try {
            clock.setTime(Instant.ofEpochSecond(seconds));
            return IOReturn.SUCCESS;
        } catch (IllegalStateException e) {
            return a.fail(IOReturn.OFFLINE, String.valueOf(e.getMessage()));
        }
    }

    private static IOReturn alarmIn(RealTimeClock clock, Set<Alarm> pending, IOExternalMethodArguments a) {
        long seconds = a.scalarInput(0);
        long now = clock.now().getEpochSecond();
        if (seconds < 0 || seconds > MAX_SECONDS - now) {
            return a.fail(IOReturn.BAD_ARGUMENT, "seconds must be 0.." + (MAX_SECONDS - now)
                    + " (the alarm must fit the PL031's 32-bit counter), got " + seconds);
        }
        return alarm(clock, pending, a, now + seconds);
    }

    /** Caller's thread: sets the alarm and returns; its callback completes the call. */
    private static IOReturn alarm(RealTimeClock clock, Set<Alarm> pending, IOExternalMethodArguments a, long at) {
        String bad = badTime(at);
        if (bad != null) {
            return a.fail(IOReturn.BAD_ARGUMENT, bad);
        }
        IOAsyncReference ref = a.asyncReference();
        Alarm[] self = new Alarm[1];
        Object lock = new Object();
        try {
            synchronized (lock) { // the callback may run before alarm() returned the handle
                self[0] = clock.alarm(Instant.ofEpochSecond(at), fired -> { // on the driver's alarms queue
                    synchronized (lock) {
                        pending.remove(self[0]);
                    }
                    ref.complete(fired.getEpochSecond());
                });
                pending.add(self[0]);
            }
            return IOReturn.SUCCESS;
        } catch (IllegalStateException e) {
            return a.fail(IOReturn.OFFLINE, String.valueOf(e.getMessage()));
        }
    }

    /** The application closed the connection: its alarms will not fire. */
    @Override
    protected void clientClose() {
        for (Alarm alarm : List.copyOf(pending)) {
            clock.cancel(alarm);
            pending.remove(alarm);
        }
    }
}
