package dev.sluice.drivers.storage.api;

/**
 * A hardware entropy source (virtio-rng) as applications see it. Found as an OSGi service; the
 * object survives driver updates. Any thread may call it; calls block until served.
 */
public interface EntropySource {

    /**
     * Fills all of {@code into} with bytes from the device, issuing as many device requests as
     * needed.
     *
     * @throws dev.sluice.kernel.workloop.IOReturnException if the device fails or the driver stops
     */
    void read(byte[] into);
}
