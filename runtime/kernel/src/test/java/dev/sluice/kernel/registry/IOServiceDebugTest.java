package dev.sluice.kernel.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Seed 003: multi-level debug logging gated by a 64-bit mask. */
class IOServiceDebugTest {

    /** Counts how often its text is asked for. */
    private static final class Costly {
        final AtomicInteger rendered = new AtomicInteger();

        @Override
        public String toString() {
            rendered.incrementAndGet();
            return "costly";
        }
    }

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final IORegistry registry = new IORegistry();
    private final IOService driver = new IOService("VirtioBlock", null);

    IOServiceDebugTest() {
        registry.setManager(new IOServiceManager() {
            @Override
            public void registerService(IOService service) {
            }

            @Override
            public void terminated(IOService service) {
            }

            @Override
            public void runTermination(Runnable phase2) {
                phase2.run();
            }

            @Override
            public void failure(IOService service, String what, Throwable cause) {
            }

            @Override
            public void debugLog(IOService service, long bits, String message) {
                logged.add(service.getName() + " 0x" + Long.toHexString(bits) + " " + message);
            }
        });
        driver.attach(registry.resources());
    }

    @Test
    @DisplayName("with the bits off nothing is formatted: no argument's toString() is called, nothing logged")
    void offCostsNothing() {
        Costly a = new Costly();
        Costly b = new Costly();
        Costly c = new Costly();
        Costly d = new Costly();
        driver.setDebugMask(0x4);
        driver.debug(0x3, "one %s", a);
        driver.debug(0x1, "two %s %s", a, b);
        driver.debug(0x2, "three %s %s %s", a, b, c);
        driver.debug(0x1, "four %s %s %s %s", a, b, c, d);
        driver.debug(0x1, "none");
        assertEquals(0, a.rendered.get() + b.rendered.get() + c.rendered.get() + d.rendered.get());
        assertEquals(List.of(), logged);
    }

    @Test
    @DisplayName("with a bit on the message is formatted and logged with the bits that are on; 64 independent flags")
    void onLogs() {
        Costly a = new Costly();
        driver.setDebugMask(0x8000_0000_0000_0001L);
        driver.debug(0x3, "read %s at %d (0x%x)", a, 5, 255);
        driver.debug(0x8000_0000_0000_0000L, "top bit");
        driver.debug(0x2, "off %s", a);
        assertEquals(1, a.rendered.get());
        assertEquals(List.of("VirtioBlock 0x1 read costly at 5 (0xff)", "VirtioBlock 0x8000000000000000 top bit"), logged);
        assertTrue(driver.debugEnabled(1));
    }

    @Test
    @DisplayName("a bad format does not throw into the driver; the text and arguments are logged")
    void badFormat() {
        driver.setDebugMask(1);
        driver.debug(1, "value %d", "not a number");
        assertEquals(1, logged.size());
        assertTrue(logged.get(0).startsWith("VirtioBlock 0x1 value %d [not a number] (bad format"), logged.get(0));
    }
}
