package dev.sluice.kernel.internal.service;

import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOMatching;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.registry.IOServiceManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The kernel's matching engine and termination driver for one registry (SEMANTICS S58-S68).
 * Matching runs on {@code IOConfig-N} threads, one nub at a time per nub; phase 2 of
 * termination runs on the single {@code IOTerminate} thread. OSGi specifics (class loading from
 * driver bundles, publication) are behind {@link Host} so the engine runs in unit tests too.
 */
public final class MatchingEngine implements IOServiceManager, IOCatalogue.Listener {

    /** What the engine needs from its surroundings. */
    public interface Host {
        /** Loads and instantiates the driver class of a personality. */
        IOService instantiate(IOPersonality personality) throws Exception;

        /** Publishes a registered service (OSGi service registry); called on the registering thread. */
        void publish(IOService service);

        /** Withdraws a published service; called in termination phase 1. */
        void unpublish(IOService service);

        /** Reports a driver failure. */
        void failure(IOService service, String what, Throwable cause);

        /** Informational log line. */
        void info(String message);

        /** Publishes a client front's proxy as an OSGi service; returns the handle that withdraws it. */
        default AutoCloseable publishFront(IOService nub, Class<?> iface, Object proxy) {
            return () -> { };
        }

        /**
         * @return true if the bundle is being stopped transiently (update, uninstall, shutdown:
         * it stays persistently started), false for a plain stop
         */
        default boolean isTransientStop(long bundleId) {
            return false;
        }

        /** Runs {@code action} once the bundle is STARTED again or UNINSTALLED (at once if neither can happen). */
        default void whenSettled(long bundleId, Runnable action) {
            action.run();
        }
    }

    /** Per-driver debug logging (seed 003): masks from configuration and the sink of debug messages. */
    public interface DebugSupport {
        /** Sets a new driver's debug mask if configuration names its personality or IOName. */
        void configure(IOService driver);

        /** Logs a debug message of {@code service}. */
        void log(IOService service, long bits, String message);
    }

    private record FrontKey(IOService nub, String iface) {
    }

    private volatile DebugSupport debugSupport;

    private final Map<FrontKey, ClientFront<?>> fronts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<ClientFront<?>, AutoCloseable> frontRegistrations = new java.util.concurrent.ConcurrentHashMap<>();

