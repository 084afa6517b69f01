package dev.sluice.drivers.clock.api;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * A battery-backed real-time clock with one-second resolution (what the PL031 driver offers).
 * Applications find it as an OSGi service; the object they get keeps working while the driver
 * behind it is updated. Every method may be called from any thread and returns without waiting
 * for the clock to tick.
 */
public interface RealTimeClock {

    /** @return the clock's current time, whole seconds (the counter register) */
    Instant now();

    /**
     * Sets the clock (loads the counter); pending alarms stay at their instants and are re-armed.
     *
     * @param time whole seconds are used; must lie in [1970-01-01T00:00:00Z, 2^32 s later)
     * @throws IllegalArgumentException outside that range
     */
    void setTime(Instant time);

    /**
     * Calls {@code callback} once the clock reaches {@code at} (the match interrupt). The callback
     * runs asynchronously on the driver's callback thread, never on the caller's stack, with the
     * clock's time when it fired ({@code >= at}, whole seconds). An instant already reached fires at
     * once (still asynchronously). Several alarms may be pending; each fires once.
     *
     * @return a handle for {@link #cancel(Alarm)}
     */
    Alarm alarm(Instant at, Consumer<Instant> callback);

    /**
     * Cancels a pending alarm.
     *
     * @return true if it was pending and will not fire; false if it fired (or was cancelled) already
     */
    boolean cancel(Alarm alarm);

    /** A pending alarm. */
    interface Alarm {
        /** @return the instant it was set for (whole seconds) */
        Instant at();
    }
}
