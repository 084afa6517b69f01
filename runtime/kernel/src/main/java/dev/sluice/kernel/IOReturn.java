package dev.sluice.kernel;

/**
 * Result codes of kernel calls, after I/O Kit's {@code IOReturn}. Kernel calls report expected
 * outcomes (a timeout, an aborted wait, a disabled gate) with one of these values; exceptions are
 * kept for programming errors (a null action, blocking in primary interrupt context).
 */
public enum IOReturn {
    /** The call did what it was asked. */
    SUCCESS,
    /** An argument was missing or does not belong to the receiver. */
    BAD_ARGUMENT,
    /** The receiver is not ready, e.g. an event source not attached to a work loop. */
    NOT_READY,
    /** The call was abandoned before it ran, e.g. its gate was removed or its wait interrupted. */
    ABORTED,
    /** A deadline passed first. */
    TIMEOUT,
    /** A non-blocking attempt found the lock held by another thread. */
    CANNOT_LOCK,
    /** The receiver refused the call in its current state, e.g. a disabled gate. */
    NOT_PERMITTED,
    /** A resource the call needs is missing, e.g. a timer without an action. */
    NO_RESOURCES,
    /** The receiver is busy, e.g. an exclusive open that is already held. */
    BUSY,
    /** The call is not supported by the receiver. */
    UNSUPPORTED,
    /** The device or service is gone or inactive. */
    OFFLINE,
    /** An unexpected failure inside the callee; details are logged. */
    ERROR;

    /** @return true only for {@link #SUCCESS} */
    public boolean isSuccess() {
        return this == SUCCESS;
    }
}