    private final IORegistry registry;
    private final dev.sluice.kernel.workloop.IOTimerService timers = new dev.sluice.kernel.workloop.IOTimerService("IOTimer");
    private final List<dev.sluice.kernel.workloop.IOWorkLoop> loops = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile dev.sluice.kernel.workloop.IOWorkLoopWatchdog watchdog;
    private final Supplier<Collection<IOPersonality>> catalogue;
    private final Host host;
    private final ThreadPoolExecutor config;
    private final ExecutorService terminator;
    private final Map<IOService, Object> matchLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Notifier> notifiers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public MatchingEngine(IORegistry registry, Supplier<Collection<IOPersonality>> catalogue, Host host) {
        this.registry = registry;
        this.catalogue = catalogue;
        this.host = host;
        AtomicInteger n = new AtomicInteger();
        this.config = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "IOConfig-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.config.allowCoreThreadTimeOut(true);
        this.terminator = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "IOTerminate");
            t.setDaemon(true);
            return t;
        });
        ((ThreadPoolExecutor) terminator).allowCoreThreadTimeOut(true);
        registry.setManager(this);
    }

    /** @return the registry this engine manages */
    public IORegistry registry() {
        return registry;
    }

    /** Starts reporting loops whose gate is held longer than {@code budgetMillis}, and cross-loop deadlocks. */
    public void startWatchdog(long budgetMillis, java.util.function.Consumer<dev.sluice.kernel.workloop.IOWorkLoopWatchdog.Report> sink) {
        watchdog = dev.sluice.kernel.workloop.IOWorkLoopWatchdog.start(budgetMillis, Math.max(10, budgetMillis / 4),
                TimeUnit.MILLISECONDS, report -> {
                    for (dev.sluice.kernel.workloop.IOWorkLoop l : report.loops()) {
                        stallCounts.computeIfAbsent(l, k -> new AtomicInteger()).incrementAndGet();
                    }
                    sink.accept(report);
                });
        loops.forEach(watchdog::watch);
    }

    @Override
    public dev.sluice.kernel.workloop.IOTimerService timerService() {
        return timers;
    }

    @Override
    public void watch(dev.sluice.kernel.workloop.IOWorkLoop loop) {
        loops.add(loop);
        dev.sluice.kernel.workloop.IOWorkLoopWatchdog w = watchdog;
        if (w != null) {
            w.watch(loop);
        }
    }

    @Override
    public void unwatch(dev.sluice.kernel.workloop.IOWorkLoop loop) {
        loops.remove(loop);
        dev.sluice.kernel.workloop.IOWorkLoopWatchdog w = watchdog;
        if (w != null) {
            w.unwatch(loop);
        }
    }

    private final Map<dev.sluice.kernel.workloop.IOWorkLoop, AtomicInteger> stallCounts =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    @Override
    public long stalls(dev.sluice.kernel.workloop.IOWorkLoop loop) {
        AtomicInteger n = stallCounts.get(loop);
        return n == null ? 0 : n.get();
    }

    @Override
    public List<dev.sluice.kernel.workloop.IOWorkLoop> workLoops() {
        return List.copyOf(loops);
    }

    /** Stops the engine's threads after the work queued so far. */
    public void shutdown() {
        dev.sluice.kernel.workloop.IOWorkLoopWatchdog w = watchdog;
        if (w != null) {
            w.close();
        }
        timers.close();
        registry.setManager(null);
        config.shutdown();
        terminator.shutdown();
        try {
            config.awaitTermination(10, TimeUnit.SECONDS);
            terminator.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Installs (or with null removes) the debug-logging support; drivers' debug messages are dropped without it. */
    public void setDebugSupport(DebugSupport support) {
        this.debugSupport = support;
    }

    private void configureDebug(IOService driver) {
        DebugSupport d = debugSupport;
        if (d != null) {
            try {
                d.configure(driver);
            } catch (RuntimeException e) {
                host.failure(driver, "applying its configured debug mask", e);
            }
        }
    }

    // ============================================================ IOServiceManager

    @Override
    public void debugLog(IOService service, long bits, String message) {
        DebugSupport d = debugSupport;
        if (d != null) {
            d.log(service, bits, message);
        }
    }

    @Override
    public void registerService(IOService service) {
        host.publish(service);
        for (Notifier n : notifiers) {
            n.offer(service);
        }
        scheduleMatch(service);
    }

    private void scheduleMatch(IOService service) {
        scheduleMatch(service, null);
    }

    private void scheduleMatch(IOService service, Runnable after) {
        IOService.Busy busy = service.beginBusy();
        try {
            config.execute(() -> {
                try {
                    match(service);
                    if (after != null) {
                        after.run();
                    }
                } finally {
                    busy.close();
                }
            });
        } catch (RuntimeException rejected) {
            busy.close();
        }
    }

    @Override
    public void terminated(IOService service) {
        for (Map.Entry<FrontKey, ClientFront<?>> e : fronts.entrySet()) {
            if (e.getKey().nub() == service) {
                retire(e.getKey(), e.getValue());
            }
        }
        host.unpublish(service);
        matchLocks.remove(service);
        for (Notifier n : notifiers) {
            n.terminated(service);
        }
    }

    @Override
    public <T> void provideInterface(IOService driver, Class<T> iface, T implementation) {
        IOService nub = driver.getProvider();
        FrontKey key = new FrontKey(nub, iface.getName());
        ClientFront<?> existing = fronts.get(key);
        if (existing != null && existing.iface() != iface) {
            retire(key, existing); // the interface's class changed: clients of the old one cannot call the new
            existing = null;
        }
        @SuppressWarnings("unchecked")
        ClientFront<T> front = (ClientFront<T>) existing;
        boolean created = false;
        if (front == null) {
            ClientFront<T> fresh = new ClientFront<>(nub, iface);
            @SuppressWarnings("unchecked")
            ClientFront<T> raced = (ClientFront<T>) fronts.putIfAbsent(key, fresh);
            front = raced != null ? raced : fresh;
            created = raced == null;
        }
        ClientFront<T> attached = front;
        attached.attach(driver, implementation);
        if (created) {
            // Published only once the driver is attached: a client that finds the service can call it.
            frontRegistrations.put(attached, host.publishFront(nub, iface, attached.proxy()));
        }
        driver.manage(() -> {
            attached.detach(driver);
            if (!attached.isSwapping()) {
                retire(key, attached);
            }
        });
    }

    private void retire(FrontKey key, ClientFront<?> front) {
        if (fronts.remove(key, front)) {
            AutoCloseable reg = frontRegistrations.remove(front);
            if (reg != null) {
                try {
                    reg.close();
                } catch (Exception e) {
                    host.failure(key.nub(), "withdrawing the " + key.iface() + " front", e);
                }
            }
            front.retire();
        }
    }

    /** @return the client fronts published for a nub (diagnostics) */
    public List<String> frontsOf(IOService nub) {
        List<String> out = new ArrayList<>();
        fronts.keySet().forEach(k -> {
            if (k.nub() == nub) {
                out.add(k.iface());
            }
        });
        return out;
    }

    @Override
    public void runTermination(Runnable phase2) {
        try {
            terminator.execute(phase2);
        } catch (RuntimeException rejected) {
            phase2.run();
        }
    }

    @Override
    public void failure(IOService service, String what, Throwable cause) {
        host.failure(service, what, cause);
    }

    // ============================================================ matching (S58-S62)

    /**
     * Matches drivers to a registered nub: for each match category without an active client,
     * instantiate, init, attach and probe every candidate (S61), then start the best-scored
     * until one succeeds; release the rest (S62). Runs on an IOConfig thread.
     */
    void match(IOService nub) {
        Object lock = matchLocks.computeIfAbsent(nub, k -> new Object());
        synchronized (lock) {
            if (nub.isInactive()) {
                return;
            }
            Map<String, List<IOMatching.Match>> byCategory = new LinkedHashMap<>();
            for (IOMatching.Match m : IOMatching.candidates(catalogue.get(), nub)) {
                byCategory.computeIfAbsent(m.personality().matchCategory(), k -> new ArrayList<>()).add(m);
            }
            for (Map.Entry<String, List<IOMatching.Match>> category : byCategory.entrySet()) {
                if (nub.isInactive()) {
                    return;
                }
                if (hasActiveClient(nub, category.getKey())) {
                    continue; // S60
                }
                matchCategory(nub, category.getKey(), category.getValue());
            }
        }
    }

    private record Probed(IOService driver, IOPersonality personality, long score, long order) {
    }

    private void matchCategory(IOService nub, String category, List<IOMatching.Match> candidates) {
        List<Probed> probed = new ArrayList<>();
        for (IOMatching.Match m : candidates) {
            IOPersonality p = m.personality();
            IOService driver;
            try {
                driver = host.instantiate(p);
            } catch (Throwable e) {
                host.failure(nub, "loading driver " + p.ioClass() + " of personality " + p.name(), e);
                continue;
            }
            Map<String, Object> props = new HashMap<>(p.properties());
            props.put(IOPersonality.IO_MATCH_CATEGORY, category);
            props.put(IOService.IO_PERSONALITY_NAME, p.name());
            props.put(IOService.IO_BUNDLE, p.bundle());
            props.put(IOPersonality.IO_PROBE_SCORE, p.probeScore());
            if (m.nameMatched() != null) {
                props.put(IOMatching.IO_NAME_MATCHED, m.nameMatched());
            }
            driver.setPersonality(p);
            try {
                if (!driver.init(props) || !driver.attach(nub)) {
                    driver.releaseResources();
                    continue;
                }
            } catch (Throwable e) {
                host.failure(driver, "init/attach", e);
                driver.releaseResources();
                continue;
            }
            configureDebug(driver);
            IOProbeScore score = new IOProbeScore(p.probeScore());
            IOService result;
            try {
                result = driver.probe(nub, score);
            } catch (Throwable e) {
                host.failure(driver, "probe", e);
                result = null;
            }
            if (result == null) {
                release(driver, nub);
                continue;
            }
            if (result != driver) {
                release(driver, nub);
                if (!result.attach(nub)) {
                    continue;
                }
                result.setPersonality(p);
            }
            probed.add(new Probed(result, p, score.get(), p.order()));
        }
        probed.sort(Comparator.comparingLong(Probed::score).reversed().thenComparingLong(Probed::order));
        IOService winner = null;
        for (Probed c : probed) {
            if (winner != null || nub.isInactive()) {
                release(c.driver(), nub);
                continue;
            }
            boolean ok;
            try {
                ok = c.driver().start(nub);
            } catch (Throwable e) {
                host.failure(c.driver(), "start", e);
                ok = false;
            }
            if (ok) {
                c.driver().markStarted(c.personality());
                configureDebug(c.driver()); // start may have renamed it
                winner = c.driver();
                host.info("matched " + c.personality().name() + " (score " + c.score() + ", bundle "
                        + c.personality().bundle() + ") to " + nub.getPathComponent());
            } else {
                release(c.driver(), nub);
            }
        }
    }

    private static void release(IOService driver, IOService nub) {
        driver.releaseResources();
        driver.detach(nub);
    }

    private static boolean hasActiveClient(IOService nub, String category) {
        for (IOService client : nub.getClients()) {
            if (!client.isInactive() && client.isStarted()
                    && category.equals(String.valueOf(client.getProperty(IOPersonality.IO_MATCH_CATEGORY)))) {
                return true;
            }
        }
        return false;
    }

    // ============================================================ catalogue changes (S66)

    /** A driver bundle started: re-run matching for every registered, active service. */
    @Override
    public void personalitiesAdded(List<IOPersonality> added) {
        for (IOService s : registeredServices()) {
            scheduleMatch(s);
        }
    }

    /**
     * A driver bundle is stopping (on the framework's thread, before its classes go away). Every
     * client front its drivers serve is put on hold (new calls wait, calls in flight drain), then
     * those drivers terminate. If the bundle stops for good (a plain stop), their nubs are offered
     * at once to the remaining personalities (S66). If it stops transiently (update, uninstall),
     * that rematch waits until it is STARTED again or UNINSTALLED, so an updated driver takes its
     * devices back without a fallback driver in between. Fronts that no driver took back after
     * the rematch are retired.
     */
    @Override
    public void personalitiesRemoved(List<IOPersonality> removed) {
        if (removed.isEmpty()) {
            return;
        }
        List<IOService> nubs = new ArrayList<>();
        List<IOService> victims = new ArrayList<>();
        for (IOService s : allServices()) {
            IOPersonality p = s.personality();
            if (p != null && removed.contains(p) && !s.isInactive() && !victims.contains(s)) {
                victims.add(s);
            }
        }
        List<Map.Entry<FrontKey, ClientFront<?>>> held = new ArrayList<>();
        for (Map.Entry<FrontKey, ClientFront<?>> e : fronts.entrySet()) {
            if (victims.contains(e.getValue().driver())) {
                e.getValue().beginSwap();
                held.add(e);
            }
        }
        for (IOService v : victims) {
            IOService nub = v.getProvider();
            v.terminate(true);
            if (nub != null && !nubs.contains(nub)) {
                nubs.add(nub);
            }
        }
        Runnable rematch = () -> {
            for (IOService nub : nubs) {
                if (nub.isRegistered() && !nub.isInactive()) {
                    scheduleMatch(nub, () -> retireUnclaimed(held, nub));
                } else {
                    retireUnclaimed(held, nub);
                }
            }
        };
        long bundleId = removed.get(0).bundleId();
        if (host.isTransientStop(bundleId)) {
            host.whenSettled(bundleId, rematch);
        } else {
            rematch.run();
        }
    }

    private void retireUnclaimed(List<Map.Entry<FrontKey, ClientFront<?>>> held, IOService nub) {
        for (Map.Entry<FrontKey, ClientFront<?>> e : held) {
            if (e.getKey().nub() == nub && e.getValue().isSwapping()) {
                retire(e.getKey(), e.getValue());
            }
        }
    }

    /** @return every IOService reachable in the service plane */
    public List<IOService> allServices() {
        List<IOService> out = new ArrayList<>();
        for (IORegistryEntry e : registry.entries(IORegistryPlane.SERVICE)) {
            if (e instanceof IOService && !out.contains(e)) {
                out.add((IOService) e);
            }
        }
        return out;
    }

    private List<IOService> registeredServices() {
        List<IOService> out = new ArrayList<>();
        for (IOService s : allServices()) {
            if (s.isRegistered() && !s.isInactive()) {
                out.add(s);
            }
        }
        return out;
    }

    // ============================================================ matching notifications (S65)

    /**
     * Adds a notification handler: it is called at once (on this thread) for every registered
     * service that {@code filter} accepts, then for each newly registered one (on the
     * registering thread), and {@code terminated} for each that terminates.
     */
    public Notifier addNotification(java.util.function.Predicate<IOService> filter,
            java.util.function.Consumer<IOService> published, java.util.function.Consumer<IOService> terminated) {
        Notifier n = new Notifier(filter, published, terminated);
        notifiers.add(n);
        for (IOService s : registeredServices()) {
            n.offer(s);
        }
        return n;
    }

    /** A matching-notification registration; {@link #remove()} waits for calls in progress. */
    public final class Notifier {
        private final java.util.function.Predicate<IOService> filter;
        private final java.util.function.Consumer<IOService> published;
        private final java.util.function.Consumer<IOService> terminated;
        private final java.util.concurrent.locks.ReentrantReadWriteLock calls = new java.util.concurrent.locks.ReentrantReadWriteLock();
        private final java.util.Set<IOService> seen = java.util.Collections.newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());
        private volatile boolean removed;

        Notifier(java.util.function.Predicate<IOService> filter, java.util.function.Consumer<IOService> published,
                java.util.function.Consumer<IOService> terminated) {
            this.filter = filter;
            this.published = published;
            this.terminated = terminated;
        }

        void offer(IOService s) {
            calls.readLock().lock();
            try {
                if (!removed && filter.test(s) && seen.add(s)) {
                    published.accept(s);
                }
            } finally {
                calls.readLock().unlock();
            }
        }

        void terminated(IOService s) {
            calls.readLock().lock();
            try {
                if (!removed && seen.remove(s) && terminated != null) {
                    terminated.accept(s);
                }
            } finally {
                calls.readLock().unlock();
            }
        }

        /**
         * Stops notifications and waits until calls in progress on other threads have returned
         * (S65). Called from inside this notifier's own handler it only stops later calls.
         */
        public void remove() {
            notifiers.remove(this);
            if (calls.getReadHoldCount() > 0) {
                removed = true;
                return;
            }
            calls.writeLock().lock();
            try {
                removed = true;
            } finally {
                calls.writeLock().unlock();
            }
        }
    }
}
