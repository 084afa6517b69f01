package dev.sluice.kernel.userclient;

import dev.sluice.kernel.IOReturn;

/**
 * The driver code behind one entry of an {@link IOExternalMethodTable}. It runs on the calling
 * thread (the application's, or the shell session's), concurrently with calls from other
 * connections: serialise with the driver's command gate. Its arguments have already been
 * checked against the entry's shape.
 */
@FunctionalInterface
public interface IOExternalMethod {

    /**
     * Runs the method: read the inputs of {@code arguments}, fill its outputs.
     *
     * @param arguments the checked inputs and the outputs to fill; for an asynchronous method
     *                  also the {@link IOAsyncReference} to complete later
     * @return SUCCESS (for an asynchronous method: accepted, the reference will be completed);
     * any other value fails the call and is handed back to the caller
     */
    IOReturn invoke(IOExternalMethodArguments arguments);
}
