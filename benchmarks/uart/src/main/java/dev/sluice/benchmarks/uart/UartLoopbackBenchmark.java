package dev.sluice.benchmarks.uart;

import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.serial.api.SerialStatistics;
import dev.sluice.models.uart.Ns16550a;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * UART loopback bytes/s: a stream written through the 16550 driver's {@link SerialPort}, sent by
 * the ns16550a model to a TCP echo peer on its backend, echoed back into the model and read
 * through the driver again, every byte checked for order; next to the same stream through a raw
 * loopback socket to the same echo peer, and through the model alone ({@link PolledChip}), in the
 * same run.
 *
 * <p>Each row is a fresh board at one line rate, divisor 1 of its {@code clock-frequency}. A line
 * carries at most baud / 10 bytes/s in each direction (8N1: start, 8 data and stop bits), so each
 * row prints its rate against that ceiling. 115200 baud is the default board's (1.8432 MHz);
 * faster rows raise the clock as real boards do, up to the fastest the model accepts
 * ({@code clock-frequency} 0xffffffff: 268 Mbaud, 37 ns a character), where the line no longer
 * limits anything and the row shows what the software sustains. Lost bytes are reported, not
 * hidden: the model, like the chip, drops a character that completes while its 16-byte receive
 * FIFO is full.
 *
 * <p>Usage: {@code benchmarks/uart/run.sh [seconds per row] [baud,baud,...|max]}.
 */
public final class UartLoopbackBenchmark {

    /** The fastest {@code clock-frequency} the model accepts (a u32 cell). */
    static final long MAX_CLOCK = 0xFFFF_FFFFL;
    /** Each row first streams this long on the same board, unmeasured (JIT, threads, sockets). */
    static final double WARM_UP_SECONDS = 1;

    private final double seconds;
    private final List<String> rows = new ArrayList<>();
    private double rawBytesPerSecond;

    private UartLoopbackBenchmark(double seconds) {
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        double seconds;
        long[] clocks;
        try {
            seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("seconds per row must be positive, not " + args[0]);
            }
            clocks = clocks(args.length > 1 ? args[1] : "115200,921600,max");
        } catch (IllegalArgumentException e) {
            System.err.println("uart benchmark: " + e.getMessage() + "; usage: run.sh [seconds per row] [baud,baud,...|max]");
            System.exit(2);
            return;
        }
        System.out.printf("UART loopback: SerialPort -> 16550 driver -> ns16550a -> TCP echo peer -> back; %.1f s per row,"
                + " %d CPUs, Java %s%n", seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        new UartLoopbackBenchmark(seconds).run(clocks);
    }

