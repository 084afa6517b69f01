package dev.sluice.models.virtio;

/** Constants of the virtio 1.x specification used by the models (and by spec-level test drivers). */
public final class Virtio {

    private Virtio() {
    }

    /** "virt" in little-endian (4.2.2). */
    public static final int MAGIC = 0x74726976;
    /** The non-legacy virtio-mmio register layout (4.2.2). */
    public static final int MMIO_VERSION = 2;
    /** Vendor ID reported by Sluice's models ("SLCE"). */
    public static final int VENDOR_ID = 0x45434c53;

    /** Device IDs (5). */
    public static final int ID_BLOCK = 2;
    public static final int ID_CONSOLE = 3;
    public static final int ID_ENTROPY = 4;

    /** virtio-mmio register offsets (4.2.2, table "MMIO Device Register Layout"). */
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID_REG = 0x00c;
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
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int QUEUE_DEVICE_HIGH = 0x0a4;
    public static final int SHM_SEL = 0x0ac;
    public static final int SHM_LEN_LOW = 0x0b0;
    public static final int SHM_LEN_HIGH = 0x0b4;
    public static final int SHM_BASE_LOW = 0x0b8;
    public static final int SHM_BASE_HIGH = 0x0bc;
    public static final int CONFIG_GENERATION = 0x0fc;
    public static final int CONFIG = 0x100;

    /** InterruptStatus bits (4.2.2). */
    public static final int INT_USED_BUFFER = 1;
    public static final int INT_CONFIG_CHANGE = 2;

    /** Device status bits (2.1). */
    public static final int STATUS_ACKNOWLEDGE = 1;
    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_DEVICE_NEEDS_RESET = 64;
    public static final int STATUS_FAILED = 128;

    /** Reserved feature bits (6). */
    public static final int F_INDIRECT_DESC = 28;
    public static final int F_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;

    /** Split virtqueue descriptor flags (2.7.5). */
    public static final int VIRTQ_DESC_F_NEXT = 1;
    public static final int VIRTQ_DESC_F_WRITE = 2;
    public static final int VIRTQ_DESC_F_INDIRECT = 4;
    /** Available ring flag (2.7.6): the driver does not want used-buffer notifications. */
    public static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
    /** Used ring flag (2.7.8): the device does not need notifications. */
    public static final int VIRTQ_USED_F_NO_NOTIFY = 1;

    /** Block device (5.2): feature bits. */
    public static final int BLK_F_SIZE_MAX = 1;
    public static final int BLK_F_SEG_MAX = 2;
    public static final int BLK_F_RO = 5;
    public static final int BLK_F_BLK_SIZE = 6;
    public static final int BLK_F_FLUSH = 9;
    /** Block request types (5.2.6). */
    public static final int BLK_T_IN = 0;
    public static final int BLK_T_OUT = 1;
    public static final int BLK_T_FLUSH = 4;
    public static final int BLK_T_GET_ID = 8;
    /** Block request status (5.2.6). */
    public static final int BLK_S_OK = 0;
    public static final int BLK_S_IOERR = 1;
    public static final int BLK_S_UNSUPP = 2;
    /** Length of the GET_ID string (5.2.6). */
    public static final int BLK_ID_BYTES = 20;
    public static final int SECTOR_SIZE = 512;

    /** Console device (5.3): feature bits. */
    public static final int CONSOLE_F_SIZE = 0;
    public static final int CONSOLE_F_MULTIPORT = 1;
    public static final int CONSOLE_F_EMERG_WRITE = 2;

    /** @return the feature word with bit {@code bit} set */
    public static long bit(int bit) {
        return 1L << bit;
    }

    /** @return e.g. "ACKNOWLEDGE|DRIVER|FEATURES_OK" for a status value, "0" for none */
    public static String statusString(int status) {
        if (status == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        String[] names = {"ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", "0x10", "0x20", "DEVICE_NEEDS_RESET", "FAILED"};
        for (int i = 0; i < 8; i++) {
            if ((status & (1 << i)) != 0) {
                sb.append(sb.length() == 0 ? "" : "|").append(names[i]);
            }
        }
        return sb.toString();
    }
}
