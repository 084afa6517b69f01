package dev.sluice.models;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A device's registers, declared by offset, plus optional byte-addressable windows (e.g. a
 * virtio device-configuration space). The bank keeps each register's current value and applies
 * the {@link Register} semantics on driver accesses; it is exposed to drivers as an
 * {@link MmioRegion} by {@link #asRegion(long)}.
 *
 * <h2>Policy for bad accesses (never an exception)</h2>
 * Hardware does not crash the CPU for a stray access, so neither does the bank:
 * <ul>
 * <li>an offset inside the bank where no register or window is declared reads as 0 and ignores
 * writes;</li>
 * <li>an access whose width differs from the register's, or that starts inside a register
 * rather than at its offset, reads as 0 and ignores writes, with no side effect;</li>
 * <li>a write to a read-only register, or a read of a write-only register (reads as 0), has no
 * side effect.</li>
 * </ul>
 * Each case is counted and the last few are described in {@link #diagnostics()}. (Offsets
 * outside the bank's size are a different matter: the {@link MmioRegion} refuses them with an
 * {@link IndexOutOfBoundsException}, because that is a driver bug in address computation.)
 *
 * <h2>Threads</h2>
 * Every method is thread-safe and serialised by the bank's lock (its monitor). Driver accesses
 * run the registers' side effects on the accessing thread with the lock held; side effects must
 * not block and may re-enter the bank's model-side methods. A model's own threads use
 * {@link #value(int)}, {@link #set(int, long)}, {@link #setBits(int, long)} and
 * {@link #clearBits(int, long)}, which bypass access rights and side effects.
 */
public final class RegisterBank {

    /** Serves reads of a window: {@code relativeOffset} from the window start, 1, 2, 4 or 8 bytes. */
    @FunctionalInterface
    public interface WindowReader {
        long read(int relativeOffset, int widthBytes);
    }

    /** Serves writes to a window. */
    @FunctionalInterface
    public interface WindowWriter {
        void write(int relativeOffset, int widthBytes, long value);
    }

    /** Counts of accesses that the policy above absorbed, and the most recent few, described. */
    public record Diagnostics(long unknownOffset, long wrongWidth, long readOnlyWrites, long writeOnlyReads,
                              List<String> recent) {
        /** @return the number of absorbed bad accesses of any kind */
        public long total() {
            return unknownOffset + wrongWidth + readOnlyWrites + writeOnlyReads;
        }
    }

    private record Window(String name, int offset, int length, WindowReader reader, WindowWriter writer) { }

    private static final int RECENT = 8;

    private final String name;
    private final int size;
    private final NavigableMap<Integer, Register> registers;
    private final List<Window> windows;
    private final Map<Integer, long[]> values = new TreeMap<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private long unknownOffset;
    private long wrongWidth;
    private long readOnlyWrites;
    private long writeOnlyReads;

    private RegisterBank(Builder b) {
        this.name = b.name;
        this.size = b.size;
        this.registers = new TreeMap<>(b.registers);
        this.windows = List.copyOf(b.windows);
        for (Register r : registers.values()) {
            values.put(r.offset(), new long[] {r.resetValue()});
        }
    }

    /**
     * @param name the bank's name (usually the device node's name), used in messages
     * @param size the size of the register range in bytes
     * @return a builder
     */
    public static Builder builder(String name, int size) {
        return new Builder(name, size);
    }

    public String name() { return name; }

    public int size() { return size; }

    /** @return the declared registers, by offset */
    public List<Register> registers() {
        return List.copyOf(registers.values());
    }

    // ---------------------------------------------------------------- driver side

    /**
     * A driver read of {@code widthBytes} at {@code offset}, with side effects.
     *
     * @return the value, zero-extended to 64 bits; 0 for an absorbed bad access
     * @throws IndexOutOfBoundsException if the access does not fit in the bank
     */
    public synchronized long read(int offset, int widthBytes) {
        checkBounds(offset, widthBytes);
        Window w = window(offset);
        if (w != null) {
            if (offset + widthBytes > w.offset + w.length || !validWidth(widthBytes)) {
                absorb(Kind.WIDTH, "read", offset, widthBytes, "window " + w.name + " overrun or width");
                return 0;
            }
            return w.reader.read(offset - w.offset, widthBytes) & Register.widthMask(widthBytes * 8);
        }
        Register r = registerAt(offset, widthBytes, "read");
        if (r == null) {
            return 0;
        }
        if (r.isWriteOnly()) {
            absorb(Kind.WRITE_ONLY, "read", offset, widthBytes, "write-only register " + r.name());
            return 0;
        }
        long[] cell = values.get(r.offset());
        long mask = Register.widthMask(r.widthBits());
        long result = (r.onRead() == null ? cell[0] : r.onRead().read(cell[0])) & mask;
        cell[0] &= ~r.readToClearMask();
        return result;
    }

    /**
     * A driver write of {@code widthBytes} at {@code offset}, with side effects.
     *
     * @throws IndexOutOfBoundsException if the access does not fit in the bank
     */
    public synchronized void write(int offset, int widthBytes, long value) {
        checkBounds(offset, widthBytes);
        Window w = window(offset);
        if (w != null) {
            if (offset + widthBytes > w.offset + w.length || !validWidth(widthBytes)) {
                absorb(Kind.WIDTH, "write", offset, widthBytes, "window " + w.name + " overrun or width");
            } else if (w.writer == null) {
                absorb(Kind.READ_ONLY, "write", offset, widthBytes, "read-only window " + w.name);
            } else {
                w.writer.write(offset - w.offset, widthBytes, value & Register.widthMask(widthBytes * 8));
            }
            return;
        }
        Register r = registerAt(offset, widthBytes, "write");
        if (r == null) {
            return;
        }
        if (r.isReadOnly()) {
            absorb(Kind.READ_ONLY, "write", offset, widthBytes, "read-only register " + r.name());
            return;
        }
        long[] cell = values.get(r.offset());
        long written = value & Register.widthMask(r.widthBits());
        long previous = cell[0];
        long next = previous & ~(written & r.writeOneToClearMask());
        next = (next & ~r.writableMask()) | (written & r.writableMask());
        cell[0] = next;
        if (r.onWrite() != null) {
            r.onWrite().written(written, previous);
        }
    }

    // ---------------------------------------------------------------- model side

    /**
     * @return the stored value of the register at {@code offset}, without side effects
     * @throws IllegalArgumentException if no register starts there (a model bug)
     */
    public synchronized long value(int offset) {
        return cell(offset)[0];
    }

    /** Sets the stored value of the register at {@code offset}, bypassing access rights and effects. */
    public synchronized void set(int offset, long value) {
        cell(offset)[0] = value & Register.widthMask(registers.get(offset).widthBits());
    }

    /** Sets bits in the stored value; @return the new value */
    public synchronized long setBits(int offset, long mask) {
        long[] c = cell(offset);
        c[0] |= mask & Register.widthMask(registers.get(offset).widthBits());
        return c[0];
    }

    /** Clears bits in the stored value; @return the new value */
    public synchronized long clearBits(int offset, long mask) {
        long[] c = cell(offset);
        c[0] &= ~mask;
        return c[0];
    }

    /** Puts every register back to its reset value (no side effects run). Diagnostics are kept. */
    public synchronized void reset() {
        for (Register r : registers.values()) {
            values.get(r.offset())[0] = r.resetValue();
        }
    }

    /** @return counts and recent descriptions of absorbed bad accesses */
    public synchronized Diagnostics diagnostics() {
        return new Diagnostics(unknownOffset, wrongWidth, readOnlyWrites, writeOnlyReads, List.copyOf(recent));
    }

    /**
     * @param base the guest-physical address of the bank (reported by {@link MmioRegion#base()})
     * @return a view of this bank for a driver
     */
    public MmioRegion asRegion(long base) {
        return new BankRegion(this, base);
    }

    @Override
    public String toString() {
        return "RegisterBank " + name + " (" + registers.size() + " registers, " + size + " bytes)";
    }

    // ---------------------------------------------------------------- internals

    private enum Kind { UNKNOWN, WIDTH, READ_ONLY, WRITE_ONLY }

    private static boolean validWidth(int w) {
        return w == 1 || w == 2 || w == 4 || w == 8;
    }

    private void checkBounds(int offset, int widthBytes) {
        if (offset < 0 || widthBytes <= 0 || (long) offset + widthBytes > size) {
            throw new IndexOutOfBoundsException(String.format(
                    "access of %d bytes at offset 0x%x is outside register bank %s (size 0x%x)",
                    widthBytes, offset, name, size));
        }
    }

    private Window window(int offset) {
        for (Window w : windows) {
            if (offset >= w.offset && offset < w.offset + w.length) {
                return w;
            }
        }
        return null;
    }

    private Register registerAt(int offset, int widthBytes, String op) {
        Map.Entry<Integer, Register> e = registers.floorEntry(offset);
        if (e == null || offset >= e.getKey() + e.getValue().widthBytes()) {
            absorb(Kind.UNKNOWN, op, offset, widthBytes, "no register");
            return null;
        }
        Register r = e.getValue();
        if (r.offset() != offset || r.widthBytes() != widthBytes) {
            absorb(Kind.WIDTH, op, offset, widthBytes, "register " + r.name() + " is " + r.widthBits()
                    + " bits at 0x" + Integer.toHexString(r.offset()));
            return null;
        }
        return r;
    }

    private long[] cell(int offset) {
        long[] c = values.get(offset);
        if (c == null) {
            throw new IllegalArgumentException(String.format("bank %s has no register at 0x%x", name, offset));
        }
        return c;
    }

    private void absorb(Kind kind, String op, int offset, int widthBytes, String why) {
        switch (kind) {
            case UNKNOWN: unknownOffset++; break;
            case WIDTH: wrongWidth++; break;
            case READ_ONLY: readOnlyWrites++; break;
            default: writeOnlyReads++; break;
        }
        if (recent.size() == RECENT) {
            recent.removeFirst();
        }
        recent.addLast(String.format("%s %d bytes at 0x%x ignored: %s", op, widthBytes, offset, why));
    }

    /** Builds a {@link RegisterBank}; checks that nothing overlaps and everything fits. */
    public static final class Builder {
        private final String name;
        private final int size;
        private final TreeMap<Integer, Register> registers = new TreeMap<>();
        private final List<Window> windows = new ArrayList<>();

        private Builder(String name, int size) {
            this.name = Objects.requireNonNull(name, "name");
            if (size <= 0) {
                throw new IllegalArgumentException("bank " + name + ": size must be positive, was " + size);
            }
            this.size = size;
        }

        /**
         * @throws IllegalArgumentException if the register does not fit or overlaps another one
         */
        public Builder add(Register r) {
            claim(r.toString(), r.offset(), r.widthBytes());
            registers.put(r.offset(), r);
            return this;
        }

        /** Shorthand for {@code add(builder.build())}. */
        public Builder add(Register.Builder b) {
            return add(b.build());
        }

        /**
         * Declares a byte-addressable window: any access of 1, 2, 4 or 8 bytes that lies inside
         * it goes to {@code reader} / {@code writer} with the offset relative to the window.
         *
         * @param writer null for a read-only window (writes are ignored and counted)
         */
        public Builder window(String windowName, int offset, int length, WindowReader reader, WindowWriter writer) {
            claim("window " + windowName, offset, length);
            windows.add(new Window(windowName, offset, length, Objects.requireNonNull(reader, "reader"), writer));
            return this;
        }

        private void claim(String what, int offset, int length) {
            if (offset < 0 || length <= 0 || (long) offset + length > size) {
                throw new IllegalArgumentException(String.format("bank %s: %s (0x%x+%d) does not fit in 0x%x bytes",
                        name, what, offset, length, size));
            }
            Map.Entry<Integer, Register> below = registers.floorEntry(offset + length - 1);
            if (below != null && below.getKey() + below.getValue().widthBytes() > offset) {
                throw new IllegalArgumentException("bank " + name + ": " + what + " overlaps " + below.getValue());
            }
            for (Window w : windows) {
                if (offset < w.offset + w.length && w.offset < offset + length) {
                    throw new IllegalArgumentException("bank " + name + ": " + what + " overlaps window " + w.name);
                }
            }
        }

        public RegisterBank build() {
            return new RegisterBank(this);
        }
    }

    /** The {@link MmioRegion} view of a bank. */
    private static final class BankRegion implements MmioRegion {
        private final RegisterBank bank;
        private final long base;

        BankRegion(RegisterBank bank, long base) {
            this.bank = bank;
            this.base = base;
        }

        @Override public String name() { return bank.name; }
        @Override public long base() { return base; }
        @Override public long size() { return bank.size; }

        private int check(long offset, int width) {
            MmioRegion.checkAccess(this, offset, width);
            return (int) offset;
        }

        @Override public int read8(long offset) { return (int) bank.read(check(offset, 1), 1); }
        @Override public int read16(long offset) { return (int) bank.read(check(offset, 2), 2); }
        @Override public int read32(long offset) { return (int) bank.read(check(offset, 4), 4); }
        @Override public long read64(long offset) { return bank.read(check(offset, 8), 8); }
        @Override public void write8(long offset, int value) { bank.write(check(offset, 1), 1, value & 0xffL); }
        @Override public void write16(long offset, int value) { bank.write(check(offset, 2), 2, value & 0xffffL); }
        @Override public void write32(long offset, int value) { bank.write(check(offset, 4), 4, value & 0xffff_ffffL); }
        @Override public void write64(long offset, long value) { bank.write(check(offset, 8), 8, value); }

        @Override
        public String toString() {
            return MmioRegion.describe(this);
        }
    }
}
