package dev.sluice.models.virtio;

/**
 * A driver broke the virtio protocol (bad descriptor, loop, bad queue setup, early notify). The
 * transport catches it and enters DEVICE_NEEDS_RESET; it never reaches a driver.
 */
final class VirtioProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    VirtioProtocolException(String message) {
        super(message, null, false, false);
    }
}
