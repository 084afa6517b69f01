package dev.sluice.models.virtio;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sluice.models.DeviceModel;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.RegRange;
import dev.sluice.models.Register;
import dev.sluice.models.RegisterBank;

/**
 * The virtio-mmio transport (virtio 1.x section 4.2, register layout version 2) in front of one
 * {@link VirtioDevice}: identity registers, 64-bit feature negotiation through the 32-bit
 * select/window registers, device status (2.1), split virtqueues in guest memory (2.7),
 * notifications, InterruptStatus / InterruptACK with a level-triggered line, ConfigGeneration and
 * the device configuration space at 0x100.
 *
 * <h2>Behaviour</h2>
 * <ul>
 * <li>Offered features: the device's own bits plus VIRTIO_F_VERSION_1 and VIRTIO_F_INDIRECT_DESC.
 * Setting FEATURES_OK succeeds (reads back set) only if the driver accepted a subset of the
 * offered bits that includes VERSION_1 (2.2.1, 6.1).</li>
 * <li>Writing 0 to Status resets the device: status, features, queues (QueueReady reads 0) and
 * InterruptStatus are cleared and the line lowered; work in flight on the io thread is dropped
 * and never writes guest memory afterwards (4.2.2.1).</li>
 * <li>Used buffers set InterruptStatus bit 0 and raise the line; a configuration change sets bit 1.
 * The line stays raised until InterruptACK has cleared every bit. Completions of one io task are
 * coalesced into one notification; VIRTQ_AVAIL_F_NO_INTERRUPT is honoured.</li>
 * <li>Driver misuse (QueueNotify before DRIVER_OK or for a queue not ready, a queue size that is
 * not a power of two in 1..QueueNumMax, misaligned or out-of-memory rings, QueueReady before
 * FEATURES_OK, DRIVER_OK without FEATURES_OK, bad descriptors, loops) sets DEVICE_NEEDS_RESET
 * and raises a configuration-change interrupt (2.1.2); the device then processes nothing until
 * reset. Nothing is ever thrown back at the driver.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * MMIO accesses run on the driver's thread, serialised by one lock, and never wait for the
 * backend: QueueNotify only schedules work, waking the io thread once the lock is released.
 * Requests are processed on the single {@code model-<name>-io} thread from the context's thread
 * factory, except for a device that {@linkplain VirtioDevice#processesNotifyInline() processes
 * notifications inline}: when no device task is running, the QueueNotify write itself drains the
 * queue on the writing thread after releasing the lock (as a hypervisor without an I/O thread
 * handles the notification in the vCPU's exit), and the write returns once the completions are in
 * the used ring and their interrupt is raised. Device tasks never overlap. Guest-memory writes by
 * the device happen under the lock, after checking that the queue was not reset meanwhile; bulk
 * data a device reads from its backend straight into guest memory goes in outside the lock, under
 * a DMA guard that a reset (Status = 0) or QueueReady = 0 waits for, so those two writes may wait
 * for the read of one request's data in progress. The
 * interrupt line is raised after the lock is released. The io thread starts with the first task
 * that needs it. {@link #close()} returns once the io thread has ended.
 */
public final class VirtioMmioDevice implements DeviceModel {

    private static final long OFFERED_TRANSPORT_FEATURES = Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(Virtio.F_INDIRECT_DESC);

    /** Driver-written configuration of one queue; guarded by the lock. */
    private static final class QueueConfig {
        int num;
        long desc;
        long driver;
        long device;
        /** Written under the lock; read without it by the io thread's staleness check. */
        volatile VirtQueue active;
    }

    private final String name;
    private final VirtioDevice device;
    private final GuestMemory memory;
    private final InterruptLine irq;
    private final RegRange reg;
    private final RegisterBank bank;
    private final Object lock;
    private final ExecutorService io;
    private volatile Thread ioThread;
    private final long offeredFeatures;
    private final QueueConfig[] queues;
    private final AtomicBoolean[] drainPending;
    /** Held by the io thread while it fills guest memory outside the lock ({@link #directDma}). */
    private final java.util.concurrent.locks.ReentrantLock dmaGuard = new java.util.concurrent.locks.ReentrantLock();
    /**
     * Held while a device task runs, on the io thread or, for a device that
     * {@linkplain VirtioDevice#processesNotifyInline() processes notifications inline}, on the
     * notifying thread: device tasks never overlap.
     */
    private final java.util.concurrent.locks.ReentrantLock serviceLock = new java.util.concurrent.locks.ReentrantLock();
    /** Set by a QueueNotify write under the lock, consumed by {@link #runKicks()} outside it. */
    private final AtomicBoolean[] kickPending;

