package dev.sluice.drivers.virtio;

import dev.sluice.drivers.storage.api.EntropySource;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.userclient.IOUserClientCaller;
import dev.sluice.kernel.userclient.IOUserClientProvider;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.platform.IOPlatformDevice;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The virtio-rng driver (virtio 1.x, 5.4), serving {@link EntropySource}. Uses its provider's work
 * loop: submissions run on the caller's thread under the gate, interrupts on the loop thread; a
 * {@link #read} blocks the caller outside the gate until its array is full. Applications and the
 * shell also reach it through user clients ({@link EntropyUserClient}: {@code ioclient VirtioEntropy read 16}).
 */
@Personality(name = "VirtioEntropy", providerClass = "IOPlatformDevice", nameMatch = "virtio,mmio",
        propertyMatch = "sluice,device-id=4", probeScore = 1000)
public final class VirtioEntropyDriver extends VirtioDriver<EntropyEngine> implements EntropySource, IOUserClientProvider {

    @Override
    protected int deviceId() {
        return EntropyEngine.DEVICE_ID;
    }

    @Override
    protected EntropyEngine newEngine(IOPlatformDevice nub) {
        return new EntropyEngine(new VirtioMmio(nub.getDeviceMemory(0)), nub.guestMemory(), nub.dmaAllocator());
    }

    @Override
    protected String stopReason() {
        return "the virtio-rng driver stopped";
    }

    @Override
    protected boolean publish(IOPlatformDevice nub, EntropyEngine engine) {
        registerClientInterface(EntropySource.class, this);
        return true;
    }

    /** Opening thread: a user client for connection type 0. */
    @Override
    public IOUserClient newUserClient(int type, IOUserClientCaller caller) {
        return type == 0 ? new EntropyUserClient(this) : null;
    }

    @Override
    public void read(byte[] into) {
        CompletableFuture<IOReturnException> done = new CompletableFuture<>();
        EntropyEngine.Request r = new EntropyEngine.Request(into, done::complete);
        IOReturn rc = withEngine(e -> {
            e.submit(r);
            return IOReturn.SUCCESS;
        });
        if (rc != IOReturn.SUCCESS) {
            throw new IOReturnException(rc, "the virtio-rng driver is not accepting requests: " + rc);
        }
        IOReturnException failure;
        try {
            failure = done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOReturnException(IOReturn.ABORTED, "interrupted while waiting for entropy");
        } catch (ExecutionException e) {
            throw new IOReturnException(IOReturn.ERROR, String.valueOf(e.getCause()));
        }
        if (failure != null) {
            throw failure;
        }
    }
}
