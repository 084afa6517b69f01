package dev.sluice.drivers.virtio;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.models.MmioRegion;

/**
 * The driver side of the virtio-mmio transport, version 2 (virtio 1.x, 4.2.2-4.2.3), written from
 * the specification: register offsets and the device status handshake (3.1.1), feature
 * negotiation with VIRTIO_F_VERSION_1, queue setup and device configuration reads with the
 * configuration generation check (2.5.1).
 *
 * <p>Not thread-safe: the owner serialises calls (the driver's work loop gate). Register accesses
 * never block.
 */
public final class VirtioMmio {

    /** "virt" little-endian. */
    public static final int MAGIC = 0x74726976;
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int CONFIG_GENERATION = 0x0fc;
    public static final int CONFIG = 0x100;

    public static final int STATUS_ACKNOWLEDGE = 1;
    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_DEVICE_NEEDS_RESET = 64;
    public static final int STATUS_FAILED = 128;

    public static final int INT_USED_BUFFER = 1;
    public static final int INT_CONFIG_CHANGE = 2;

    /** Feature bit 32: the device follows virtio 1.x (mandatory for a non-legacy driver). */
    public static final int F_VERSION_1 = 32;

    private final MmioRegion regs;

    public VirtioMmio(MmioRegion regs) {
        this.regs = regs;
    }

    public MmioRegion region() {
        return regs;
    }

    /** @return true if the registers carry the magic value, version 2 and a non-zero device ID */
    public boolean isVirtioDevice(int expectedDeviceId) {
        return regs.size() >= CONFIG && regs.read32(MAGIC_VALUE) == MAGIC && regs.read32(VERSION) == 2
                && regs.read32(DEVICE_ID) == expectedDeviceId;
    }

    /**
     * Refuses registers that are not a virtio-mmio v2 device of the given type (an engine started on
     * the wrong nub).
     *
     * @throws IOReturnException UNSUPPORTED naming the region and the expected type
     */
    public void requireDevice(int expectedDeviceId, String type) {
        if (!isVirtioDevice(expectedDeviceId)) {
            throw new IOReturnException(IOReturn.UNSUPPORTED, regs.name() + " is not a virtio-mmio v2 " + type + " device");
        }
    }

    /**
     * @return QueueNumMax of queue {@code index}
     * @throws IOReturnException UNSUPPORTED naming the region and the queue, after setting FAILED,
     *                           if the device does not offer the queue
     */
    public int requireQueue(int index, String name) {
        int max = queueNumMax(index);
        if (max == 0) {
            fail();
            throw new IOReturnException(IOReturn.UNSUPPORTED, regs.name() + ": no " + name);
        }
        return max;
    }

    public int status() {
        return regs.read32(STATUS);
    }

    /** Writes 0 to Status (device reset) and checks it reads back 0 (4.2.3.1). */
    public void reset() {
        regs.write32(STATUS, 0);
        if (regs.read32(STATUS) != 0) {
            throw new IOReturnException(IOReturn.ERROR, regs.name() + ": status did not read back 0 after reset");
        }
    }

    public void addStatus(int bits) {
        regs.write32(STATUS, status() | bits);
    }

    /** Sets FAILED (3.1.1 step 8: the driver gave up on the device). */
    public void fail() {
        addStatus(STATUS_FAILED);
    }

    public boolean needsReset() {
        return (status() & STATUS_DEVICE_NEEDS_RESET) != 0;
    }

    public long deviceFeatures() {
        regs.write32(DEVICE_FEATURES_SEL, 0);
        long low = regs.read32(DEVICE_FEATURES) & 0xffff_ffffL;
        regs.write32(DEVICE_FEATURES_SEL, 1);
        long high = regs.read32(DEVICE_FEATURES) & 0xffff_ffffL;
        return low | (high << 32);
    }

