package dev.sluice.platform.devicetree;

/**
 * One {@code (address, size)} pair of a {@code reg} property, decoded with the parent's
 * {@code #address-cells} and {@code #size-cells}.
 *
 * @param address the address (unsigned)
 * @param size    the size in bytes (unsigned; 0 when the bus has {@code #size-cells = <0>})
 */
public record RegEntry(long address, long size) {

    /** @return {@code 0x<address>+0x<size>} */
    @Override
    public String toString() {
        return "0x" + Long.toHexString(address) + "+0x" + Long.toHexString(size);
    }
}
