package dev.sluice.models;

/**
 * One entry of a node's {@code reg} property.
 *
 * @param address guest-physical address of the range
 * @param size    length in bytes
 */
public record RegRange(long address, long size) {

    public RegRange {
        if (size <= 0) {
            throw new IllegalArgumentException("reg range size must be positive, was " + size);
        }
    }

    @Override
    public String toString() {
        return String.format("[0x%x, size 0x%x]", address, size);
    }
}
