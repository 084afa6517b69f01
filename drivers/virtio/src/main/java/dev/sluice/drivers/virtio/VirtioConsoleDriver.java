package dev.sluice.drivers.virtio;

import dev.sluice.drivers.serial.api.LineSettings;
import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.serial.api.SerialStatistics;
import dev.sluice.drivers.serial.console.GatedWait;
import dev.sluice.drivers.serial.console.SerialConsole;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.Personality;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.devicetree.ChosenStdout;
import dev.sluice.platform.devicetree.DevicetreeException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The virtio-console driver (virtio 1.x, 5.3; port 0 only) for virtio-mmio nubs with device ID 3,
 * offering the console to applications as a {@link SerialPort}, the same service the 16550 UART
 * driver offers, so that the same code (for example the kernel console, {@link SerialConsole})
 * works on both.
 *
 * <h2>Contract</h2>
 * A virtio console has no line: {@link #lineSettings()} reports the settings last given to
 * {@link #setLineSettings} (initially those of {@code /chosen stdout-path} if it names this device,
 * else 115200 8N1), which change nothing on the wire, as on a pseudo-terminal. No byte is ever
 * dropped by the driver ({@code overruns} stays 0): while nobody reads, the device keeps its input.
 * A Gogo shell session ({@link SerialConsole}) runs on the port when the board asks for one: the
 * device node has the property {@code sluice,gogo-session}, or {@code /chosen stdout-path} names
 * it. The session reads the port then, so other readers would compete with it for input.
 *
 * <h2>Threads</h2>
 * The provider's work loop: {@link SerialPort} calls run on the caller's thread with the gate
 * closed and sleep with it released ({@code commandSleep}) until the interrupt service, on the loop
 * thread, has harvested received bytes or freed transmit buffers, or their timeout passes.
 * {@link #stop} ends the session (waiting for its thread with the gate released) and wakes every
 * sleeper: they fail with {@link IllegalStateException}.
 */
@Personality(name = "VirtioConsole", providerClass = "IOPlatformDevice", nameMatch = "virtio,mmio",
        propertyMatch = "sluice,device-id=3", probeScore = 1000)
public final class VirtioConsoleDriver extends VirtioDriver<ConsoleEngine> implements SerialPort {

    /** Debug bit: bytes received and taken by readers. */
    public static final long DEBUG_RX = 0x1;
    /** Debug bit: bytes queued for transmission and drained. */
    public static final long DEBUG_TX = 0x2;
    /** Debug bit: interrupt services and DEVICE_NEEDS_RESET recoveries. */
    public static final long DEBUG_IRQ = 0x4;
    /** Debug bit: the Gogo session on the port. */
    public static final long DEBUG_SESSION = 0x8;
    /** Device-tree property asking for a Gogo shell session on the port (present = yes). */
    public static final String PROP_GOGO_SESSION = "sluice,gogo-session";
    static final LineSettings DEFAULT_LINE = LineSettings.of8N1(115200);
    private static final Pattern TCP = Pattern.compile("tcp (\\S+:\\d+)");

    private final Object rxEvent = new Object();
    private final Object txEvent = new Object();
    private final Object consoleExit = new Object();
    private IOPlatformDevice nub;
    private volatile boolean open;
    private volatile LineSettings line = DEFAULT_LINE;
    private SerialConsole console;
    private Logger log;

    @Override
    protected int deviceId() {
        return ConsoleEngine.DEVICE_ID;
    }

    @Override
    protected ConsoleEngine newEngine(IOPlatformDevice device) {
        return new ConsoleEngine(new VirtioMmio(device.getDeviceMemory(0)), device.guestMemory(), device.dmaAllocator());
    }

    @Override
    protected String stopReason() {
        return "the virtio-console driver stopped";
    }

    @Override
    protected boolean publish(IOPlatformDevice device, ConsoleEngine engine) {
        nub = device;
        log = logger();
        Optional<ChosenStdout> chosen = chosenStdout(device);
        line = chosen.flatMap(ChosenStdout::options).map(VirtioConsoleDriver::parseOrDefault).orElse(DEFAULT_LINE);
        boolean session = chosen.isPresent() || Boolean.TRUE.equals(device.getProperty(PROP_GOGO_SESSION))
                || "".equals(device.getProperty(PROP_GOGO_SESSION));
        open = true;
        String backend = backend(device);
        setProperty("IOSerialMode", "interrupt");
        setProperty("IOSerialLine", line.toString());
        setProperty("IOSerialBackend", backend);
        setProperty("IOConsoleSession", session ? "gogo" : "none");
        registerClientInterface(SerialPort.class, this);
        info("{}: virtio-console port 0, backend {}", device.getPathComponent(), backend);
        if (session) {
            BundleContext context = bundleContext();
            if (context != null) {
                console = new SerialConsole(context, this, () -> open, "virtio-console-" + device.getPathComponent(), log,
                        () -> gate().commandWakeup(consoleExit, false));
                console.start();
                info("{}: Gogo shell session started on it ({})", device.getPathComponent(),
                        chosen.isPresent() ? "/chosen stdout-path" : PROP_GOGO_SESSION);
                debug(DEBUG_SESSION, "%s: session thread virtio-console-%s", device.getPathComponent(), device.getPathComponent());
            }
        }
        return true;
    }

    /** Interrupt service done (loop thread, gate closed): wakes readers and writers. */
    @Override
    protected void serviced(ConsoleEngine engine, int harvested) {
        if (harvested > 0) {
            if (debugEnabled(DEBUG_IRQ)) {
                debug(DEBUG_IRQ, "interrupt: %d used elements, %d bytes buffered", harvested, engine.available());
            }
            gate().commandWakeup(rxEvent, false);
            gate().commandWakeup(txEvent, false);
        } else if (!engine.running()) {
            debug(DEBUG_IRQ, "interrupt after the engine stopped (re-initialisation failed)");
        }
    }

    /**
     * Closes the port and ends the session: runs with the work loop's gate held, wakes every
     * sleeper, asks the session to end and waits up to 5 s for its thread with the gate released
     * (that thread needs the gate for its last reads and writes). The engine is shut down after
     * this, as a managed resource.
     */
    @Override
    public void stop(IOService provider) {
        SerialConsole c = console;
        console = null;
        if (gate() != null) {
            gate().runAction(self -> {
                open = false;
                gate().commandWakeup(rxEvent, false);
                gate().commandWakeup(txEvent, false);
                if (c != null) {
                    boolean gone = GatedWait.stopConsole(gate(), consoleExit, c, Duration.ofSeconds(5));
                    debug(DEBUG_SESSION, "session ended: thread %s", gone ? "gone" : "still alive");
                }
                return IOReturn.SUCCESS;
            });
        }
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
        IOReturn r = withEngine(e -> GatedWait.untilDone(gate(), rxEvent, deadline, 0, () -> open && e.running(),
                () -> (n[0] = e.take(buffer, offset, length)) > 0));
        if (n[0] > 0 && debugEnabled(DEBUG_RX)) {
            debug(DEBUG_RX, "read %d of %d bytes", n[0], length);
        }
        return GatedWait.transferred(r, n[0], open, "read", describe());
    }

    @Override
    public int write(byte[] buffer, int offset, int length, long timeoutMillis) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        long deadline = GatedWait.deadline(timeoutMillis);
        int[] n = new int[1];
        IOReturn r = withEngine(e -> GatedWait.untilDone(gate(), txEvent, deadline, 0, () -> open && e.running(),
                () -> (n[0] += e.send(buffer, offset + n[0], length - n[0])) == length));
        if (debugEnabled(DEBUG_TX)) {
            debug(DEBUG_TX, "queued %d of %d bytes", n[0], length);
        }
        return GatedWait.transferred(r, n[0], open, "write", describe());
    }

    @Override
    public boolean drain(long timeoutMillis) {
        long deadline = GatedWait.deadline(timeoutMillis);
        boolean[] idle = new boolean[1];
        IOReturn r = withEngine(e -> GatedWait.untilDone(gate(), txEvent, deadline, 0, () -> open && e.running(),
                () -> idle[0] = e.txIdle()));
        GatedWait.interruptGivenBack(r, open);
        debug(DEBUG_TX, "drain: %s", idle[0] ? "every buffer consumed" : "timed out");
        return idle[0];
    }

    @Override
    public int available() {
        int[] n = new int[1];
        withEngine(e -> {
            n[0] = e.available();
            return IOReturn.SUCCESS;
        });
        return n[0];
    }

    /** @return the nominal settings (a virtio console has no line; see the class contract) */
    @Override
    public LineSettings lineSettings() {
        return line;
    }

    /** Records nominal settings; nothing changes on the wire (see the class contract). */
    @Override
    public void setLineSettings(LineSettings settings) {
        line = Objects.requireNonNull(settings, "settings");
        setProperty("IOSerialLine", settings.toString());
    }

    @Override
    public SerialStatistics statistics() {
        SerialStatistics[] s = new SerialStatistics[1];
        withEngine(e -> {
            s[0] = new SerialStatistics(e.received(), e.transmitted(), 0, e.serviced());
            return IOReturn.SUCCESS;
        });
        if (s[0] == null) {
            throw new IllegalStateException("statistics of " + describe() + ": the port is closed");
        }
        return s[0];
    }

    @Override
    public String driver() {
        return describe();
    }

    private String describe() {
        Bundle b = FrameworkUtil.getBundle(VirtioConsoleDriver.class);
        return "VirtioConsoleDriver " + (b != null ? b.getVersion() : "") + " on "
                + (nub != null ? nub.getPathComponent() : "nothing") + " (interrupt)";
    }

    // ------------------------------------------------------------------ helpers

    /** @return {@code tcp:HOST:PORT} as the model reports it, or its first status line */
    static String backend(IOPlatformDevice device) {
        return device.model().map(m -> {
            for (String s : m.describe()) {
                Matcher t = TCP.matcher(s);
                if (t.find()) {
                    return "tcp:" + t.group(1);
                }
                if (s.startsWith("console ")) {
                    return s.substring("console ".length());
                }
            }
            return "unknown";
        }).orElse("unknown");
    }

    private Optional<ChosenStdout> chosenStdout(IOPlatformDevice device) {
        try {
            return device.deviceTreeNode().tree().stdout().filter(c -> c.node().path().equals(device.deviceTreeNode().path()));
        } catch (DevicetreeException e) {
            info("{}: /chosen stdout-path unusable: {}", device.getPathComponent(), e.getMessage());
            return Optional.empty();
        }
    }

    private static LineSettings parseOrDefault(String options) {
        try {
            return LineSettings.parse(options);
        } catch (IllegalArgumentException e) {
            return DEFAULT_LINE;
        }
    }

    private static BundleContext bundleContext() {
        Bundle b = FrameworkUtil.getBundle(VirtioConsoleDriver.class);
        return b == null ? null : b.getBundleContext();
    }

    private static Logger logger() {
        BundleContext context = bundleContext();
        if (context == null) {
            return null;
        }
        ServiceReference<LoggerFactory> ref = context.getServiceReference(LoggerFactory.class);
        LoggerFactory factory = ref == null ? null : context.getService(ref);
        return factory == null ? null : factory.getLogger(context.getBundle(), "VirtioConsoleDriver", Logger.class);
    }

    private void info(String format, Object... args) {
        if (log != null) {
            log.info(format, args);
        }
    }
}
