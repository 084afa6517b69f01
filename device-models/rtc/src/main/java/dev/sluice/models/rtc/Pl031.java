package dev.sluice.models.rtc;

import dev.sluice.models.DeviceClock;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.PrimeCellIds;
import dev.sluice.models.RegRange;
import dev.sluice.models.Register;
import dev.sluice.models.RegisterBank;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The ARM PrimeCell PL031 real-time clock (ARM DDI 0224): a 32-bit counter incremented once a
 * second, a match register and one interrupt.
 *
 * <h2>Registers (32-bit)</h2>
 * RTCDR 0x000 (RO, the counter), RTCMR 0x004 (RW, match), RTCLR 0x008 (RW, writing loads the
 * counter; reads the last value written), RTCCR 0x00C (start bit, reads 1), RTCIMSC 0x010 (RW,
 * bit 0), RTCRIS 0x014 (RO), RTCMIS 0x018 (RO), RTCICR 0x01C (WO, writing 1 to bit 0 clears the
 * interrupt); RTCPeriphID0-3 / RTCPCellID0-3 at 0xFE0-0xFFC (0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0,
 * 0x05, 0xB1). Other offsets and widths follow the {@link RegisterBank} policy (read 0, writes
 * ignored, counted).
 *
 * <h2>Time</h2>
 * The 1 Hz counter is derived from the {@link DeviceClock}: it starts at the wall-clock time given
 * at creation (seconds since the Unix epoch, truncated to 32 bits) and advances by one at each whole
 * second of the device clock after creation. Loading RTCLR sets the count without moving that
 * 1 Hz phase (CLK1HZ is a free-running external clock). The counter wraps at 2^32.
 *
 * <h2>Match interrupt</h2>
 * RTCRIS bit 0 is set when the counter becomes equal to RTCMR: at the second it counts into the
 * match value (scheduled with {@link DeviceClock#schedule}), and when a write of RTCMR or RTCLR
 * makes the two equal. It stays set until cleared through RTCICR. The interrupt line is a level:
 * raised while RTCRIS &amp; RTCIMSC.
 *
 * <h2>Deviation, documented</h2>
 * The RTC is already started at power-on (RTCCR reads 1), as a board's battery-backed RTC is,
 * and writes to RTCCR have no effect, which is what the TRM says of a started RTC. {@link #reset()}
 * restores the registers but keeps the time, like a peripheral reset of an always-on RTC.
 *
 * <h2>Threads</h2>
 * Register accesses (any thread) and the clock callback (the clock's thread) are serialised by the
 * register bank's lock; the line is driven with it held.
 */
public final class Pl031 implements DeviceModel {

    /** Size of the register block. */
    public static final int SIZE = 0x1000;

    static final int DR = 0x000, MR = 0x004, LR = 0x008, CR = 0x00C, IMSC = 0x010, RIS = 0x014, MIS = 0x018,
            ICR = 0x01C;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final long MASK32 = 0xFFFF_FFFFL;
    /** Matches further away than this are found lazily on access, not scheduled (68 years). */
    private static final long SCHEDULE_HORIZON_SECONDS = 1L << 31;
    private static final long NONE = Long.MIN_VALUE;

    private final String name;
    private final RegRange reg;
    private final DeviceClock clock;
    private final InterruptLine irq;
    private final RegisterBank bank;
    private final MmioRegion region;
    private final long originNanos;

    // guarded by bank
    private long offset; // counter = offset + seconds since origin (mod 2^32)
    private boolean ris;
    private long matchTick = NONE; // seconds since origin at which the counter next equals MR
    private DeviceClock.Scheduled alarm;
    private boolean lineLevel;
    private boolean closed;

    private Pl031(DeviceModelContext ctx, RegRange reg, long epochSeconds) {
        this.name = ctx.nodeName();
        this.reg = reg;
        this.clock = ctx.clock();
        this.irq = ctx.interrupts().isEmpty() ? null : ctx.interrupt(0);
        this.originNanos = clock.nanoTime();
        this.offset = epochSeconds & MASK32;
        RegisterBank.Builder b = RegisterBank.builder(ctx.nodeName(), SIZE)
                .add(Register.builder("RTCDR", DR, 32).readOnly().onRead(stored -> counter(clock.nanoTime())))
                .add(Register.builder("RTCMR", MR, 32).onWrite((v, old) -> access(this::rematch)))
                .add(Register.builder("RTCLR", LR, 32).onWrite((v, old) -> access(() -> load(v))))
                .add(Register.builder("RTCCR", CR, 32).reset(1).writableMask(0))
                .add(Register.builder("RTCIMSC", IMSC, 32).writableMask(1).onWrite((v, old) -> access(() -> { })))
                .add(Register.builder("RTCRIS", RIS, 32).readOnly().onRead(stored -> {
                    observe();
                    return ris ? 1 : 0;
                }))
                .add(Register.builder("RTCMIS", MIS, 32).readOnly().onRead(stored -> {
                    observe();
                    return masked() ? 1 : 0;
                }))
                .add(Register.builder("RTCICR", ICR, 32).writeOnly().onWrite((v, old) -> access(() -> {
                    sync(clock.nanoTime());
                    if ((v & 1) != 0) {
                        ris = false;
                    }
                })));
        PrimeCellIds.declare(b, "RTC", 0x31, 0x10, 0x14, 0x00);
        this.bank = b.build();
        this.region = new ClosableRegion(bank.asRegion(reg.address()));
        synchronized (bank) {
            rematch();
        }
    }

    /**
     * Builds an RTC for a Devicetree node, counting from the host's current wall-clock time.
     *
     * @throws DeviceModelException naming the node if it has no usable reg range
     */
    public static Pl031 create(DeviceModelContext ctx) throws DeviceModelException {
        return create(ctx, Instant.now().getEpochSecond());
    }

    /**
     * Builds an RTC for a Devicetree node whose counter starts at {@code epochSeconds} (e.g. a
     * fixed time for reproducible boots or tests).
     *
     * @throws DeviceModelException naming the node if it has no usable reg range
     */
    public static Pl031 create(DeviceModelContext ctx, long epochSeconds) throws DeviceModelException {
        RegRange r = ctx.firstReg(SIZE, "PL031");
        return new Pl031(ctx, r, epochSeconds);
    }

    @Override
    public MmioRegion mmio(int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("pl031 " + name + " has one reg range, no index " + index);
        }
        return region;
    }

    @Override
    public int mmioCount() {
        return 1;
    }

    @Override
    public void reset() {
        synchronized (bank) {
            if (closed) {
                return;
            }
            bank.reset();
            ris = false;
            rematch();
            updateLine();
        }
    }

    @Override
    public void close() {
        synchronized (bank) {
            if (closed) {
                return;
            }
            closed = true;
            cancelAlarm();
            if (irq != null) {
                irq.lower();
            }
            lineLevel = false;
        }
    }

    @Override
    public List<String> describe() {
        synchronized (bank) {
            long now = clock.nanoTime();
            if (!closed) {
                sync(now);
            }
            List<String> out = new ArrayList<>();
            long count = counter(now);
            out.add(String.format("pl031 %s at 0x%x%s", name, reg.address(), closed ? " [closed]" : ""));
            out.add(String.format("counter %d (%s), match %d, IMSC %d, RIS %d, MIS %d, irq %s", count,
                    Instant.ofEpochSecond(count), bank.value(MR), bank.value(IMSC) & 1, ris ? 1 : 0, masked() ? 1 : 0,
                    irq == null ? "not connected" : lineLevel ? "raised" : "low"));
            return out;
        }
    }

    /** @return the counter (RTCDR) now, as a driver would read it */
    public long counter() {
        synchronized (bank) {
            return counter(clock.nanoTime());
        }
    }

    @Override
    public String toString() {
        return "pl031 " + name;
    }

    // ---------------------------------------------------------------- internals, bank lock held

    private long seconds(long now) {
        return Math.floorDiv(now - originNanos, NS_PER_SECOND);
    }

    private long counter(long now) {
        return (offset + seconds(now)) & MASK32;
    }

    private boolean masked() {
        return ris && (bank.value(IMSC) & 1) != 0;
    }

    /** A status read: folds in a match the clock callback has not reported yet, and drives the line to agree. */
    private void observe() {
        if (!closed) {
            sync(clock.nanoTime());
            updateLine();
        }
    }

    private void access(Runnable effect) {
        if (closed) {
            return;
        }
        effect.run();
        updateLine();
    }

    private void load(long value) {
        long now = clock.nanoTime();
        sync(now);
        offset = (value - seconds(now)) & MASK32;
        rematch();
    }

    /** Folds a match reached by {@code now} into RIS. */
    private void sync(long now) {
        if (matchTick != NONE && seconds(now) >= matchTick) {
            ris = true;
            matchTick = NONE; // the next equality is 2^32 seconds away
        }
    }

    /** After MR or the count changed: an equality now sets RIS; the next one is scheduled. */
    private void rematch() {
        cancelAlarm();
        long now = clock.nanoTime();
        sync(now); // a match already reached under the old values stays latched
        long delta = (bank.value(MR) - counter(now)) & MASK32;
        if (delta == 0) {
            ris = true;
            matchTick = NONE;
            return;
        }
        matchTick = seconds(now) + delta;
        if (delta <= SCHEDULE_HORIZON_SECONDS) {
            alarm = clock.schedule(originNanos + matchTick * NS_PER_SECOND, this::onAlarm);
        }
    }

    private void onAlarm() {
        synchronized (bank) {
            if (closed) {
                return;
            }
            sync(clock.nanoTime());
            updateLine();
        }
    }

    private void cancelAlarm() {
        if (alarm != null) {
            alarm.cancel();
            alarm = null;
        }
    }

    private void updateLine() {
        boolean level = masked();
        if (level != lineLevel) {
            lineLevel = level;
            if (irq != null) {
                irq.set(level);
            }
        }
    }

    /** The bank's region, made harmless once the model is closed. */
    private final class ClosableRegion implements MmioRegion {
        private final MmioRegion delegate;

        ClosableRegion(MmioRegion delegate) {
            this.delegate = delegate;
        }

        private boolean isClosed() {
            synchronized (bank) {
                return closed;
            }
        }

        private int check(long off, int width) {
            MmioRegion.checkAccess(this, off, width);
            return 0;
        }

        @Override public String name() { return delegate.name(); }
        @Override public long base() { return delegate.base(); }
        @Override public long size() { return delegate.size(); }
        @Override public int read8(long off) { return isClosed() ? check(off, 1) : delegate.read8(off); }
        @Override public int read16(long off) { return isClosed() ? check(off, 2) : delegate.read16(off); }
        @Override public int read32(long off) { return isClosed() ? check(off, 4) : delegate.read32(off); }
        @Override public long read64(long off) { return isClosed() ? check(off, 8) : delegate.read64(off); }
        @Override public void write8(long off, int v) { if (isClosed()) { check(off, 1); } else { delegate.write8(off, v); } }
        @Override public void write16(long off, int v) { if (isClosed()) { check(off, 2); } else { delegate.write16(off, v); } }
        @Override public void write32(long off, int v) { if (isClosed()) { check(off, 4); } else { delegate.write32(off, v); } }
        @Override public void write64(long off, long v) { if (isClosed()) { check(off, 8); } else { delegate.write64(off, v); } }

        @Override
        public String toString() {
            return MmioRegion.describe(this);
        }
    }
}
