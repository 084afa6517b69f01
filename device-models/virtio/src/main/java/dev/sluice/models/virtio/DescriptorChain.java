package dev.sluice.models.virtio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One request popped from a virtqueue: the chain of buffers a driver made available, already
 * validated (inside guest memory, no loop, device-readable before device-writable, indirect
 * tables followed). Since virtio 1.0 the device may not assume any particular framing (2.6.4), so
 * the chain is presented as two byte streams: the device-readable bytes and the device-writable
 * bytes, each the concatenation of its descriptors' buffers.
 *
 * <p>Used only on the io thread. {@link #write} copies into guest memory under the transport's
 * lock and only while the queue has not been reset, so a reset driver never sees late DMA.
 */
public final class DescriptorChain {

    /** One descriptor's buffer. */
    public record Segment(long address, int length, boolean writable) { }

    private final VirtQueue queue;
    private final int head;
    private final List<Segment> segments;
    private final int readable;
    private final int writable;

    DescriptorChain(VirtQueue queue, int head, List<Segment> segments) {
        this.queue = queue;
        this.head = head;
        this.segments = List.copyOf(segments);
        long r = 0;
        long w = 0;
        for (Segment s : segments) {
            if (s.writable()) {
                w += s.length();
            } else {
                r += s.length();
            }
        }
        if (r > Integer.MAX_VALUE || w > Integer.MAX_VALUE) {
            throw new VirtioProtocolException("descriptor chain at head " + head + " is longer than 2 GiB");
        }
        this.readable = (int) r;
        this.writable = (int) w;
    }

    /** @return the head descriptor index (the id written to the used ring) */
    public int head() { return head; }

    /** @return the buffers, in chain order */
    public List<Segment> segments() { return segments; }

    /** @return total device-readable bytes */
    public int readableLength() { return readable; }

    /** @return total device-writable bytes */
    public int writableLength() { return writable; }

    /**
     * Reads {@code length} bytes of the device-readable stream from {@code offset}.
     *
     * @throws IndexOutOfBoundsException if that is beyond the readable bytes
     */
    public byte[] read(int offset, int length) {
        if (offset < 0 || length < 0 || offset > readable - length) {
            throw new IndexOutOfBoundsException("read " + offset + "+" + length + " of " + readable + " readable bytes");
        }
        byte[] out = new byte[length];
        int pos = 0;
        int done = 0;
        for (Segment s : segments) {
            if (s.writable() || done == length) {
                continue;
            }
            int segEnd = pos + s.length();
            if (segEnd > offset + done) {
                int skip = offset + done - pos;
                int n = Math.min(s.length() - skip, length - done);
                queue.memory().read(s.address() + skip, out, done, n);
                done += n;
            }
            pos = segEnd;
        }
        return out;
    }

    /**
     * Writes {@code length} bytes of {@code src} into the device-writable stream at {@code offset}.
     *
     * @throws IndexOutOfBoundsException if that is beyond the writable bytes
     */
    public void write(int offset, byte[] src, int srcOffset, int length) {
        if (offset < 0 || length < 0 || offset > writable - length) {
            throw new IndexOutOfBoundsException("write " + offset + "+" + length + " of " + writable + " writable bytes");
        }
        List<long[]> pieces = new ArrayList<>();
        int pos = 0;
        int done = 0;
        for (Segment s : segments) {
            if (!s.writable() || done == length) {
                continue;
            }
            int segEnd = pos + s.length();
            if (segEnd > offset + done) {
                int skip = offset + done - pos;
                int n = Math.min(s.length() - skip, length - done);
                pieces.add(new long[] {s.address() + skip, srcOffset + done, n});
                done += n;
            }
            pos = segEnd;
        }
        queue.dma(() -> {
            for (long[] p : pieces) {
                queue.memory().write(p[0], src, (int) p[1], (int) p[2]);
            }
        });
    }

    /**
     * Writes {@code length} bytes of the device-readable stream from {@code offset} to
     * {@code channel} at {@code position}, straight from guest RAM with one gathering write (no
     * intermediate copy). Moves the channel's position: the channel must be the caller's alone.
     *
     * @throws IndexOutOfBoundsException if that is beyond the readable bytes
     * @throws IOException              if the channel fails
     */
    public void writeTo(FileChannel channel, long position, int offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset > readable - length) {
            throw new IndexOutOfBoundsException("read " + offset + "+" + length + " of " + readable + " readable bytes");
        }
        ByteBuffer[] bufs = views(false, offset, length);
        channel.position(position);
        long left = length;
        while (left > 0) {
            left -= channel.write(bufs);
        }
    }

    /**
     * Reads {@code length} bytes from {@code channel} at {@code position} into the device-writable
     * stream at {@code offset}, straight into guest RAM with one scattering read; bytes beyond the
     * end of the file read as zeros. Moves the channel's position: the channel must be the
     * caller's alone. The transfer happens only while the queue has not been reset, and a reset
     * waits for it (see {@link VirtioMmioDevice}), so a reset driver never sees late DMA.
     *
     * @throws IndexOutOfBoundsException if that is beyond the writable bytes
     * @throws IOException              if the channel fails
     * @throws StaleQueueException      if the queue was reset meanwhile
     */
    public void readFrom(FileChannel channel, long position, int offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset > writable - length) {
            throw new IndexOutOfBoundsException("write " + offset + "+" + length + " of " + writable + " writable bytes");
        }
        ByteBuffer[] bufs = views(true, offset, length);
        queue.directDma(() -> {
            channel.position(position);
            long left = length;
            while (left > 0) {
                long n = channel.read(bufs);
                if (n < 0) {
                    for (ByteBuffer b : bufs) {
                        while (b.hasRemaining()) {
                            b.put((byte) 0); // beyond the end of a short image
                        }
                    }
                    return;
                }
                left -= n;
            }
        });
    }

    /** @return guest-RAM views of bytes {@code [offset, offset + length)} of one direction's stream */
    private ByteBuffer[] views(boolean writableSide, int offset, int length) {
        List<ByteBuffer> out = new ArrayList<>();
        int pos = 0;
        int done = 0;
        for (Segment s : segments) {
            if (s.writable() != writableSide || done == length) {
                continue;
            }
            int segEnd = pos + s.length();
            if (segEnd > offset + done) {
                int skip = offset + done - pos;
                int n = Math.min(s.length() - skip, length - done);
                out.addAll(Arrays.asList(queue.memory().buffers(s.address() + skip, n)));
                done += n;
            }
            pos = segEnd;
        }
        return out.toArray(ByteBuffer[]::new);
    }

    /**
     * @return {@code [count, longest]} of the segments of one direction that overlap the byte
     *         range {@code [from, to)} of that direction's stream (e.g. a block request's data)
     */
    public int[] segmentsOverlapping(boolean writableSide, int from, int to) {
        int count = 0;
        int longest = 0;
        int pos = 0;
        for (Segment s : segments) {
            if (s.writable() != writableSide) {
                continue;
            }
            int end = pos + s.length();
            if (end > from && pos < to) {
                count++;
                longest = Math.max(longest, s.length());
            }
            pos = end;
        }
        return new int[] {count, longest};
    }

    @Override
    public String toString() {
        return "chain@" + head + " (" + segments.size() + " descriptors, " + readable + " readable, " + writable + " writable)";
    }
}
