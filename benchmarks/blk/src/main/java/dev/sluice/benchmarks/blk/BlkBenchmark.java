package dev.sluice.benchmarks.blk;

import dev.sluice.drivers.virtio.BlockEngine;
import dev.sluice.drivers.virtio.BlockEngine.Kind;
import dev.sluice.drivers.virtio.VirtioMmio;
import dev.sluice.kernel.IOReturn;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.virtio.VirtioMmioDevice;
import dev.sluice.models.virtio.VirtioMmioFactory;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Throughput of the virtio-blk driver's data path vs a raw FileChannel on the same image file.
 *
 * <p>The driver side is the production {@link BlockEngine} (virtio-mmio transport, split
 * virtqueue, request splitting, bounce buffers, interrupt harvesting) on the real virtio-blk model
 * over a file backend, serialised by a lock standing in for the work loop gate, with a thread
 * standing in for the interrupt event source's secondary half (the level line releases a permit;
 * the thread takes it and runs {@link BlockEngine#service()} under the lock). The kernel's work
 * loop and the OSGi client front are not in the path. Requests are synchronous (queue depth 1),
 * as the {@code BlockStorage.read/write} calls are. Neither side forces data to disk.
 */
public final class BlkBenchmark {

    private final ReentrantLock gate = new ReentrantLock();
    private final Semaphore irq = new Semaphore(0);
    private BlockEngine engine;

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        new BlkBenchmark().run(mib);
    }

    private void run(int mib) throws Exception {
        Path dir = Files.createTempDirectory("sluice-blk-bench");
        long sectors = (long) mib * 2048 * 2;
        GuestMemory mem = new GuestMemory(0x8000_0000L, 64L << 20);
        DmaAllocator dma = new DmaAllocator(mem);
        InterruptLine line = new InterruptLine() {
            private volatile boolean raised;
            @Override public void raise() { raised = true; irq.release(); }
            @Override public void lower() { raised = false; }
            @Override public void pulse() { irq.release(); }
            @Override public boolean isRaised() { return raised; }
        };
        DeviceModelContext ctx = DeviceModelContext.builder("virtio@a000000").path("/virtio@a000000")
                .compatible("virtio,mmio").propertyU32(VirtioMmioFactory.PROP_DEVICE_ID, 2)
                .propertyU32(VirtioMmioFactory.PROP_CAPACITY, sectors).propertyStrings("sluice,backend", "file:disk.img")
                .reg(0xa000000L, 0x200).guestMemory(mem).clock(new SystemDeviceClock()).baseDirectory(dir).interrupt(line).build();
        try (VirtioMmioDevice dev = (VirtioMmioDevice) new VirtioMmioFactory().create(ctx)) {
            engine = new BlockEngine(new VirtioMmio(dev.mmio(0)), mem, dma);
            locked(() -> engine.start());
            Thread secondary = new Thread(() -> {
                try {
                    while (true) {
                        irq.acquire();
                        irq.drainPermits(); // coalesced, as the event source does
                        locked(() -> engine.service());
                    }
                } catch (InterruptedException e) {
                    // benchmark over
                }
            }, "blk-bench-irq");
            secondary.setDaemon(true);
            secondary.start();
            Path image = dir.resolve("disk.img");
            try (FileChannel raw = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long bytes = (long) mib << 20;
                int randomOps = 4096;
                long[] offsets = new Random(42).longs(randomOps, 0, bytes / 4096).map(x -> x * 4096).toArray();
                System.out.printf("virtio-blk benchmark: %d MiB sequential, %d random 4 KiB ops, queue depth 1, image %s%n",
                        mib, randomOps, image);
                System.out.printf("%-22s %12s %12s %8s%n", "workload", "driver MB/s", "raw MB/s", "ratio");
                for (int round = 0; round < 2; round++) { // round 0 warms up the JIT and the file
                    boolean print = round == 1;
                    row(print, "seq write 1 MiB", bytes, () -> seq(Kind.WRITE, bytes), () -> rawSeq(raw, true, bytes));
                    row(print, "seq read 1 MiB", bytes, () -> seq(Kind.READ, bytes), () -> rawSeq(raw, false, bytes));
                    row(print, "rand write 4 KiB", 4096L * randomOps, () -> rand(Kind.WRITE, offsets), () -> rawRand(raw, true, offsets));
                    row(print, "rand read 4 KiB", 4096L * randomOps, () -> rand(Kind.READ, offsets), () -> rawRand(raw, false, offsets));
                }
            }
            secondary.interrupt();
            locked(() -> engine.shutdown(IOReturn.ABORTED, "benchmark over"));
        } finally {
            Files.deleteIfExists(dir.resolve("disk.img"));
            Files.deleteIfExists(dir);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static void row(boolean print, String name, long bytes, Work driver, Work raw) throws Exception {
        long t0 = System.nanoTime();
        driver.run();
        long t1 = System.nanoTime();
        raw.run();
        long t2 = System.nanoTime();
        double d = bytes / ((t1 - t0) / 1e9) / 1e6;
        double r = bytes / ((t2 - t1) / 1e9) / 1e6;
        if (print) {
            System.out.printf("%-22s %12.1f %12.1f %7.0f%%%n", name, d, r, 100 * d / r);
        }
    }

    private void locked(Runnable r) {
        gate.lock();
        try {
            r.run();
        } finally {
            gate.unlock();
        }
    }

    private void io(Kind kind, long sector, byte[] buf) throws Exception {
        CompletableFuture<BlockEngine.Request> done = new CompletableFuture<>();
        BlockEngine.Request r = new BlockEngine.Request(kind, sector, buf, done::complete);
        locked(() -> engine.submit(r));
        if (done.get().failure() != null) {
            throw done.get().failure();
        }
    }

    private void seq(Kind kind, long bytes) throws Exception {
        byte[] buf = new byte[1 << 20];
        for (long off = 0; off < bytes; off += buf.length) {
            io(kind, off / 512, buf);
        }
    }

    private void rand(Kind kind, long[] offsets) throws Exception {
        byte[] buf = new byte[4096];
        for (long off : offsets) {
            io(kind, off / 512, buf);
        }
    }

    private static void rawSeq(FileChannel ch, boolean write, long bytes) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (long off = 0; off < bytes; off += b.capacity()) {
            b.clear();
            while (b.hasRemaining()) {
                int n = write ? ch.write(b, off + b.position()) : ch.read(b, off + b.position());
                if (n < 0) {
                    break;
                }
            }
            if (!write) {
                b.flip();
                b.get(new byte[b.remaining()]); // the driver copies into the caller's array too
            }
        }
    }

    private static void rawRand(FileChannel ch, boolean write, long[] offsets) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (long off : offsets) {
            b.clear();
            while (b.hasRemaining()) {
                int n = write ? ch.write(b, off + b.position()) : ch.read(b, off + b.position());
                if (n < 0) {
                    break;
                }
            }
        }
    }
}
