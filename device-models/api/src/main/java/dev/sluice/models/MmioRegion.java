package dev.sluice.models;

/**
 * What a driver is handed for exactly one {@code reg} range of its device node: loads and stores
 * of 1, 2, 4 or 8 bytes at an offset from the range's start, little-endian as on the simulated
 * platform. Values narrower than the return type are zero-extended ({@link #read8} returns
 * 0..255, {@link #read16} 0..65535; {@link #read32} returns the 32 bits in an {@code int}).
 *
 * <p>An access that does not lie wholly inside {@code [0, size())} is a driver bug and throws
 * {@link IndexOutOfBoundsException} naming the offset and the region. Everything inside the range
 * follows the device's policy (see {@link RegisterBank}): never an exception.
 *
 * <p>Accesses may come from any thread; the model serialises them. A store's side effects (e.g. a
 * doorbell) run on the calling thread but never block on the device's backend.
 */
public interface MmioRegion {

    /** @return a name for messages (usually the device node's name) */
    String name();

    /** @return the guest-physical address of offset 0 */
    long base();

    /** @return the size of the range in bytes */
    long size();

    int read8(long offset);

    int read16(long offset);

    int read32(long offset);

    long read64(long offset);

    void write8(long offset, int value);

    void write16(long offset, int value);

    void write32(long offset, int value);

    void write64(long offset, long value);

    /**
     * Checks that an access of {@code widthBytes} at {@code offset} lies inside {@code region}.
     *
     * @throws IndexOutOfBoundsException naming the offset and the region otherwise
     */
    static void checkAccess(MmioRegion region, long offset, int widthBytes) {
        if (offset < 0 || offset > region.size() - widthBytes) {
            throw new IndexOutOfBoundsException(String.format(
                    "MMIO access of %d bytes at offset 0x%x is outside region %s", widthBytes, offset, describe(region)));
        }
    }

    /** @return e.g. {@code "virtio@d0000000 [0xd0000000, size 0x200]"} */
    static String describe(MmioRegion region) {
        return String.format("%s [0x%x, size 0x%x]", region.name(), region.base(), region.size());
    }
}
