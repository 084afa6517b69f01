package dev.sluice.models.uart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.ManualClock;
import dev.sluice.models.uart.internal.Ns16550aFactory;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How the UART is built from a Devicetree node: properties, backend, describe(). */
class Ns16550aNodeTest {

    private static DeviceModelContext.Builder node() {
        return DeviceModelContext.builder("serial@10000000").path("/soc/serial@10000000").reg(0x1000_0000L, 0x100)
                .clock(new ManualClock()).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20));
    }

    @Test
    @DisplayName("a file: backend, a reg-shift above 3, a reg-io-width of 8 or a reg range too small for 8 registers are refused, naming the node")
    void badNodesAreRefused() {
        DeviceModelException e = assertThrows(DeviceModelException.class,
                () -> Ns16550a.create(node().backend(BackendSpec.parse("file:console.log")).build()));
        assertTrue(e.getMessage().contains("/soc/serial@10000000") && e.getMessage().contains("tcp"), e.getMessage());
        e = assertThrows(DeviceModelException.class, () -> Ns16550a.create(node().propertyU32("reg-shift", 5).build()));
        assertTrue(e.getMessage().contains("reg-shift"), e.getMessage());
        e = assertThrows(DeviceModelException.class, () -> Ns16550a.create(node().propertyU32("reg-io-width", 8).build()));
        assertTrue(e.getMessage().contains("reg-io-width"), e.getMessage());
        e = assertThrows(DeviceModelException.class, () -> Ns16550a.create(DeviceModelContext.builder("serial@0")
                .reg(0, 16).propertyU32("reg-shift", 2).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20)).build()));
        assertTrue(e.getMessage().contains("smaller"), e.getMessage());
    }

    @Test
    @DisplayName("without interrupts or backend the UART still works polled, its line unplugged; clock-frequency sets the baud rate")
    void polledWithoutBackend() throws Exception {
        try (Ns16550a uart = Ns16550a.create(node().propertyU32("clock-frequency", 3_686_400).build())) {
            assertEquals(-1, uart.port());
            assertEquals(7L * 16 * 12 * 1_000_000_000L / 3_686_400L, uart.characterTimeNanos(),
                    "power-on divisor 12, LCR 0 = 5N1: 7 bits per character");
            uart.mmio(0).write8(0, 'x');
            assertEquals(0x20, uart.mmio(0).read8(5) & 0x60, "transmitting into an unplugged line");
            List<String> d = uart.describe();
            assertTrue(d.get(1).contains("19200 baud 5N1"), d.toString());
            assertTrue(d.get(d.size() - 1).contains("none"), d.toString());
        }
    }

    @Test
    @DisplayName("the DS factory builds the UART; describe() reports the bound tcp port and the client state for the shell")
    void factoryAndDescribe() throws Exception {
        DeviceModel model = new Ns16550aFactory().create(node().backend(BackendSpec.parse("tcp:127.0.0.1:0")).build());
        try (model) {
            Ns16550a uart = assertInstanceOf(Ns16550a.class, model);
            assertTrue(uart.port() > 0);
            String backendLine = model.describe().get(model.describe().size() - 1);
            assertTrue(backendLine.contains("tcp:127.0.0.1:" + uart.port()) && backendLine.contains("no client"), backendLine);
        }
    }
}
