package dev.sluice.drivers.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.virtio.BlockEngine.Kind;
import dev.sluice.drivers.virtio.BlockEngine.Request;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOWorkLoop;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How requests reach the engine when the gate is free, when it is taken, and after close. */
class BlockSubmitterTest {

    @TempDir
    Path dir;
    private BlockRig rig;
    private IOWorkLoop loop;
    private IOCommandGate<BlockSubmitterTest> gate;
    private BlockEngine engine;
    private BlockSubmitter submitter;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        rig = new BlockRig(dir, 2, BlockRig.block(4096));
        engine = new BlockEngine(rig.transport, rig.mem, rig.dma);
        loop = IOWorkLoop.create("submitter-test");
        gate = IOCommandGate.commandGate(this);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(gate));
        gate.runAction(self -> {
            engine.start();
            return IOReturn.SUCCESS;
        });
        rig.onInterrupt = () -> gate.runAction(self -> {
            engine.service();
            return IOReturn.SUCCESS;
        });
        submitter = new BlockSubmitter(gate, engine);
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(submitter.doorbell()));
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        gate.runAction(self -> {
            engine.shutdown(IOReturn.ABORTED, "test over");
            return IOReturn.SUCCESS;
        });
        loop.close();
        rig.close();
    }

    /** Holds the gate on another thread until {@link #release} opens; returns once it is held. */
    private Thread holdGate() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        Thread t = new Thread(() -> gate.runAction(self -> {
            held.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return IOReturn.SUCCESS;
        }), "gate-holder");
        t.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        return t;
    }

    @Test
    @DisplayName("with the gate free, await writes and reads back through the engine")
    void freeGate() {
        byte[] data = new byte[1024];
        data[5] = 42;
        submitter.await(Kind.WRITE, 7, data);
        byte[] back = new byte[1024];
        submitter.await(Kind.READ, 7, back);
        assertArrayEquals(data, back);
    }

    @Test
    @DisplayName("a request made while another thread holds the gate is handed off without waiting and completes once the gate opens")
    void takenGateHandsOff() throws Exception {
        Thread holder = holdGate();
        CompletableFuture<Request> done = new CompletableFuture<>();
        submitter.submit(new Request(Kind.WRITE, 3, new byte[512], done::complete));
        assertEquals(1, submitter.handedOffCount(), "queued for the loop, not waiting for the gate");
        assertFalse(done.isDone());
        release.countDown();
        holder.join(10_000);
        assertNull(done.get(10, TimeUnit.SECONDS).failure());
        assertEquals(0, submitter.handedOffCount());
    }

    @Test
    @DisplayName("requests handed off when the submitter closes, or later, fail with OFFLINE")
    void closeFailsHandedOff() throws Exception {
        Thread holder = holdGate();
        CompletableFuture<Request> queued = new CompletableFuture<>();
        submitter.submit(new Request(Kind.READ, 0, new byte[512], queued::complete));
        submitter.close();
        assertSame(IOReturn.OFFLINE, queued.get(10, TimeUnit.SECONDS).failure().result());
        CompletableFuture<Request> late = new CompletableFuture<>();
        submitter.submit(new Request(Kind.READ, 0, new byte[512], late::complete));
        assertSame(IOReturn.OFFLINE, late.get(10, TimeUnit.SECONDS).failure().result());
        release.countDown();
        holder.join(10_000);
    }
}
