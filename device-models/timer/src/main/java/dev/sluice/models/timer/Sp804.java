package dev.sluice.models.timer;

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
import java.util.ArrayList;
import java.util.List;

/**
 * The ARM SP804 dual-timer module (ARM DDI 0271): two identical 32/16-bit down-counters at 0x00
 * and 0x20, clocked at 1 MHz (TIMCLK) from the {@link DeviceClock}.
 *
 * <h2>Registers (per timer, at 0x00 and 0x20)</h2>
 * Load (+0x00, RW), Value (+0x04, RO), Control (+0x08, RW, reset 0x20), IntClr (+0x0C, WO), RIS
 * (+0x10, RO), MIS (+0x14, RO), BGLoad (+0x18, RW); TimerPeriphID0-3 / TimerPCellID0-3 at
 * 0xFE0-0xFFC (0x04, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1). 32-bit accesses only; anything else,
 * unknown offsets (including the integration-test registers at 0xF00/0xF04, not modelled) and
 * writes to read-only registers are absorbed by the {@link RegisterBank} policy.
 *
 * <h2>Counting</h2>
 * Control: bit 0 one-shot, bit 1 32-bit size, bits 3:2 prescale (/1, /16, /256; the undefined
 * value 3 counts as /256), bit 5 interrupt enable, bit 6 periodic, bit 7 enable. Value is computed
 * from the clock, never by ticking a thread: the counter decrements once per prescaled tick;
 * reaching zero sets RIS (sticky until IntClr); on the next tick a periodic counter reloads from
 * Load, a free-running one wraps to 0xFFFFFFFF (0xFFFF in 16-bit mode), and a one-shot counter
 * stays at zero until Load is written or one-shot is cleared. A periodic interrupt thus recurs
 * every (Load + 1) ticks. Writing Load restarts the count at once (Load = 0 raises the interrupt
 * immediately, as the TRM notes); writing BGLoad changes only the reload value (Load reads it back).
 * Disabling freezes Value; enabling resumes from it. In 16-bit mode the counter (and Value) keep 16
 * bits.
 *
 * <h2>Interrupts</h2>
 * MIS = RIS &amp; interrupt enable. With two lines in the node's {@code interrupts}, timer 1 drives
 * the first (TIMINT1) and timer 2 the second (TIMINT2); with one line it carries the OR of both
 * (TIMINTC). Lines are levels. The moment a counter reaches zero is scheduled with
 * {@link DeviceClock#schedule} only while it matters (enabled, interrupt enabled, RIS clear).
 *
 * <h2>Threads</h2>
 * Register accesses (any thread) and clock callbacks (the clock's thread) are serialised by the
 * register bank's lock; lines are driven with it held.
 */
public final class Sp804 implements DeviceModel {

    /** TIMCLK frequency. */
    public static final long TIMCLK_HZ = 1_000_000L;
    /** Size of the register block. */
    public static final int SIZE = 0x1000;

    static final int LOAD = 0x00, VALUE = 0x04, CONTROL = 0x08, INTCLR = 0x0C, RIS = 0x10, MIS = 0x14, BGLOAD = 0x18;
    static final int CTRL_ONESHOT = 0x01, CTRL_32BIT = 0x02, CTRL_IE = 0x20, CTRL_PERIODIC = 0x40, CTRL_ENABLE = 0x80;
    static final int CONTROL_RESET = 0x20;
    private static final long NS_PER_TICK = 1_000_000_000L / TIMCLK_HZ;
    private static final long NONE = -1;

    private final String name;
    private final RegRange reg;
    private final DeviceClock clock;
    private final InterruptLine[] lines;
    private final RegisterBank bank;
    private final Counter[] timers = {new Counter(1, 0x00), new Counter(2, 0x20)};
    private final MmioRegion region;
    private boolean closed; // guarded by bank

    private Sp804(DeviceModelContext ctx, RegRange reg) {
        this.name = ctx.nodeName();
        this.reg = reg;
        this.clock = ctx.clock();
        List<InterruptLine> irqs = ctx.interrupts();
        this.lines = irqs.isEmpty() ? new InterruptLine[0]
                : irqs.size() == 1 ? new InterruptLine[] {irqs.get(0)}
                : new InterruptLine[] {irqs.get(0), irqs.get(1)};
        RegisterBank.Builder b = RegisterBank.builder(ctx.nodeName(), SIZE);
        for (Counter t : timers) {
            t.declare(b);
        }
        PrimeCellIds.declare(b, "Timer", 0x04, 0x18, 0x14, 0x00);
        this.bank = b.build();
        this.region = new Region(bank.asRegion(reg.address()));
        synchronized (bank) {
            resetLocked();
        }
    }

    /**
     * Builds a dual timer for a Devicetree node: its first {@code reg} range (at least 4 KiB) and
     * one or two interrupt lines (none: polled only).
     *
     * @throws DeviceModelException naming the node if it has no usable reg range
     */
    public static Sp804 create(DeviceModelContext ctx) throws DeviceModelException {
        RegRange r = ctx.firstReg(SIZE, "SP804");
        return new Sp804(ctx, r);
    }

