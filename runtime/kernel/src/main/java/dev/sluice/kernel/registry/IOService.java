package dev.sluice.kernel.registry;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;
import dev.sluice.kernel.workloop.IOEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A registry entry with the driver lifecycle of I/O Kit's IOService (SEMANTICS S61-S70): nubs
 * (devices published by a provider) and drivers (matched to nubs) are both IOServices, linked in
 * the {@link IORegistryPlane#SERVICE service plane}, providers above clients.
 *
 * <h2>Lifecycle of a driver</h2>
 * The kernel instantiates the driver class of a winning personality with its no-argument
 * constructor, then calls, on an {@code IOConfig-N} matching thread: {@link #init(Map)} with the
 * personality's properties, {@link #attach(IOService)} to the nub, {@link #probe} (return null to
 * decline; the score may be changed), and for the best-scored survivor of each match category
 * {@link #start(IOService)}. Losers are detached and released, never started (S62). A started
 * driver that wants clients of its own calls {@link #registerService()}.
 *
 * <h2>Termination</h2>
 * {@link #terminate()} runs phase 1 on the caller's thread: breadth first, each service is marked
 * inactive, its terminated notifications are delivered (it leaves the OSGi service registry), and
 * each client is asked {@link #requestTerminate(IOService)} (default: yes if this was its only
 * provider). Phase 2 runs on the kernel's {@code IOTerminate} thread: {@link #willTerminate} root
 * to leaf, {@link #didTerminate} leaf to root, then, leaves first, {@link #stop(IOService)} and
 * {@link #detach(IOService)} for each provider, each with the provider's work-loop gate held
 * (S67, S68). After stop the resources the driver acquired through {@link #manage} are released
 * in reverse order (S70).
 *
 * <p>Threads: lifecycle callbacks run on kernel threads as described; everything else may be
 * called from any thread except primary interrupt context.
 */
public class IOService extends IORegistryEntry {

    /** Property naming the personality a driver was created from. */
    public static final String IO_PERSONALITY_NAME = "IOPersonalityName";
    /** Property naming the bundle that declared it. */
    public static final String IO_BUNDLE = "IOBundle";

    private final Object state = new Object();
    private final Set<IOService> openers = new LinkedHashSet<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Object loopLock = new Object();
    private volatile IORegistry registry;
    private volatile boolean inactive;
    private volatile boolean registered;
    private volatile boolean started;
    private volatile IOPersonality personality;
    private volatile long debugMask;
    private int busy;
    private IOWorkLoop ownLoop;

    public IOService() {
        super();
    }

    public IOService(String name, String location) {
        super(name, location);
    }

    // ================================================================ lifecycle hooks

    /**
     * Initialises the instance with a property table (the personality's, for drivers). Called
     * once, before attach.
     *
     * @return false to refuse
     */
    public boolean init(Map<String, ?> properties) {
        if (properties != null) {
            setProperties(properties);
        }
        return true;
    }

    /**
     * Looks at the provider's hardware and decides whether this driver can drive it (S61).
     * Runs on the matching thread; must not keep resources if it declines.
     *
     * @return this (or another instance to start instead), or null to decline
     */
    public IOService probe(IOService provider, IOProbeScore score) {
        return this;
    }

    /**
     * Starts driving {@code provider}: create event sources, enable interrupts, register for clients.
     *
     * @return true if started; false releases the instance and tries the next candidate (S62)
     */
    public boolean start(IOService provider) {
        return true;
    }

    /** Stops driving {@code provider}; runs on the IOTerminate thread holding the provider's gate. */
    public void stop(IOService provider) {
    }

    /** Phase 2, root to leaf: the provider is going away; refuse new work. */
    public boolean willTerminate(IOService provider) {
        return true;
    }

    /** Phase 2, leaf to root: every client of this service has been told; finish outstanding work. */
    public boolean didTerminate(IOService provider) {
        return true;
    }

    /**
     * Phase 1: should this client terminate because {@code provider} does? Default: yes if it
     * is this client's only active provider (S67). A client that declines is detached from the
     * terminated provider in phase 2.
     */
    public boolean requestTerminate(IOService provider) {
        for (IORegistryEntry p : getParentEntries(IORegistryPlane.SERVICE)) {
            if (p != provider && !(p instanceof IOService && ((IOService) p).isInactive())) {
                return false;
            }
        }
        return true;
    }

    // ================================================================ topology

    /**
     * Attaches this service as a client of {@code provider} in the service plane.
     *
     * @return false if the provider is inactive (S69) or this service is
     */
    public boolean attach(IOService provider) {
        if (provider == null || provider.isInactive() || isInactive()) {
            return false;
        }
        IORegistry r = provider.registry;
        if (r == null) {
            throw new IllegalStateException(provider + " is not in a registry; attach it (or its root) first");
        }
        registry = r;
        attachToParent(provider, IORegistryPlane.SERVICE);
        r.track(this);
        return true;
    }

    /** Attaches a root service (e.g. the platform expert's device) directly under the registry root. */
    public final boolean attachToRoot(IORegistry registry) {
        this.registry = registry;
        attachToParent(registry.root(), IORegistryPlane.SERVICE);
        registry.track(this);
        return true;
    }

    /** Detaches this client from {@code provider}; the last detach removes it from id lookup. */
    public void detach(IOService provider) {
        detachFromParent(provider, IORegistryPlane.SERVICE);
        IORegistry r = registry;
        if (r != null && getParentEntries(IORegistryPlane.SERVICE).isEmpty()) {
            r.untrack(this);
        }
    }

    /** @return the first provider, or null */
    public final IOService getProvider() {
        IORegistryEntry p = getParentEntry(IORegistryPlane.SERVICE);
        return p instanceof IOService ? (IOService) p : null;
    }

    /** @return the clients, in attach order */
    public final List<IOService> getClients() {
        List<IOService> out = new ArrayList<>();
        for (IORegistryEntry e : getChildEntries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService) {
                out.add((IOService) e);
            }
        }
        return out;
    }

    /** @return the first client, or null */
    public final IOService getClient() {
        List<IOService> c = getClients();
        return c.isEmpty() ? null : c.get(0);
    }

    /** @return the registry this service belongs to, or null before attach */
    public final IORegistry getRegistry() {
        return registry;
    }

    // ================================================================ work loop (S64)

    /**
     * The work loop that serialises this service's work: by default its provider's, recursively;
     * null if no provider has one. Drivers wanting a dedicated loop override this to return
     * {@link #dedicatedWorkLoop()}.
     */
    public IOWorkLoop getWorkLoop() {
        IOService p = getProvider();
        return p == null ? null : p.getWorkLoop();
    }

    /**
     * A work loop owned by this service, created on first call (thread-safe) and shut down
     * automatically when the service stops (S64, S70).
     */
    protected final IOWorkLoop dedicatedWorkLoop() {
        synchronized (loopLock) {
            if (ownLoop == null) {
                IOWorkLoop loop = IOWorkLoop.create(getName());
                ownLoop = loop;
                IORegistry r = registry;
                IOServiceManager m = r == null ? null : r.manager();
                if (m != null) {
                    m.watch(loop);
                }
                manage(() -> {
                    synchronized (loopLock) {
                        ownLoop = null;
                    }
                    if (m != null) {
                        m.unwatch(loop);
                    }
                    loop.shutdown();
                });
            }
            return ownLoop;
        }
    }

    /**
     * The kernel's timer service, for {@code IOTimerEventSource.timerEventSource(owner, action,
     * timerService())}: passive timers fire on its shared {@code IOTimer} thread.
     *
     * @throws IllegalStateException if this service is not in a registry with a running kernel
     */
    protected final dev.sluice.kernel.workloop.IOTimerService timerService() {
        IORegistry r = registry;
        if (r == null || r.manager() == null) {
            throw new IllegalStateException(this + " is not in a registry with a running kernel");
        }
        return r.manager().timerService();
    }

    /**
     * Adds an event source to {@link #getWorkLoop()} and removes it automatically when this
     * service stops (S70).
     *
     * @return the loop's answer; NOT_READY if there is no work loop
     */
    public final IOReturn addEventSource(IOEventSource<?> source) {
        IOWorkLoop loop = getWorkLoop();
        if (loop == null) {
            return IOReturn.NOT_READY;
        }
        IOReturn r = loop.addEventSource(source);
        if (r == IOReturn.SUCCESS) {
            manage(() -> loop.removeEventSource(source));
        }
        return r;
    }

    // ================================================================ resources (S70)

    /**
     * Records a resource to release automatically, in reverse order of acquisition, when this
     * service stops or is released without starting (Linux devres).
     *
     * @return the resource
     */
    public final <T extends AutoCloseable> T manage(T resource) {
        synchronized (resources) {
            resources.push(resource);
        }
        return resource;
    }

    /** @return how many managed resources are held */
    public final int managedResourceCount() {
        synchronized (resources) {
            return resources.size();
        }
    }

    /** Releases every managed resource, last acquired first; failures are reported and skipped. */
    public final void releaseResources() {
        while (true) {
            AutoCloseable r;
            synchronized (resources) {
                r = resources.poll();
            }
            if (r == null) {
                return;
            }
            try {
                r.close();
            } catch (Exception | Error e) {
                IORegistry reg = registry;
                if (reg != null && reg.manager() != null) {
                    reg.manager().failure(this, "releasing " + r, e);
                }
            }
        }
    }

    // ================================================================ client interface (hot swap)

    /**
     * Offers {@code implementation} to other bundles as an OSGi service of type {@code iface},
     * through a stable front owned by this driver's provider: clients keep the same service
     * object while the driver bundle is updated or replaced. Calls made during a swap wait until
     * the next driver registers the interface (or fail with {@code OFFLINE} if none does); calls
     * in flight finish on the old driver before it is stopped. Call from {@link #start}. The
     * interface must come from a bundle that is not swapped with the driver (an API bundle).
     */
    protected final <T> void registerClientInterface(Class<T> iface, T implementation) {
        IORegistry r = registry;
        if (r == null || r.manager() == null || getProvider() == null) {
            throw new IllegalStateException(this + " must be attached to a provider in a running kernel to register " + iface.getName());
        }
        if (!iface.isInterface() || !iface.isInstance(implementation)) {
            throw new IllegalArgumentException(iface.getName() + " must be an interface that the implementation implements");
        }
        r.manager().provideInterface(this, iface, implementation);
    }

    // ================================================================ registration and matching

    /**
     * Publishes this service (OSGi service registry, matching notifications) and starts
     * matching drivers against it, asynchronously (S63).
     *
     * @throws IllegalStateException if the service is not attached to a registry
     */
    public void registerService() {
        IORegistry r = registry;
        if (r == null || r.manager() == null) {
            throw new IllegalStateException(this + " must be attached in a registry with a running kernel before registerService");
        }
        if (isInactive()) {
            return;
        }
        registered = true;
        r.manager().registerService(this);
    }

    /** @return true once {@link #registerService()} was called */
    public final boolean isRegistered() {
        return registered;
    }

    /**
     * Marks matching or termination in progress at this service: raises the busy count of this
     * service and every provider above it, and returns the token that lowers exactly those
     * counts again, even if the service was detached meanwhile.
     */
    public final Busy beginBusy() {
        IORegistry r = registry;
        Object lock = r != null ? r.quietLock() : state;
        synchronized (lock) {
            List<IOService> chain = new ArrayList<>();
            chain.add(this);
            for (int i = 0; i < chain.size(); i++) {
                for (IORegistryEntry p : chain.get(i).getParentEntries(IORegistryPlane.SERVICE)) {
                    if (p instanceof IOService && !chain.contains(p)) {
                        chain.add((IOService) p);
                    }
                }
            }
            for (IOService s : chain) {
                s.busy++;
            }
            return new Busy(lock, chain);
        }
    }

    /** A busy mark from {@link #beginBusy()}; {@link #close()} ends it once. */
    public static final class Busy implements AutoCloseable {
        private final Object lock;
        private final List<IOService> chain;
        private boolean closed;

        private Busy(Object lock, List<IOService> chain) {
            this.lock = lock;
            this.chain = chain;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                for (IOService s : chain) {
                    s.busy--;
                }
                lock.notifyAll();
            }
        }
    }

    /** @return the busy count: matching or termination in progress at or below this service */
    public final int getBusyState() {
        IORegistry r = registry;
        synchronized (r != null ? r.quietLock() : state) {
            return busy;
        }
    }

    /**
     * Waits until matching and termination at and below this service have settled (S63).
     *
     * @return SUCCESS, TIMEOUT, or ABORTED if the waiting thread was interrupted
     */
    public final IOReturn waitQuiet(long timeout, TimeUnit unit) {
        PrimaryInterruptContext.checkMayBlock("IOService.waitQuiet");
        IORegistry r = registry;
        Object lock = r != null ? r.quietLock() : state;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (busy > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return IOReturn.TIMEOUT;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return IOReturn.ABORTED;
                }
            }
            return IOReturn.SUCCESS;
        }
    }

    // ================================================================ open / close (S69)

    /**
     * Opens this service for a client. Exclusive by default: a second client is refused until the
     * first closes; the same client may open again. An inactive service refuses (S69).
     */
    public boolean open(IOService forClient) {
        synchronized (state) {
            if (inactive) {
                return false;
            }
            if (!openers.isEmpty() && !openers.contains(forClient) && !handleOpenShared(forClient)) {
                return false;
            }
            openers.add(forClient);
            return true;
        }
    }

    /** Override to allow shared opens; default false (exclusive). Called under the open lock. */
    protected boolean handleOpenShared(IOService forClient) {
        return false;
    }

    /** Closes the client's open. */
    public void close(IOService forClient) {
        synchronized (state) {
            openers.remove(forClient);
        }
    }

    /** @return true if open by anyone (null) or by that client */
    public final boolean isOpen(IOService forClient) {
        synchronized (state) {
            return forClient == null ? !openers.isEmpty() : openers.contains(forClient);
        }
    }

    // ================================================================ termination (S67, S68)

    /** @return true once termination has begun */
    public final boolean isInactive() {
        return inactive;
    }

    /** @return true while started and not yet stopped */
    public final boolean isStarted() {
        return started;
    }

    /** Marks this driver started; called by the kernel after {@link #start} returned true. */
    public final void markStarted(IOPersonality from) {
        this.personality = from;
        this.started = true;
    }

    /** Records the personality this instance was created from; kernel use. */
    public final void setPersonality(IOPersonality from) {
        this.personality = from;
        if (from != null) {
            this.debugMask = from.debugMask();
        }
    }

    /** @return the personality this driver was created from, or null for nubs */
    public final IOPersonality personality() {
        return personality;
    }

    /** @return the driver's debug mask (seed 003's multi-level debug flags) */
    public final long debugMask() {
        return debugMask;
    }

    public final void setDebugMask(long mask) {
        this.debugMask = mask;
    }

    /** @return true if any of these debug bits is on; free when debugging is off */
    public final boolean debugEnabled(long bits) {
        return (debugMask & bits) != 0;
    }

    // ================================================================ debug logging (seed 003)

    private static final Object[] NO_ARGS = new Object[0];

    /**
     * Logs a debug message if any of {@code bits} is on in this service's {@link #debugMask()}
     * (seed 003's {@code dIOLog(level, ...)}: up to 64 independent flags). When the bits are off
     * the cost is one mask test: nothing is formatted, no argument's {@code toString()} is called
     * and these fixed-arity overloads allocate nothing (the varargs one allocates its array at the
     * call site, and primitive arguments are boxed there: guard hot paths with
     * {@link #debugEnabled(long)}). When on, {@code format} is formatted with
     * {@link String#format} ({@code %s}, {@code %d}, {@code %x}, ...) and logged at DEBUG level
     * through the OSGi Logger of the driver's bundle, named {@code sluice.debug.<name>}, with the
     * text {@code debug 0xBITS NAME: message}; the kernel lets the {@code sluice.debug} loggers
     * through at DEBUG even when the kernel log level is INFO, so the message reaches
     * {@code dmesg}. The mask comes from the personality's {@code IODebugMask} and can be changed
     * with the {@code dev.sluice.debug} configuration or the shell's {@code iodebug}.
     *
     * @param bits   the flags this message belongs to
     * @param format a {@link java.util.Formatter} format
     */
    public final void debug(long bits, String format) {
        if ((debugMask & bits) != 0) {
            emitDebug(bits, format, NO_ARGS);
        }
    }

    /** @see #debug(long, String) */
    public final void debug(long bits, String format, Object a) {
        if ((debugMask & bits) != 0) {
            emitDebug(bits, format, new Object[] {a});
        }
    }

    /** @see #debug(long, String) */
    public final void debug(long bits, String format, Object a, Object b) {
        if ((debugMask & bits) != 0) {
            emitDebug(bits, format, new Object[] {a, b});
        }
    }

    /** @see #debug(long, String) */
    public final void debug(long bits, String format, Object a, Object b, Object c) {
        if ((debugMask & bits) != 0) {
            emitDebug(bits, format, new Object[] {a, b, c});
        }
    }

    /** @see #debug(long, String) */
    public final void debug(long bits, String format, Object... args) {
        if ((debugMask & bits) != 0) {
            emitDebug(bits, format, args);
        }
    }

    private void emitDebug(long bits, String format, Object[] args) {
        IORegistry r = registry;
        IOServiceManager m = r == null ? null : r.manager();
        if (m == null) {
            return;
        }
        String text;
        try {
            text = String.format(java.util.Locale.ROOT, format, args);
        } catch (java.util.IllegalFormatException e) {
            text = format + " " + java.util.Arrays.toString(args) + " (bad format: " + e.getMessage() + ")";
        }
        m.debugLog(this, bits & debugMask, text);
    }

    /**
     * Terminates this service and, recursively, the clients that agree (phase 1 here, phase 2 on
     * IOTerminate), and waits until phase 2 has finished.
     *
     * @return false if it was already inactive
     */
    public final boolean terminate() {
        return terminate(true);
    }

    /**
     * @param synchronous wait for phase 2 to finish (never wait from inside a lifecycle callback
     *                    of an affected service)
     * @return false if it was already inactive
     */
    public final boolean terminate(boolean synchronous) {
        PrimaryInterruptContext.checkMayBlock("IOService.terminate");
        List<IOService> victims = new ArrayList<>();
        synchronized (state) {
            if (inactive) {
                return false;
            }
            inactive = true;
        }
        victims.add(this);
        List<IOService[]> decliners = new ArrayList<>();
        IORegistry r = registry;
        IOServiceManager m = r == null ? null : r.manager();
        // phase 1, breadth first, on the caller's thread
        for (int i = 0; i < victims.size(); i++) {
            IOService v = victims.get(i);
            if (m != null) {
                m.terminated(v);
            }
            for (IOService client : v.getClients()) {
                boolean agrees;
                try {
                    agrees = client.requestTerminate(v);
                } catch (RuntimeException e) {
                    agrees = true;
                    if (m != null) {
                        m.failure(client, "requestTerminate", e);
                    }
                }
                if (agrees) {
                    if (client.markInactive()) {
                        victims.add(client);
                    }
                } else {
                    decliners.add(new IOService[] {client, v});
                }
            }
        }
        Busy busyMark = beginBusy();
        CountDownLatch done = new CountDownLatch(1);
        Runnable phase2 = () -> {
            try {
                phase2(victims, m);
                for (IOService[] pair : decliners) {
                    pair[0].detach(pair[1]);
                }
            } finally {
                busyMark.close();
                done.countDown();
            }
        };
        if (m == null) {
            phase2.run();
        } else {
            m.runTermination(phase2);
        }
        if (synchronous) {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }

    private boolean markInactive() {
        synchronized (state) {
            if (inactive) {
                return false;
            }
            inactive = true;
            return true;
        }
    }

    private static void phase2(List<IOService> victims, IOServiceManager m) {
        for (IOService v : victims) {
            for (IOService p : v.providers()) {
                call(m, v, "willTerminate", () -> v.willTerminate(p));
            }
        }
        for (int i = victims.size() - 1; i >= 0; i--) {
            IOService v = victims.get(i);
            for (IOService p : v.providers()) {
                call(m, v, "didTerminate", () -> v.didTerminate(p));
            }
        }
        for (int i = victims.size() - 1; i >= 0; i--) {
            IOService v = victims.get(i);
            for (IOService p : v.providers()) {
                IOWorkLoop loop = p.getWorkLoop();
                Runnable stopAndDetach = () -> {
                    if (v.started) {
                        call(m, v, "stop", () -> {
                            v.stop(p);
                            return true;
                        });
                        v.started = false;
                    }
                    v.releaseResources();
                    v.detach(p);
                };
                if (loop != null && !loop.isTerminated()) {
                    loop.runAction(() -> {
                        stopAndDetach.run();
                        return IOReturn.SUCCESS;
                    });
                } else {
                    stopAndDetach.run();
                }
            }
            if (v.providers().isEmpty()) {
                v.releaseResources();
            }
        }
    }

    private List<IOService> providers() {
        List<IOService> out = new ArrayList<>();
        for (IORegistryEntry e : getParentEntries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService) {
                out.add((IOService) e);
            }
        }
        return out;
    }

    private static void call(IOServiceManager m, IOService v, String what, java.util.function.BooleanSupplier hook) {
        try {
            hook.getAsBoolean();
        } catch (RuntimeException | Error e) {
            if (m != null) {
                m.failure(v, what, e);
            }
        }
    }
}
