package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** One Gogo session on the real CommandProcessor: runs command lines and returns their text. */
final class GogoShell implements AutoCloseable {

    private final CommandSession session;

    GogoShell(CommandProcessor processor) {
        PrintStream print = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
    }

    /** @return the command's result as text */
    String run(String line) throws Exception {
        return String.valueOf(session.execute(line));
    }

    /** Runs a line that must fail. @return the failure's message, as ./sluice -c prints it */
    String failure(String line) {
        Throwable e = assertThrows(Exception.class, () -> session.execute(line), "expected '" + line + "' to fail");
        while ((e instanceof java.lang.reflect.InvocationTargetException || e.getMessage() == null) && e.getCause() != null) {
            e = e.getCause();
        }
        return String.valueOf(e.getMessage());
    }

    @Override
    public void close() {
        session.close();
    }
}
