package dev.sluice.platform.internal;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.models.DeviceModelFactory;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.IOPlatformExpertDevice;
import dev.sluice.platform.PlatformExpert;
import dev.sluice.platform.devicetree.Boards;
import dev.sluice.platform.devicetree.DevicetreeException;
import dev.sluice.platform.interrupt.InterruptController;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * The platform expert component (immediate): boots the board at activation, tracks the
 * {@link DeviceModelFactory} services (they may come and go at any time) and takes the board
 * out of the registry at deactivation, when every model is closed and every platform thread
 * ({@code cpuN}, {@code IOWorkLoop-platform}, {@code model-*}) has ended.
 *
 * <p>The board comes from framework property {@value PlatformExpert#BOARD_PROPERTY} or is the
 * embedded default; file backends of models live under {@code ${sluice.home}/var}, or
 * {@code ./var} without {@code sluice.home} (created if missing).
 *
 * <p>Threads: activation and deactivation run on SCR's thread; factory arrivals and departures
 * on the thread that (un)registers the factory; loads on the caller's. One lock serialises them
 * all; the queries read volatile snapshots and never wait for it.
 */
@Component(service = PlatformExpert.class, immediate = true)
public final class PlatformExpertImpl implements PlatformExpert {

    private final Object lock = new Object();
    private final IORegistry registry;
    private final Logger log;
    private final Path baseDirectory;
    private final ServiceTracker<DeviceModelFactory, FactoryHandle> tracker;
    private final List<FactoryHandle> factories = new ArrayList<>();
    private volatile Platform platform;
    private volatile LoadedBoard board;
    private volatile DevicetreeException loadError;

    /**
     * Boots the board named by {@value PlatformExpert#BOARD_PROPERTY}, or the default one.
     * A broken board is logged at ERROR and kept as {@link #loadError()}; the component still
     * activates, with no board.
     */
    @Activate
    public PlatformExpertImpl(BundleContext context, @Reference IORegistry registry,
            @Reference(service = LoggerFactory.class) Logger log) {
        this.registry = registry;
        this.log = log;
        String home = context.getProperty("sluice.home");
        this.baseDirectory = (home == null ? Path.of("var") : Path.of(home, "var")).toAbsolutePath().normalize();
        try {
            Files.createDirectories(baseDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the device models' base directory " + baseDirectory, e);
        }
        this.tracker = new ServiceTracker<>(context, DeviceModelFactory.class, new Customizer(context));
        tracker.open();
        String file = context.getProperty(BOARD_PROPERTY);
        try {
            if (file == null || file.isBlank()) {
                loadEmbedded(Boards.DEFAULT_BOARD);
            } else {
                load(Path.of(file));
            }
        } catch (DevicetreeException e) {
            // logged by install; the kernel runs on without a board
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            Platform p = platform;
            platform = null;
            if (p != null) {
                p.close();
                log.info("board {} taken down", p.plan().board.source());
            }
        }
        tracker.close();
    }

    @Override
    public Optional<LoadedBoard> board() {
        return Optional.ofNullable(board);
    }

    @Override
    public Optional<DevicetreeException> loadError() {
        return Optional.ofNullable(loadError);
    }

    @Override
    public Optional<IOPlatformExpertDevice> platformDevice() {
        Platform p = platform;
        return p == null ? Optional.empty() : Optional.of(p.device());
    }

    @Override
    public List<IOPlatformDevice> devices() {
        Platform p = platform;
        return p == null ? List.of() : p.nubs();
    }

    @Override
    public LoadedBoard load(Path file) throws DevicetreeException {
        synchronized (lock) {
            return install(() -> BoardLoader.load(file));
        }
    }

    @Override
    public LoadedBoard loadEmbedded(String name) throws DevicetreeException {
        synchronized (lock) {
            return install(() -> BoardLoader.embedded(name));
        }
    }

    @Override
    public Optional<InterruptController> interruptController() {
        Platform p = platform;
        return p == null ? Optional.empty() : Optional.of(p.interruptController());
    }

    /** @return the controller lines the running board configures; empty without a board */
    java.util.Set<Integer> boardLines() {
        Platform p = platform;
        return p == null ? java.util.Set.of() : p.boardLines();
    }

    /** @return one block of lines per device node; empty without a board */
    List<String> describeDevices() {
        Platform p = platform;
        return p == null ? List.of() : p.describeDevices();
    }

    private interface Source {
        LoadedBoard read() throws DevicetreeException;
    }

    /** Parses and validates, and only then replaces the running board. Caller holds the lock. */
    private LoadedBoard install(Source source) throws DevicetreeException {
        PlatformPlan plan;
        try {
            plan = PlatformPlan.validate(source.read());
        } catch (DevicetreeException e) {
            loadError = e;
            log.error("board not loaded: {}", e.getMessage());
            throw e;
        }
        Platform old = platform;
        if (old != null) {
            platform = null;
            board = null;
            old.close();
        }
        Platform p = new Platform(plan, registry, log, baseDirectory, List.copyOf(factories));
        platform = p;
        board = plan.board;
        loadError = null;
        log.info("board {} loaded: {} devices, {} published, {} interrupt lines, {} cpus, {} MiB RAM at 0x{}",
                plan.board.source(), plan.devices.size(), p.nubs().size(), plan.lineCount, plan.cpuCount,
                plan.memorySize >> 20, Long.toHexString(plan.memoryBase));
        return plan.board;
    }

    /** Keeps {@link #factories} sorted, best ranked first, and tells the running platform. */
    private final class Customizer implements ServiceTrackerCustomizer<DeviceModelFactory, FactoryHandle> {
        private final BundleContext context;

        Customizer(BundleContext context) {
            this.context = context;
        }

        @Override
        public FactoryHandle addingService(ServiceReference<DeviceModelFactory> reference) {
            DeviceModelFactory f = context.getService(reference);
            if (f == null) {
                return null;
            }
            FactoryHandle h = FactoryHandle.of(reference, f);
            synchronized (lock) {
                factories.add(h);
                Collections.sort(factories);
                Platform p = platform;
                if (p != null) {
                    p.factoryAdded(List.copyOf(factories));
                }
            }
            return h;
        }

        @Override
        public void modifiedService(ServiceReference<DeviceModelFactory> reference, FactoryHandle handle) {
            // compatible lists are fixed at registration by the factories this platform knows
        }

        @Override
        public void removedService(ServiceReference<DeviceModelFactory> reference, FactoryHandle handle) {
            synchronized (lock) {
                factories.remove(handle);
                Platform p = platform;
                if (p != null) {
                    p.factoryRemoved(handle, List.copyOf(factories));
                }
            }
            context.ungetService(reference);
        }
    }
}
