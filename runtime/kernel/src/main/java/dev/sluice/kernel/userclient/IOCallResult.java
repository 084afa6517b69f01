package dev.sluice.kernel.userclient;

import dev.sluice.kernel.IOReturn;
import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of an external method call: its {@link IOReturn}, the scalar and struct outputs
 * (empty unless it succeeded), and for a failure a one-line message saying what went wrong,
 * e.g. {@code VirtioBlock.read: expected 2 scalar inputs, got 1}.
 *
 * @param status        the result code
 * @param scalarOutput  the scalar outputs (a copy is handed out; never null)
 * @param structOutput  the struct output (never null)
 * @param message       "" on success, else what went wrong
 */
public record IOCallResult(IOReturn status, long[] scalarOutput, byte[] structOutput, String message) {

    private static final long[] NO_SCALARS = new long[0];
    private static final byte[] NO_BYTES = new byte[0];

    public IOCallResult {
        Objects.requireNonNull(status, "status");
        scalarOutput = scalarOutput == null ? NO_SCALARS : scalarOutput.clone();
        structOutput = structOutput == null ? NO_BYTES : structOutput.clone();
        message = message == null ? "" : message;
    }

    /** @return a successful result with these outputs */
    public static IOCallResult success(long[] scalars, byte[] struct) {
        return new IOCallResult(IOReturn.SUCCESS, scalars, struct, "");
    }

    /** @return a failed result without outputs */
    public static IOCallResult failure(IOReturn status, String message) {
        return new IOCallResult(status, null, null, message);
    }

    @Override
    public long[] scalarOutput() {
        return scalarOutput.clone();
    }

    @Override
    public byte[] structOutput() {
        return structOutput.clone();
    }

    /** @return scalar output {@code i} */
    public long scalar(int i) {
        return scalarOutput[i];
    }

    /** @return true if the call succeeded */
    public boolean isSuccess() {
        return status == IOReturn.SUCCESS;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IOCallResult r && r.status == status && Arrays.equals(r.scalarOutput, scalarOutput)
                && Arrays.equals(r.structOutput, structOutput) && r.message.equals(message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, Arrays.hashCode(scalarOutput), Arrays.hashCode(structOutput), message);
    }

    @Override
    public String toString() {
        return status + (message.isEmpty() ? "" : " " + message) + " scalars " + Arrays.toString(scalarOutput)
                + " struct " + structOutput.length + " bytes";
    }
}