    @Override
    public MmioRegion mmio(int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("sp804 " + name + " has one reg range, no index " + index);
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
            if (!closed) {
                bank.reset();
                resetLocked();
            }
        }
    }

    @Override
    public void close() {
        synchronized (bank) {
            if (closed) {
                return;
            }
            closed = true;
            for (Counter t : timers) {
                t.cancel();
            }
            for (InterruptLine l : lines) {
                l.lower();
            }
        }
    }

    @Override
    public List<String> describe() {
        synchronized (bank) {
            long now = clock.nanoTime();
            List<String> out = new ArrayList<>();
            out.add(String.format("sp804 %s at 0x%x, TIMCLK %d Hz, %s%s", name, reg.address(), TIMCLK_HZ,
                    lines.length == 2 ? "two interrupt lines" : lines.length == 1 ? "one combined interrupt line"
                            : "no interrupt line", closed ? " [closed]" : ""));
            for (Counter t : timers) {
                out.add(t.describe(now));
            }
            RegisterBank.Diagnostics d = bank.diagnostics();
            if (d.total() > 0) {
                out.add("absorbed bad accesses: " + d.total());
            }
            return out;
        }
    }

    @Override
    public String toString() {
        return "sp804 " + name;
    }

    private void resetLocked() {
        long now = clock.nanoTime();
        for (Counter t : timers) {
            t.reset(now);
        }
        updateLines();
    }

    private void updateLines() {
        if (closed) {
            return;
        }
        if (lines.length == 2) {
            lines[0].set(timers[0].masked());
            lines[1].set(timers[1].masked());
        } else if (lines.length == 1) {
            lines[0].set(timers[0].masked() || timers[1].masked());
        }
    }

    /** One down-counter. Guarded by the bank's lock. */
    private final class Counter {
        final int number;
        final int base;
        int control;
        long load;
        /** Counter value at {@link #anchorNanos} (frozen value while disabled). */
        long anchorValue;
        long anchorNanos;
        /** First tick (counted from the anchor) whose reaching zero is not yet folded into RIS. */
        long firstUnchecked;
        boolean ris;
        DeviceClock.Scheduled deadline;

        Counter(int number, int base) {
            this.number = number;
            this.base = base;
        }

        void declare(RegisterBank.Builder b) {
            String p = "Timer" + number;
            b.add(Register.builder(p + "Load", base + LOAD, 32).onWrite((v, old) -> access(() -> writeLoad(v))));
            b.add(Register.builder(p + "Value", base + VALUE, 32).reset(0xFFFF_FFFFL).readOnly()
                    .onRead(stored -> value(clock.nanoTime())));
            b.add(Register.builder(p + "Control", base + CONTROL, 32).reset(CONTROL_RESET).writableMask(0xEF)
                    .onWrite((v, old) -> access(() -> writeControl((int) v & 0xEF))));
            b.add(Register.builder(p + "IntClr", base + INTCLR, 32).writeOnly().onWrite((v, old) -> access(() -> {
                sync(clock.nanoTime());
                ris = false;
            })));
            b.add(Register.builder(p + "RIS", base + RIS, 32).readOnly().onRead(stored -> {
                observe();
                return ris ? 1 : 0;
            }));
            b.add(Register.builder(p + "MIS", base + MIS, 32).readOnly().onRead(stored -> {
                observe();
                return masked() ? 1 : 0;
            }));
            b.add(Register.builder(p + "BGLoad", base + BGLOAD, 32).onWrite((v, old) -> access(() -> writeBgLoad(v))));
        }

        /**
         * A status read: folds in a zero the clock callback has not reported yet (it may run a
         * little late on a busy host), so the line always agrees with what the driver reads.
         */
        private void observe() {
            if (closed) {
                return;
            }
            boolean before = ris;
            sync(clock.nanoTime());
            if (ris != before) {
                updateLines();
                schedule();
            }
        }

        /** Runs a register side effect, then brings the lines and the scheduled deadline up to date. */
        private void access(Runnable effect) {
            if (closed) {
                return;
            }
            effect.run();
            sync(clock.nanoTime()); // a zero reached at this very tick (Load = 0) counts now
            updateLines();
            schedule();
        }

        void reset(long now) {
            cancel();
            control = CONTROL_RESET;
            load = 0;
            anchorValue = 0xFFFF_FFFFL;
            anchorNanos = now;
            firstUnchecked = 1;
            ris = false;
        }

        boolean enabled() { return (control & CTRL_ENABLE) != 0; }
        boolean oneShot() { return (control & CTRL_ONESHOT) != 0; }
        long mask() { return (control & CTRL_32BIT) != 0 ? 0xFFFF_FFFFL : 0xFFFFL; }
        int prescale() {
            switch ((control >> 2) & 3) {
                case 0: return 1;
                case 1: return 16;
                default: return 256; // 2, and the undefined 3
            }
        }
        long tickNanos() { return NS_PER_TICK * prescale(); }
        long reload() { return (control & CTRL_PERIODIC) != 0 ? load & mask() : mask(); }
        boolean masked() { return ris && (control & CTRL_IE) != 0; }

        /** Ticks elapsed since the anchor (0 while disabled). */
        long ticks(long now) {
            return enabled() ? Math.max(0, Math.floorDiv(now - anchorNanos, tickNanos())) : 0;
        }

        long valueAtTick(long k) {
            if (k <= anchorValue) {
                return anchorValue - k;
            }
            if (oneShot()) {
                return 0;
            }
            long r = reload();
            return r - (k - anchorValue - 1) % (r + 1);
        }

        long value(long now) {
            return valueAtTick(ticks(now));
        }

        /** The first tick at or after {@code k} on which the counter reaches zero, or {@link #NONE}. */
        long zeroAtOrAfter(long k) {
            if (k <= anchorValue) {
                return anchorValue;
            }
            if (oneShot()) {
                return NONE;
            }
            long period = reload() + 1;
            long m = (k - anchorValue + period - 1) / period;
            return anchorValue + m * period;
        }

        /** Folds every zero reached up to {@code now} into RIS. */
        void sync(long now) {
            if (!enabled()) {
                return;
            }
            long k = ticks(now);
            if (!ris) {
                long z = zeroAtOrAfter(firstUnchecked);
                if (z != NONE && z <= k) {
                    ris = true;
                }
            }
            firstUnchecked = Math.max(firstUnchecked, k + 1);
        }

        /** Moves the anchor to the last tick at or before {@code now}, keeping the count. */
        void rebase(long now) {
            sync(now);
            if (!enabled()) {
                return;
            }
            long k = ticks(now);
            anchorValue = valueAtTick(k);
            anchorNanos += k * tickNanos();
            firstUnchecked = 1;
        }

        void writeLoad(long v) {
            long now = clock.nanoTime();
            sync(now);
            load = v;
            bank.set(base + BGLOAD, v);
            anchorValue = v & mask();
            anchorNanos = now;
            firstUnchecked = 0; // reaching zero counts from this very tick: Load = 0 interrupts at once
        }

        void writeBgLoad(long v) {
            rebase(clock.nanoTime());
            load = v;
            bank.set(base + LOAD, v);
        }

        void writeControl(int v) {
            long now = clock.nanoTime();
            boolean wasEnabled = enabled();
            rebase(now);
            control = v;
            anchorValue &= mask();
            if (!wasEnabled && enabled()) {
                anchorNanos = now;
            }
        }

        void schedule() {
            cancel();
            if (!enabled() || (control & CTRL_IE) == 0 || ris) {
                return;
            }
            long z = zeroAtOrAfter(firstUnchecked);
            if (z == NONE) {
                return;
            }
            deadline = clock.schedule(anchorNanos + z * tickNanos(), this::onDeadline);
        }

        private void onDeadline() {
            synchronized (bank) {
                if (closed) {
                    return;
                }
                sync(clock.nanoTime());
                updateLines();
                schedule();
            }
        }

        void cancel() {
            if (deadline != null) {
                deadline.cancel();
                deadline = null;
            }
        }

        String describe(long now) {
            if (!closed) {
                sync(now);
            }
            String mode = oneShot() ? "one-shot" : (control & CTRL_PERIODIC) != 0 ? "periodic" : "free-running";
            return String.format("timer %d: %s, %s %d-bit /%d, load %d, value %d, RIS %d, MIS %d", number,
                    enabled() ? "enabled" : "disabled", mode, (control & CTRL_32BIT) != 0 ? 32 : 16, prescale(), load,
                    value(now), ris ? 1 : 0, masked() ? 1 : 0);
        }
    }

    /** The bank's region, made harmless once the model is closed. */
    private final class Region implements MmioRegion {
        private final MmioRegion delegate;

        Region(MmioRegion delegate) {
            this.delegate = delegate;
        }

        private boolean isClosed() {
            synchronized (bank) {
                return closed;
            }
        }

        @Override public String name() { return delegate.name(); }
        @Override public long base() { return delegate.base(); }
        @Override public long size() { return delegate.size(); }
        @Override public int read8(long offset) { return isClosed() ? check(offset, 1) : delegate.read8(offset); }
        @Override public int read16(long offset) { return isClosed() ? check(offset, 2) : delegate.read16(offset); }
        @Override public int read32(long offset) { return isClosed() ? check(offset, 4) : delegate.read32(offset); }
        @Override public long read64(long offset) { return isClosed() ? check(offset, 8) : delegate.read64(offset); }
        @Override public void write8(long offset, int value) { if (isClosed()) { check(offset, 1); } else { delegate.write8(offset, value); } }
        @Override public void write16(long offset, int value) { if (isClosed()) { check(offset, 2); } else { delegate.write16(offset, value); } }
        @Override public void write32(long offset, int value) { if (isClosed()) { check(offset, 4); } else { delegate.write32(offset, value); } }
        @Override public void write64(long offset, long value) { if (isClosed()) { check(offset, 8); } else { delegate.write64(offset, value); } }

        private int check(long offset, int width) {
            MmioRegion.checkAccess(this, offset, width);
            return 0;
        }

        @Override
        public String toString() {
            return MmioRegion.describe(this);
        }
    }
}
