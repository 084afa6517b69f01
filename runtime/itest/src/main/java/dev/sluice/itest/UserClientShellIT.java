package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.log.KernelLog;
import dev.sluice.kernel.log.KernelMessage;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/** The shell's ioclient and iodebug, and debug masks from ConfigAdmin (seed 003). */
@ExtendWith(ServiceExtension.class)
class UserClientShellIT {

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    @InjectService(timeout = 10_000)
    KernelLog log;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    private final List<IOService> nubs = new ArrayList<>();
    private CommandSession session;

    @BeforeEach
    void openSession() {
        PrintStream print = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
    }

    @AfterEach
    void cleanUp() throws Exception {
        session.close();
        nubs.forEach(IOService::terminate);
        Configuration c = configAdmin.getConfiguration("dev.sluice.debug", "?");
        if (c.getProperties() != null) {
            c.delete();
        }
    }

    private String run(String command) throws Exception {
        return String.valueOf(session.execute(command));
    }

    /** @return the one-line error a command fails with */
    private String error(String command) {
        Exception e = assertThrows(Exception.class, () -> session.execute(command), command);
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String message = String.valueOf(t.getMessage());
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    @DisplayName("ioclient calls by path, IOName and id, by name and selector, with scalars and s:/x: structs")
    void ioclientCalls() throws Exception {
        UserClientTestDriver driver = UserClientIT.driverOn(registry, nubs, "uc-shell");
        String path = driver.getPath(dev.sluice.kernel.registry.IORegistryPlane.SERVICE);
        assertEquals("UCTest.add -> SUCCESS\nscalar[0] = 255 (0xff)\n", run("sluice:ioclient uc-shell add 0xf0 15"));
        assertEquals("UCTest.add -> SUCCESS\nscalar[0] = -1 (0xffffffffffffffff)\n", run("sluice:ioclient " + path + " 0 -3 2"));
        String echo = run("sluice:ioclient 0x" + Long.toHexString(driver.getRegistryEntryID()) + " echo s:hello");
        assertEquals("UCTest.echo -> SUCCESS\nstruct (5 bytes)\n  0000  6f 6c 6c 65 68" + " ".repeat(35) + "|olleh|\n", echo);
        assertTrue(run("sluice:ioclient uc-shell echo x:00ff41").contains("41 ff 00" + " ".repeat(41) + "|A..|"));
        String id = run("sluice:ioclient uc-shell id");
        assertTrue(id.contains("scalar[0] = " + driver.getRegistryEntryID()) && id.contains("|UCTEST01|"), id);
        String async = run("sluice:ioclient uc-shell addAsync 1 2");
        assertEquals("UCTest.addAsync -> SUCCESS\nscalar[0] = 3 (0x3)\n", async);
        assertEquals(List.of(), driver.getClients(), "each ioclient call closes its connection");
    }

    @Test
    @DisplayName("ioclient errors are one clear line each")
    void ioclientErrors() throws Exception {
        UserClientTestDriver a = UserClientIT.driverOn(registry, nubs, "uc-err-a");
        UserClientIT.driverOn(registry, nubs, "uc-err-b");
        IOService noClient = new IOService("uc-plain", null);
        assertTrue(noClient.attach(registry.resources()));
        nubs.add(noClient);

        assertEquals("ioclient: unknown service 'uc-nowhere' (give a registry path IOService:/..., an IOName or a registry id 0x...)",
                error("sluice:ioclient uc-nowhere add 1 2"));
        assertEquals("ioclient: unknown service 'IOService:/IOResources/nothing' (give a registry path IOService:/..., an IOName or a registry id 0x...)",
                error("sluice:ioclient IOService:/IOResources/nothing add 1 2"));
        String ambiguous = error("sluice:ioclient UserClientTestDriver add 1 2");
        assertTrue(ambiguous.startsWith("ioclient: 'UserClientTestDriver' is ambiguous, 2 services match: IOService:/IOResources/uc-err-a/UserClientTestDriver (id 0x"),
                ambiguous);
        assertTrue(ambiguous.contains("IOService:/IOResources/uc-err-b/UserClientTestDriver"), ambiguous);
        assertEquals("ioclient: uc-plain has no user client (neither it nor a driver attached to it implements IOUserClientProvider) (UNSUPPORTED)",
                error("sluice:ioclient uc-plain add 1 2"));
        assertEquals("ioclient: UserClientTestDriver has no user client of type 9 (UNSUPPORTED)", error("sluice:ioclient -t 9 uc-err-a add 1 2"));
        assertEquals("ioclient: UCTest: no method named 'frob' (methods: 0 add, 1 echo, 2 id, 3 waitIrq, 4 addAsync, 5 irqAsync) (BAD_ARGUMENT)",
                error("sluice:ioclient uc-err-a frob"));
        assertEquals("ioclient: UCTest: no method with selector 42 (methods: 0 add, 1 echo, 2 id, 3 waitIrq, 4 addAsync, 5 irqAsync) (BAD_ARGUMENT)",
                error("sluice:ioclient uc-err-a 42"));
        assertEquals("ioclient: UCTest.add: expected 2 scalar inputs, got 1 (BAD_ARGUMENT)", error("sluice:ioclient uc-err-a add 1"));
        assertEquals("ioclient: UCTest.id: expected no struct input, got 2 bytes (BAD_ARGUMENT)", error("sluice:ioclient uc-err-a id s:hi"));
        assertEquals("ioclient: 'zz' is not a number (scalars are decimal or 0x hex; a struct input is s:TEXT or x:HEX)",
                error("sluice:ioclient uc-err-a add 1 zz"));
        assertEquals("ioclient: 'x:abc' is not hex bytes (an even number of hex digits)", error("sluice:ioclient uc-err-a echo x:abc"));
        assertEquals(List.of(), a.getClients(), "failed calls left no connection behind");
    }

    private List<String> ring(String text) {
        List<String> out = new ArrayList<>();
        for (KernelMessage m : log.messages()) {
            if (m.message().contains(text)) {
                out.add(m.level() + " " + m.source() + " " + m.message());
            }
        }
        return out;
    }

    @Test
    @DisplayName("seed 003 iodebug sets a driver's mask; its debug messages reach dmesg only while their bit is on")
    void iodebugGatesMessages() throws Exception {
        UserClientTestDriver driver = UserClientIT.driverOn(registry, nubs, "uc-debug");
        String path = driver.getPath(dev.sluice.kernel.registry.IORegistryPlane.SERVICE);
        assertTrue(run("sluice:iodebug").lines().anyMatch(l -> l.startsWith("0x0000000000000000  UCTest ") && l.contains(path)));
        assertEquals(path + " (id 0x" + Long.toHexString(driver.getRegistryEntryID()) + "): debug mask 0x0 -> 0x1\n",
                run("sluice:iodebug " + path + " 0x1"));
        assertEquals(1, driver.debugMask());
        run("sluice:ioclient uc-debug add 1234 1");
        Await.until(() -> !ring("add 1234 + 1").isEmpty(), "the debug message to reach the ring");
        assertEquals(List.of("DEBUG dev.sluice.itest debug 0x1 UserClientTestDriver: add 1234 + 1 from dev.sluice.shell"), ring("add 1234 + 1"));
        String dmesg = run("sluice:dmesg -g 1234");
        assertTrue(dmesg.contains("debug 0x1 UserClientTestDriver: add 1234 + 1"), dmesg);

        run("sluice:iodebug UCTest 2"); // by personality name: calls off, interrupts on
        assertEquals(path + " (id 0x" + Long.toHexString(driver.getRegistryEntryID()) + "): debug mask 0x2\n",
                run("sluice:iodebug UserClientTestDriver"));
        run("sluice:ioclient uc-debug add 5678 1");
        driver.ringDoorbell();
        Await.until(() -> !ring("UserClientTestDriver: doorbell").isEmpty(), "the interrupt's debug message, logged after the call");
        assertEquals(List.of(), ring("add 5678 + 1"), "the call's message was not logged while its bit was off");
        assertEquals("iodebug: 'lots' is not a mask (decimal or 0x hex, up to 64 bits)", error("sluice:iodebug UCTest lots"));
        assertTrue(error("sluice:iodebug NoSuchDriver 1").startsWith("iodebug: no driver or service 'NoSuchDriver'"));
    }

    @Test
    @DisplayName("seed 003 configuration dev.sluice.debug sets masks of running and future instances; deleting it restores the personality's")
    void configAdminMasks() throws Exception {
        UserClientTestDriver running = UserClientIT.driverOn(registry, nubs, "uc-cfg-1");
        Configuration c = configAdmin.getConfiguration("dev.sluice.debug", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("UCTest", "0x5");
        props.put("uc-cfg-plain", 3L);
        c.update(props);
        Await.until(() -> running.debugMask() == 5, "the configured mask on the running instance");
        UserClientTestDriver later = UserClientIT.driverOn(registry, nubs, "uc-cfg-2");
        assertEquals(5, later.debugMask(), "a new instance starts with the configured mask");
        IOService plain = new IOService("uc-cfg-plain", null);
        assertTrue(plain.attach(registry.resources()));
        nubs.add(plain);
        props.put("UCTest", "6");
        c.update(props);
        Await.until(() -> running.debugMask() == 6 && later.debugMask() == 6 && plain.debugMask() == 3,
                "the changed masks, by personality name and by IOName");
        c.delete();
        Await.until(() -> running.debugMask() == 0 && later.debugMask() == 0 && plain.debugMask() == 0,
                "the personality's mask (0) back after the configuration is deleted");
    }
}
