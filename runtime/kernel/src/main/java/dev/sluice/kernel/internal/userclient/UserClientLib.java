package dev.sluice.kernel.internal.userclient;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.dispatch.IODispatchQueue;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.userclient.Entitlement;
import dev.sluice.kernel.userclient.IOConnect;
import dev.sluice.kernel.userclient.IOKitLib;
import dev.sluice.kernel.userclient.IOUserClient;
import dev.sluice.kernel.userclient.IOUserClientCaller;
import dev.sluice.kernel.userclient.IOUserClientProvider;
import dev.sluice.kernel.workloop.IOReturnException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * {@link IOKitLib} for one calling bundle: SCR creates one instance per bundle that gets the
 * service (bundle scope), so {@link ComponentContext#getUsingBundle()} is the caller. Its
 * entitlements are read once from the bundle's declared {@code sluice.entitlement}
 * capabilities. Completions of asynchronous calls run on this bundle's
 * {@code IOCompletion-<bsn>} thread (started on demand, ended when idle). When the bundle
 * releases the service (it stops), SCR deactivates the instance and every connection it opened
 * is closed; completions still pending are dropped, since the bundle's code is going away.
 */
@Component(service = IOKitLib.class, scope = ServiceScope.BUNDLE)
public final class UserClientLib implements IOKitLib {

    private final IOUserClientCaller caller;
    private final Logger logger;
    private final ThreadPoolExecutor completions;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean deactivated;

    @Activate
    public UserClientLib(ComponentContext context, @Reference(service = LoggerFactory.class) Logger logger) {
        this.logger = logger;
        this.caller = callerOf(context.getUsingBundle());
        String threadName = "IOCompletion-" + caller.bundle();
        this.completions = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        completions.allowCoreThreadTimeOut(true);
    }

    @Deactivate
    void deactivate() {
        deactivated = true;
        for (Connection c : new ArrayList<>(connections)) {
            c.closeFor(IOReturn.ABORTED, "bundle " + caller.bundle() + " stopped", false, true);
        }
        completions.shutdown();
    }

    /** @return the caller: bundle name, id and declared entitlements */
    static IOUserClientCaller callerOf(Bundle bundle) {
        Set<String> entitlements = new LinkedHashSet<>();
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision != null) {
            for (BundleCapability c : revision.getDeclaredCapabilities(Entitlement.NAMESPACE)) {
                Object v = c.getAttributes().get(Entitlement.NAMESPACE);
                if (v instanceof String s) {
                    entitlements.add(s);
                } else if (v instanceof List<?> l) {
                    l.forEach(e -> entitlements.add(String.valueOf(e)));
                }
            }
        }
        String bsn = bundle.getSymbolicName() == null ? "bundle-" + bundle.getBundleId() : bundle.getSymbolicName();
        return new IOUserClientCaller(bsn, bundle.getBundleId(), entitlements);
    }

    @Override
    public IOUserClientCaller caller() {
        return caller;
    }

    @Override
    public IOConnect open(IOService service, int type) {
        return open(service, type, completions, "the " + caller.bundle() + " completion thread");
    }

    @Override
    public IOConnect open(IOService service, int type, IODispatchQueue completionQueue) {
        Objects.requireNonNull(completionQueue, "completionQueue");
        Executor onQueue = task -> {
            if (completionQueue.dispatchAsync(task) != IOReturn.SUCCESS) {
                throw new RejectedExecutionException(completionQueue + " is cancelled");
            }
        };
        return open(service, type, onQueue, completionQueue.toString());
    }

    private IOConnect open(IOService service, int type, Executor completionContext, String contextName) {
        if (service == null) {
            throw new IOReturnException(IOReturn.BAD_ARGUMENT, "open: no service given");
        }
        if (deactivated) {
            throw new IOReturnException(IOReturn.OFFLINE, "open " + service.getName() + ": bundle " + caller.bundle() + " is stopping");
        }
        IOService driver = providerFor(service);
        if (driver.isInactive() || !driver.isStarted()) {
            throw new IOReturnException(IOReturn.OFFLINE, driver.getName() + " is not active");
        }
        IOUserClient uc;
        try {
            uc = ((IOUserClientProvider) driver).newUserClient(type, caller);
        } catch (RuntimeException e) {
            logger.error("{}: newUserClient({}) for {} failed", driver, type, caller, e);
            throw new IOReturnException(IOReturn.ERROR, driver.getName() + ": newUserClient failed: " + e);
        }
        if (uc == null) {
            throw new IOReturnException(IOReturn.UNSUPPORTED, driver.getName() + " has no user client of type " + type);
        }
        String required = uc.requiredEntitlement();
        if (!caller.hasEntitlement(required)) {
            uc.releaseResources();
            throw new IOReturnException(IOReturn.NOT_PERMITTED, "bundle " + caller.bundle() + " lacks entitlement '" + required
                    + "' required by " + driver.getName() + " (declare Provide-Capability: " + Entitlement.NAMESPACE + ";"
                    + Entitlement.NAMESPACE + "=" + required + ", e.g. with @Entitlement)");
        }
        uc.opened(caller, type);
        boolean attached;
        try {
            attached = uc.init(null) && uc.attach(driver);
        } catch (RuntimeException e) {
            logger.error("{}: attaching its user client failed", driver, e);
            attached = false;
        }
        if (!attached) {
            uc.releaseResources();
            throw new IOReturnException(IOReturn.OFFLINE, driver.getName() + " refused or lost its user client while opening");
        }
        boolean started;
        try {
            started = uc.start(driver);
        } catch (RuntimeException e) {
            logger.error("{}: its user client's start failed", driver, e);
            started = false;
        }
        if (!started) {
            uc.releaseResources();
            uc.detach(driver);
            throw new IOReturnException(IOReturn.ERROR, driver.getName() + "'s user client did not start");
        }
        uc.markStarted(null);
        Connection c = new Connection(this, driver, uc, type, completionContext, contextName);
        connections.add(c);
        // S70: when the user client stops (driver terminating, or close), the connection is released
        uc.manage(() -> c.closeFor(IOReturn.OFFLINE, driver.getName() + " terminated", true, false));
        if (uc.isInactive() || deactivated) {
            c.closeFor(IOReturn.OFFLINE, driver.getName() + " terminated", true, false);
            throw new IOReturnException(IOReturn.OFFLINE, driver.getName() + " went away while opening");
        }
        logger.debug("{} opened {} (type {})", caller, uc, type);
        return c;
    }

    private static IOService providerFor(IOService service) {
        if (service instanceof IOUserClientProvider) {
            return service;
        }
        List<IOService> drivers = new ArrayList<>();
        for (IOService client : service.getClients()) {
            if (client instanceof IOUserClientProvider && !client.isInactive() && client.isStarted()) {
                drivers.add(client);
            }
        }
        if (drivers.size() == 1) {
            return drivers.get(0);
        }
        if (drivers.isEmpty()) {
            throw new IOReturnException(IOReturn.UNSUPPORTED, service.getName()
                    + " has no user client (neither it nor a driver attached to it implements IOUserClientProvider)");
        }
        throw new IOReturnException(IOReturn.BAD_ARGUMENT, service.getName() + " has several drivers with user clients: "
                + drivers.stream().map(IOService::getName).toList() + "; open one of them");
    }

    void forget(Connection c) {
        connections.remove(c);
    }

    void completionFailed(Connection c, Throwable e) {
        logger.error("{}: an asynchronous completion of {} threw", caller, c, e);
    }

    /** @return the open connections (diagnostics, tests) */
    int openConnections() {
        return connections.size();
    }
}
