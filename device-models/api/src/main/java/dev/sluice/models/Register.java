package dev.sluice.models;

import java.util.Objects;

/**
 * One register of a {@link RegisterBank}: its offset in the bank, width, reset value, access
 * rights, clear-on-access bit masks and side effects. Immutable; the bank holds the current
 * value. Build one with {@link #builder(String, int, int)}.
 *
 * <h2>Semantics (applied by the bank)</h2>
 * <ul>
 * <li><b>Read</b>: the value returned is the stored value, or what the {@link ReadEffect} computes
 * from it; then the {@link Builder#readToClear(long) read-to-clear} bits are cleared in the
 * stored value. A {@link Builder#writeOnly() write-only} register reads as 0 (counted as a
 * diagnostic) and has no read effect.</li>
 * <li><b>Write</b>: {@link Builder#writeOneToClear(long) write-1-to-clear} bits are cleared where
 * the written value has a 1; the other {@link Builder#writableMask(long) writable} bits take the
 * written value; the rest keep their value. Then the {@link WriteEffect} runs with the written
 * value. A {@link Builder#readOnly() read-only} register ignores writes (counted as a
 * diagnostic) and has no write effect.</li>
 * <li>All values are masked to the register's width.</li>
 * </ul>
 * Effects run on the thread that made the access, while the bank's lock is held: they must not
 * block, and may use the bank's model-side methods ({@link RegisterBank#value(int)},
 * {@link RegisterBank#set(int, long)}, ...).
 */
public final class Register {

    /** Computes the value a driver reads. */
    @FunctionalInterface
    public interface ReadEffect {
        /**
         * @param stored the register's stored value
         * @return the value the driver sees (masked to the width by the bank)
         */
        long read(long stored);
    }

    /** Reacts to a driver write, after the stored value was updated. */
    @FunctionalInterface
    public interface WriteEffect {
        /**
         * @param written  the value the driver wrote, masked to the width
         * @param previous the stored value before the write
         */
        void written(long written, long previous);
    }

    private final String name;
    private final int offset;
    private final int widthBits;
    private final long resetValue;
    private final boolean readOnly;
    private final boolean writeOnly;
    private final long w1cMask;
    private final long rcMask;
    private final long writableMask;
    private final ReadEffect onRead;
    private final WriteEffect onWrite;

    private Register(Builder b) {
        this.name = b.name;
        this.offset = b.offset;
        this.widthBits = b.widthBits;
        long mask = widthMask(b.widthBits);
        this.resetValue = b.resetValue & mask;
        this.readOnly = b.readOnly;
        this.writeOnly = b.writeOnly;
        this.w1cMask = b.w1cMask & mask;
        this.rcMask = b.rcMask & mask;
        this.writableMask = b.writableMask & mask & ~this.w1cMask;
        this.onRead = b.onRead;
        this.onWrite = b.onWrite;
    }

    /**
     * @param name      for diagnostics and {@code describe()}
     * @param offset    byte offset in the bank, naturally aligned to the width
     * @param widthBits 8, 16, 32 or 64
     * @return a builder; by default the register is read/write, all bits writable, reset value 0
     * @throws IllegalArgumentException for another width, a negative or misaligned offset
     */
    public static Builder builder(String name, int offset, int widthBits) {
        return new Builder(name, offset, widthBits);
    }

    /** @return a mask with the low {@code widthBits} bits set */
    public static long widthMask(int widthBits) {
        return widthBits == 64 ? -1L : (1L << widthBits) - 1;
    }

    public String name() { return name; }
    public int offset() { return offset; }
    public int widthBits() { return widthBits; }
    public int widthBytes() { return widthBits / 8; }
    public long resetValue() { return resetValue; }
    public boolean isReadOnly() { return readOnly; }
    public boolean isWriteOnly() { return writeOnly; }
    public long writeOneToClearMask() { return w1cMask; }
    public long readToClearMask() { return rcMask; }
    /** @return the bits a driver write sets directly (excludes write-1-to-clear bits) */
    public long writableMask() { return writableMask; }
    ReadEffect onRead() { return onRead; }
    WriteEffect onWrite() { return onWrite; }

    @Override
    public String toString() {
        return String.format("%s@0x%x/%d", name, offset, widthBits);
    }

    /** Builds a {@link Register}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final int offset;
        private final int widthBits;
        private long resetValue;
        private boolean readOnly;
        private boolean writeOnly;
        private long w1cMask;
        private long rcMask;
        private long writableMask = -1L;
        private ReadEffect onRead;
        private WriteEffect onWrite;

        private Builder(String name, int offset, int widthBits) {
            this.name = Objects.requireNonNull(name, "name");
            if (widthBits != 8 && widthBits != 16 && widthBits != 32 && widthBits != 64) {
                throw new IllegalArgumentException("register " + name + ": width " + widthBits
                        + " bits is not 8, 16, 32 or 64");
            }
            if (offset < 0 || offset % (widthBits / 8) != 0) {
                throw new IllegalArgumentException(String.format(
                        "register %s: offset 0x%x is negative or not aligned to its width (%d bits)",
                        name, offset, widthBits));
            }
            this.offset = offset;
            this.widthBits = widthBits;
        }

        /** The value after {@link RegisterBank#reset()} and at creation. */
        public Builder reset(long value) { this.resetValue = value; return this; }

        /** Driver writes are ignored (and counted in the bank's diagnostics). */
        public Builder readOnly() { this.readOnly = true; return this; }

        /** Driver reads return 0 (and are counted in the bank's diagnostics). */
        public Builder writeOnly() { this.writeOnly = true; return this; }

        /** Bits cleared by writing 1 (a 0 leaves them); typical for interrupt status. */
        public Builder writeOneToClear(long mask) { this.w1cMask = mask; return this; }

        /** Bits cleared in the stored value after each driver read. */
        public Builder readToClear(long mask) { this.rcMask = mask; return this; }

        /** Bits a driver write sets directly; other bits keep their value (default: all). */
        public Builder writableMask(long mask) { this.writableMask = mask; return this; }

        /** Computes the read value from the stored one (e.g. a live counter or a FIFO pop). */
        public Builder onRead(ReadEffect effect) { this.onRead = effect; return this; }

        /** Runs after each accepted driver write (e.g. a doorbell). */
        public Builder onWrite(WriteEffect effect) { this.onWrite = effect; return this; }

        /**
         * @return the register
         * @throws IllegalArgumentException if it is both read-only and write-only
         */
        public Register build() {
            if (readOnly && writeOnly) {
                throw new IllegalArgumentException("register " + name + " cannot be both read-only and write-only");
            }
            return new Register(this);
        }
    }
}
