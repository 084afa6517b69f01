package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/** The shell bundle's Gogo commands, called through the real Gogo CommandProcessor. */
@ExtendWith(ServiceExtension.class)
class ShellCommandsIT {

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private CommandSession session;

    @BeforeEach
    void openSession() {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
    }

    @AfterEach
    void closeSession() {
        session.close();
    }

    @Test
    @DisplayName("sluice:dmesg prints the kernel ring with the kernel's first message")
    void dmesgShowsTheRing() throws Exception {
        Object text = session.execute("sluice:dmesg");
        assertTrue(String.valueOf(text).contains("kernel log ring ready"), String.valueOf(text));
    }

    @Test
    @DisplayName("sluice:dmesg filters by level and count")
    void dmesgFilters() throws Exception {
        String errorsOnly = String.valueOf(session.execute("sluice:dmesg -l error"));
        assertTrue(errorsOnly.lines().noneMatch(l -> l.contains(" INFO ")), errorsOnly);
        String last = String.valueOf(session.execute("sluice:dmesg -n 1"));
        assertTrue(last.lines().filter(l -> l.startsWith("[")).count() <= 1, last);
    }

    @Test
    @DisplayName("a bad dmesg argument is refused with a message naming it")
    void badArgumentsAreNamed() {
        Exception e = assertThrows(Exception.class, () -> session.execute("sluice:dmesg -l loud"));
        String message = rootMessage(e);
        assertTrue(message.contains("unknown level 'loud'"), message);
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return String.valueOf(e.getMessage());
    }
}
