package dev.sluice.kernel.userclient;

import java.util.Objects;

/**
 * One entry of a user client's dispatch table (I/O Kit's {@code IOExternalMethodDispatch}): the
 * method's selector and name, the shape of its arguments, whether it completes synchronously or
 * through an {@link IOAsyncReference}, and the driver code. The kernel checks a call against
 * this shape before the driver sees it.
 *
 * @param selector          the method's number, 0 or more, unique in its table
 * @param name              the method's name (letters, digits, '_' and '-'), unique in its table
 * @param scalarInputCount  exact number of 64-bit scalar inputs
 * @param scalarOutputCount number of 64-bit scalar outputs the method produces
 * @param structInputSize   exact struct input size in bytes (0 = none), or {@link #VARIABLE}
 * @param structOutputSize  exact struct output size in bytes (0 = none), or {@link #VARIABLE}
 * @param async             true if the method completes later through its {@link IOAsyncReference}
 * @param method            the driver code
 */
public record IOExternalMethodDispatch(int selector, String name, int scalarInputCount, int scalarOutputCount,
        int structInputSize, int structOutputSize, boolean async, IOExternalMethod method) {

    /** Struct size meaning "any size" (I/O Kit's kIOUCVariableStructureSize). */
    public static final int VARIABLE = -1;

    public IOExternalMethodDispatch {
        if (selector < 0) {
            throw new IllegalArgumentException("selector must be 0 or more, not " + selector);
        }
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z_][A-Za-z0-9_-]*")) {
            throw new IllegalArgumentException("method name '" + name + "' must be letters, digits, '_' or '-', starting with a letter or '_'");
        }
        if (scalarInputCount < 0 || scalarOutputCount < 0) {
            throw new IllegalArgumentException(name + ": scalar counts must be 0 or more");
        }
        if (structInputSize < VARIABLE || structOutputSize < VARIABLE) {
            throw new IllegalArgumentException(name + ": struct sizes must be 0 or more, or VARIABLE");
        }
        Objects.requireNonNull(method, "method");
    }

    /** @return a synchronous entry */
    public static IOExternalMethodDispatch sync(int selector, String name, int scalarInputs, int scalarOutputs,
            int structInputSize, int structOutputSize, IOExternalMethod method) {
        return new IOExternalMethodDispatch(selector, name, scalarInputs, scalarOutputs, structInputSize,
                structOutputSize, false, method);
    }

    /** @return an asynchronous entry: the method accepts the call and completes its {@link IOAsyncReference} later */
    public static IOExternalMethodDispatch async(int selector, String name, int scalarInputs, int scalarOutputs,
            int structInputSize, int structOutputSize, IOExternalMethod method) {
        return new IOExternalMethodDispatch(selector, name, scalarInputs, scalarOutputs, structInputSize,
                structOutputSize, true, method);
    }

    /** @return e.g. {@code 0 read(2 scalars, struct 0 -> 1 scalar, struct *) sync} */
    public String signature() {
        return selector + " " + name + "(" + scalarInputCount + " scalar" + (scalarInputCount == 1 ? "" : "s")
                + ", struct " + size(structInputSize) + " -> " + scalarOutputCount + " scalar"
                + (scalarOutputCount == 1 ? "" : "s") + ", struct " + size(structOutputSize) + ")"
                + (async ? " async" : "");
    }

    private static String size(int s) {
        return s == VARIABLE ? "*" : String.valueOf(s);
    }

    @Override
    public String toString() {
        return signature();
    }
}
