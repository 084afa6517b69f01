package dev.sluice.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.virtio.VirtioMmioFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtio-rng engine against the entropy model (seeded, so runs are reproducible). */
class EntropyEngineTest {

    @TempDir
    Path dir;

    private static byte[] fill(BlockRig rig, EntropyEngine e, int n) throws Exception {
        byte[] b = new byte[n];
        CompletableFuture<IOReturnException> done = new CompletableFuture<>();
        rig.onLoop(() -> {
            e.submit(new EntropyEngine.Request(b, done::complete));
            return null;
        });
        assertNull(done.get(10, TimeUnit.SECONDS));
        return b;
    }

    private static byte[][] twoReads(Path dir) throws Exception {
        try (BlockRig rig = new BlockRig(dir, 4, DeviceModelContext.builder("virtio@d0000000")
                .propertyU32(VirtioMmioFactory.PROP_RNG_SEED, 42))) {
            EntropyEngine e = new EntropyEngine(rig.transport, rig.mem, rig.dma);
            rig.onInterrupt = e::service;
            long free = rig.dma.freeBytes();
            rig.onLoop(() -> {
                e.start();
                return null;
            });
            byte[][] out = {fill(rig, e, 10_000), fill(rig, e, 100)};
            rig.onLoop(() -> {
                e.shutdown(IOReturn.ABORTED, "test over");
                return null;
            });
            assertEquals(free, rig.dma.freeBytes(), "every DMA byte is back after shutdown");
            CompletableFuture<IOReturnException> late = new CompletableFuture<>();
            rig.onLoop(() -> {
                e.submit(new EntropyEngine.Request(new byte[8], late::complete));
                return null;
            });
            assertSame(IOReturn.OFFLINE, late.get(10, TimeUnit.SECONDS).result());
            return out;
        }
    }

    @Test
    void fillsBuffersLargerThanOneDeviceRequestWithTheDevicesBytes() throws Exception {
        byte[][] first = twoReads(dir.resolve("a"));
        byte[] big = first[0];
        assertFalse(Arrays.equals(new byte[2000], Arrays.copyOfRange(big, 8000, 10_000)), "the tail (third 4 KiB request) is filled");
        assertFalse(Arrays.equals(Arrays.copyOfRange(big, 0, 100), first[1]), "successive reads differ");
        assertArrayEquals(big, twoReads(dir.resolve("b"))[0], "the same seed gives the same bytes: they come from the device");
    }
}
