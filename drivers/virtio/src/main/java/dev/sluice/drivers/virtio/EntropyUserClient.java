package dev.sluice.drivers.virtio;

import dev.sluice.drivers.storage.api.EntropySource;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.userclient.IOExternalMethodArguments;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOExternalMethodTable;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.workloop.IOReturnException;

/**
 * One application connection to the virtio-rng driver (owner {@value #OWNER}). One method:
 * selector 0 {@code read(n)}, 1 scalar in, a struct of {@code n} random bytes out, with
 * {@code n} in 1 .. {@value #MAX_BYTES}. Runs on the caller's thread and blocks only it until
 * the device has filled the bytes (the driver waits outside its gate). No entitlement.
 */
final class EntropyUserClient extends IOUserClient {

    /** The name calls are reported under: the driver's personality. */
    static final String OWNER = "VirtioEntropy";
    /** The most bytes one call may read. */
    static final int MAX_BYTES = 65536;

    /** @param source the driver's entropy service */
    EntropyUserClient(EntropySource source) {
        super(IOExternalMethodTable.of(OWNER,
                IOExternalMethodDispatch.sync(0, "read", 1, 0, 0, IOExternalMethodDispatch.VARIABLE, a -> read(source, a))));
    }

    private static IOReturn read(EntropySource source, IOExternalMethodArguments a) {
        long n = a.scalarInput(0);
        if (n < 1 || n > MAX_BYTES) {
            return a.fail(IOReturn.BAD_ARGUMENT, "n must be 1.." + MAX_BYTES + " bytes, got " + n);
        }
        byte[] bytes = new byte[(int) n];
        try {
            source.read(bytes);
        } catch (IOReturnException e) {
            String m = String.valueOf(e.getMessage());
            String code = " (" + e.result() + ")";
            return a.fail(e.result(), m.endsWith(code) ? m.substring(0, m.length() - code.length()) : m);
        }
        a.setStructOutput(bytes);
        return IOReturn.SUCCESS;
    }
}
