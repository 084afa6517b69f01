package dev.sluice.platform.internal;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryEntry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DeviceModelException;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.IOPlatformExpertDevice;
import dev.sluice.platform.devicetree.DeviceTreeNode;
import dev.sluice.platform.devicetree.DeviceTreeProperty;
import dev.sluice.platform.devicetree.RegEntry;
import dev.sluice.platform.interrupt.InterruptController;
import dev.sluice.platform.internal.PlatformPlan.DevicePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.log.Logger;

/**
 * One loaded board, built from a validated {@link PlatformPlan}: guest RAM and its DMA
 * allocator, the shared device clock, the interrupt controller, the {@code IODeviceTree} plane
 * (one entry per node under the {@link IOPlatformExpertDevice}), and one slot per device node
 * that holds its {@link IOPlatformDevice} nub once a model factory has built its model.
 *
 * <h2>Nubs and factories</h2>
 * Until a factory for a device node is available, the node's {@code IODeviceTree} entry is a
 * plain registry entry. When one arrives, the model is built and a nub replaces that entry (same
 * place among its siblings), attached under the platform device and registered, so drivers
 * always find a nub with its model. A factory that throws gives a nub without a model (logged
 * with the node and the cause). When the factory goes away its nubs are terminated (their
 * drivers stop), their models closed and the plain entries put back; another factory, or the same
 * one coming back, builds new models and new nubs (a terminated nub is never reused).
 *
 * <p>Threads: the methods are called by {@link PlatformExpertImpl} under its lock; {@link #nubs()}
 * may be read by any thread.
 */
final class Platform {

    private static final IORegistryPlane DT = IORegistryPlane.DEVICE_TREE;

    /** One device node and what currently stands for it. */
    private static final class Slot {
        final DevicePlan plan;
        IORegistryEntry entry;
        IOPlatformDevice nub;
        DeviceModel model;
        FactoryHandle factory;
        final List<InterruptLine> pins = new ArrayList<>();

        Slot(DevicePlan plan) {
            this.plan = plan;
        }
    }

    private final PlatformPlan plan;
    private final IORegistry registry;
    private final Logger log;
    private final Path baseDirectory;
    private final GuestMemory memory;
    private final DmaAllocator dma;
    private final SystemDeviceClock clock;
    private final InterruptController interrupts;
    private final Map<Integer, WiredOrLine> wires = new TreeMap<>();
    private final IOPlatformExpertDevice device;
    private final Map<DeviceTreeNode, IORegistryEntry> entries = new IdentityHashMap<>();
    private final List<Slot> slots = new ArrayList<>();
    private volatile List<IOPlatformDevice> nubs = List.of();
    private boolean closed;

    /**
     * Builds the board into the registry and binds every device node the given factories build.
     *
     * @param plan          the validated board
     * @param registry      the kernel's registry
     * @param log           where problems go
     * @param baseDirectory the models' base directory for file backends (exists)
     * @param factories     the factories available now, best ranked first
     */
    Platform(PlatformPlan plan, IORegistry registry, Logger log, Path baseDirectory, List<FactoryHandle> factories) {
        this.plan = plan;
        this.registry = registry;
        this.log = log;
        this.baseDirectory = baseDirectory;
        this.memory = new GuestMemory(plan.memoryBase, plan.memorySize);
        this.dma = new DmaAllocator(memory);
        this.clock = new SystemDeviceClock();
        this.interrupts = new InterruptController(plan.controller == null ? "intc" : plan.controller.name(),
                plan.lineCount, plan.cpuCount, problem -> log.warn("interrupt controller: {}", problem));
        plan.lineTypes.forEach(this.interrupts::configure);
        DeviceTreeNode root = plan.board.tree().root();
        device = new IOPlatformExpertDevice(plan.platformName, plan.board.tree(), plan.board.source(),
                plan.propertiesOf(root));
        device.attachToRoot(registry);
        device.attachToParent(registry.root(), DT);
        entries.put(root, device);
        Map<DeviceTreeNode, Slot> byNode = new IdentityHashMap<>();
        for (DevicePlan d : plan.devices) {
            Slot s = new Slot(d);
            slots.add(s);
            byNode.put(d.node(), s);
        }
        for (DeviceTreeNode n : plan.board.tree().nodes()) {
            if (n.isRoot()) {
                continue;
            }
            IORegistryEntry e = new IORegistryEntry(n.baseName(), n.unitAddress().orElse(null));
            e.setProperties(plan.propertiesOf(n));
            e.attachToParent(entries.get(n.parent().orElseThrow()), DT);
            entries.put(n, e);
            Slot s = byNode.get(n);
            if (s != null) {
                s.entry = e;
            }
        }
        device.registerService();
        for (Slot s : slots) {
            FactoryHandle f = FactoryHandle.choose(s.plan.compatible(), factories);
            if (f != null) {
                bind(s, f);
            }
        }
        refreshNubs();
    }

