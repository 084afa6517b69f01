package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOFilterInterruptEventSource;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.models.MmioRegion;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.PlatformExpert;
import dev.sluice.platform.interrupt.LineStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The stress board (two UARTs sharing line 1, ten virtio-blk devices) booted through the
 * platform expert, with interrupt event sources registered on its nubs by this test: each
 * interrupt reaches the source of the device that raised it, and only that one.
 */
@ExtendWith({org.osgi.test.junit5.context.BundleContextExtension.class, ServiceExtension.class})
class InterruptRoutingIT {

    static final int UART_IER = 1;
    static final int UART_IIR = 2;
    static final int IER_THRE = 0x02;
    static final int IIR_NO_INTERRUPT = 0x01;
    static final int IIR_THRE = 0x02;

    @InjectService(timeout = 10_000)
    PlatformExpert platform;

    @org.osgi.test.common.annotation.InjectBundleContext
    org.osgi.framework.BundleContext context;

    /** The UART driver, stopped during these tests: they drive the UARTs' registers themselves. */
    private org.osgi.framework.Bundle uartDriver() {
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if ("dev.sluice.drivers.uart".equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private IOWorkLoop loop;
    private final List<IOInterruptEventSource<?>> sources = new ArrayList<>();
    /** Action runs per source, keyed "nub[index]". */
    private final Map<String, AtomicInteger> fired = new LinkedHashMap<>();

    @BeforeEach
    void bootStress() throws Exception {
        org.osgi.framework.Bundle driver = uartDriver();
        if (driver != null) {
            driver.stop();
        }
        platform.loadEmbedded("stress");
        loop = IOWorkLoop.create("routing-it");
    }

    @AfterEach
    void backToDefault() throws Exception {
        for (IOInterruptEventSource<?> s : sources) {
            loop.removeEventSource(s);
        }
        loop.shutdown();
        platform.loadEmbedded("microvm");
        org.osgi.framework.Bundle driver = uartDriver();
        if (driver != null) {
            driver.start();
        }
    }

    private AtomicInteger counter(IOPlatformDevice nub, int index) {
        return fired.computeIfAbsent(nub.getPathComponent() + "[" + index + "]", k -> new AtomicInteger());
    }

    private void add(IOInterruptEventSource<?> source) {
        assertEquals(IOReturn.SUCCESS, loop.addEventSource(source));
        source.enable();
        sources.add(source);
    }

    private int total() {
        return fired.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private IOPlatformDevice nub(String component) {
        return PlatformIT.nub(platform, component);
    }

    @Test
    @DisplayName("S41 stress board: every line reaches exactly its own device's source; the shared UART line reaches the UART that raised it")
    void eachInterruptRoutesToItsDevice() throws Exception {
        List<IOPlatformDevice> nubs = platform.devices();
        assertEquals(16, nubs.size(), "6 default devices, a second UART and nine more virtio-blk");
        IOPlatformDevice uart0 = nub("serial@9000000");
        IOPlatformDevice uart1 = nub("serial@9001000");
        assertEquals(uart0.getProperty("interrupts"), uart1.getProperty("interrupts"), "the UARTs share a line");

        // Unshared lines: a plain interrupt source on every interrupt index of every other nub.
        List<IOPlatformDevice> unshared = new ArrayList<>();
        for (IOPlatformDevice n : nubs) {
            if (n == uart0 || n == uart1) {
                continue;
            }
            unshared.add(n);
            @SuppressWarnings("unchecked")
            List<Long> lines = (List<Long>) n.getProperty("interrupts");
            for (int i = 0; i < lines.size(); i++) {
                AtomicInteger c = counter(n, i);
                add(IOInterruptEventSource.interruptEventSource(n, (owner, src, count) -> c.addAndGet(count), n, i));
            }
        }
        // The shared line: a filter per UART that claims only what its own UART reports in IIR.
        List<Integer> seenIir = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger filtered0 = new AtomicInteger();
        AtomicInteger filtered1 = new AtomicInteger();
        for (IOPlatformDevice u : List.of(uart0, uart1)) {
            MmioRegion regs = u.getDeviceMemory(0);
            AtomicInteger calls = u == uart0 ? filtered0 : filtered1;
            AtomicInteger c = counter(u, 0);
            add(IOFilterInterruptEventSource.filterInterruptEventSource(u, (owner, src, count) -> {
                regs.write8(UART_IER, 0); // serviced: no more THRE interrupts
                c.addAndGet(count);
            }, (owner, src) -> {
                calls.incrementAndGet();
                int iir = regs.read8(UART_IIR); // reading IIR acknowledges a THRE interrupt
                if ((iir & IIR_NO_INTERRUPT) != 0) {
                    return false;
                }
                seenIir.add(iir);
                return true;
            }, u, 0));
        }

        int expected = 0;
        for (IOPlatformDevice n : unshared) {
            @SuppressWarnings("unchecked")
            List<Long> lines = (List<Long>) n.getProperty("interrupts");
            for (int i = 0; i < lines.size(); i++) {
                assertEquals(IOReturn.SUCCESS, n.causeInterrupt(i));
                expected++;
                AtomicInteger c = counter(n, i);
                Await.until(() -> c.get() == 1, n.getPathComponent() + " interrupt " + i + " reaching its source");
                int want = expected;
                assertEquals(want, total(), () -> "only " + n.getPathComponent() + " fired: " + fired);
            }
        }
        assertTrue(expected >= 14, "9 + 1 virtio-blk, entropy, console, rtc, two timer lines: " + expected);

        // A real interrupt from the UART model: enabling THRE in IER with the transmitter empty.
        uart1.getDeviceMemory(0).write8(UART_IER, IER_THRE);
        AtomicInteger fromUart1 = counter(uart1, 0);
        Await.until(() -> fromUart1.get() >= 1, "uart1's THRE interrupt reaching uart1's action");
        Await.until(() -> !uart1.model().orElseThrow().describe().toString().contains("irq raised"), "uart1 serviced");
        assertEquals(0, counter(uart0, 0).get(), "uart0 raised nothing: " + fired);
        assertEquals(List.of(IIR_THRE), List.copyOf(seenIir).subList(0, 1), "the THRE interrupt identification");
        assertTrue(filtered0.get() >= 1 && filtered1.get() >= 1, "both sharers' filters ran on the shared line");

        uart0.getDeviceMemory(0).write8(UART_IER, IER_THRE);
        AtomicInteger fromUart0 = counter(uart0, 0);
        Await.until(() -> fromUart0.get() >= 1, "uart0's THRE interrupt reaching uart0's action");
        assertEquals(1, fromUart1.get(), "uart1 did not fire again: " + fired);

        LineStatus line1 = platform.interruptController().orElseThrow().status(1);
        assertEquals(2, line1.sharers().size(), line1.toString());
        assertTrue(line1.delivered() >= 2, line1.toString());
        Await.until(() -> !platform.interruptController().orElseThrow().status(1).masked(),
                "line 1 unmasked once both actions finished (S44)");
    }
}
