package dev.sluice.kernel.interrupt;

/**
 * Thrown when code running in primary interrupt context calls something that may block
 * (SEMANTICS S43). A programming error in the driver that made the call.
 */
public final class PrimaryInterruptContextViolation extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String handler;

    public PrimaryInterruptContextViolation(String operation, String handler, String thread) {
        super(operation + " may block and is forbidden in primary interrupt context (handler "
                + handler + " on thread " + thread + ")");
        this.operation = operation;
        this.handler = handler;
    }

    /** @return the blocking operation that was refused */
    public String operation() {
        return operation;
    }

    /** @return the handler that made the call */
    public String handler() {
        return handler;
    }
}
