package dev.sluice.kernel.interrupt;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Marks the current thread as running in primary interrupt context, the analogue of a CPU
 * servicing a hardware interrupt (SEMANTICS S31, S43). Code there must never block: every
 * blocking kernel call first calls {@link #checkMayBlock(String)}, which throws a
 * {@link PrimaryInterruptContextViolation} naming the offending operation and the handler that
 * made it. The kernel survives such a violation: the interrupt controller catches it, reports it
 * and carries on, where a real kernel would panic.
 *
 * <p>The marker is per thread; the interrupt controller's {@code cpuN} threads enter it around
 * each filter or primary handler they run. Nesting is allowed and restores the outer handler.
 *
 * <p>{@link #checkMayBlock(String)} sits on every gate and lock path, so it first reads a count of
 * the threads inside primary context and looks up the per-thread marker only when that count is
 * not zero: a thread inside has raised the count itself before (program order), so it always takes
 * the full check, and outside interrupt handling the check costs one volatile read.
 */
public final class PrimaryInterruptContext {

    private static final ThreadLocal<String> HANDLER = new ThreadLocal<>();

    /** Threads inside primary context now (outermost entries only). */
    private static final AtomicInteger INSIDE = new AtomicInteger();

    private PrimaryInterruptContext() {
    }

    /** @return true if the calling thread is inside primary interrupt context */
    public static boolean isActive() {
        return INSIDE.get() != 0 && HANDLER.get() != null;
    }

    /** @return the description of the handler running in primary context on this thread, or null */
    public static String currentHandler() {
        return HANDLER.get();
    }

    /**
     * Runs {@code body} on the calling thread in primary interrupt context.
     *
     * @param handler a description of the handler, named in violation messages
     * @param body    the primary handler or filter
     * @return what body returned
     */
    public static boolean run(String handler, BooleanSupplier body) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(body, "body");
        String outer = HANDLER.get();
        if (outer == null) {
            INSIDE.incrementAndGet();
        }
        HANDLER.set(handler);
        try {
            return body.getAsBoolean();
        } finally {
            if (outer == null) {
                HANDLER.remove();
                INSIDE.decrementAndGet();
            } else {
                HANDLER.set(outer);
            }
        }
    }

    /**
     * Refuses a blocking operation when called in primary interrupt context.
     *
     * @param operation what is about to block, e.g. {@code "IOLock.lock"}
     * @throws PrimaryInterruptContextViolation if the calling thread is in primary context
     */
    public static void checkMayBlock(String operation) {
        if (INSIDE.get() != 0) {
            checkMarker(operation);
        }
    }

    private static void checkMarker(String operation) {
        String handler = HANDLER.get();
        if (handler != null) {
            throw new PrimaryInterruptContextViolation(operation, handler, Thread.currentThread().getName());
        }
    }
}
