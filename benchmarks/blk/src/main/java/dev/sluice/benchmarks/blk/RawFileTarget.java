package dev.sluice.benchmarks.blk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The baseline: positional reads and writes of the caller's own array (wrapped, as an application
 * holding a {@code byte[]} would do it) on a {@link FileChannel} over the same image file, on the
 * calling thread; flush is {@code force(true)}, what the virtio-blk model does for a FLUSH.
 */
final class RawFileTarget implements BlockTarget {

    private static final int SECTOR = 512;
    private final FileChannel channel;

    RawFileTarget(Path image) throws IOException {
        channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Override
    public String name() {
        return "raw FileChannel";
    }

    @Override
    public void read(long sector, byte[] into) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into);
        long pos = sector * SECTOR;
        while (b.hasRemaining()) {
            if (channel.read(b, pos + b.position()) < 0) {
                throw new IOException("read beyond the end of the image at " + (pos + b.position()));
            }
        }
    }

    @Override
    public void write(long sector, byte[] from) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(from);
        long pos = sector * SECTOR;
        while (b.hasRemaining()) {
            channel.write(b, pos + b.position());
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
