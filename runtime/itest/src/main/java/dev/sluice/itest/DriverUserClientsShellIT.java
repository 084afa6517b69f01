package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The real drivers' user clients through the shell's {@code ioclient}, as a user types it: the
 * services named by their personality, results and one-line errors as printed.
 */
@ExtendWith(ServiceExtension.class)
class DriverUserClientsShellIT {

    private static final Pattern WAIT = Pattern.compile("Sp804Timer\\.(\\w+) -> SUCCESS\n"
            + "scalar\\[0\\] = (\\d+) \\(0x[0-9a-f]+\\)\nscalar\\[1\\] = (\\d+) \\(0x[0-9a-f]+\\)\nscalar\\[2\\] = ([12]) \\(0x[12]\\)\n");

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    private GogoShell shell;

    @BeforeEach
    void openSession() {
        shell = new GogoShell(processor);
    }

    @AfterEach
    void closeSession() {
        shell.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"waitForInterrupt", "waitForInterruptQueue", "waitForInterruptAction", "waitForInterruptPolling",
        "waitForInterruptAsync"})
    @DisplayName("ioclient Sp804Timer <way> 1000 prints the measured wait, how late it was and the counter")
    void timerWait(String method) throws Exception {
        String out = shell.run("sluice:ioclient Sp804Timer " + method + " 1000");
        Matcher m = WAIT.matcher(out);
        assertTrue(m.matches(), out);
        assertEquals(method, m.group(1));
        long waited = Long.parseLong(m.group(2));
        assertTrue(waited >= 1000, out);
        assertEquals(waited - 1000, Long.parseLong(m.group(3)), out);
    }

    @Test
    @DisplayName("ioclient's errors on the timer are one line naming the method and what was wrong")
    void timerErrors() {
        assertEquals("ioclient: Sp804Timer.waitForInterrupt: micros must be 1..10000000 (at most 10 s), got -5 (BAD_ARGUMENT)",
                shell.failure("sluice:ioclient Sp804Timer waitForInterrupt -5"));
        assertEquals("ioclient: Sp804Timer.waitForInterruptAsync: micros must be 1..10000000 (at most 10 s), got 99999999999 (BAD_ARGUMENT)",
                shell.failure("sluice:ioclient Sp804Timer waitForInterruptAsync 99999999999"));
        assertEquals("ioclient: Sp804Timer.waitForInterrupt: expected 1 scalar input, got 0 (BAD_ARGUMENT)",
                shell.failure("sluice:ioclient Sp804Timer waitForInterrupt"));
        assertEquals("ioclient: Sp804Timer.waitForInterrupt: expected 1 scalar input, got 2 (BAD_ARGUMENT)",
                shell.failure("sluice:ioclient Sp804Timer waitForInterrupt 1000 5"));
    }

    @Test
    @DisplayName("ioclient reads, sets (the shell holds sluice.admin) and alarms the PL031")
    void rtc() throws Exception {
        long before = Instant.now().getEpochSecond();
        try {
            assertEquals("Pl031Rtc.setTime -> SUCCESS (no outputs)\n", shell.run("sluice:ioclient Pl031Rtc setTime 4000000000"));
            String now = shell.run("sluice:ioclient Pl031Rtc getTime");
            assertTrue(now.equals("Pl031Rtc.getTime -> SUCCESS\nscalar[0] = 4000000000 (0xee6b2800)\n")
                    || now.equals("Pl031Rtc.getTime -> SUCCESS\nscalar[0] = 4000000001 (0xee6b2801)\n"), now);
            String alarm = shell.run("sluice:ioclient Pl031Rtc alarmIn 1");
            assertTrue(alarm.matches("Pl031Rtc\\.alarmIn -> SUCCESS\nscalar\\[0\\] = 400000000[1-9] \\(0x[0-9a-f]+\\)\n"), alarm);
            assertEquals("ioclient: Pl031Rtc.setTime: -1 s is outside the PL031's 32-bit seconds counter (0..4294967295) (BAD_ARGUMENT)",
                    shell.failure("sluice:ioclient Pl031Rtc setTime -1"));
        } finally {
            shell.run("sluice:ioclient Pl031Rtc setTime " + Math.max(before, Instant.now().getEpochSecond()));
        }
        assertTrue(shell.run("sluice:ioclient Pl031Rtc getTime").startsWith("Pl031Rtc.getTime -> SUCCESS\nscalar[0] = 1"),
                "the clock is back to today");
    }

    @Test
    @DisplayName("ioclient VirtioEntropy read N prints N random bytes; N outside 1..65536 is one clear line")
    void entropy() throws Exception {
        String out = shell.run("sluice:ioclient VirtioEntropy read 16");
        assertTrue(out.matches("VirtioEntropy\\.read -> SUCCESS\nstruct \\(16 bytes\\)\n  0000  ([0-9a-f]{2} ){15}[0-9a-f]{2}  \\|.{16}\\|\n"), out);
        assertEquals("ioclient: VirtioEntropy.read: n must be 1..65536 bytes, got 100000 (BAD_ARGUMENT)",
                shell.failure("sluice:ioclient VirtioEntropy read 100000"));
    }
}
