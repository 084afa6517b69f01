package dev.sluice.kernel.internal.userclient;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.userclient.IOAsyncCompletion;
import dev.sluice.kernel.userclient.IOAsyncReference;
import dev.sluice.kernel.userclient.IOCallResult;
import dev.sluice.kernel.userclient.IOConnect;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOUserClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One open connection: calls go to the user client on the caller's thread; completions of
 * asynchronous calls are handed to the completion context (never run on the completing or
 * calling thread). Closing aborts pending asynchronous calls and terminates the user client.
 */
final class Connection implements IOConnect {

    private final UserClientLib lib;
    private final IOService driver;
    private final IOUserClient userClient;
    private final int type;
    private final Executor completionContext;
    private final String contextName;
    private final Set<IOAsyncReference> pending = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private boolean open = true; // guarded by lock
    private volatile boolean deliver = true;
    private volatile String closedBecause;

    Connection(UserClientLib lib, IOService driver, IOUserClient userClient, int type, Executor completionContext,
            String contextName) {
        this.lib = lib;
        this.driver = driver;
        this.userClient = userClient;
        this.type = type;
        this.completionContext = completionContext;
        this.contextName = contextName;
    }

    @Override
    public IOService service() {
        return driver;
    }

    @Override
    public IOUserClient userClient() {
        return userClient;
    }

    @Override
    public int type() {
        return type;
    }

    @Override
    public List<IOExternalMethodDispatch> methods() {
        return userClient.methodTable().entries();
    }

    @Override
    public boolean isOpen() {
        synchronized (lock) {
            return open;
        }
    }

    private IOCallResult closed() {
        return IOCallResult.failure(IOReturn.OFFLINE, "the connection to " + driver.getName() + " is closed ("
                + closedBecause + ")");
    }

    @Override
    public IOCallResult call(Object method, long[] scalars, byte[] struct) {
        if (!isOpen()) {
            return closed();
        }
        return userClient.externalMethod(method, scalars, struct);
    }

    @Override
    public IOCallResult callAsync(Object method, long[] scalars, byte[] struct, IOAsyncCompletion completion) {
        Objects.requireNonNull(completion, "completion");
        if (!isOpen()) {
            return closed();
        }
        AtomicReference<IOAsyncReference> ref = new AtomicReference<>();
        return userClient.externalMethodAsync(method, scalars, struct, result -> {
            IOAsyncReference r = ref.get();
            if (r != null) {
                pending.remove(r);
            }
            deliver(completion, result);
        }, accepted -> {
            ref.set(accepted);
            boolean stillOpen;
            synchronized (lock) {
                stillOpen = open;
                if (stillOpen) {
                    pending.add(accepted);
                }
            }
            if (!stillOpen) {
                accepted.abort(IOReturn.ABORTED, "the connection to " + driver.getName() + " closed (" + closedBecause + ")");
            }
        });
    }

    private void deliver(IOAsyncCompletion completion, IOCallResult result) {
        if (!deliver) {
            return;
        }
        try {
            completionContext.execute(() -> {
                try {
                    completion.completed(result);
                } catch (RuntimeException | Error e) {
                    lib.completionFailed(this, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // the completion context is gone (queue cancelled, bundle stopped): dropped, never run here
        }
    }

    @Override
    public void close() {
        closeFor(IOReturn.ABORTED, "closed by " + userClient.caller().bundle(), true, true);
    }

    /**
     * Releases the connection once: later calls fail with OFFLINE, pending asynchronous calls
     * complete with ABORTED (closed here) or OFFLINE (driver gone), delivered only if
     * {@code deliverPending}. With {@code terminate} (closed by the application or its bundle
     * stopping) the user client's clientClose runs and it terminates, synchronously.
     *
     * @return true if this call closed it
     */
    boolean closeFor(IOReturn status, String why, boolean deliverPending, boolean terminate) {
        synchronized (lock) {
            if (!open) {
                return false;
            }
            open = false;
            closedBecause = why;
        }
        deliver = deliverPending;
        for (IOAsyncReference r : new ArrayList<>(pending)) {
            r.abort(status, "the connection to " + driver.getName() + " closed before " + r.method().name()
                    + " completed (" + why + ")");
        }
        pending.clear();
        lib.forget(this);
        if (terminate) {
            userClient.closedByClient();
            userClient.terminate(true);
        }
        return true;
    }

    @Override
    public String toString() {
        return "IOConnect(" + userClient.getName() + " of " + driver.getName() + ", type " + type + ", completions on "
                + contextName + (isOpen() ? ")" : ", closed)");
    }
}
