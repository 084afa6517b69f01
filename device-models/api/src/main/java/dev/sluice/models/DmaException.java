package dev.sluice.models;

/**
 * A guest-memory access outside guest RAM (or an allocation the {@link DmaAllocator} cannot
 * satisfy). Unchecked: a model that follows guest-supplied addresses catches it and reports a
 * device error (e.g. virtio DEVICE_NEEDS_RESET); a driver that gets it has a bug.
 */
public class DmaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long address;
    private final long length;

    /**
     * @param address the guest-physical address of the failed access
     * @param length  its length in bytes
     * @param message what was wrong; the address and length are appended
     */
    public DmaException(long address, long length, String message) {
        super(String.format("%s (address 0x%x, length %d)", message, address, length));
        this.address = address;
        this.length = length;
    }

    /** @return the guest-physical address of the failed access */
    public long address() {
        return address;
    }

    /** @return the length of the failed access in bytes */
    public long length() {
        return length;
    }
}
