package dev.sluice.platform.devicetree;

/**
 * An entry of the memory reservation map ({@code /memreserve/ address size;}): physical memory
 * the guest must not use for general allocation.
 *
 * @param address start of the reserved range
 * @param size    length of the reserved range in bytes
 */
public record MemoryReservation(long address, long size) {
}
