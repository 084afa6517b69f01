package dev.sluice.models;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything a {@link DeviceModelFactory} may use to build a model for one Devicetree node: the
 * node's identity and raw properties, its {@code reg} ranges, its interrupt lines (in the node's
 * {@code interrupts} order), guest memory, the device clock, the parsed {@code sluice,backend}
 * (if the node has one) with the base directory for file backends, and a thread factory whose
 * threads are named {@code model-<node name>-io}.
 *
 * <p>Immutable and thread-safe; the platform (or a test) builds it with {@link #builder(String)}.
 * Property values are Devicetree encoded: u32 cells big-endian, strings NUL-terminated.
 */
public final class DeviceModelContext {

    private final String nodeName;
    private final String nodePath;
    private final List<String> compatible;
    private final List<RegRange> regs;
    private final List<InterruptLine> interrupts;
    private final Map<String, byte[]> properties;
    private final GuestMemory guestMemory;
    private final DeviceClock clock;
    private final BackendSpec backend;
    private final Path baseDirectory;
    private final ThreadFactory threadFactory;

    private DeviceModelContext(Builder b) {
        this.nodeName = b.nodeName;
        this.nodePath = b.nodePath != null ? b.nodePath : "/" + b.nodeName;
        this.properties = new LinkedHashMap<>();
        b.properties.forEach((k, v) -> this.properties.put(k, v.clone()));
        this.compatible = !b.compatible.isEmpty() ? List.copyOf(b.compatible) : strings("compatible");
        this.regs = List.copyOf(b.regs);
        this.interrupts = List.copyOf(b.interrupts);
        this.guestMemory = b.guestMemory;
        this.clock = b.clock != null ? b.clock : new SystemDeviceClock();
        this.baseDirectory = b.baseDirectory != null ? b.baseDirectory : Path.of(".").toAbsolutePath().normalize();
        if (b.backend != null) {
            this.backend = b.backend;
        } else {
            Optional<String> spec = string(BackendSpec.PROPERTY);
            try {
                this.backend = spec.map(BackendSpec::parse).orElse(null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("node " + nodePath + ": " + e.getMessage(), e);
            }
        }
        this.threadFactory = b.threadFactory != null ? b.threadFactory : ioThreadFactory(nodeName);
    }

    /**
     * @param nodeName the node's name with unit address, e.g. {@code virtio@d0000000}
     * @return a builder
     */
    public static Builder builder(String nodeName) {
        return new Builder(nodeName);
    }

    /**
     * @return a factory of daemon threads named {@code model-<name>-io} (then {@code -io-2},
     *         {@code -io-3}, ... for further threads)
     */
    public static ThreadFactory ioThreadFactory(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            int n = count.incrementAndGet();
            Thread t = new Thread(r, "model-" + name + "-io" + (n == 1 ? "" : "-" + n));
            t.setDaemon(true);
            return t;
        };
    }

    /** @return the node's name with unit address, e.g. {@code virtio@d0000000} */
    public String nodeName() { return nodeName; }

    /** @return the node's full path, e.g. {@code /soc/virtio@d0000000} */
    public String nodePath() { return nodePath; }

    /** @return the node's {@code compatible} list, most specific first */
    public List<String> compatible() { return compatible; }

    /** @return the node's {@code reg} ranges, in order */
    public List<RegRange> regs() { return regs; }

    /** @return the node's interrupt lines, in {@code interrupts} order */
    public List<InterruptLine> interrupts() { return interrupts; }

    /**
     * The node's first {@code reg} range, for a model with one register block.
     *
     * @param minSize the size of the block, checked when above 0
     * @param chip    the chip's name for the error, e.g. {@code "PL031"}
     * @throws DeviceModelException naming the node if it has no reg range or a smaller one
     */
    public RegRange firstReg(long minSize, String chip) throws DeviceModelException {
        if (regs.isEmpty()) {
            throw new DeviceModelException("node " + nodePath + " has no reg range");
        }
        RegRange r = regs.get(0);
        if (r.size() < minSize) {
            String block = minSize % 1024 == 0 ? minSize / 1024 + " KiB" : minSize + "-byte";
            throw new DeviceModelException("node " + nodePath + ": reg size 0x" + Long.toHexString(r.size())
                    + " is smaller than the " + chip + "'s " + block + " register block");
        }
        return r;
    }

    /**
     * @return the interrupt line at {@code index}
     * @throws IllegalArgumentException naming the node if it has no such line
     */
    public InterruptLine interrupt(int index) {
        if (index < 0 || index >= interrupts.size()) {
            throw new IllegalArgumentException("node " + nodePath + " has " + interrupts.size()
                    + " interrupt line(s), no index " + index);
        }
        return interrupts.get(index);
    }

    /** @return the names of the node's properties */
    public List<String> propertyNames() { return List.copyOf(properties.keySet()); }

    /** @return a copy of the raw value of a property, if present */
    public Optional<byte[]> property(String name) {
        byte[] v = properties.get(name);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /**
     * @return the property as one u32 cell (unsigned), if present
     * @throws IllegalArgumentException naming node and property if it is not exactly 4 bytes
     */
    public OptionalLong u32(String name) {
        byte[] v = properties.get(name);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v.length != 4) {
            throw new IllegalArgumentException("property " + name + " of node " + nodePath + " is " + v.length
                    + " bytes, expected one u32 cell (4 bytes)");
        }
        return OptionalLong.of(ByteBuffer.wrap(v).getInt() & 0xffff_ffffL);
    }

    /**
     * @return the property as a u64 (one u64 or two u32 cells, big-endian), if present
     * @throws IllegalArgumentException naming node and property if it is 4 bytes or 8 bytes neither
     */
    public OptionalLong u64(String name) {
        byte[] v = properties.get(name);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v.length == 4) {
            return OptionalLong.of(ByteBuffer.wrap(v).getInt() & 0xffff_ffffL);
        }
        if (v.length != 8) {
            throw new IllegalArgumentException("property " + name + " of node " + nodePath + " is " + v.length
                    + " bytes, expected 4 or 8");
        }
        return OptionalLong.of(ByteBuffer.wrap(v).getLong());
    }

    /** @return the first string of a string (list) property, if present */
    public Optional<String> string(String name) {
        List<String> l = strings(name);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** @return the strings of a NUL-separated string-list property (empty if absent) */
    public List<String> strings(String name) {
        byte[] v = properties.get(name);
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= v.length; i++) {
            if (i == v.length || v[i] == 0) {
                if (i > start || i < v.length) {
                    out.add(new String(v, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return List.copyOf(out);
    }

    /** @return the guest RAM for DMA */
    public GuestMemory guestMemory() { return guestMemory; }

    /** @return the clock for timed behaviour */
    public DeviceClock clock() { return clock; }

    /** @return the node's parsed {@code sluice,backend}, if it has one */
    public Optional<BackendSpec> backend() { return Optional.ofNullable(backend); }

    /** @return the directory that {@code file:} backends are relative to */
    public Path baseDirectory() { return baseDirectory; }

    /** @return the factory for the model's backend threads ({@code model-<name>-io}) */
    public ThreadFactory threadFactory() { return threadFactory; }

    @Override
    public String toString() {
        return "DeviceModelContext[" + nodePath + ", compatible " + compatible + ", reg " + regs
                + ", " + interrupts.size() + " interrupt(s)" + (backend != null ? ", backend " + backend.text() : "") + "]";
    }

    /** Builds a {@link DeviceModelContext}. Not thread-safe. */
    public static final class Builder {
        private final String nodeName;
        private String nodePath;
        private final List<String> compatible = new ArrayList<>();
        private final List<RegRange> regs = new ArrayList<>();
        private final List<InterruptLine> interrupts = new ArrayList<>();
        private final Map<String, byte[]> properties = new LinkedHashMap<>();
        private GuestMemory guestMemory;
        private DeviceClock clock;
        private BackendSpec backend;
        private Path baseDirectory;
        private ThreadFactory threadFactory;

        private Builder(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        }

        public Builder path(String path) { this.nodePath = path; return this; }

        /** Sets the compatible list (default: parsed from the {@code compatible} property). */
        public Builder compatible(String... values) { compatible.clear(); compatible.addAll(List.of(values)); return this; }

        public Builder reg(long address, long size) { regs.add(new RegRange(address, size)); return this; }

        public Builder interrupt(InterruptLine line) { interrupts.add(Objects.requireNonNull(line)); return this; }

        /** A raw property value. */
        public Builder property(String name, byte[] value) { properties.put(name, value.clone()); return this; }

        /** A property of one big-endian u32 cell. */
        public Builder propertyU32(String name, long value) {
            return property(name, ByteBuffer.allocate(4).putInt((int) value).array());
        }

        /** A property of NUL-terminated strings. */
        public Builder propertyStrings(String name, String... values) {
            StringBuilder sb = new StringBuilder();
            for (String s : values) {
                sb.append(s).append('\0');
            }
            return property(name, sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        public Builder guestMemory(GuestMemory memory) { this.guestMemory = memory; return this; }

        /** Default: a new {@link SystemDeviceClock}. */
        public Builder clock(DeviceClock c) { this.clock = c; return this; }

        /** Overrides the {@code sluice,backend} property. */
        public Builder backend(BackendSpec spec) { this.backend = spec; return this; }

        /** Default: the current directory. */
        public Builder baseDirectory(Path dir) { this.baseDirectory = dir; return this; }

        /** Default: {@link DeviceModelContext#ioThreadFactory(String)} for the node name. */
        public Builder threadFactory(ThreadFactory f) { this.threadFactory = f; return this; }

        /**
         * @throws IllegalArgumentException if no guest memory was given or {@code sluice,backend}
         *         does not parse (the message names the node and the value)
         */
        public DeviceModelContext build() {
            if (guestMemory == null) {
                throw new IllegalArgumentException("node " + nodeName + ": no guest memory given");
            }
            return new DeviceModelContext(this);
        }
    }
}
