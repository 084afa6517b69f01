package dev.sluice.platform.internal;

import dev.sluice.platform.PlatformExpert;
import dev.sluice.platform.PlatformExpert.LoadedBoard;
import dev.sluice.platform.devicetree.DevicetreeException;
import dev.sluice.platform.devicetree.DtsPrinter;
import dev.sluice.platform.interrupt.InterruptController;
import dev.sluice.platform.interrupt.LineStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The platform's Gogo commands in scope {@code sluice}: {@code board}, {@code irq} and
 * {@code devices}. Gogo calls them on the session's thread.
 */
@Component(service = PlatformCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=board",
        "osgi.command.function=irq",
        "osgi.command.function=devices"
})
public final class PlatformCommands {

    private final PlatformExpertImpl platform;

    @Activate
    public PlatformCommands(@Reference PlatformExpert platform) {
        this.platform = (PlatformExpertImpl) platform;
    }

    /**
     * Prints the running board as Devicetree source, or the last load error.
     *
     * @param error print only the last load error
     * @param file  load this board file instead (replacing the running board if it is valid)
     * @return the text
     */
    @Descriptor("print the running board as Devicetree source (-e: the last load error; -l FILE: load a board)")
    public String board(
            @Descriptor("print the last load error instead of the board") @Parameter(names = {"-e", "--error"}, presentValue = "true", absentValue = "false") boolean error,
            @Descriptor("load this .dts/.dtb file, replacing the running board if it is valid") @Parameter(names = {"-l", "--load"}, absentValue = "") String file) {
        if (!file.isEmpty()) {
            try {
                LoadedBoard b = platform.load(Path.of(file));
                return "board " + b.source() + " loaded: " + platform.devices().size() + " devices published\n";
            } catch (DevicetreeException e) {
                throw new IllegalArgumentException("board not loaded (the running board is unchanged): " + e.getMessage(), e);
            }
        }
        Optional<DevicetreeException> failure = platform.loadError();
        if (error) {
            return failure.map(e -> e.getMessage() + "\n").orElse("no board load error\n");
        }
        Optional<LoadedBoard> b = platform.board();
        if (b.isEmpty()) {
            return "no board loaded" + failure.map(e -> ": " + e.getMessage()).orElse("") + "\n";
        }
        return "// board: " + b.get().source() + "\n" + DtsPrinter.print(b.get().tree());
    }

    /**
     * Prints the interrupt controller's lines.
     *
     * @param all every line, not only the used ones
     * @return one row per line
     */
    @Descriptor("per interrupt line: type, masked, pending, count, unclaimed, sharers, latency p50/p99/p99.9 in microseconds")
    public String irq(
            @Descriptor("show every line, not only those the board uses or drivers registered on") @Parameter(names = {"-a", "--all"}, presentValue = "true", absentValue = "false") boolean all) {
        Optional<InterruptController> controller = platform.interruptController();
        if (controller.isEmpty()) {
            return "no board loaded\n";
        }
        Set<Integer> used = platform.boardLines();
        StringBuilder out = new StringBuilder(String.format("%4s %-5s %-6s %7s %10s %9s %8s %8s %8s  %s%n", "LINE", "TYPE",
                "MASKED", "PENDING", "COUNT", "UNCLAIMED", "P50us", "P99us", "P99.9us", "SHARERS"));
        for (LineStatus l : controller.get().status()) {
            if (!all && !used.contains(l.line()) && l.sharers().isEmpty() && l.delivered() == 0) {
                continue;
            }
            out.append(String.format("%4d %-5s %-6s %7d %10d %9d %8s %8s %8s  %s%n", l.line(),
                    l.type().name().toLowerCase(Locale.ROOT), l.masked() ? "yes" : "no", l.pending(), l.delivered(),
                    l.unclaimed(), micros(l.p50Nanos()), micros(l.p99Nanos()), micros(l.p999Nanos()),
                    l.sharers().isEmpty() ? "-" : String.join(", ", l.sharers())));
        }
        return out.toString();
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    /**
     * Prints the device nodes and their models.
     *
     * @return one block per device node
     */
    @Descriptor("list the board's device nodes with their model, driver and model status")
    public String devices() {
        List<String> rows = platform.describeDevices();
        return rows.isEmpty() ? "no board loaded\n" : String.join("\n", rows) + "\n";
    }
}
