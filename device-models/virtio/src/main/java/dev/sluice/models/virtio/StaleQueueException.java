package dev.sluice.models.virtio;

/** The queue was reset (or the device closed) while the io thread was working on it: drop the work. */
final class StaleQueueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StaleQueueException() {
        super("virtqueue was reset", null, false, false);
    }
}
