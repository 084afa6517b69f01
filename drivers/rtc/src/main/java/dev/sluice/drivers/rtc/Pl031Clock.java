package dev.sluice.drivers.rtc;

import dev.sluice.drivers.clock.api.RealTimeClock;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.interrupt.IOInterruptProvider;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOEventSource;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.models.MmioRegion;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The PL031 driver's hardware logic, written from the PL031 TRM (ARM DDI 0224) against nothing but
 * the nub's register window and its interrupt line, so that it runs the same under the kernel and
 * in a plain unit test.
 *
 * <h2>Hardware use</h2>
 * {@link #now()} reads RTCDR. {@link #setTime} writes RTCLR. Alarms are kept sorted; the earliest
 * is programmed into RTCMR with the interrupt unmasked (RTCIMSC = 1). The match interrupt is a
 * level: the interrupt action clears it (RTCICR = 1), hands every alarm that is due to the
 * callback queue and programs the next one. After programming RTCMR the counter is read again, so
 * a second that ticked past the match meanwhile is caught by software.
 *
 * <h2>Threads</h2>
 * Client calls run on the callers' threads and take the work loop's gate ({@link IOCommandGate})
 * briefly; the alarm list is guarded by that gate. The interrupt action runs on the work loop
 * thread with the gate closed. Callbacks run on the serial queue {@code IODispatchQueue-<name>-alarms},
 * never on a caller's stack (S56). No static state.
 */
final class Pl031Clock implements RealTimeClock {

    static final int DR = 0x000, MR = 0x004, LR = 0x008, IMSC = 0x010, RIS = 0x014, MIS = 0x018, ICR = 0x01C;
    /** RTCPeriphID0-3, RTCPCellID0-3 at 0xFE0..0xFFC (TRM 3.3.9-3.3.16). */
    static final List<Integer> EXPECTED_IDS = List.of(0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1);
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private final MmioRegion regs;
    private final IOCommandGate<Pl031Clock> gate;
    private final IODispatchQueue callbacks;
    /** Pending alarms, earliest first; guarded by the gate. */
    private final TreeSet<PendingAlarm> pending = new TreeSet<>(
            Comparator.comparingLong((PendingAlarm a) -> a.seconds).thenComparingLong(a -> a.seq));
    private long nextSeq; // guarded by the gate
    private boolean stopped; // guarded by the gate

    private static final class PendingAlarm implements Alarm {
        final long seconds;
        final long seq;
        final Consumer<Instant> callback;

        PendingAlarm(long seconds, long seq, Consumer<Instant> callback) {
            this.seconds = seconds;
            this.seq = seq;
            this.callback = callback;
        }

        @Override
        public Instant at() {
            return Instant.ofEpochSecond(seconds);
        }

        @Override
        public String toString() {
            return "alarm at " + at();
        }
    }

    /**
     * @param name      names the callback queue
     * @param regs      the PL031 register window (4 KiB)
     * @param nub       the interrupt provider; line 0 is the RTC's interrupt
     * @param addToLoop adds an event source to the work loop; returns its answer
     */
    Pl031Clock(String name, MmioRegion regs, IOInterruptProvider nub, Function<IOEventSource<?>, IOReturn> addToLoop) {
        this.regs = Objects.requireNonNull(regs);
        this.callbacks = IODispatchQueue.create(name + "-alarms");
        regs.write32(IMSC, 0);
        regs.write32(ICR, 1);
        this.gate = IOCommandGate.commandGate(this);
        check(addToLoop.apply(gate), "adding the command gate");
        IOInterruptEventSource<Pl031Clock> src = IOInterruptEventSource.interruptEventSource(this,
                (self, s, count) -> self.matchInterrupt(), nub, 0);
        check(addToLoop.apply(src), "adding the interrupt source");
        src.enable();
    }

    private static void check(IOReturn r, String what) {
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException(what + ": " + r);
        }
    }

    /** @return null if the ID registers read as a PL031, else what differs */
    static String checkIds(MmioRegion regs) {
        for (int i = 0; i < EXPECTED_IDS.size(); i++) {
            int v = regs.read32(0xFE0 + 4 * i) & 0xFF;
            if (v != EXPECTED_IDS.get(i)) {
                return String.format("ID register 0x%x reads 0x%02x, a PL031 has 0x%02x", 0xFE0 + 4 * i, v,
                        EXPECTED_IDS.get(i));
            }
        }
        return null;
    }

    private static long seconds(Instant t) {
        long s = Objects.requireNonNull(t, "time").getEpochSecond();
        if (s < 0 || s > MAX_SECONDS) {
            throw new IllegalArgumentException(t + " is outside the PL031's 32-bit seconds counter");
        }
        return s;
    }

    private long counter() {
        return regs.read32(DR) & 0xFFFF_FFFFL;
    }

    @Override
    public Instant now() {
        return Instant.ofEpochSecond(counter());
    }

    @Override
    public void setTime(Instant time) {
        long s = seconds(time);
        run(() -> {
            regs.write32(LR, (int) s);
            rearm();
        });
    }

    @Override
    public Alarm alarm(Instant at, Consumer<Instant> callback) {
        long s = seconds(at);
        Objects.requireNonNull(callback, "callback");
        PendingAlarm[] a = new PendingAlarm[1];
        run(() -> {
            a[0] = new PendingAlarm(s, nextSeq++, callback);
            pending.add(a[0]);
            rearm();
        });
        return a[0];
    }

    @Override
    public boolean cancel(Alarm alarm) {
        boolean[] removed = new boolean[1];
        run(() -> {
            removed[0] = alarm instanceof PendingAlarm && pending.remove(alarm);
            rearm();
        });
        return removed[0];
    }

    private void run(Runnable body) {
        IOReturn r = gate.runAction(self -> {
            if (stopped) {
                return IOReturn.OFFLINE;
            }
            body.run();
            return IOReturn.SUCCESS;
        });
        if (r != IOReturn.SUCCESS) {
            throw new IllegalStateException("the RTC driver is not running: " + r);
        }
    }

    /** The interrupt action: work loop thread, gate closed. */
    private void matchInterrupt() {
        regs.write32(ICR, 1); // lowers the level line
        if (!stopped) {
            rearm();
        }
    }

    /**
     * Programs the next match and then hands every alarm that is due to the callback queue (after
     * the registers are final, so a callback sees the hardware as the driver left it). Gate held.
     */
    private void rearm() {
        java.util.List<Runnable> due = new java.util.ArrayList<>();
        while (true) {
            long now = counter();
            while (!pending.isEmpty() && pending.first().seconds <= now) {
                PendingAlarm a = pending.pollFirst();
                Instant fired = Instant.ofEpochSecond(now);
                due.add(() -> a.callback.accept(fired));
            }
            if (pending.isEmpty()) {
                regs.write32(IMSC, 0);
                regs.write32(ICR, 1);
                break;
            }
            long next = pending.first().seconds;
            regs.write32(IMSC, 0);
            regs.write32(MR, (int) next);
            regs.write32(ICR, 1);
            regs.write32(IMSC, 1);
            if (counter() < next) {
                break; // the hardware will interrupt at the match
            }
            // the counter reached the match while we programmed it: handle it here
        }
        due.forEach(callbacks::dispatchAsync);
    }

    /** Masks the interrupt, drops pending alarms and stops the callback queue. */
    void stop() {
        gate.runAction(self -> {
            stopped = true;
            pending.clear();
            regs.write32(IMSC, 0);
            regs.write32(ICR, 1);
            return IOReturn.SUCCESS;
        });
        callbacks.cancel(null);
    }

    /** Waits for the callback queue's thread to end. */
    void close() {
        callbacks.close();
    }
}
