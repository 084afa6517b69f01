package dev.sluice.kernel.log;

/**
 * One line of the kernel message ring ({@code dmesg}).
 *
 * @param sequence   increasing number of the message since boot
 * @param uptimeNanos time since the kernel bundle started, in nanoseconds
 * @param level      OSGi log level name (AUDIT, ERROR, WARN, INFO, DEBUG, TRACE)
 * @param source     the bundle symbolic name (or logger name) that logged it
 * @param message    the text, with the exception's summary appended if there was one
 */
public record KernelMessage(long sequence, long uptimeNanos, String level, String source, String message) {

    /** @return the message in dmesg layout: {@code [   12.345678] LEVEL source: message} */
    public String format() {
        long micros = uptimeNanos / 1_000;
        return String.format("[%5d.%06d] %-5s %s: %s", micros / 1_000_000, micros % 1_000_000, level, source, message);
    }
}
