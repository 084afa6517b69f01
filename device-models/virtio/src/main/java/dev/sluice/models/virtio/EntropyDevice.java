package dev.sluice.models.virtio;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * virtio-rng / entropy device (virtio 1.x section 5.4, device ID 4): one request queue; each
 * chain's device-writable buffers are filled completely with random bytes and returned with
 * their length. Device-readable buffers in a chain are ignored. No features, no config space.
 * Requests are served on the io thread.
 */
public final class EntropyDevice extends VirtioDevice {

    private final Random source;
    private final AtomicLong bytes = new AtomicLong();

    /** An entropy device fed by a {@link SecureRandom}. */
    public EntropyDevice() {
        this(new SecureRandom());
    }

    /** @param source the randomness (a seeded {@link Random} makes tests repeatable) */
    public EntropyDevice(Random source) {
        this.source = source;
    }

    @Override public int deviceId() { return Virtio.ID_ENTROPY; }

    @Override public String typeName() { return "entropy"; }

    @Override public int queueCount() { return 1; }

    @Override protected long deviceFeatures() { return 0; }

    @Override protected byte[] config() { return new byte[0]; }

    @Override
    protected void queueNotified(VirtQueue queue) {
        DescriptorChain chain;
        while ((chain = queue.pop()) != null) {
            byte[] data = new byte[chain.writableLength()];
            source.nextBytes(data);
            chain.write(0, data, 0, data.length);
            queue.complete(chain, data.length);
            bytes.addAndGet(data.length);
        }
    }

    @Override
    protected List<String> describe() {
        return List.of("entropy source " + source.getClass().getSimpleName() + ", " + bytes.get() + " bytes supplied");
    }
}