    /** @return the {@code clock-frequency} giving each listed rate at divisor 1 ({@code max}: the largest u32) */
    static long[] clocks(String rates) {
        String[] parts = rates.split(",");
        long[] clocks = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String rate = parts[i].trim();
            if (rate.equals("max")) {
                clocks[i] = MAX_CLOCK;
                continue;
            }
            long baud;
            try {
                baud = Long.parseLong(rate);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + rate + "' is neither a baud rate nor max");
            }
            if (baud < 1 || 16 * baud > MAX_CLOCK) {
                throw new IllegalArgumentException(rate + " baud is outside 1.." + MAX_CLOCK / 16
                        + " (divisor 1 of a 32-bit clock-frequency)");
            }
            clocks[i] = 16 * baud;
        }
        return clocks;
    }

    private void run(long[] clocks) throws Exception {
        rawEcho(WARM_UP_SECONDS);
        EchoRun.Result raw = rawEcho(seconds);
        rawBytesPerSecond = raw.bytesPerSecond();
        rows.add(String.format("%-42s %11.0f %10s %9s %9d %7d %8s %7s %7s %22s%s", "raw socket echo", raw.bytesPerSecond(), "-",
                "1", raw.received(), raw.sent() - raw.received(), "-", "-", "-", "-", raw.intact() ? "" : " NOT INTACT"));
        for (long clock : clocks) {
            chipEcho(clock);
            driverEcho(clock);
        }
        System.out.printf("%-42s %11s %10s %9s %9s %7s %8s %7s %7s %22s%n", "path", "bytes/s", "of baud/10", "vs raw",
                "bytes", "lost", "overruns", "irq/KiB", "pauses", "irq->service p50/p99/max us");
        rows.forEach(System.out::println);
        System.out.println("lost = sent - received (in order up to the first bad byte shown); overruns = characters the model"
                + " dropped, receive FIFO full; irq/KiB = interrupt actions that found work per KiB echoed; pauses = characters"
                + " the model's own threads saw more than a character time late (the line then slows); irq->service = model"
                + " raises its line -> driver reads IIR (the receive FIFO covers 9 character times of it)");
    }

    private static EchoRun.Result rawEcho(double secs) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                EchoPeer peer = new EchoPeer(server.accept())) {
            client.setTcpNoDelay(true);
            client.setSoTimeout(100);
            return EchoRun.run(new Endpoint() {
                @Override
                public int write(byte[] b, int off, int len) throws IOException {
                    client.getOutputStream().write(b, off, len);
                    return len;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        int n = client.getInputStream().read(b, off, len);
                        if (n < 0) {
                            throw new IOException("the echo peer closed the socket");
                        }
                        return n;
                    } catch (SocketTimeoutException nothingYet) {
                        return 0;
                    }
                }
            }, secs);
        }
    }

    /** One row through the model alone: a warm-up run (JIT, threads, sockets), then the measured one, on the same chip. */
    private void chipEcho(long clockHz) throws Exception {
        try (PolledChip chip = new PolledChip(clockHz); EchoPeer peer = connect(chip.model())) {
            EchoRun.run(chip, WARM_UP_SECONDS);
            long overruns = chip.model().overruns();
            long pauses = chip.model().linePauses();
            long dropped = chip.model().bytesDroppedByBackend();
            EchoRun.Result r = EchoRun.run(chip, seconds);
            rows.add(row("model alone, polled", clockHz, r, chip.model().overruns() - overruns, Double.NaN,
                    chip.model().linePauses() - pauses, null, dropped(chip.model().bytesDroppedByBackend() - dropped)));
        }
    }

    /** One row through the driver: a warm-up run, then the measured one, on the same board. */
    private void driverEcho(long clockHz) throws Exception {
        try (UartBoard board = new UartBoard(clockHz, (int) (clockHz / 16)); EchoPeer peer = connect(board.model())) {
            SerialPort port = board.port();
            Endpoint end = new Endpoint() {
                @Override
                public int write(byte[] b, int off, int len) {
                    return port.write(b, off, len, 1_000);
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return port.read(b, off, len, 100);
                }
            };
            EchoRun.run(end, WARM_UP_SECONDS);
            board.probe().reset();
            SerialStatistics before = port.statistics();
            long overruns = board.model().overruns();
            long pauses = board.model().linePauses();
            long dropped = board.model().bytesDroppedByBackend();
            EchoRun.Result r = EchoRun.run(end, seconds);
            SerialStatistics after = port.statistics();
            String mode = String.valueOf(board.driverProperty("IOSerialMode"));
            rows.add(row("SerialPort, 16550 driver", clockHz, r, board.model().overruns() - overruns,
                    (after.interrupts() - before.interrupts()) / (r.received() / 1024.0), board.model().linePauses() - pauses,
                    board.probe().latency(), dropped(board.model().bytesDroppedByBackend() - dropped)
                            + (mode.equals("interrupt") ? "" : " " + mode)
                            + (board.failures().isEmpty() ? "" : " " + board.failures())));
        }
    }

    private static String dropped(long bytes) {
        return bytes == 0 ? "" : " (the backend dropped " + bytes + " output bytes: the echo peer, blocked writing back, was not reading)";
    }

    private static EchoPeer connect(Ns16550a model) throws Exception {
        EchoPeer peer = new EchoPeer(new Socket(InetAddress.getLoopbackAddress(), model.port()));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!model.isClientConnected()) {
            if (System.nanoTime() > deadline) {
                peer.close();
                throw new IllegalStateException("the model did not accept the echo peer");
            }
            Thread.onSpinWait();
        }
        return peer;
    }

    private String row(String path, long clockHz, EchoRun.Result r, long overruns, double irqPerKiB, long pauses,
            Histogram service, String notes) {
        long baud = clockHz / 16;
        return String.format("%-42s %11.0f %9.1f%% %9.6f %9d %7d %8d %7s %7d %22s%s",
                String.format("%s, %,d baud", path, baud), r.bytesPerSecond(), 100 * r.bytesPerSecond() / (baud / 10.0),
                r.bytesPerSecond() / rawBytesPerSecond, r.received(), r.sent() - r.received(), overruns,
                Double.isNaN(irqPerKiB) ? "-" : String.format("%.1f", irqPerKiB), pauses,
                service == null ? "-" : String.format("%.0f/%.0f/%.0f", service.getValueAtPercentile(50) / 1e3,
                        service.getValueAtPercentile(99) / 1e3, service.getMaxValue() / 1e3),
                (r.intact() ? "" : " NOT INTACT from byte " + r.firstBad()) + notes);
    }
}
