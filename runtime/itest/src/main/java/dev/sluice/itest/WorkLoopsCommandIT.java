package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/** {@code workloops} lists a driver's dedicated loop while it runs and forgets it when it stops. */
@ExtendWith(ServiceExtension.class)
class WorkLoopsCommandIT {

    @InjectService(timeout = 10_000)
    IORegistry registry;

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    private String run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            return String.valueOf(session.execute(command));
        }
    }

    @Test
    @DisplayName("S64 workloops shows a driver's dedicated loop, its thread and its command gate, until the driver stops")
    void listsDedicatedLoops() throws Exception {
        IOService nub = new IOService("loops-nub", null);
        nub.setProperty("compatible", List.of("sluice,example-device"));
        assertTrue(nub.attach(registry.resources()));
        nub.registerService();
        assertEquals(IOReturn.SUCCESS, nub.waitQuiet(10, TimeUnit.SECONDS));
        String listing = run("sluice:workloops");
        assertTrue(listing.contains("thread IOWorkLoop-SpecificExampleDriver"), listing);
        assertTrue(listing.contains("IOCommandGate"), listing);
        assertTrue(listing.contains("gate: open"), listing);
        nub.terminate();
        assertFalse(run("sluice:workloops").contains("IOWorkLoop-SpecificExampleDriver"), "a stopped driver's loop is gone");
    }
}
