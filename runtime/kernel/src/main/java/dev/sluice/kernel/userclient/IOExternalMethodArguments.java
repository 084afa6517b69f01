package dev.sluice.kernel.userclient;

import dev.sluice.kernel.IOReturn;
import java.util.Objects;

/**
 * The inputs and outputs of one external method call (I/O Kit's
 * {@code IOExternalMethodArguments}), handed to the driver's {@link IOExternalMethod} after the
 * kernel checked the inputs against the method's {@link IOExternalMethodDispatch entry}. The
 * scalar outputs are preallocated to the declared count; a fixed-size struct output is
 * preallocated to its declared size (fill it in place or replace it with an array of that size);
 * a {@link IOExternalMethodDispatch#VARIABLE variable} one starts empty and is set with
 * {@link #setStructOutput(byte[])}. A method that refuses the call says why with
 * {@link #fail(IOReturn, String)}. Used by one thread at a time.
 */
public final class IOExternalMethodArguments {

    private final IOExternalMethodDispatch dispatch;
    private final IOUserClientCaller caller;
    private final long[] scalarInput;
    private final byte[] structInput;
    private final long[] scalarOutput;
    private final IOAsyncReference asyncReference;
    private byte[] structOutput;
    private IOReturn failStatus;
    private String failReason;

    IOExternalMethodArguments(IOExternalMethodDispatch dispatch, IOUserClientCaller caller, long[] scalarInput,
            byte[] structInput, IOAsyncReference asyncReference) {
        this.dispatch = dispatch;
        this.caller = caller;
        this.scalarInput = scalarInput.clone();
        this.structInput = structInput.clone();
        this.scalarOutput = new long[dispatch.scalarOutputCount()];
        this.structOutput = new byte[Math.max(0, dispatch.structOutputSize())];
        this.asyncReference = asyncReference;
    }

    /** @return the method's table entry */
    public IOExternalMethodDispatch method() {
        return dispatch;
    }

    /** @return who called (bundle and entitlements) */
    public IOUserClientCaller caller() {
        return caller;
    }

    /** @return scalar input {@code i} */
    public long scalarInput(int i) {
        return scalarInput[i];
    }

    /** @return a copy of the scalar inputs */
    public long[] scalarInputs() {
        return scalarInput.clone();
    }

    /** @return the struct input (the driver's own copy; empty if none) */
    public byte[] structInput() {
        return structInput;
    }

    /** @return the scalar output array, preallocated to the declared count; fill it in place */
    public long[] scalarOutput() {
        return scalarOutput;
    }

    /** Sets scalar output {@code i}. */
    public void setScalarOutput(int i, long value) {
        scalarOutput[i] = value;
    }

    /** @return the struct output: preallocated to a fixed declared size, else what was set (empty at first) */
    public byte[] structOutput() {
        return structOutput;
    }

    /**
     * Sets the struct output.
     *
     * @throws IllegalArgumentException if the method declares a fixed size and {@code bytes} has another
     */
    public void setStructOutput(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        int size = dispatch.structOutputSize();
        if (size != IOExternalMethodDispatch.VARIABLE && bytes.length != size) {
            throw new IllegalArgumentException(dispatch.name() + " declares a " + size + "-byte struct output, not "
                    + bytes.length + " bytes");
        }
        structOutput = bytes;
    }

    /**
     * Records why the method fails, for the caller's one-line message {@code Owner.method: reason}
     * (e.g. {@code Sp804Timer.waitForInterrupt: micros must be 1..10000000, got -5}). The method
     * still returns the status; {@code return a.fail(...)} does both.
     *
     * @param status the failure code (not SUCCESS)
     * @param reason what was wrong, one line
     * @return {@code status}
     */
    public IOReturn fail(IOReturn status, String reason) {
        if (Objects.requireNonNull(status, "status") == IOReturn.SUCCESS) {
            throw new IllegalArgumentException("fail needs a failure status, not SUCCESS");
        }
        this.failStatus = status;
        this.failReason = Objects.requireNonNull(reason, "reason");
        return status;
    }

    /** @return the reason given to {@link #fail} with this status, or null */
    String failureReason(IOReturn status) {
        return status != null && status == failStatus ? failReason : null;
    }

    /** @return the reference to complete an asynchronous call with, or null for a synchronous call */
    public IOAsyncReference asyncReference() {
        return asyncReference;
    }

    /** @return true for an asynchronous call */
    public boolean isAsync() {
        return asyncReference != null;
    }
}
