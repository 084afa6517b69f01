package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ContextTest {

    @Test
    @DisplayName("backend specs: file paths resolve under the base directory and may not escape it")
    void fileBackend() {
        BackendSpec s = BackendSpec.parse("file:images/disk0.img");
        BackendSpec.FileBackend f = assertInstanceOf(BackendSpec.FileBackend.class, s);
        assertEquals(Path.of("/base/images/disk0.img"), f.resolve(Path.of("/base")));
        assertEquals("file:images/disk0.img", s.text());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("file:../etc/passwd"))
                .getMessage().contains("../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("file:/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("file:"));
    }

    @Test
    @DisplayName("backend specs: tcp only on loopback, port 0..65535; unknown schemes are named in the error")
    void tcpBackend() {
        BackendSpec.TcpBackend t = assertInstanceOf(BackendSpec.TcpBackend.class, BackendSpec.parse("tcp:127.0.0.1:0"));
        assertEquals(0, t.port());
        assertTrue(t.address().isLoopbackAddress());
        assertEquals("tcp:127.0.0.1:0", t.text());
        assertEquals(4555, ((BackendSpec.TcpBackend) BackendSpec.parse("tcp:localhost:4555")).port());
        assertTrue(((BackendSpec.TcpBackend) BackendSpec.parse("tcp:[::1]:7")).address().isLoopbackAddress());
        assertTrue(((BackendSpec.TcpBackend) BackendSpec.parse("tcp:::1:7")).address().isLoopbackAddress());
        IllegalArgumentException remote = assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("tcp:0.0.0.0:80"));
        assertTrue(remote.getMessage().contains("0.0.0.0") && remote.getMessage().contains("refused"), remote.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("tcp:example.com:80"));
        assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("tcp:127.0.0.1:70000"));
        assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("tcp:127.0.0.1:x"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> BackendSpec.parse("udp:1.2.3.4:5"));
        assertTrue(unknown.getMessage().contains("udp:1.2.3.4:5"), unknown.getMessage());
    }

    @Test
    @DisplayName("context: typed property getters, backend parsed from sluice,backend, io thread names")
    void context() throws Exception {
        RecordingInterruptLine l0 = new RecordingInterruptLine("a");
        RecordingInterruptLine l1 = new RecordingInterruptLine("b");
        DeviceModelContext c = DeviceModelContext.builder("virtio@d0000000")
                .path("/soc/virtio@d0000000")
                .propertyStrings("compatible", "virtio,mmio", "generic")
                .propertyU32("sluice,device-id", 2)
                .propertyStrings(BackendSpec.PROPERTY, "file:disk.img")
                .property("odd", new byte[] {1, 2, 3})
                .reg(0xd000_0000L, 0x200)
                .interrupt(l0).interrupt(l1)
                .guestMemory(new GuestMemory(0x8000_0000L, 1 << 20))
                .clock(new ManualClock())
                .build();
        assertEquals(List.of("virtio,mmio", "generic"), c.compatible());
        assertEquals(OptionalLong.of(2), c.u32("sluice,device-id"));
        assertEquals(OptionalLong.empty(), c.u32("missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.u32("odd")).getMessage()
                .contains("/soc/virtio@d0000000"));
        assertEquals("file:disk.img", c.backend().orElseThrow().text());
        assertEquals(List.of(l0, l1), c.interrupts());
        assertThrows(IllegalArgumentException.class, () -> c.interrupt(2));
        assertEquals(new RegRange(0xd000_0000L, 0x200), c.regs().get(0));
        Thread t = c.threadFactory().newThread(() -> { });
        assertEquals("model-virtio@d0000000-io", t.getName());
        assertTrue(t.isDaemon());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> DeviceModelContext.builder("n")
                .propertyStrings(BackendSpec.PROPERTY, "ftp:x").guestMemory(new GuestMemory(0, 1 << 16)).build());
        assertTrue(bad.getMessage().contains("ftp:x") && bad.getMessage().contains("/n"), bad.getMessage());
    }
}
