package dev.sluice.models.virtio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * virtio-blk (virtio 1.x section 5.2, device ID 2) backed by a disk-image file.
 *
 * <ul>
 * <li>One request queue. Requests: IN (read), OUT (write), FLUSH ({@link FileChannel#force(boolean)
 * force(true)}), GET_ID (the 20-byte id string); anything else completes with UNSUPP.</li>
 * <li>Configuration: capacity (512-byte sectors), size_max, seg_max and blk_size (512), with
 * VIRTIO_BLK_F_SIZE_MAX, F_SEG_MAX, F_BLK_SIZE, F_FLUSH and, for a read-only image, F_RO.</li>
 * <li>A request whose data is split into more than seg_max segments or has a segment longer
 * than size_max, whose data length is not a multiple of 512, or that reaches beyond the
 * capacity, completes with IOERR; so does a write to a read-only image or a failed file
 * operation. A chain without a device-writable status byte is a protocol error
 * (DEVICE_NEEDS_RESET).</li>
 * <li>The image is created sparse with the configured capacity if missing, and extended (sparse)
 * if shorter.</li>
 * </ul>
 * Data moves between the image and guest memory by file-channel I/O on views of guest RAM, with
 * no copy in between. Requests are processed in order, on the notifying thread when the device is
 * idle (unless built with {@code iothread}, then always on the io thread); every request made
 * available before a notification is completed, and completions of one pass share one interrupt.
 */
public final class BlockDevice extends VirtioDevice {

    /** Default maximum number of data segments per request. */
    public static final int DEFAULT_SEG_MAX = 8;
    /** Default maximum size of one data segment. */
    public static final int DEFAULT_SIZE_MAX = 64 * 1024;

    private final Path image;
    private final FileChannel channel;
    private final long capacitySectors;
    private final int segMax;
    private final int sizeMax;
    private final boolean readOnly;
    private final boolean iothread;
    private final byte[] id;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * Opens (creating if missing) the image.
     *
     * @param image           the disk-image file
     * @param capacitySectors capacity in 512-byte sectors; 0 to take it from an existing file's size
     * @param readOnly        offer VIRTIO_BLK_F_RO and refuse writes
     * @param id              the GET_ID string (at most 20 bytes are used)
     * @param segMax          seg_max (at least 1)
     * @param sizeMax         size_max in bytes (at least 512)
     * @param iothread        true to process every request on the model's io thread; false to
     *                        process a notification on the notifying thread when the device is idle
     * @throws IOException if the image cannot be created or opened, or has no size to use
     */
    public BlockDevice(Path image, long capacitySectors, boolean readOnly, String id, int segMax, int sizeMax,
            boolean iothread) throws IOException {
        this.iothread = iothread;
        if (segMax < 1 || sizeMax < Virtio.SECTOR_SIZE) {
            throw new IllegalArgumentException("seg_max " + segMax + " must be >= 1 and size_max " + sizeMax + " >= 512");
        }
        this.image = image;
        this.segMax = segMax;
        this.sizeMax = sizeMax;
        this.readOnly = readOnly;
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        this.id = java.util.Arrays.copyOf(idBytes, Math.min(idBytes.length, Virtio.BLK_ID_BYTES));
        boolean exists = Files.exists(image);
        if (!exists && capacitySectors <= 0) {
            throw new IOException("disk image " + image + " does not exist and no capacity was given to create it");
        }
        if (!exists && readOnly) {
            throw new IOException("read-only disk image " + image + " does not exist");
        }
        if (!exists && image.getParent() != null) {
            Files.createDirectories(image.getParent());
        }
        this.channel = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        try {
            long size = channel.size();
            long cap = capacitySectors > 0 ? capacitySectors : size / Virtio.SECTOR_SIZE;
            if (cap <= 0) {
                throw new IOException("disk image " + image + " is empty and no capacity was given");
            }
            if (!readOnly && size < cap * Virtio.SECTOR_SIZE) {
                // sparse: only the last byte is written
                channel.write(ByteBuffer.allocate(1), cap * Virtio.SECTOR_SIZE - 1);
            }
            this.capacitySectors = cap;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override public int deviceId() { return Virtio.ID_BLOCK; }

    @Override public String typeName() { return "block"; }

    @Override public int queueCount() { return 1; }

    @Override
    protected long deviceFeatures() {
        long f = Virtio.bit(Virtio.BLK_F_SIZE_MAX) | Virtio.bit(Virtio.BLK_F_SEG_MAX) | Virtio.bit(Virtio.BLK_F_BLK_SIZE)
                | Virtio.bit(Virtio.BLK_F_FLUSH);
        return readOnly ? f | Virtio.bit(Virtio.BLK_F_RO) : f;
    }

    /** Layout of struct virtio_blk_config (5.2.4) up to and including blk_size. */
    @Override
    protected byte[] config() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, capacitySectors);
        b.putInt(8, sizeMax);
        b.putInt(12, segMax);
        // 16..19 geometry: not offered, zero
        b.putInt(20, Virtio.SECTOR_SIZE);
        return b.array();
    }

