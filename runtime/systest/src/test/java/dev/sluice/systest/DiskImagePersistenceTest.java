package dev.sluice.systest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 (b): data written and flushed through the virtio-blk driver is in the disk-image file,
 * byte for byte, and survives a whole kernel restart. Two separate JVMs boot the real kernel image
 * on the same home directory (so the default board's {@code var/disk0.img}): the first writes
 * through the driver's user client ({@code ioclient VirtioBlock write}) and flushes, the second
 * reads the sectors back through the driver.
 */
class DiskImagePersistenceTest {

    private static final int SECTOR = 512;
    /** Where the data goes: away from sector 0, not on a page or MiB boundary of the image. */
    private static final long FIRST_SECTOR = 12_345;
    private static final long TIMEOUT_SECONDS = 180;

    @TempDir
    Path home;

    @Test
    @DisplayName("written and flushed in one kernel run, the data is in var/disk0.img byte for byte and reads back the same in the next run")
    void survivesKernelRestart() throws Exception {
        byte[] data = pattern(3 * SECTOR);
        Path disk = home.resolve("var").resolve("disk0.img");
        KernelProcess kernel = new KernelProcess(home);

        KernelProcess.Outcome first = kernel.run(List.of(
                "ioclient VirtioBlock info",
                "ioclient VirtioBlock write " + FIRST_SECTOR + " x:" + HexFormat.of().formatHex(data),
                "ioclient VirtioBlock flush"), TIMEOUT_SECONDS);
        assertEquals(0, first.batchStatus(), first::toString);
        assertTrue(first.stdout().contains("VirtioBlock.write -> SUCCESS"), first::toString);
        assertTrue(first.stdout().contains("scalar[0] = 1536 (0x600)"), "write reports the bytes written: " + first);
        assertTrue(first.stdout().contains("VirtioBlock.flush -> SUCCESS"), first::toString);
        assertArrayEquals(data, fileBytes(disk, FIRST_SECTOR * SECTOR, data.length), "the image holds the data after run 1");
        assertArrayEquals(new byte[SECTOR], fileBytes(disk, (FIRST_SECTOR - 1) * SECTOR, SECTOR), "the sector before is untouched");
        assertArrayEquals(new byte[SECTOR], fileBytes(disk, (FIRST_SECTOR + 3) * SECTOR, SECTOR), "the sector after is untouched");

        KernelProcess.Outcome second = kernel.run(List.of(
                "ioclient VirtioBlock read " + FIRST_SECTOR + " " + data.length), TIMEOUT_SECONDS);
        assertEquals(0, second.batchStatus(), second::toString);
        assertArrayEquals(data, dumped(second.stdout()), "run 2 reads back what run 1 wrote: " + second);
        assertArrayEquals(data, fileBytes(disk, FIRST_SECTOR * SECTOR, data.length), "the image still holds the data after run 2");
    }

    @Test
    @DisplayName("a read beyond the capacity fails with a one-line error naming the range, and the kernel shuts down cleanly")
    void badRangeIsRefused() throws Exception {
        KernelProcess.Outcome run = new KernelProcess(home).run(List.of("ioclient VirtioBlock read 65536 512"), TIMEOUT_SECONDS);
        assertEquals(1, run.batchStatus(), run::toString);
        assertTrue(run.stderr().contains("sectors [65536, +1) are beyond the capacity of 65536 sectors"), run::toString);
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 131 + (i >> 9) * 7 + 1);
        }
        return b;
    }

    private static byte[] fileBytes(Path file, long offset, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(file)) {
            while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) {
                // until full or end of file
            }
        }
        return b.array();
    }

    /** Parses the struct dump {@code ioclient} prints: lines of {@code  OFFSET  HEX BYTES  |TEXT|}. */
    private static byte[] dumped(String stdout) {
        Pattern line = Pattern.compile("^\\s+([0-9a-f]{4,})\\s{2}((?:[0-9a-f]{2} ?)+)\\s+\\|", Pattern.MULTILINE);
        Matcher m = line.matcher(stdout);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (m.find()) {
            assertEquals(out.size(), Integer.parseInt(m.group(1), 16), "dump offsets are contiguous");
            out.writeBytes(HexFormat.of().parseHex(m.group(2).replace(" ", "")));
        }
        return out.toByteArray();
    }
}
