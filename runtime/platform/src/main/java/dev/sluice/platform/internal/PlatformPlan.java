package dev.sluice.platform.internal;

import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.models.BackendSpec;
import dev.sluice.models.GuestMemory;
import dev.sluice.platform.PlatformExpert.LoadedBoard;
import dev.sluice.platform.devicetree.DeviceTree;
import dev.sluice.platform.devicetree.DeviceTreeNode;
import dev.sluice.platform.devicetree.DeviceTreeProperty;
import dev.sluice.platform.devicetree.DevicetreeException;
import dev.sluice.platform.devicetree.InterruptSpecifier;
import dev.sluice.platform.devicetree.RegEntry;
import dev.sluice.platform.devicetree.SourceLocation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A board that passed validation: everything the platform needs to build the registry, the
 * interrupt controller and the models, already decoded, so that building cannot fail on the
 * board. {@link #validate} is the only way to make one; it reads the whole board and throws the
 * first problem as a located {@link DevicetreeException}. Immutable.
 *
 * <p>Rules beyond the Devicetree syntax: at most one enabled {@code sluice,intc} controller
 * ({@code sluice,num-lines}, default 64, 1..1024); a {@code memory} node with a {@code reg} that
 * {@link GuestMemory} accepts; every device's {@code reg} sizes positive; every interrupt wired
 * to that controller on an existing line; a line shared by several devices has one trigger type;
 * every {@code sluice,backend} parses.
 */
final class PlatformPlan {

    /** {@code compatible} of the one interrupt controller the platform implements. */
    static final String CONTROLLER_COMPATIBLE = "sluice,intc";
    static final int DEFAULT_LINES = 64;
    static final int MAX_LINES = 1024;

    /**
     * One device node that becomes a nub.
     *
     * @param node       the node
     * @param compatible its compatible list, most specific first
     * @param regs       its register windows
     * @param lines      its controller lines, in {@code interrupts} order
     * @param backend    its parsed {@code sluice,backend}
     * @param properties its registry properties
     */
    record DevicePlan(DeviceTreeNode node, List<String> compatible, List<RegEntry> regs, int[] lines,
            Optional<BackendSpec> backend, Map<String, Object> properties) {
    }

    final LoadedBoard board;
    final String platformName;
    final DeviceTreeNode controller;
    final int lineCount;
    final int cpuCount;
    final long memoryBase;
    final long memorySize;
    final Map<Integer, InterruptType> lineTypes;
    final List<DevicePlan> devices;
    private final Map<DeviceTreeNode, Map<String, Object>> properties;

    private PlatformPlan(LoadedBoard board, String platformName, DeviceTreeNode controller, int lineCount, int cpuCount,
            long memoryBase, long memorySize, Map<Integer, InterruptType> lineTypes, List<DevicePlan> devices,
            Map<DeviceTreeNode, Map<String, Object>> properties) {
        this.board = board;
        this.platformName = platformName;
        this.controller = controller;
        this.lineCount = lineCount;
        this.cpuCount = cpuCount;
        this.memoryBase = memoryBase;
        this.memorySize = memorySize;
        this.lineTypes = Collections.unmodifiableMap(lineTypes);
        this.devices = List.copyOf(devices);
        this.properties = properties;
    }

    /** @return the registry properties of any node of the board */
    Map<String, Object> propertiesOf(DeviceTreeNode node) {
        return properties.get(node);
    }

    /**
     * Reads and checks the whole board.
     *
     * @param board a parsed board
     * @return the plan
     * @throws DevicetreeException at the first problem, naming file, line and column
     */
    static PlatformPlan validate(LoadedBoard board) throws DevicetreeException {
        DeviceTree tree = board.tree();
        DeviceTreeNode root = tree.root();
        List<String> rootCompatible = root.compatible();
        String name = rootCompatible.isEmpty() ? "platform" : rootCompatible.get(0).replace('/', '_').replace(':', '_');
        if (name.isEmpty()) {
            name = "platform";
        }

        DeviceTreeNode controller = null;
        for (DeviceTreeNode n : tree.nodes()) {
            if (n.isCompatible(CONTROLLER_COMPATIBLE) && n.isEnabled()) {
                if (controller != null) {
                    throw new DevicetreeException(n.location(), "node " + n.path() + " is a second " + CONTROLLER_COMPATIBLE
                            + " interrupt controller; the platform has one (" + controller.path() + ")");
                }
                controller = n;
            }
        }
        int lineCount = 0;
        if (controller != null) {
            Optional<DeviceTreeProperty> p = controller.property("sluice,num-lines");
            lineCount = p.isEmpty() ? DEFAULT_LINES : (int) Math.min(Integer.MAX_VALUE, p.get().asU32());
            if (lineCount < 1 || lineCount > MAX_LINES) {
                throw at(p.get(), controller, lineCount + " lines is not in 1.." + MAX_LINES);
            }
        }

        int cpus = 0;
        Optional<DeviceTreeNode> cpusNode = root.child("cpus");
        if (cpusNode.isPresent()) {
            for (DeviceTreeNode c : cpusNode.get().children()) {
                Optional<DeviceTreeProperty> type = c.property("device_type");
                if (type.isPresent() && type.get().asString().equals("cpu") && c.isEnabled()) {
                    cpus++;
                }
            }
        }

        DeviceTreeNode memory = null;
        for (DeviceTreeNode c : root.children()) {
            Optional<DeviceTreeProperty> type = c.property("device_type");
            if (type.isPresent() && type.get().asString().equals("memory")) {
                memory = c;
                break;
            }
        }
        if (memory == null) {
            throw new DevicetreeException(root.location(), "the board has no memory node (a child of / with"
                    + " device_type = \"memory\" and a reg): devices need guest RAM for DMA");
        }
        List<RegEntry> ram = memory.reg();
        if (ram.isEmpty()) {
            throw new DevicetreeException(memory.location(), "memory node " + memory.path() + " has no reg");
        }
        long memoryBase = ram.get(0).address();
        long memorySize = ram.get(0).size();
        checkMemory(memory, memoryBase, memorySize);

        Map<DeviceTreeNode, Map<String, Object>> props = new IdentityHashMap<>();
        Map<Integer, InterruptType> lineTypes = new TreeMap<>();
        Map<Integer, DeviceTreeNode> lineOwner = new HashMap<>();
        List<DevicePlan> devices = new ArrayList<>();
        Set<DeviceTreeNode> skipped = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DeviceTreeNode n : tree.nodes()) {
            Map<String, Object> p = registryProperties(n);
            props.put(n, p);
            if (n.isRoot()) {
                continue;
            }
            DeviceTreeNode parent = n.parent().orElseThrow();
            boolean skip = skipped.contains(parent) || !n.isEnabled() || n == controller || n == memory
                    || (parent.isRoot() && List.of("cpus", "chosen", "aliases").contains(n.baseName()));
            if (skip) {
                skipped.add(n);
                continue;
            }
            List<String> compatible = n.compatible();
            if (compatible.isEmpty()) {
                continue;
            }
            List<RegEntry> regs = n.reg();
            for (RegEntry r : regs) {
                if (r.size() <= 0) {
                    throw at(n.property("reg").orElseThrow(), n, "register window " + r + " has no size: a device"
                            + " window needs #size-cells > 0 and a positive size");
                }
            }
            List<InterruptSpecifier> specs = n.interrupts();
            int[] lines = new int[specs.size()];
            for (int i = 0; i < lines.length; i++) {
                InterruptSpecifier s = specs.get(i);
                DeviceTreeProperty where = n.property("interrupts-extended").or(() -> n.property("interrupts")).orElseThrow();
                if (s.controller() != controller) {
                    throw at(where, n, "interrupt " + i + " is wired to " + s.controller().path() + ", which is not the"
                            + " platform's interrupt controller (compatible \"" + CONTROLLER_COMPATIBLE + "\")");
                }
                if (s.line() < 0 || s.line() >= lineCount) {
                    throw at(where, n, "interrupt " + i + " is line " + Integer.toUnsignedString(s.line()) + " but "
                            + controller.path() + " has lines 0.." + (lineCount - 1));
                }
                InterruptType type = s.trigger().flags() == 0 ? InterruptType.LEVEL
                        : InterruptType.fromDevicetreeFlags(s.trigger().flags());
                InterruptType before = lineTypes.putIfAbsent(s.line(), type);
                if (before != null && before != type) {
                    throw at(where, n, "line " + s.line() + " is " + type.name().toLowerCase() + "-triggered here but "
                            + before.name().toLowerCase() + "-triggered for " + lineOwner.get(s.line()).path()
                            + ": devices sharing a line must agree");
                }
                lineOwner.putIfAbsent(s.line(), n);
                lines[i] = s.line();
            }
            Optional<BackendSpec> backend = n.backend();
            Map<String, Object> nub = new LinkedHashMap<>(p);
            nub.put("compatible", compatible);
            List<Long> reg = new ArrayList<>();
            for (RegEntry r : regs) {
                reg.add(r.address());
                reg.add(r.size());
            }
            if (!reg.isEmpty()) {
                nub.put("reg", List.copyOf(reg));
            }
            if (lines.length > 0) {
                List<Long> l = new ArrayList<>();
                for (int line : lines) {
                    l.add((long) line);
                }
                nub.put("interrupts", List.copyOf(l));
            }
            Map<String, Object> frozen = Collections.unmodifiableMap(nub);
            props.put(n, frozen);
            devices.add(new DevicePlan(n, compatible, regs, lines, backend, frozen));
        }
        return new PlatformPlan(board, name, controller, lineCount, Math.max(1, cpus), memoryBase, memorySize,
                lineTypes, devices, props);
    }

    private static void checkMemory(DeviceTreeNode memory, long base, long size) throws DevicetreeException {
        if (size > 0 && size % GuestMemory.PAGE_SIZE == 0 && size <= (128L << 30) && base >= 0 && base + size > 0) {
            return;
        }
        throw at(memory.property("reg").orElseThrow(), memory, String.format("guest RAM [0x%x, +0x%x) must be a positive"
                + " multiple of 64 KiB, at most 128 GiB, in the positive 64-bit address space", base, size));
    }

    /** Every property in its natural form, plus {@code name} (the base name). */
    private static Map<String, Object> registryProperties(DeviceTreeNode n) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (DeviceTreeProperty p : n.properties()) {
            out.put(p.name(), p.naturalValue());
        }
        out.put("name", n.isRoot() ? "/" : n.baseName());
        Object compatible = out.get("compatible");
        if (compatible instanceof String s) {
            out.put("compatible", List.of(s));
        }
        return Collections.unmodifiableMap(out);
    }

    private static DevicetreeException at(DeviceTreeProperty p, DeviceTreeNode n, String problem) {
        SourceLocation where = p.location();
        return new DevicetreeException(where, "property '" + p.name() + "' of " + n.path() + ": " + problem);
    }
}
