package dev.sluice.models.virtio;

import static dev.sluice.models.virtio.Virtio.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DmaBuffer;
import dev.sluice.models.MmioRegion;

class TransportConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private VirtioFixture fx;

    @BeforeEach
    void setUp() {
        fx = new VirtioFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    @DisplayName("virtio 4.2.2 identity: MagicValue 0x74726976, Version 2, DeviceID per type, VendorID")
    void identity() throws Exception {
        int[][] cases = {{ID_BLOCK}, {ID_CONSOLE}, {ID_ENTROPY}};
        int i = 0;
        for (int[] c : cases) {
            var b = fx.node("v" + i + "@d000" + i + "000", c[0]);
            if (c[0] == ID_BLOCK) {
                b.propertyU32(VirtioMmioFactory.PROP_CAPACITY, 8);
            }
            MmioRegion r = fx.rig(b).device().mmio(0);
            assertEquals(0x74726976, r.read32(MAGIC_VALUE));
            assertEquals(2, r.read32(VERSION));
            assertEquals(c[0], r.read32(DEVICE_ID));
            assertEquals(VENDOR_ID, r.read32(VENDOR_ID_REG));
            assertEquals(0, r.read32(STATUS), "3.1.1 / 2.1: status is 0 after power-on reset");
            i++;
        }
    }

    @Test
    @DisplayName("virtio 4.2.2 / 6.1 DeviceFeatures offers VERSION_1 (bit 32) in word 1 and the block bits in word 0")
    void features() throws Exception {
        SpecDriver d = fx.block(64).driver();
        long f = d.deviceFeatures();
        assertTrue((f & bit(F_VERSION_1)) != 0);
        for (int b : new int[] {BLK_F_SIZE_MAX, BLK_F_SEG_MAX, BLK_F_BLK_SIZE, BLK_F_FLUSH}) {
            assertTrue((f & bit(b)) != 0, "block feature bit " + b);
        }
        assertEquals(0, f & bit(BLK_F_RO));
        assertEquals(0, f & bit(F_EVENT_IDX), "EVENT_IDX is not offered");
        d.regs.write32(DEVICE_FEATURES_SEL, 2);
        assertEquals(0, d.regs.read32(DEVICE_FEATURES), "feature words beyond 1 read 0");
    }

    @Test
    @DisplayName("virtio 2.2.1 / 3.1.1 FEATURES_OK is refused (does not read back) without VIRTIO_F_VERSION_1")
    void featuresOkNeedsVersion1() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        long offered = d.deviceFeatures();
        assertFalse(d.negotiate(offered & ~bit(F_VERSION_1)));
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER, d.status());
        assertTrue(d.negotiate(bit(F_VERSION_1)), "after a reset the subset {VERSION_1} is accepted");
        assertEquals(bit(F_VERSION_1), rig.device().negotiatedFeatures());
    }

    @Test
    @DisplayName("virtio 2.2.1 FEATURES_OK is refused if the driver accepts a feature the device did not offer")
    void featuresOkOnlyForSubset() throws Exception {
        SpecDriver d = fx.entropy().driver();
        assertFalse(d.negotiate(bit(F_VERSION_1) | bit(F_EVENT_IDX)));
        assertEquals(0, d.status() & STATUS_FEATURES_OK);
    }

    @Test
    @DisplayName("virtio 2.2.2 driver features written after FEATURES_OK are ignored")
    void featuresFrozen() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        assertTrue(rig.driver().negotiate(bit(F_VERSION_1)));
        rig.driver().writeDriverFeatures(bit(F_VERSION_1) | bit(F_INDIRECT_DESC));
        assertEquals(bit(F_VERSION_1), rig.device().negotiatedFeatures());
    }

    @Test
    @DisplayName("virtio 3.1.1 / 2.1 full initialisation reaches ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK")
    void initialisation() throws Exception {
        SpecDriver d = fx.entropy().driver();
        d.init(1, 8);
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK, d.status());
        d.regs.write32(QUEUE_SEL, 0);
        assertEquals(256, d.regs.read32(QUEUE_NUM_MAX));
        assertEquals(1, d.regs.read32(QUEUE_READY));
        d.regs.write32(QUEUE_SEL, 1);
        assertEquals(0, d.regs.read32(QUEUE_NUM_MAX), "4.2.3.2: a queue that does not exist has QueueNumMax 0");
        assertEquals(0, d.regs.read32(QUEUE_READY));
    }

    @Test
    @DisplayName("virtio 4.2.2.1 / 2.4 writing 0 to Status resets: status, QueueReady, InterruptStatus 0, line low, queues released")
    void resetReleasesQueues() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        DmaBuffer b = d.buffer(16);
        q.submit(SpecDriver.Buf.wo(b));
        q.notifyDevice();
        assertTrue(rig.irq().awaitLevel(true, 5, TimeUnit.SECONDS));
        assertEquals(INT_USED_BUFFER, d.interruptStatus());
        d.regs.write32(STATUS, 0);
        assertEquals(0, d.status());
        assertEquals(0, d.interruptStatus());
        assertFalse(rig.irq().isRaised());
        d.regs.write32(QUEUE_SEL, 0);
        assertEquals(0, d.regs.read32(QUEUE_READY));
        assertEquals(null, rig.device().queue(0));
        assertEquals(0, rig.device().negotiatedFeatures());
        // the old queue is gone: the device must be set up again before it serves requests
        SpecDriver.Queue q2 = d.init(1, 8).get(0);
        q2.submit(SpecDriver.Buf.wo(d.buffer(8)));
        q2.notifyDevice();
        assertEquals(8, q2.awaitUsed(1, WAIT).get(0).len());
    }

    @Test
    @DisplayName("virtio 4.2.2 used buffer: InterruptStatus bit 0 and a level line that stays raised until InterruptACK clears every bit")
    void interruptStatusAndAck() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        assertFalse(rig.irq().isRaised());
        q.submit(SpecDriver.Buf.wo(d.buffer(32)));
        q.notifyDevice();
        assertTrue(rig.irq().awaitLevel(true, 5, TimeUnit.SECONDS));
        assertEquals(1, q.deviceUsedIdx());
        assertEquals(INT_USED_BUFFER, d.interruptStatus());
        d.regs.write32(INTERRUPT_ACK, INT_CONFIG_CHANGE);
        assertTrue(rig.irq().isRaised(), "acknowledging a bit that is not set leaves the line raised");
        assertEquals(INT_USED_BUFFER, d.interruptStatus());
        d.regs.write32(INTERRUPT_ACK, INT_USED_BUFFER);
        assertFalse(rig.irq().isRaised());
        assertEquals(0, d.interruptStatus());
        assertEquals(1, rig.irq().raiseCount());
        d.regs.write32(INTERRUPT_STATUS, 0xff);
        assertEquals(0, d.interruptStatus(), "InterruptStatus is read-only");
    }

    @Test
    @DisplayName("virtio 2.7.7 VIRTQ_AVAIL_F_NO_INTERRUPT: the device completes without a used-buffer interrupt")
    void noInterruptFlag() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        q.setNoInterrupt(true);
        DmaBuffer b = d.buffer(16);
        q.submit(SpecDriver.Buf.wo(b));
        q.notifyDevice();
        assertEquals(16, q.pollUsed(1, WAIT).get(0).len());
        // a second request with interrupts on proves the io task that ran the first one has finished
        q.setNoInterrupt(false);
        q.submit(SpecDriver.Buf.wo(d.buffer(4)));
        q.notifyDevice();
        q.awaitUsed(1, WAIT);
        assertEquals(1, rig.irq().raiseCount(), "only the second completion interrupted");
    }

    @Test
    @DisplayName("virtio 2.7.6/2.7.7 the queue reports the driver's available index and interrupt flag as guest memory holds them, before the device takes anything")
    void driverSideOfTheRingIsVisible() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        VirtQueue ring = rig.device().queue(0);
        assertEquals(0, ring.driverAvailIdx());
        assertTrue(ring.driverWantsInterrupts());
        q.setNoInterrupt(true);
        assertFalse(ring.driverWantsInterrupts());
        q.submit(SpecDriver.Buf.wo(d.buffer(8)));
        q.submit(SpecDriver.Buf.wo(d.buffer(8)));
        assertEquals(2, ring.driverAvailIdx(), "published, not yet notified");
        assertEquals(0, ring.lastAvailIdx(), "the device took nothing yet");
        q.setNoInterrupt(false);
        assertTrue(ring.driverWantsInterrupts());
    }

    @Test
    @DisplayName("virtio 2.7.5.3 indirect descriptors (VIRTIO_F_INDIRECT_DESC) are followed")
    void indirect() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        assertTrue((d.deviceFeatures() & bit(F_INDIRECT_DESC)) != 0);
        SpecDriver.Queue q = d.init(1, 8).get(0);
        DmaBuffer a = d.buffer(24);
        DmaBuffer b = d.buffer(40);
        int head = q.submitIndirect(SpecDriver.Buf.wo(a), SpecDriver.Buf.wo(b));
        q.notifyDevice();
        SpecDriver.Used u = q.awaitUsed(1, WAIT).get(0);
        assertEquals(head, u.id());
        assertEquals(64, u.len());
        assertFalse(java.util.Arrays.equals(new byte[40], fx.mem.read(b.address(), 40)), "the second indirect buffer was filled");
    }

    @Test
    @DisplayName("virtio 4.2.2 ConfigGeneration is readable and stable while the config does not change; SHMLen reads all ones")
    void configGenerationAndShm() throws Exception {
        SpecDriver d = fx.block(16).driver();
        int g = d.regs.read32(CONFIG_GENERATION);
        assertEquals(16, d.regs.read32(CONFIG));
        assertEquals(g, d.regs.read32(CONFIG_GENERATION));
        assertEquals(-1, d.regs.read32(SHM_LEN_LOW), "4.2.2: no shared memory region: SHMLen reads -1");
        assertEquals(-1, d.regs.read32(SHM_LEN_HIGH));
    }

    @Test
    @DisplayName("Sluice register policy: unknown offsets read 0, read-only registers ignore writes, both are counted")
    void registerPolicy() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        MmioRegion r = rig.device().mmio(0);
        assertEquals(0, r.read32(0x0c4));
        r.write32(MAGIC_VALUE, 0);
        assertEquals(MAGIC, r.read32(MAGIC_VALUE));
        assertEquals(0, r.read16(MAGIC_VALUE), "a 16-bit access to a 32-bit register reads 0");
        assertEquals(3, rig.device().diagnostics().total());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> r.read32(0x200));
        assertTrue(e.getMessage().contains("0x200") && e.getMessage().contains("rng@d0000000"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> rig.device().mmio(1));
    }

    // ------------------------------------------------------------------ misuse -> DEVICE_NEEDS_RESET

    private void assertNeedsReset(VirtioFixture.Rig rig, String reasonPart) throws InterruptedException {
        assertTrue(rig.irq().awaitLevel(true, 5, TimeUnit.SECONDS), "config-change interrupt raised");
        SpecDriver d = rig.driver();
        assertTrue(d.needsReset(), "DEVICE_NEEDS_RESET set, status " + statusString(d.status()));
        assertEquals(INT_CONFIG_CHANGE, d.interruptStatus() & INT_CONFIG_CHANGE);
        String err = rig.device().lastError();
        assertNotNull(err);
        assertTrue(err.contains(reasonPart), err);
    }

    @Test
    @DisplayName("virtio 2.1.2 / 3.1.1 QueueNotify before DRIVER_OK sets DEVICE_NEEDS_RESET with a config-change interrupt")
    void notifyBeforeDriverOk() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        d.negotiateAll();
        SpecDriver.Queue q = d.setupQueue(0, 8);
        q.submit(SpecDriver.Buf.wo(d.buffer(8)));
        q.notifyDevice();
        assertNeedsReset(rig, "before DRIVER_OK");
        assertEquals(0, q.deviceUsedIdx(), "2.1.2: no buffer consumed before DRIVER_OK");
    }

    @Test
    @DisplayName("virtio 2.7 / 4.2.3.2 a queue size that is not a power of 2 sets DEVICE_NEEDS_RESET")
    void queueSizeNotPowerOfTwo() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        rig.driver().negotiateAll();
        rig.driver().setupQueue(0, 6);
        assertNeedsReset(rig, "power of 2");
        rig.driver().regs.write32(QUEUE_SEL, 0);
        assertEquals(0, rig.driver().regs.read32(QUEUE_READY), "the queue did not become ready");
    }

    @Test
    @DisplayName("virtio 4.2.3.2 a queue size above QueueNumMax sets DEVICE_NEEDS_RESET")
    void queueSizeAboveMax() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        rig.driver().negotiateAll();
        rig.driver().setupQueue(0, 512);
        assertNeedsReset(rig, "QueueNumMax");
    }

    @Test
    @DisplayName("virtio 2.7 a misaligned descriptor table sets DEVICE_NEEDS_RESET")
    void misalignedRing() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        d.negotiateAll();
        d.regs.write32(QUEUE_SEL, 0);
        d.regs.write32(QUEUE_NUM, 8);
        DmaBuffer area = d.dma.allocate(4096, 4096);
        d.writeAddress(QUEUE_DESC_LOW, area.address() + 8);
        d.writeAddress(QUEUE_DRIVER_LOW, area.address() + 1024);
        d.writeAddress(QUEUE_DEVICE_LOW, area.address() + 2048);
        d.regs.write32(QUEUE_READY, 1);
        assertNeedsReset(rig, "aligned");
    }

    @Test
    @DisplayName("virtio 2.7.5 a descriptor whose buffer is outside guest memory sets DEVICE_NEEDS_RESET, nothing is completed")
    void badDescriptorAddress() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver.Queue q = rig.driver().init(1, 8).get(0);
        q.submit(new SpecDriver.Buf(0x1000, 64, true));
        q.notifyDevice();
        assertNeedsReset(rig, "outside guest memory");
        assertEquals(0, q.deviceUsedIdx());
    }

    @Test
    @DisplayName("virtio 2.7.5.2 a loop in a descriptor chain sets DEVICE_NEEDS_RESET")
    void loopInChain() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        DmaBuffer b = d.buffer(8);
        q.writeDescriptor(0, b.address(), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
        q.writeDescriptor(1, b.address(), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
        q.publish(0);
        q.notifyDevice();
        assertNeedsReset(rig, "loops");
    }

    @Test
    @DisplayName("virtio 2.7.5 a chain pointing beyond the queue size, or a head beyond it, sets DEVICE_NEEDS_RESET")
    void indexBeyondQueue() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        DmaBuffer b = d.buffer(8);
        q.writeDescriptor(0, b.address(), 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 9);
        q.publish(0);
        q.notifyDevice();
        assertNeedsReset(rig, "beyond the queue size");

        VirtioFixture.Rig rig2 = fx.rig(fx.node("rng2@d0001000", ID_ENTROPY));
        SpecDriver.Queue q2 = rig2.driver().init(1, 8).get(0);
        q2.publish(12);
        q2.notifyDevice();
        assertNeedsReset(rig2, "beyond the queue size");
    }

    @Test
    @DisplayName("virtio 2.7.4.2 a device-readable descriptor after a device-writable one sets DEVICE_NEEDS_RESET")
    void readableAfterWritable() throws Exception {
        VirtioFixture.Rig rig = fx.block(16);
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        q.submit(SpecDriver.Buf.wo(d.buffer(512)), SpecDriver.Buf.ro(d.buffer(16)));
        q.notifyDevice();
        assertNeedsReset(rig, "follows a device-writable");
    }

    @Test
    @DisplayName("virtio 2.1.2 after DEVICE_NEEDS_RESET nothing is processed until reset; a reset clears it and the device works again")
    void needsResetUntilReset() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        q.submit(new SpecDriver.Buf(0x10, 8, true));
        q.notifyDevice();
        assertNeedsReset(rig, "outside");
        q.submit(SpecDriver.Buf.wo(d.buffer(8)));
        q.notifyDevice();
        assertEquals(0, q.deviceUsedIdx());
        d.reset();
        assertFalse(rig.irq().isRaised());
        SpecDriver.Queue fresh = d.init(1, 8).get(0);
        fresh.submit(SpecDriver.Buf.wo(d.buffer(8)));
        fresh.notifyDevice();
        assertEquals(List.of(new SpecDriver.Used(0, 8)), fresh.awaitUsed(1, WAIT));
        assertEquals(0, d.status() & STATUS_DEVICE_NEEDS_RESET);
    }

    @Test
    @DisplayName("virtio 3.1.1 DRIVER_OK without FEATURES_OK, or QueueReady before FEATURES_OK, sets DEVICE_NEEDS_RESET")
    void orderViolations() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        d.reset();
        d.addStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        d.addStatus(STATUS_DRIVER_OK);
        assertNeedsReset(rig, "DRIVER_OK");
        assertEquals(0, d.status() & STATUS_DRIVER_OK);

        VirtioFixture.Rig rig2 = fx.rig(fx.node("rng2@d0001000", ID_ENTROPY));
        rig2.driver().reset();
        rig2.driver().addStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        rig2.driver().setupQueue(0, 8);
        assertNeedsReset(rig2, "FEATURES_OK");
    }

    // ------------------------------------------------------------------ lifecycle and factory

    @Test
    @DisplayName("processing runs on the model-<name>-io thread, started by the first request, and close() stops it; MMIO is harmless afterwards")
    void ioThreadAndClose() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver.Queue q = rig.driver().init(1, 8).get(0);
        assertFalse(threadNamed("model-rng@d0000000-io"), "an idle device has no io thread");
        q.submit(SpecDriver.Buf.wo(rig.driver().buffer(8)));
        q.notifyDevice();
        q.awaitUsed(1, WAIT);
        assertTrue(threadNamed("model-rng@d0000000-io"));
        rig.device().close();
        assertFalse(threadNamed("model-rng@d0000000-io"), "the io thread stopped");
        assertEquals(0, rig.device().mmio(0).read32(MAGIC_VALUE));
        rig.device().mmio(0).write32(QUEUE_NOTIFY, 0);
        assertTrue(rig.device().describe().get(0).contains("closed"));
    }

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    @Test
    @DisplayName("factory: an unknown or missing sluice,device-id is refused with a clear error naming node and value")
    void factoryErrors() {
        DeviceModelException unknown = assertThrows(DeviceModelException.class, () -> fx.create(fx.node("x@1", 9)
                .interrupt(new dev.sluice.models.RecordingInterruptLine())));
        assertTrue(unknown.getMessage().contains("/soc/x@1") && unknown.getMessage().contains(" 9 "), unknown.getMessage());
        DeviceModelException missing = assertThrows(DeviceModelException.class, () -> new VirtioMmioFactory().create(
                dev.sluice.models.DeviceModelContext.builder("y@2").reg(0, 0x200).guestMemory(fx.mem)
                        .interrupt(new dev.sluice.models.RecordingInterruptLine()).build()));
        assertTrue(missing.getMessage().contains("sluice,device-id"), missing.getMessage());
        DeviceModelException noIrq = assertThrows(DeviceModelException.class, () -> fx.create(fx.node("z@3", ID_ENTROPY)));
        assertTrue(noIrq.getMessage().contains("interrupt"), noIrq.getMessage());
    }

    @Test
    @DisplayName("describe() reports type, status, queues and errors")
    void describe() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        rig.driver().init(1, 8);
        List<String> lines = rig.device().describe();
        assertTrue(lines.get(0).contains("entropy") && lines.get(0).contains("DRIVER_OK"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("queue 0: size 8")), lines.toString());
    }
}