    /**
     * 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, read the device features, accept those of
     * {@code wanted} it offers, FEATURES_OK, check it stuck.
     *
     * @param wanted the features the driver understands; VERSION_1 is always added
     * @return the negotiated features
     * @throws IOReturnException UNSUPPORTED if the device lacks VERSION_1 or refuses FEATURES_OK
     *                           (FAILED is set then)
     */
    public long negotiate(long wanted) {
        reset();
        addStatus(STATUS_ACKNOWLEDGE);
        addStatus(STATUS_DRIVER);
        long offered = deviceFeatures();
        if ((offered & (1L << F_VERSION_1)) == 0) {
            fail();
            throw new IOReturnException(IOReturn.UNSUPPORTED, regs.name() + ": device does not offer VIRTIO_F_VERSION_1");
        }
        long accepted = offered & (wanted | (1L << F_VERSION_1));
        regs.write32(DRIVER_FEATURES_SEL, 0);
        regs.write32(DRIVER_FEATURES, (int) accepted);
        regs.write32(DRIVER_FEATURES_SEL, 1);
        regs.write32(DRIVER_FEATURES, (int) (accepted >>> 32));
        addStatus(STATUS_FEATURES_OK);
        if ((status() & STATUS_FEATURES_OK) == 0) {
            fail();
            throw new IOReturnException(IOReturn.UNSUPPORTED, regs.name() + ": device refused features 0x"
                    + Long.toHexString(accepted));
        }
        return accepted;
    }

    /** @return QueueNumMax of queue {@code index} (0 if the queue does not exist) */
    public int queueNumMax(int index) {
        regs.write32(QUEUE_SEL, index);
        return regs.read32(QUEUE_NUM_MAX);
    }

    /** 4.2.3.2: tells the device where {@code q}'s rings are and marks it ready. */
    public void setupQueue(Virtqueue q) {
        regs.write32(QUEUE_SEL, q.index());
        if (regs.read32(QUEUE_READY) != 0) {
            throw new IOReturnException(IOReturn.BUSY, regs.name() + ": queue " + q.index() + " is already ready");
        }
        regs.write32(QUEUE_NUM, q.size());
        writeAddress(QUEUE_DESC_LOW, q.descAddress());
        writeAddress(QUEUE_DRIVER_LOW, q.availAddress());
        writeAddress(QUEUE_DEVICE_LOW, q.usedAddress());
        regs.write32(QUEUE_READY, 1);
    }

    private void writeAddress(int lowReg, long address) {
        regs.write32(lowReg, (int) address);
        regs.write32(lowReg + 4, (int) (address >>> 32));
    }

    public void driverOk() {
        addStatus(STATUS_DRIVER_OK);
    }

    /** Doorbell: tells the device queue {@code index} has new available buffers. */
    public void notifyQueue(int index) {
        regs.write32(QUEUE_NOTIFY, index);
    }

    /** Reads InterruptStatus and acknowledges exactly those bits; returns them. */
    public int takeInterruptStatus() {
        int isr = regs.read32(INTERRUPT_STATUS);
        if (isr != 0) {
            regs.write32(INTERRUPT_ACK, isr);
        }
        return isr;
    }

    /** Reads a u32 of the device configuration consistently (2.5.1: retried while the generation changes). */
    public long config32(int offset) {
        while (true) {
            int gen = regs.read32(CONFIG_GENERATION);
            long v = regs.read32(CONFIG + offset) & 0xffff_ffffL;
            if (regs.read32(CONFIG_GENERATION) == gen) {
                return v;
            }
        }
    }

    /** Reads a u64 of the device configuration as two u32 halves within one generation. */
    public long config64(int offset) {
        while (true) {
            int gen = regs.read32(CONFIG_GENERATION);
            long low = regs.read32(CONFIG + offset) & 0xffff_ffffL;
            long high = regs.read32(CONFIG + offset + 4) & 0xffff_ffffL;
            if (regs.read32(CONFIG_GENERATION) == gen) {
                return low | (high << 32);
            }
        }
    }
}
