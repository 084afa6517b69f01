package dev.sluice.models.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sluice.models.DmaBuffer;

class EntropyConformanceTest {

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
    @DisplayName("virtio 5.4.6 the device fills each device-writable buffer and reports the bytes written")
    void fills() throws Exception {
        VirtioFixture.Rig rig = fx.entropy();
        SpecDriver d = rig.driver();
        assertEquals(Virtio.bit(Virtio.F_VERSION_1), d.deviceFeatures() & ~Virtio.bit(Virtio.F_INDIRECT_DESC),
                "5.4.3: no device-specific features");
        SpecDriver.Queue q = d.init(1, 16).get(0);
        DmaBuffer a = d.buffer(64);
        DmaBuffer b = d.buffer(100);
        int h1 = q.submit(SpecDriver.Buf.wo(a));
        int h2 = q.submit(SpecDriver.Buf.wo(b), SpecDriver.Buf.wo(d.buffer(28)));
        q.notifyDevice();
        List<SpecDriver.Used> used = q.awaitUsed(2, WAIT);
        assertEquals(List.of(new SpecDriver.Used(h1, 64), new SpecDriver.Used(h2, 128)), used);
        // seeded with 42 by the fixture: the bytes are exactly that source's first 64, then the next 128
        Random expected = new Random(42);
        byte[] first = new byte[64];
        expected.nextBytes(first);
        assertArrayEquals(first, fx.mem.read(a.address(), 64));
        byte[] second = new byte[128];
        expected.nextBytes(second);
        assertArrayEquals(Arrays.copyOf(second, 100), fx.mem.read(b.address(), 100));
    }

    @Test
    @DisplayName("virtio 5.4 without a seed the device uses SecureRandom: two buffers differ and are not all zero")
    void secureRandom() throws Exception {
        VirtioFixture.Rig rig = fx.rig(fx.node("rng@d0002000", Virtio.ID_ENTROPY));
        SpecDriver d = rig.driver();
        SpecDriver.Queue q = d.init(1, 8).get(0);
        DmaBuffer a = d.buffer(32);
        DmaBuffer b = d.buffer(32);
        q.submit(SpecDriver.Buf.wo(a));
        q.submit(SpecDriver.Buf.wo(b));
        q.notifyDevice();
        q.awaitUsed(2, WAIT);
        byte[] x = fx.mem.read(a.address(), 32);
        byte[] y = fx.mem.read(b.address(), 32);
        assertFalse(Arrays.equals(x, y));
        assertFalse(Arrays.equals(new byte[32], x));
        assertEquals(true, rig.device().describe().stream().anyMatch(l -> l.contains("SecureRandom")));
    }
}
