package dev.sluice.kernel.userclient;

import java.util.Objects;

/**
 * The inputs and outputs of one external method call (I/O Kit's
 * {@code IOExternalMethodArguments}), handed to the driver's {@link IOExternalMethod} after the
 * kernel checked the inputs against the method's {@link IOExternalMethodDispatch entry}. The
 * scalar outputs are preallocated to the declared count; a fixed-size struct output is
 * preallocated to its declared size (fill it in place or replace it with an array of that size);
 * a {@link IOExternalMethodDispatch#VARIABLE variable} one starts empty and is set with
 * {@link #setStructOutput(byte[])}. Used by one thread at a time.
 */
public final class IOExternalMethodArguments {

    private final IOExternalMethodDispatch dispatch;
    private final IOUserClientCaller caller;
    private final long[] scalarInput;
    private final byte[] structInput;
    private final long[] scalarOutput;
    private final IOAsyncReference asyncReference;
    private byte[] structOutput;

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

    /** @return the reference to complete an asynchronous call with, or null for a synchronous call */
    public IOAsyncReference asyncReference() {
        return asyncReference;
    }

    /** @return true for an asynchronous call */
    public boolean isAsync() {
        return asyncReference != null;
    }
}
