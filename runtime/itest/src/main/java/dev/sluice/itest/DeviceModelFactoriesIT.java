package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelFactory;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RecordingInterruptLine;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.uart.Ns16550a;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.junit5.context.BundleContextExtension;

/** The UART, RTC and timer model bundles in a real framework: their DS factories and a model built through one. */
@ExtendWith(BundleContextExtension.class)
class DeviceModelFactoriesIT {

    @InjectBundleContext
    BundleContext context;

    private final SystemDeviceClock clock = new SystemDeviceClock();

    @AfterEach
    void stopClock() {
        clock.close();
    }

    private Collection<ServiceReference<DeviceModelFactory>> references(String compatible) {
        try {
            return context.getServiceReferences(DeviceModelFactory.class,
                    "(" + DeviceModelFactory.COMPATIBLE + "=" + compatible + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private DeviceModelFactory factory(String compatible) throws Exception {
        Await.until(() -> !references(compatible).isEmpty(), "a DeviceModelFactory for " + compatible);
        Collection<ServiceReference<DeviceModelFactory>> refs = references(compatible);
        assertEquals(1, refs.size(), "DeviceModelFactory services for compatible " + compatible);
        return context.getService(refs.iterator().next());
    }

    private DeviceModelContext.Builder node(String name, long address, long size) {
        return DeviceModelContext.builder(name).reg(address, size).interrupt(new RecordingInterruptLine())
                .clock(clock).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20));
    }

    @Test
    @DisplayName("SCR registers one DeviceModelFactory per compatible string: ns16550a, ns16550, arm,pl031, arm,sp804")
    void factoriesAreRegistered() throws Exception {
        for (String c : List.of("ns16550a", "ns16550", "arm,pl031", "arm,sp804")) {
            factory(c);
        }
    }

    @Test
    @DisplayName("a UART built by the ns16550a factory service on the system clock exchanges bytes with a TCP client")
    void uartThroughTheService() throws Exception {
        DeviceModelFactory f = factory("ns16550a");
        try (DeviceModel model = f.create(node("serial@10000000", 0x1000_0000L, 0x100)
                .backend(BackendSpec.parse("tcp:127.0.0.1:0")).build());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), ((Ns16550a) model).port())) {
            Ns16550a uart = (Ns16550a) model;
            MmioRegion r = model.mmio(0);
            client.setSoTimeout(10_000);
            Await.until(uart::isClientConnected, "the UART to accept the client");
            r.write8(3, 0x80);
            r.write8(0, 1);
            r.write8(3, 0x03);
            r.write8(0, 'O');
            r.write8(0, 'K');
            InputStream in = client.getInputStream();
            byte[] got = new byte[2];
            for (int n = 0; n < 2; ) {
                int k = in.read(got, n, 2 - n);
                assertTrue(k >= 0, "client socket closed");
                n += k;
            }
            assertEquals("OK", new String(got, StandardCharsets.US_ASCII));
            client.getOutputStream().write('!');
            Await.until(() -> (r.read8(5) & 0x01) != 0, "LSR.DR after the client's byte");
            assertEquals('!', r.read8(0));
        }
    }

    @Test
    @DisplayName("the arm,pl031 and arm,sp804 factory services build models that answer with their PrimeCell IDs")
    void rtcAndTimerThroughTheServices() throws Exception {
        try (DeviceModel rtc = factory("arm,pl031").create(node("rtc@10010000", 0x1001_0000L, 0x1000).build());
                DeviceModel timer = factory("arm,sp804").create(node("timer@10011000", 0x1001_1000L, 0x1000).build())) {
            assertEquals(0x31, rtc.mmio(0).read32(0xFE0));
            assertEquals(0xB1, rtc.mmio(0).read32(0xFFC));
            assertEquals(0x04, timer.mmio(0).read32(0xFE0));
            assertEquals(0xB1, timer.mmio(0).read32(0xFFC));
        }
    }
}