    /** @return the plan this platform was built from */
    PlatformPlan plan() {
        return plan;
    }

    /** @return the root service */
    IOPlatformExpertDevice device() {
        return device;
    }

    /** @return the nubs that exist now, in tree order */
    List<IOPlatformDevice> nubs() {
        return nubs;
    }

    /** @return the platform's interrupt controller */
    InterruptController interruptController() {
        return interrupts;
    }

    /** @return the controller lines the board configures, ascending */
    java.util.Set<Integer> boardLines() {
        return plan.lineTypes.keySet();
    }

    /**
     * @return one line per device node: path, compatible, state (model class, waiting for a
     *         factory, or the model error) and the model's own status lines, indented
     */
    List<String> describeDevices() {
        List<String> out = new ArrayList<>();
        for (Slot s : slots) {
            String state;
            if (s.nub == null) {
                state = "no model factory for " + s.plan.compatible() + " yet";
            } else if (s.model == null) {
                state = "no model: " + s.nub.modelError().orElse("?");
            } else {
                state = s.model.getClass().getSimpleName();
            }
            out.add(s.plan.node().path() + "  " + s.plan.compatible() + "  " + state
                    + (s.nub != null && !s.nub.getClients().isEmpty() ? "  driver " + s.nub.getClients().get(0).getName() : ""));
            if (s.model != null) {
                try {
                    for (String l : s.model.describe()) {
                        out.add("    " + l);
                    }
                } catch (RuntimeException e) {
                    out.add("    describe() failed: " + e);
                }
            }
        }
        return out;
    }

    /** A factory service arrived: build the nodes that have none and that it serves best. */
    void factoryAdded(List<FactoryHandle> factories) {
        if (closed) {
            return;
        }
        for (Slot s : slots) {
            if (s.nub == null) {
                FactoryHandle f = FactoryHandle.choose(s.plan.compatible(), factories);
                if (f != null) {
                    bind(s, f);
                }
            }
        }
        refreshNubs();
    }

    /**
     * A factory service is going away: unplug its devices, then rebind them with what is left.
     *
     * @param gone      the departing factory
     * @param remaining the factories that stay, best ranked first
     */
    void factoryRemoved(FactoryHandle gone, List<FactoryHandle> remaining) {
        if (closed) {
            return;
        }
        for (Slot s : slots) {
            if (s.factory != null && s.factory.reference().equals(gone.reference())) {
                unplug(s);
                FactoryHandle f = FactoryHandle.choose(s.plan.compatible(), remaining);
                if (f != null) {
                    bind(s, f);
                }
            }
        }
        refreshNubs();
    }