    /**
     * Unless built with {@code iothread}, a notification that finds the device idle is processed on
     * the notifying thread: the driver's request is done when its QueueNotify write returns, with
     * no thread hand-off (a request is file I/O of bounded length).
     */
    @Override
    protected boolean processesNotifyInline() {
        return !iothread;
    }

    /** @return the image file */
    public Path image() { return image; }

    /** @return the capacity in 512-byte sectors */
    public long capacitySectors() { return capacitySectors; }

    @Override
    protected void queueNotified(VirtQueue queue) {
        DescriptorChain chain;
        while ((chain = queue.pop()) != null) {
            handle(queue, chain);
        }
    }

    private void handle(VirtQueue queue, DescriptorChain chain) {
        int writable = chain.writableLength();
        if (writable < 1) {
            throw new VirtioProtocolException("block request at descriptor " + chain.head()
                    + " has no device-writable status byte (5.2.6)");
        }
        int statusAt = writable - 1;
        if (chain.readableLength() < 16) {
            finish(queue, chain, statusAt, 0, Virtio.BLK_S_IOERR);
            return;
        }
        ByteBuffer hdr = ByteBuffer.wrap(chain.read(0, 16)).order(ByteOrder.LITTLE_ENDIAN);
        int type = hdr.getInt(0);
        long sector = hdr.getLong(8);
        switch (type) {
            case Virtio.BLK_T_IN -> read(queue, chain, sector, statusAt);
            case Virtio.BLK_T_OUT -> write(queue, chain, sector, statusAt);
            case Virtio.BLK_T_FLUSH -> {
                int st = Virtio.BLK_S_OK;
                try {
                    if (!readOnly) {
                        channel.force(true);
                    }
                    flushes.incrementAndGet();
                } catch (IOException e) {
                    st = Virtio.BLK_S_IOERR;
                }
                finish(queue, chain, statusAt, 0, st);
            }
            case Virtio.BLK_T_GET_ID -> {
                int n = Math.min(Virtio.BLK_ID_BYTES, statusAt);
                byte[] out = java.util.Arrays.copyOf(id, n);
                chain.write(0, out, 0, n);
                finish(queue, chain, statusAt, n, Virtio.BLK_S_OK);
            }
            default -> finish(queue, chain, statusAt, 0, Virtio.BLK_S_UNSUPP);
        }
    }

    private boolean acceptable(DescriptorChain chain, boolean writableSide, int from, int length, long sector) {
        if (length % Virtio.SECTOR_SIZE != 0) {
            return false;
        }
        if (sector < 0 || sector > capacitySectors || length / Virtio.SECTOR_SIZE > capacitySectors - sector) {
            return false;
        }
        int[] segs = chain.segmentsOverlapping(writableSide, from, from + length);
        return segs[0] <= segMax && segs[1] <= sizeMax;
    }

    private void read(VirtQueue queue, DescriptorChain chain, long sector, int statusAt) {
        int length = statusAt;
        if (!acceptable(chain, true, 0, length, sector)) {
            finish(queue, chain, statusAt, 0, Virtio.BLK_S_IOERR);
            return;
        }
        try {
            chain.readFrom(channel, sector * Virtio.SECTOR_SIZE, 0, length);
        } catch (IOException e) {
            finish(queue, chain, statusAt, 0, Virtio.BLK_S_IOERR);
            return;
        }
        reads.incrementAndGet();
        finish(queue, chain, statusAt, length, Virtio.BLK_S_OK);
    }

    private void write(VirtQueue queue, DescriptorChain chain, long sector, int statusAt) {
        int length = chain.readableLength() - 16;
        if (readOnly || !acceptable(chain, false, 16, length, sector)) {
            finish(queue, chain, statusAt, 0, Virtio.BLK_S_IOERR);
            return;
        }
        try {
            chain.writeTo(channel, sector * Virtio.SECTOR_SIZE, 16, length);
        } catch (IOException e) {
            finish(queue, chain, statusAt, 0, Virtio.BLK_S_IOERR);
            return;
        }
        writes.incrementAndGet();
        finish(queue, chain, statusAt, 0, Virtio.BLK_S_OK);
    }

    private void finish(VirtQueue queue, DescriptorChain chain, int statusAt, int dataWritten, int status) {
        if (status != Virtio.BLK_S_OK) {
            failed.incrementAndGet();
        }
        chain.write(statusAt, new byte[] {(byte) status}, 0, 1);
        queue.complete(chain, dataWritten + 1);
    }

    @Override
    protected void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    @Override
    protected List<String> describe() {
        return List.of(String.format("image %s, %d sectors%s, seg_max %d, size_max %d", image, capacitySectors,
                        readOnly ? " (read-only)" : "", segMax, sizeMax),
                "notifications processed " + (iothread ? "on the io thread" : "on the notifying thread when idle"),
                String.format("requests: %d reads, %d writes, %d flushes, %d failed", reads.get(), writes.get(),
                        flushes.get(), failed.get()));
    }
}
