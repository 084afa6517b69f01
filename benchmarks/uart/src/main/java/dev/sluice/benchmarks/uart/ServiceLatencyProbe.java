package dev.sluice.benchmarks.uart;

import dev.sluice.models.DeviceModel;
import dev.sluice.models.InterruptLine;
import dev.sluice.models.MmioRegion;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A stopwatch between the UART model and the driver: it sits on the model's interrupt line and
 * register window and records, for every rising edge of the line, the time until the driver
 * next reads IIR (the first thing its interrupt action does). That is the latency the receive
 * FIFO must cover: with an 8-byte trigger, 9 more character times before a character is lost.
 *
 * <p>Threads: the line is driven from the model's threads, IIR is read on the driver's work loop
 * thread; {@link #latency()} is read after a run.
 */
final class ServiceLatencyProbe {

    private static final int IIR = 2;

    private final Histogram histogram = new Histogram(60_000_000_000L, 2);
    private volatile long raisedAt;

    /** @return a line that notes each rising edge and passes everything on to {@code line} */
    InterruptLine line(InterruptLine line) {
        return new InterruptLine() {
            @Override
            public void raise() {
                if (!line.isRaised()) {
                    raisedAt = System.nanoTime();
                }
                line.raise();
            }

            @Override
            public void lower() {
                line.lower();
            }

            @Override
            public void pulse() {
                line.pulse();
            }

            @Override
            public boolean isRaised() {
                return line.isRaised();
            }
        };
    }

    /** @return {@code model} with a register window that stops the watch at the next IIR read */
    DeviceModel model(DeviceModel model) {
        MmioRegion regs = model.mmio(0);
        MmioRegion timed = new MmioRegion() {
            @Override public String name() { return regs.name(); }
            @Override public long base() { return regs.base(); }
            @Override public long size() { return regs.size(); }
            @Override public int read16(long offset) { return regs.read16(offset); }
            @Override public int read32(long offset) { return regs.read32(offset); }
            @Override public long read64(long offset) { return regs.read64(offset); }
            @Override public void write8(long offset, int value) { regs.write8(offset, value); }
            @Override public void write16(long offset, int value) { regs.write16(offset, value); }
            @Override public void write32(long offset, int value) { regs.write32(offset, value); }
            @Override public void write64(long offset, long value) { regs.write64(offset, value); }

            @Override
            public int read8(long offset) {
                if (offset == IIR) {
                    long at = raisedAt;
                    if (at != 0) {
                        raisedAt = 0;
                        record(System.nanoTime() - at);
                    }
                }
                return regs.read8(offset);
            }
        };
        return new DeviceModel() {
            @Override public MmioRegion mmio(int index) { return index == 0 ? timed : model.mmio(index); }
            @Override public int mmioCount() { return model.mmioCount(); }
            @Override public void reset() { model.reset(); }
            @Override public void close() { model.close(); }
            @Override public List<String> describe() { return model.describe(); }
        };
    }

    private synchronized void record(long nanos) {
        histogram.recordValue(Math.max(0, nanos));
    }

    /** Forgets what was recorded (after a warm-up). */
    synchronized void reset() {
        histogram.reset();
    }

    /** @return a copy of the latencies recorded since the last reset, in nanoseconds */
    synchronized Histogram latency() {
        return histogram.copy();
    }
}
