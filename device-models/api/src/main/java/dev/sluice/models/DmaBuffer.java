package dev.sluice.models;

/**
 * A block of guest memory handed out by a {@link DmaAllocator}.
 *
 * @param address guest-physical address of the first byte
 * @param size    length in bytes
 */
public record DmaBuffer(long address, long size) {

    /** @return the address one past the last byte */
    public long end() {
        return address + size;
    }

    @Override
    public String toString() {
        return String.format("DmaBuffer[0x%x, %d bytes]", address, size);
    }
}
