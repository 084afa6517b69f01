package dev.sluice.kernel.jcstress.virtio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Two u16 ring fields (virtq_avail.flags at 0, virtq_used.idx at 2) with the accessors of
 * {@code GuestMemory}: a little-endian ByteBuffer view handle, {@code write16} = release fence then
 * a plain store, {@code read16} = a plain load then an acquire fence.
 */
final class RingFields {

    static final int AVAIL_FLAGS = 0;
    static final int USED_IDX = 2;
    static final int NO_INTERRUPT = 1;
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer ram = ByteBuffer.allocate(4);

    void write16(int offset, int value) {
        VarHandle.releaseFence();
        SHORT.set(ram, offset, (short) value);
    }

    int read16(int offset) {
        int v = (short) SHORT.get(ram, offset) & 0xffff;
        VarHandle.acquireFence();
        return v;
    }
}
