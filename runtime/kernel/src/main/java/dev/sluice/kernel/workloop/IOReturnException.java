package dev.sluice.kernel.workloop;

import dev.sluice.kernel.IOReturn;

/**
 * Thrown where I/O Kit's factory would return {@code NULL}: an event source that cannot be
 * created, e.g. an interrupt source whose provider refused the registration (S32). Carries the
 * {@link IOReturn} that explains why.
 */
public final class IOReturnException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient IOReturn result;

    /**
     * @param result  the failure code
     * @param message what failed, naming the objects involved
     */
    public IOReturnException(IOReturn result, String message) {
        super(message + " (" + result + ")");
        this.result = result;
    }

    /** @return the failure code */
    public IOReturn result() {
        return result;
    }
}
