package dev.sluice.drivers.uart;

import dev.sluice.drivers.serial.api.LineSettings;
import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.serial.api.SerialStatistics;
import dev.sluice.drivers.serial.console.GatedWait;
import dev.sluice.drivers.serial.console.SerialConsole;
import dev.sluice.drivers.uart.internal.Uart16550;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.registry.IOProbeScore;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOInterruptEventSource;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.kernel.workloop.IOTimerEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.devicetree.ChosenStdout;
import dev.sluice.platform.devicetree.DevicetreeException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Driver for PC16550D-compatible UARTs ({@code ns16550a}, {@code ns16550}) on platform nubs.
 *
 * <h2>Contract</h2>
 * Probe accepts a nub with a register window whose scratch register round-trips. Start programs
 * the chip (divisor from {@code clock-frequency}, 8N1 at the {@code /chosen stdout-path} options or
 * {@code current-speed} or 115200, FIFOs with an 8-byte receive trigger), services it from an
 * {@link IOInterruptEventSource} on the nub's interrupt 0 (level), and offers {@link SerialPort}
 * through {@code registerClientInterface}. If the platform cannot deliver that interrupt (its
 * provider refuses the registration), the same service routine runs from a
 * {@value #POLL_MICROS} us {@link IOTimerEventSource} instead ({@code IOSerialMode} = {@code polled}).
 * Receive and transmit go through 4 KiB rings; readers and writers sleep on the gate
 * ({@code commandSleep}, gate released) until the interrupt action wakes them or their timeout
 * passes. If the board's {@code /chosen stdout-path} names this UART, a Gogo shell session runs on
 * it ({@link SerialConsole}, from the first key pressed) until the driver stops.
 *
 * <h2>Threads</h2>
 * {@link SerialPort} calls run on the caller's thread with the work loop's gate closed (sleeping
 * with it released). The interrupt (or poll) action runs on the work loop thread with the gate
 * closed. {@link #start} and {@link #stop} run on the kernel's matching thread; stop ends the
 * console thread and wakes every sleeper (they fail with {@link IllegalStateException}).
 */
@Personality(name = "Uart16550", providerClass = "IOPlatformDevice", nameMatch = {"ns16550a", "ns16550"},
        probeScore = 1000)
public final class Uart16550Driver extends IOService implements SerialPort {

    /** Poll period when the interrupt line cannot be used (16 characters at 115200 take 1.39 ms). */
    public static final long POLL_MICROS = 1000;
    static final int RING_BYTES = 4096;
    static final LineSettings DEFAULT_LINE = LineSettings.of8N1(115200);

    private final Object rxEvent = new Object();
    private final Object txEvent = new Object();
    private final Object consoleExit = new Object();
    private IOPlatformDevice nub;
    private IOCommandGate<Uart16550Driver> gate;
    private Uart16550 uart; // guarded by the gate
    private IOTimerEventSource<Uart16550Driver> poll;
    private String mode = "stopped";
    private volatile boolean open;
    private SerialConsole console;
    private Logger log;

    @Override
    public IOService probe(IOService provider, IOProbeScore score) {
        if (!(provider instanceof IOPlatformDevice device) || device.getDeviceMemoryCount() == 0) {
            return null;
        }
        return chip(device).scratchRoundTrips() ? this : null;
    }

    private static Uart16550 chip(IOPlatformDevice device) {
        return new Uart16550(device.getDeviceMemory(0), (int) number(device, "reg-shift", 0),
                number(device, "clock-frequency", 1_843_200L), RING_BYTES, RING_BYTES);
    }

    private static long number(IOService nub, String key, long fallback) {
        Object v = nub.getProperty(key);
        if (v instanceof List<?> list && !list.isEmpty()) {
            v = list.get(0);
        }
        return v instanceof Number n && n.longValue() != 0 ? n.longValue() : fallback;
    }

    @Override
    public IOWorkLoop getWorkLoop() {
        IOWorkLoop provided = super.getWorkLoop();
        return provided != null ? provided : dedicatedWorkLoop();
    }

    @Override
    public boolean start(IOService provider) {
        nub = (IOPlatformDevice) provider;
        log = logger();
        Optional<ChosenStdout> chosen = chosenStdout(nub);
        LineSettings line = chosen.flatMap(ChosenStdout::options).map(this::parseOrDefault)
                .orElse(LineSettings.of8N1((int) number(nub, "current-speed", DEFAULT_LINE.baud())));
        uart = chip(nub);
        gate = IOCommandGate.commandGate(this);
        if (addEventSource(gate) != IOReturn.SUCCESS) {
            return false;
        }
        gate.runAction(self -> {
            self.uart.init(line);
            self.open = true;
            return IOReturn.SUCCESS;
        });
        if (!startInterrupts()) {
            return false;
        }
        setProperty("IOSerialMode", mode);
        setProperty("IOSerialLine", line.toString());
        String backend = nub.model().flatMap(m -> m.describe().stream().filter(s -> s.startsWith("backend")).findFirst())
                .orElse("backend unknown");
        setProperty("IOSerialBackend", backend);
        registerClientInterface(SerialPort.class, this);
        info("{}: ns16550a at {} ({} mode), {}", nub.getPathComponent(), line, mode, backend);
        if (chosen.isPresent()) {
            BundleContext context = bundleContext();
            if (context != null) {
                console = new SerialConsole(context, this, () -> open, "uart-console-" + nub.getPathComponent(), log,
                        () -> gate.commandWakeup(consoleExit, false));
                console.start();
                info("{}: kernel console on it (/chosen stdout-path): a Gogo shell starts at the first key pressed", nub.getPathComponent());
            }
        }
        return true;
    }

    private boolean startInterrupts() {
        try {
            IOInterruptEventSource<Uart16550Driver> irq = IOInterruptEventSource.interruptEventSource(this,
                    (self, source, count) -> self.serviceChip(), nub, 0);
            if (addEventSource(irq) != IOReturn.SUCCESS) {
                return false;
            }
            irq.enable();
            mode = "interrupt";
            return true;
        } catch (IOReturnException | IllegalArgumentException e) {
            poll = IOTimerEventSource.timerEventSource(this, (self, timer) -> {
                self.serviceChip();
                if (self.open) {
                    timer.setTimeoutUS(POLL_MICROS);
                }
            }, timerService(), IOTimerEventSource.Priority.WORK_LOOP);
            if (addEventSource(poll) != IOReturn.SUCCESS) {
                return false;
            }
            mode = "polled";
            return poll.setTimeoutUS(POLL_MICROS) == IOReturn.SUCCESS;
        }
    }

    /** Interrupt (or poll) action: on the work loop thread, gate closed. */
    private void serviceChip() {
        if (!open) {
            return;
        }
        int r = uart.service();
        if ((r & Uart16550.RX_DATA) != 0) {
            gate.commandWakeup(rxEvent, false);
        }
        if ((r & (Uart16550.TX_SPACE | Uart16550.TX_IDLE)) != 0) {
            gate.commandWakeup(txEvent, false);
        }
    }

    /**
     * Stops the chip and the console. Runs with the work loop's gate held (the kernel's terminate
     * phase): it closes the port (sleepers wake and fail), asks the console to end, and waits up
     * to 5 s for the console thread with the gate released ({@code commandSleep}), since that
     * thread needs the gate for its last reads and writes.
     */
    @Override
    public void stop(IOService provider) {
        SerialConsole c = console;
        console = null;
        if (gate != null) {
            gate.runAction(self -> {
                self.open = false;
                self.uart.shutdown();
                self.gate.commandWakeup(rxEvent, false);
                self.gate.commandWakeup(txEvent, false);
                if (c != null) {
                    GatedWait.stopConsole(self.gate, consoleExit, c, Duration.ofSeconds(5));
                }
                return IOReturn.SUCCESS;
            });
        }
        if (poll != null) {
            poll.cancelTimeout();
        }
        mode = "stopped";
        super.stop(provider);
    }

    // ------------------------------------------------------------------ SerialPort

    @Override
    public int read(byte[] buffer, int offset, int length, long timeoutMillis) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        long deadline = GatedWait.deadline(timeoutMillis);
        int[] n = new int[1];
        IOReturn r = gate.runAction(self -> GatedWait.untilDone(self.gate, rxEvent, deadline, 0, () -> self.open,
                () -> (n[0] = self.uart.take(buffer, offset, length)) > 0));
        return GatedWait.transferred(r, n[0], open, "read", describe());
    }

    @Override
    public int write(byte[] buffer, int offset, int length, long timeoutMillis) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        long deadline = GatedWait.deadline(timeoutMillis);
        int[] n = new int[1];
        IOReturn r = gate.runAction(self -> GatedWait.untilDone(self.gate, txEvent, deadline, 0, () -> self.open,
                () -> (n[0] += self.uart.send(buffer, offset + n[0], length - n[0])) == length));
        return GatedWait.transferred(r, n[0], open, "write", describe());
    }

    @Override
    public boolean drain(long timeoutMillis) {
        long deadline = GatedWait.deadline(timeoutMillis);
        boolean[] idle = new boolean[1];
        // TEMT follows the last THRE interrupt by one character time: re-check at least every millisecond
        long slice = TimeUnit.MILLISECONDS.toNanos(1);
        IOReturn r = gate.runAction(self -> GatedWait.untilDone(self.gate, txEvent, deadline, slice, () -> self.open,
                () -> idle[0] = self.uart.txIdle()));
        GatedWait.interruptGivenBack(r, open);
        return idle[0];
    }

    @Override
    public int available() {
        int[] n = new int[1];
        gate.runAction(self -> {
            n[0] = self.uart.available();
            return IOReturn.SUCCESS;
        });
        return n[0];
    }

    @Override
    public LineSettings lineSettings() {
        LineSettings[] s = new LineSettings[1];
        gate.runAction(self -> {
            s[0] = self.uart.settings();
            return IOReturn.SUCCESS;
        });
        return s[0];
    }

    @Override
    public void setLineSettings(LineSettings settings) {
        Objects.requireNonNull(settings, "settings");
        uart.divisorFor(settings.baud()); // throws before anything changes
        drain(1000);
        gate.runAction(self -> {
            self.uart.programLine(settings);
            return IOReturn.SUCCESS;
        });
        setProperty("IOSerialLine", settings.toString());
    }

    @Override
    public SerialStatistics statistics() {
        SerialStatistics[] s = new SerialStatistics[1];
        gate.runAction(self -> {
            s[0] = new SerialStatistics(self.uart.received(), self.uart.transmitted(), self.uart.overruns(),
                    self.uart.serviced());
            return IOReturn.SUCCESS;
        });
        return s[0];
    }

    @Override
    public String driver() {
        return describe();
    }

    private String describe() {
        Bundle b = FrameworkUtil.getBundle(Uart16550Driver.class);
        return "Uart16550Driver " + (b != null ? b.getVersion() : "") + " on "
                + (nub != null ? nub.getPathComponent() : "nothing") + " (" + mode + ")";
    }

    // ------------------------------------------------------------------ helpers

    private Optional<ChosenStdout> chosenStdout(IOPlatformDevice device) {
        try {
            return device.deviceTreeNode().tree().stdout().filter(c -> c.node().path().equals(device.deviceTreeNode().path()));
        } catch (DevicetreeException e) {
            info("{}: /chosen stdout-path unusable, no console: {}", device.getPathComponent(), e.getMessage());
            return Optional.empty();
        }
    }

    private LineSettings parseOrDefault(String options) {
        try {
            return LineSettings.parse(options);
        } catch (IllegalArgumentException e) {
            return DEFAULT_LINE;
        }
    }

    private BundleContext bundleContext() {
        Bundle b = FrameworkUtil.getBundle(Uart16550Driver.class);
        return b == null ? null : b.getBundleContext();
    }

    private Logger logger() {
        BundleContext context = bundleContext();
        if (context == null) {
            return null;
        }
        ServiceReference<LoggerFactory> ref = context.getServiceReference(LoggerFactory.class);
        LoggerFactory factory = ref == null ? null : context.getService(ref);
        return factory == null ? null : factory.getLogger(context.getBundle(), "Uart16550Driver", Logger.class);
    }

    private void info(String format, Object... args) {
        if (log != null) {
            log.info(format, args);
        }
    }
}