    private void bind(Slot s, FactoryHandle f) {
        DeviceTreeNode node = s.plan.node();
        DeviceModelContext.Builder b = DeviceModelContext.builder(node.name())
                .path(node.path())
                .compatible(s.plan.compatible().toArray(String[]::new))
                .guestMemory(memory)
                .clock(clock)
                .baseDirectory(baseDirectory)
                .threadFactory(DeviceModelContext.ioThreadFactory(node.name()));
        for (RegEntry r : s.plan.regs()) {
            b.reg(r.address(), r.size());
        }
        for (int line : s.plan.lines()) {
            InterruptLine pin = wires.computeIfAbsent(line, l -> new WiredOrLine(interrupts.line(l))).pin();
            s.pins.add(pin);
            b.interrupt(pin);
        }
        for (DeviceTreeProperty p : node.properties()) {
            b.property(p.name(), p.asBytes());
        }
        s.plan.backend().ifPresent(b::backend);
        DeviceModel model = null;
        String error = null;
        try {
            model = f.factory().create(b.build());
            if (model == null) {
                error = "factory " + f.describe() + " returned no model";
            }
        } catch (DeviceModelException | RuntimeException e) {
            error = String.valueOf(e.getMessage());
        }
        if (model == null) {
            log.error("device model for {} (compatible {}) failed: {}; its nub is published without a model",
                    node.path(), s.plan.compatible(), error);
            s.pins.forEach(InterruptLine::lower);
        }
        IOPlatformDevice nub = new IOPlatformDevice(node, s.plan.properties(), model, error, memory, dma,
                interrupts.provider(node.name(), s.plan.lines()));
        replace(s.entry, nub);
        s.entry = nub;
        s.nub = nub;
        s.model = model;
        s.factory = f;
        nub.attach(device);
        nub.registerService();
        log.debug("{}: model {} from {}", node.path(), model == null ? "none" : model.getClass().getName(), f.describe());
    }

    private void unplug(Slot s) {
        IOPlatformDevice nub = s.nub;
        nub.terminate(true);
        IORegistryEntry plain = new IORegistryEntry(nub.getName(), nub.getLocation());
        plain.setProperties(plan.propertiesOf(s.plan.node()));
        replace(nub, plain);
        s.entry = plain;
        s.nub = null;
        s.factory = null;
        closeModel(s);
        log.info("{}: model factory gone; device unplugged", s.plan.node().path());
    }

    private void closeModel(Slot s) {
        DeviceModel m = s.model;
        s.model = null;
        if (m != null) {
            try {
                m.close();
            } catch (RuntimeException e) {
                log.error("closing the model of {} failed: {}", s.plan.node().path(), e.toString());
            }
        }
        s.pins.forEach(InterruptLine::lower);
        s.pins.clear();
    }

    /**
     * Puts {@code replacement} where {@code old} is in the {@code IODeviceTree} plane: same parent,
     * same place among its siblings, the same children.
     */
    private void replace(IORegistryEntry old, IORegistryEntry replacement) {
        IORegistryEntry parent = old.getParentEntry(DT);
        List<IORegistryEntry> siblings = parent.getChildEntries(DT);
        int at = siblings.indexOf(old);
        List<IORegistryEntry> after = siblings.subList(at + 1, siblings.size());
        old.detachFromParent(parent, DT);
        after.forEach(e -> e.detachFromParent(parent, DT));
        replacement.attachToParent(parent, DT);
        after.forEach(e -> e.attachToParent(parent, DT));
        for (IORegistryEntry child : old.getChildEntries(DT)) {
            child.detachFromParent(old, DT);
            child.attachToParent(replacement, DT);
        }
    }

    private void refreshNubs() {
        List<IOPlatformDevice> out = new ArrayList<>();
        for (Slot s : slots) {
            if (s.nub != null) {
                out.add(s.nub);
            }
        }
        nubs = List.copyOf(out);
    }

    /**
     * Takes the board out of the registry and releases everything: terminates the platform
     * device (its nubs and their drivers stop, the platform work loop ends), removes the
     * {@code IODeviceTree} entries, closes the models, the interrupt controller (its {@code cpuN}
     * threads end) and the device clock. Idempotent.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        device.terminate(true);
        List<IORegistryEntry> tree = new ArrayList<>();
        registry.walk(device, DT, tree::add);
        tree.forEach(IORegistryEntry::detachAll);
        for (Slot s : slots) {
            if (s.nub != null) {
                s.nub.detachAll();
                registry.untrack(s.nub);
            }
        }
        registry.untrack(device);
        for (Slot s : slots) {
            closeModel(s);
        }
        nubs = List.of();
        interrupts.close();
        clock.close();
    }
}
