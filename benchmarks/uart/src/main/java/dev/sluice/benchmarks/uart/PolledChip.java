package dev.sluice.benchmarks.uart;

import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.MmioRegion;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.uart.Ns16550a;
import java.util.concurrent.locks.LockSupport;

/**
 * The control row: the ns16550a model alone, without the kernel or the driver. One thread
 * ({@code chip-poller}) polls LSR about every {@value #POLL_MICROS} us, drains RBR while DR is set
 * and writes up to 16 bytes to THR when THRE is set, moving bytes between the chip and two 4 KiB
 * buffers that {@link #write} and {@link #read} use. What the driver adds on top of this (gate,
 * interrupt controller, work loop, sleep/wakeup) is the difference between the two rows.
 */
final class PolledChip implements Endpoint, AutoCloseable {

    static final long POLL_MICROS = 20;
    private static final int RBR = 0, THR = 0, DLL = 0, DLM = 1, FCR = 2, LCR = 3, LSR = 5;
    private static final int DR = 0x01, THRE = 0x20;

    private final SystemDeviceClock clock = new SystemDeviceClock();
    private final Ns16550a model;
    private final MmioRegion regs;
    private final Thread poller;
    private final Object lock = new Object();
    private final byte[] tx = new byte[4096];
    private final byte[] rx = new byte[4096];
    private int txHead;
    private int txSize;
    private int rxHead;
    private int rxSize;
    private volatile boolean running = true;

    /** Creates the model with {@code clock-frequency} {@code clockHz}, programs divisor 1, 8N1, FIFOs, and starts polling. */
    PolledChip(long clockHz) throws Exception {
        model = Ns16550a.create(DeviceModelContext.builder("serial@9000000").compatible("ns16550a").reg(0x0900_0000L, 0x100)
                .propertyU32("clock-frequency", clockHz).clock(clock).guestMemory(new GuestMemory(0x8000_0000L, 1 << 20))
                .backend(BackendSpec.parse("tcp:127.0.0.1:0")).build());
        regs = model.mmio(0);
        regs.write8(LCR, 0x80);
        regs.write8(DLL, 1);
        regs.write8(DLM, 0);
        regs.write8(LCR, 0x03);
        regs.write8(FCR, 0x87);
        poller = new Thread(this::poll, "chip-poller");
        poller.setDaemon(true);
        poller.start();
    }

    Ns16550a model() {
        return model;
    }

    private void poll() {
        byte[] load = new byte[16];
        while (running) {
            boolean moved = false;
            int lsr = regs.read8(LSR);
            while ((lsr & DR) != 0 && rxRoom()) { // no room: leave the rest in the FIFO until the reader catches up
                int b = regs.read8(RBR);
                synchronized (lock) {
                    rx[(rxHead + rxSize++) % rx.length] = (byte) b;
                    lock.notifyAll();
                }
                moved = true;
                lsr = regs.read8(LSR);
            }
            if ((lsr & THRE) != 0) {
                int n;
                synchronized (lock) {
                    n = Math.min(16, txSize);
                    for (int i = 0; i < n; i++) {
                        load[i] = tx[(txHead + i) % tx.length];
                    }
                    txHead = (txHead + n) % tx.length;
                    txSize -= n;
                    if (n > 0) {
                        lock.notifyAll();
                    }
                }
                for (int i = 0; i < n; i++) {
                    regs.write8(THR, load[i] & 0xFF);
                }
                moved |= n > 0;
            }
            if (!moved) {
                LockSupport.parkNanos(POLL_MICROS * 1_000);
            }
        }
    }

    private boolean rxRoom() {
        synchronized (lock) {
            return rxSize < rx.length;
        }
    }

    @Override
    public int write(byte[] b, int off, int len) {
        synchronized (lock) {
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (txSize == tx.length && System.nanoTime() < deadline) {
                waitOn(deadline);
            }
            int n = Math.min(len, tx.length - txSize);
            for (int i = 0; i < n; i++) {
                tx[(txHead + txSize + i) % tx.length] = b[off + i];
            }
            txSize += n;
            return n;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) {
        synchronized (lock) {
            long deadline = System.nanoTime() + 100_000_000L;
            while (rxSize == 0 && System.nanoTime() < deadline) {
                waitOn(deadline);
            }
            int n = Math.min(len, rxSize);
            for (int i = 0; i < n; i++) {
                b[off + i] = rx[(rxHead + i) % rx.length];
            }
            rxHead = (rxHead + n) % rx.length;
            rxSize -= n;
            return n;
        }
    }

    private void waitOn(long deadline) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            try {
                lock.wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(2_000);
        model.close();
        clock.close();
    }
}