    /** Written under the lock; volatile for the io thread's lock-free {@link #queue} check. */
    private volatile int status;
    private long driverFeatures;
    private long negotiatedFeatures;
    private int configGeneration;
    private volatile boolean closed;
    private String lastError;
    private long errors;
    private long featureRefusals;
    private long notifications;
    private long interrupts;
    /** Drains run on the notifying thread; written under the service lock. */
    private volatile long inlineDrains;
    /** Whether the device processes notifications on the notifying thread when idle. */
    private final boolean inline;

    /**
     * @param context the node: its first {@code reg} range (at least 0x100 bytes plus the config
     *                space) and its first interrupt line are used
     * @param device  the device type
     * @throws IllegalArgumentException naming the node if it has no suitable reg range or no line
     */
    public VirtioMmioDevice(DeviceModelContext context, VirtioDevice device) {
        this.name = context.nodeName();
        this.device = device;
        this.memory = context.guestMemory();
        if (context.regs().isEmpty()) {
            throw new IllegalArgumentException("node " + context.nodePath() + " has no reg range for its virtio-mmio registers");
        }
        this.reg = context.regs().get(0);
        this.irq = context.interrupt(0);
        int configSize = device.config().length;
        if (reg.size() < Virtio.CONFIG + configSize || reg.size() > (1 << 20)) {
            throw new IllegalArgumentException(String.format("node %s: reg size 0x%x cannot hold the virtio-mmio registers "
                    + "and a %d-byte config space (need 0x%x..0x100000)", context.nodePath(), reg.size(), configSize,
                    Virtio.CONFIG + configSize));
        }
        this.offeredFeatures = device.deviceFeatures() | OFFERED_TRANSPORT_FEATURES;
        this.inline = device.processesNotifyInline();
        this.queues = new QueueConfig[device.queueCount()];
        this.drainPending = new AtomicBoolean[queues.length];
        this.kickPending = new AtomicBoolean[queues.length];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueConfig();
            drainPending[i] = new AtomicBoolean();
            kickPending[i] = new AtomicBoolean();
        }
        this.bank = buildBank((int) reg.size(), configSize);
        this.lock = bank;
        ThreadFactory threads = context.threadFactory();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = threads.newThread(r);
            ioThread = t;
            return t;
        });
        // the io thread starts with the first task, not before: a block device that drains its
        // notifications inline, or an idle one, costs no thread
        this.io = executor;
        device.attach(this);
        device.attached();
    }

    // ------------------------------------------------------------------ DeviceModel

    @Override
    public MmioRegion mmio(int index) {
        if (index != 0) {
            throw new IndexOutOfBoundsException("virtio-mmio device " + name + " has one reg range, no index " + index);
        }
        return region;
    }

    @Override
    public int mmioCount() {
        return 1;
    }

    /** A hardware reset: the same as the driver writing 0 to Status. */
    @Override
    public void reset() {
        synchronized (lock) {
            if (!closed) {
                resetLocked();
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (QueueConfig q : queues) {
                q.active = null;
            }
            irq.lower();
        }
        io.shutdown();
        try {
            if (!io.awaitTermination(5, TimeUnit.SECONDS)) {
                io.shutdownNow();
                io.awaitTermination(5, TimeUnit.SECONDS);
            }
            // the pool reports termination just before its worker thread returns: wait for that too
            Thread t = ioThread;
            if (t != null && t != Thread.currentThread()) {
                t.join(5_000);
            }
            serviceLock.lock(); // a drain running on a notifying thread ends before the backend closes
            serviceLock.unlock();
        } catch (InterruptedException e) {
            io.shutdownNow();
            Thread.currentThread().interrupt();
        }
        device.close();
    }

    @Override
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        synchronized (lock) {
            out.add(String.format("virtio-mmio v2 %s device (id %d) at 0x%x, status %s%s", device.typeName(),
                    device.deviceId(), reg.address(), Virtio.statusString(status), closed ? ", closed" : ""));
            out.add(String.format("features offered 0x%x, negotiated 0x%x; interrupt status %d, line %s; "
                            + "%d notifications%s, %d interrupts", offeredFeatures, negotiatedFeatures,
                    bank.value(Virtio.INTERRUPT_STATUS), irq.isRaised() ? "raised" : "low", notifications,
                    inline ? " (" + inlineDrains + " drains on the notifying thread)" : "", interrupts));
            for (int i = 0; i < queues.length; i++) {
                VirtQueue q = queues[i].active;
                out.add(q != null ? q.toString() : "queue " + i + ": not ready");
            }
            if (lastError != null) {
                out.add("errors: " + errors + ", last: " + lastError);
            }
            RegisterBank.Diagnostics d = bank.diagnostics();
            if (d.total() > 0) {
                out.add("ignored register accesses: " + d.total() + " (last: " + d.recent().get(d.recent().size() - 1) + ")");
            }
        }
        out.addAll(device.describe());
        return out;
    }

    // ------------------------------------------------------------------ for devices and tests

    /** @return the device type behind this transport */
    public VirtioDevice device() {
        return device;
    }

    /** @return the device status register's value */
    public int status() {
        synchronized (lock) {
            return status;
        }
    }

    /** @return the features accepted when FEATURES_OK was set (0 before) */
    public long negotiatedFeatures() {
        synchronized (lock) {
            return negotiatedFeatures;
        }
    }

    /** @return the reason for the last DEVICE_NEEDS_RESET, or null */
    public String lastError() {
        synchronized (lock) {
            return lastError;
        }
    }

    /** @return the register bank's diagnostics (ignored accesses) */
    public RegisterBank.Diagnostics diagnostics() {
        return bank.diagnostics();
    }

    /**
     * @return the ready queue {@code index}, or null if it is not ready (or the device was reset).
     *         Lock-free (a snapshot): the io thread checks it when it wakes, without waiting for a
     *         driver that is still inside the notifying register write; guest-memory writes check
     *         again under the lock.
     */
    public VirtQueue queue(int index) {
        return index >= 0 && index < queues.length && live() ? queues[index].active : null;
    }

    /**
     * Runs a device task on the io thread, like a notification does: protocol errors become
     * DEVICE_NEEDS_RESET and completed chains are notified afterwards. Ignored once closed.
     */
    public void runOnIo(Runnable task) {
        try {
            io.execute(() -> {
                serviceLock.lock();
                try {
                    runDeviceTask(task);
                } finally {
                    serviceLock.unlock();
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Runs a device task (service lock held): errors become DEVICE_NEEDS_RESET, then one interrupt. */
    private void runDeviceTask(Runnable task) {
        try {
            task.run();
        } catch (StaleQueueException e) {
            // the driver reset the device meanwhile: the work is void
        } catch (VirtioProtocolException e) {
            needsReset(e.getMessage());
        } catch (RuntimeException e) {
            needsReset(device.typeName() + " device error: " + e);
        } finally {
            interruptIfUsed();
        }
    }

    /** Tells the driver the configuration space changed: new generation, InterruptStatus bit 1. */
    public void configChanged() {
        synchronized (lock) {
            configGeneration++;
            if (!closed && (status & Virtio.STATUS_DRIVER_OK) != 0) {
                raiseLocked(Virtio.INT_CONFIG_CHANGE);
            }
        }
    }

    GuestMemory memory() {
        return memory;
    }

    /** A transfer into guest memory that does not need the transport's lock (e.g. a file read). */
    @FunctionalInterface
    interface DirectTransfer {
        void run() throws java.io.IOException;
    }

    /**
     * Runs a guest-memory transfer of the io thread outside the transport's lock, so that the
     * driver's register accesses do not wait for the backend, but under the DMA guard: only while
     * {@code q} is still live, and a reset or queue disable (which waits for the guard) cannot
     * return while it is in progress. The transfer must not take the transport's lock.
     *
     * @throws StaleQueueException if the queue was reset or the device closed or failed meanwhile
     */
    void directDma(VirtQueue q, DirectTransfer transfer) throws java.io.IOException {
        dmaGuard.lock();
        try {
            if (closed || queues[q.index()].active != q || (status & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
                throw new StaleQueueException();
            }
            transfer.run();
        } finally {
            dmaGuard.unlock();
        }
    }

    /** Waits (lock held) until no direct transfer is in progress; later ones see the queue stale. */
    private void awaitDirectDma() {
        dmaGuard.lock();
        dmaGuard.unlock();
    }

    void dma(VirtQueue q, Runnable writes) {
        synchronized (lock) {
            if (closed || queues[q.index()].active != q || (status & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0) {
                throw new StaleQueueException();
            }
            writes.run();
        }
    }

    // ------------------------------------------------------------------ registers

    private final MmioRegion region = new MmioRegion() {
        private MmioRegion bankView;

        private MmioRegion view() {
            MmioRegion v = bankView;
            if (v == null) {
                v = bank.asRegion(reg.address());
                bankView = v;
            }
            return v;
        }

        @Override public String name() { return name; }
        @Override public long base() { return reg.address(); }
        @Override public long size() { return reg.size(); }

        private boolean open(long offset, int width) {
            MmioRegion.checkAccess(this, offset, width);
            synchronized (lock) {
                return !closed;
            }
        }

        @Override public int read8(long o) { return open(o, 1) ? view().read8(o) : 0; }
        @Override public int read16(long o) { return open(o, 2) ? view().read16(o) : 0; }
        @Override public int read32(long o) { return open(o, 4) ? view().read32(o) : 0; }
        @Override public long read64(long o) { return open(o, 8) ? view().read64(o) : 0; }
        @Override public void write8(long o, int v) { if (open(o, 1)) { view().write8(o, v); runKicks(); } }
        @Override public void write16(long o, int v) { if (open(o, 2)) { view().write16(o, v); runKicks(); } }
        @Override public void write32(long o, int v) { if (open(o, 4)) { view().write32(o, v); runKicks(); } }
        @Override public void write64(long o, long v) { if (open(o, 8)) { view().write64(o, v); runKicks(); } }

        @Override public String toString() { return MmioRegion.describe(this); }
    };

    private RegisterBank buildBank(int size, int configSize) {
        RegisterBank.Builder b = RegisterBank.builder(name, size)
                .add(Register.builder("MagicValue", Virtio.MAGIC_VALUE, 32).reset(Virtio.MAGIC).readOnly())
                .add(Register.builder("Version", Virtio.VERSION, 32).reset(Virtio.MMIO_VERSION).readOnly())
                .add(Register.builder("DeviceID", Virtio.DEVICE_ID, 32).reset(device.deviceId()).readOnly())
                .add(Register.builder("VendorID", Virtio.VENDOR_ID_REG, 32).reset(Virtio.VENDOR_ID).readOnly())
                .add(Register.builder("DeviceFeatures", Virtio.DEVICE_FEATURES, 32).readOnly()
                        .onRead(v -> featureWord(offeredFeatures, bank.value(Virtio.DEVICE_FEATURES_SEL))))
                .add(Register.builder("DeviceFeaturesSel", Virtio.DEVICE_FEATURES_SEL, 32).writeOnly())
                .add(Register.builder("DriverFeatures", Virtio.DRIVER_FEATURES, 32).writeOnly()
                        .onWrite((v, p) -> guard(() -> driverFeaturesWritten(v))))
                .add(Register.builder("DriverFeaturesSel", Virtio.DRIVER_FEATURES_SEL, 32).writeOnly())
                .add(Register.builder("QueueSel", Virtio.QUEUE_SEL, 32).writeOnly())
                .add(Register.builder("QueueNumMax", Virtio.QUEUE_NUM_MAX, 32).readOnly()
                        .onRead(v -> selectedIndex() < queues.length ? device.queueMaxSize(selectedIndex()) : 0))
                .add(Register.builder("QueueNum", Virtio.QUEUE_NUM, 32).writeOnly()
                        .onWrite((v, p) -> guard(() -> queueField(q -> q.num = (int) v))))
                .add(Register.builder("QueueReady", Virtio.QUEUE_READY, 32).writableMask(0)
                        .onRead(v -> selectedIndex() < queues.length && queues[selectedIndex()].active != null ? 1 : 0)
                        .onWrite((v, p) -> guard(() -> queueReadyWritten(v))))
                .add(Register.builder("QueueNotify", Virtio.QUEUE_NOTIFY, 32).writeOnly()
                        .onWrite((v, p) -> guard(() -> notified((int) (v & 0xffff)))))
                .add(Register.builder("InterruptStatus", Virtio.INTERRUPT_STATUS, 32).readOnly())
                .add(Register.builder("InterruptACK", Virtio.INTERRUPT_ACK, 32).writeOnly()
                        .onWrite((v, p) -> guard(() -> acked(v))))
                .add(Register.builder("Status", Virtio.STATUS, 32).writableMask(0)
                        .onRead(v -> status)
                        .onWrite((v, p) -> guard(() -> statusWritten((int) (v & 0xff)))))
                .add(queueAddress("QueueDescLow", Virtio.QUEUE_DESC_LOW, false, (q, v) -> q.desc = v, q -> q.desc))
                .add(queueAddress("QueueDescHigh", Virtio.QUEUE_DESC_HIGH, true, (q, v) -> q.desc = v, q -> q.desc))
                .add(queueAddress("QueueDriverLow", Virtio.QUEUE_DRIVER_LOW, false, (q, v) -> q.driver = v, q -> q.driver))
                .add(queueAddress("QueueDriverHigh", Virtio.QUEUE_DRIVER_HIGH, true, (q, v) -> q.driver = v, q -> q.driver))
                .add(queueAddress("QueueDeviceLow", Virtio.QUEUE_DEVICE_LOW, false, (q, v) -> q.device = v, q -> q.device))
                .add(queueAddress("QueueDeviceHigh", Virtio.QUEUE_DEVICE_HIGH, true, (q, v) -> q.device = v, q -> q.device))
                .add(Register.builder("SHMSel", Virtio.SHM_SEL, 32).writeOnly())
                .add(Register.builder("SHMLenLow", Virtio.SHM_LEN_LOW, 32).reset(0xffff_ffffL).readOnly())
                .add(Register.builder("SHMLenHigh", Virtio.SHM_LEN_HIGH, 32).reset(0xffff_ffffL).readOnly())
                .add(Register.builder("SHMBaseLow", Virtio.SHM_BASE_LOW, 32).reset(0xffff_ffffL).readOnly())
                .add(Register.builder("SHMBaseHigh", Virtio.SHM_BASE_HIGH, 32).reset(0xffff_ffffL).readOnly())
                .add(Register.builder("ConfigGeneration", Virtio.CONFIG_GENERATION, 32).readOnly()
                        .onRead(v -> configGeneration));
        if (configSize > 0) {
            b.window("config", Virtio.CONFIG, configSize, this::configRead,
                    (off, w, v) -> guard(() -> device.configWrite(off, w, v)));
        }
        return b.build();
    }

    private interface QueueSetter {
        void set(QueueConfig q, long value);
    }

    private interface QueueGetter {
        long get(QueueConfig q);
    }

    private Register queueAddress(String regName, int offset, boolean high, QueueSetter set, QueueGetter get) {
        return Register.builder(regName, offset, 32).writeOnly().onWrite((v, p) -> guard(() -> queueField(q -> {
            long old = get.get(q);
            set.set(q, high ? (old & 0xffff_ffffL) | (v << 32) : (old & 0xffff_ffff_0000_0000L) | v);
        }))).build();
    }

    private long configRead(int offset, int width) {
        byte[] c = device.config();
        long v = 0;
        for (int i = 0; i < width && offset + i < c.length; i++) {
            v |= (c[offset + i] & 0xffL) << (8 * i);
        }
        return v;
    }

    private static long featureWord(long features, long sel) {
        return sel == 0 ? features & 0xffff_ffffL : sel == 1 ? features >>> 32 : 0;
    }

    private int selectedIndex() {
        long sel = bank.value(Virtio.QUEUE_SEL);
        return sel >= queues.length ? Integer.MAX_VALUE : (int) sel;
    }

    // ------------------------------------------------------------------ register effects (lock held)

    private void guard(Runnable effect) {
        if (closed) {
            return;
        }
        try {
            effect.run();
        } catch (VirtioProtocolException e) {
            needsReset(e.getMessage());
        } catch (RuntimeException e) {
            needsReset("internal error handling a register access: " + e);
        }
    }

    private void driverFeaturesWritten(long value) {
        if ((status & Virtio.STATUS_FEATURES_OK) != 0) {
            return; // features are frozen once FEATURES_OK is set (2.2.2)
        }
        long sel = bank.value(Virtio.DRIVER_FEATURES_SEL);
        if (sel == 0) {
            driverFeatures = (driverFeatures & 0xffff_ffff_0000_0000L) | value;
        } else if (sel == 1) {
            driverFeatures = (driverFeatures & 0xffff_ffffL) | (value << 32);
        }
    }

    private void queueField(java.util.function.Consumer<QueueConfig> change) {
        int i = selectedIndex();
        if (i >= queues.length) {
            return; // no such queue: nothing to configure (QueueNumMax reads 0)
        }
        if (queues[i].active != null) {
            return; // the driver must not change a ready queue (4.2.2.2); ignored
        }
        change.accept(queues[i]);
    }

    private void queueReadyWritten(long value) {
        int i = selectedIndex();
        if (i >= queues.length) {
            throw new VirtioProtocolException("QueueReady written for queue " + bank.value(Virtio.QUEUE_SEL)
                    + ", which does not exist (QueueNumMax is 0)");
        }
        QueueConfig q = queues[i];
        if (value == 0) {
            q.active = null;
            awaitDirectDma();
            return;
        }
        if (q.active != null) {
            return;
        }
        if ((status & Virtio.STATUS_FEATURES_OK) == 0) {
            throw new VirtioProtocolException("queue " + i + " made ready before FEATURES_OK (3.1.1)");
        }
        int max = device.queueMaxSize(i);
        if (q.num <= 0 || q.num > max || Integer.bitCount(q.num) != 1) {
            throw new VirtioProtocolException("queue " + i + ": QueueNum " + q.num
                    + " is not a power of 2 in 1.." + max + " (QueueNumMax)");
        }
        checkArea(i, "descriptor table", q.desc, 16L * q.num, 16);
        checkArea(i, "driver area", q.driver, 6 + 2L * q.num, 2);
        checkArea(i, "device area", q.device, 6 + 8L * q.num, 4);
        q.active = new VirtQueue(this, i, q.num, q.desc, q.driver, q.device,
                (negotiatedFeatures & Virtio.bit(Virtio.F_INDIRECT_DESC)) != 0);
    }

    private void checkArea(int i, String what, long address, long length, int align) {
        if (address % align != 0) {
            throw new VirtioProtocolException(String.format("queue %d: %s at 0x%x is not %d-byte aligned (2.7)", i, what,
                    address, align));
        }
        if (!memory.contains(address, length)) {
            throw new VirtioProtocolException(String.format("queue %d: %s [0x%x, %d bytes] is outside guest memory",
                    i, what, address, length));
        }
    }

    private void notified(int index) {
        if ((status & Virtio.STATUS_DEVICE_NEEDS_RESET) != 0 || (status & Virtio.STATUS_FAILED) != 0) {
            return; // the device is stopped until reset
        }
        if ((status & Virtio.STATUS_DRIVER_OK) == 0) {
            throw new VirtioProtocolException("QueueNotify for queue " + index + " before DRIVER_OK (2.1.2, 3.1.1)");
        }
        if (index >= queues.length || queues[index].active == null) {
            throw new VirtioProtocolException("QueueNotify for queue " + index + ", which is not ready");
        }
        notifications++;
        kickPending[index].set(true); // the io thread is woken by runKicks, once the lock is released
    }

    /**
     * Schedules the queue drains that QueueNotify writes asked for. Runs on the writing thread
     * after the register write has released the lock: woken inside it, the io thread (often
     * scheduled on the writer's own CPU) would find the lock still held and have to wait for it.
     */
    private void runKicks() {
        for (int i = 0; i < kickPending.length; i++) {
            if (kickPending[i].get() && kickPending[i].getAndSet(false)) {
                VirtQueue q = queue(i);
                int index = i;
                if (q != null && drainPending[i].compareAndSet(false, true)) {
                    Runnable drain = () -> {
                        drainPending[index].set(false);
                        if (queue(index) == q) {
                            device.queueNotified(q);
                        }
                    };
                    if (!inline || !drainInline(drain)) {
                        runOnIo(drain);
                    }
                }
            }
        }
    }

    /**
     * Runs a queue drain on the notifying thread if no device task is running (the device is
     * idle), as a hypervisor handles a notification in the vCPU's exit.
     *
     * @return false if the device was busy: the drain must go to the io thread
     */
    private boolean drainInline(Runnable drain) {
        if (!serviceLock.tryLock()) {
            return false;
        }
        try {
            if (!closed) {
                inlineDrains++;
                runDeviceTask(drain);
            }
            return true;
        } finally {
            serviceLock.unlock();
        }
    }

    private void acked(long value) {
        long isr = bank.clearBits(Virtio.INTERRUPT_STATUS, value & (Virtio.INT_USED_BUFFER | Virtio.INT_CONFIG_CHANGE));
        if (isr == 0) {
            irq.lower();
        }
    }

    private void statusWritten(int value) {
        if (value == 0) {
            resetLocked();
            return;
        }
        int old = status;
        int v = value & ~Virtio.STATUS_DEVICE_NEEDS_RESET;
        int added = v & ~old;
        boolean misuse = false;
        if ((added & Virtio.STATUS_FEATURES_OK) != 0) {
            long unknown = driverFeatures & ~offeredFeatures;
            if (unknown != 0 || (driverFeatures & Virtio.bit(Virtio.F_VERSION_1)) == 0) {
                v &= ~Virtio.STATUS_FEATURES_OK;
                featureRefusals++;
            } else {
                negotiatedFeatures = driverFeatures;
            }
        }
        if ((added & Virtio.STATUS_DRIVER_OK) != 0 && ((old | v) & Virtio.STATUS_FEATURES_OK) == 0) {
            v &= ~Virtio.STATUS_DRIVER_OK;
            misuse = true;
        }
        status = (old | v) & 0xff;
        if (misuse) {
            needsReset("DRIVER_OK set without FEATURES_OK (3.1.1)");
        } else if ((added & Virtio.STATUS_DRIVER_OK) != 0) {
            device.activated(negotiatedFeatures);
        }
    }

    private void resetLocked() {
        status = 0;
        driverFeatures = 0;
        negotiatedFeatures = 0;
        for (QueueConfig q : queues) {
            q.active = null;
            q.num = 0;
            q.desc = 0;
            q.driver = 0;
            q.device = 0;
        }
        bank.reset();
        irq.lower();
        awaitDirectDma();
        device.reset();
    }

    private boolean live() {
        int st = status;
        return !closed && (st & (Virtio.STATUS_DEVICE_NEEDS_RESET | Virtio.STATUS_FAILED)) == 0
                && (st & Virtio.STATUS_DRIVER_OK) != 0;
    }

    private void raiseLocked(int bits) {
        bank.setBits(Virtio.INTERRUPT_STATUS, bits);
        irq.raise();
        interrupts++;
    }

    private void needsReset(String reason) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            errors++;
            lastError = reason;
            if ((status & Virtio.STATUS_DEVICE_NEEDS_RESET) == 0) {
                status |= Virtio.STATUS_DEVICE_NEEDS_RESET;
                raiseLocked(Virtio.INT_CONFIG_CHANGE);
            }
        }
    }

    private void interruptIfUsed() {
        VirtQueue[] active = new VirtQueue[queues.length];
        synchronized (lock) {
            for (int i = 0; i < queues.length; i++) {
                active[i] = queues[i].active;
            }
        }
        boolean notify = false;
        for (VirtQueue q : active) {
            if (q != null) {
                try {
                    notify |= q.takeInterruptNeed();
                } catch (RuntimeException e) {
                    needsReset("reading the driver area of queue " + q.index() + ": " + e.getMessage());
                }
            }
        }
        if (notify) {
            boolean raise;
            synchronized (lock) {
                raise = live();
                if (raise) {
                    bank.setBits(Virtio.INTERRUPT_STATUS, Virtio.INT_USED_BUFFER);
                    interrupts++;
                }
            }
            if (raise) {
                // Raised outside the lock: the driver's handler reads InterruptStatus at once and
                // would otherwise wait for this thread to leave the lock. If the driver has
                // acknowledged everything (or reset the device) meanwhile, the line goes back down,
                // so it ends up raised exactly while InterruptStatus is not 0.
                irq.raise();
                synchronized (lock) {
                    if (closed || bank.value(Virtio.INTERRUPT_STATUS) == 0) {
                        irq.lower();
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "VirtioMmioDevice " + name + " (" + device.typeName() + ")";
    }
}
