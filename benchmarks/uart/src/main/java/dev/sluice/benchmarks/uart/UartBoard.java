package dev.sluice.benchmarks.uart;

import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.drivers.uart.Uart16550Driver;
import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.internal.service.MatchingEngine;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.models.BackendSpec;
import dev.sluice.models.DeviceModelContext;
import dev.sluice.models.DmaAllocator;
import dev.sluice.models.GuestMemory;
import dev.sluice.models.SystemDeviceClock;
import dev.sluice.models.uart.Ns16550a;
import dev.sluice.platform.IOPlatformDevice;
import dev.sluice.platform.IOPlatformExpertDevice;
import dev.sluice.platform.devicetree.DeviceTree;
import dev.sluice.platform.devicetree.DeviceTreeNode;
import dev.sluice.platform.devicetree.DeviceTreeProperty;
import dev.sluice.platform.devicetree.DtsParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A one-UART board run without OSGi, assembled the way the platform expert assembles the default
 * board: a Devicetree, the platform's interrupt controller (two {@code cpu} threads, the UART on
 * a level-triggered line), the ns16550a model on the real device clock with a
 * {@code tcp:127.0.0.1:0} backend, the platform expert device (its shared work loop) and the
 * UART's nub. The kernel's own {@link MatchingEngine} matches, probes and starts
 * {@link Uart16550Driver} on the nub; {@link #port()} is the {@link SerialPort} client front the
 * engine publishes (what other bundles get), so every call goes through the driver's gate,
 * commandSleep/commandWakeup and its interrupt event source, as in the kernel.
 *
 * <p>Differences from a booted kernel: no OSGi service registry (the front is handed over
 * directly), no Felix log (the driver logs nothing), and the personality is written out here, as
 * the driver's {@code @Personality} annotation declares it (the kernel reads it from the bundle's
 * capability). A {@link ServiceLatencyProbe} sits between the model and the nub.
 */
final class UartBoard implements AutoCloseable {

    static final int UART_LINE = 1;

    private final SystemDeviceClock clock = new SystemDeviceClock();
    private final dev.sluice.platform.interrupt.InterruptController intc;
    private final IORegistry registry = new IORegistry();
    private final MatchingEngine engine;
    private final List<Object> fronts = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final IOPlatformExpertDevice platform;
    private final IOPlatformDevice nub;
    private final Ns16550a model;
    private final ServiceLatencyProbe probe = new ServiceLatencyProbe();

    /**
     * Boots the board and waits until the driver has started.
     *
     * @param clockHz the UART's {@code clock-frequency}
     * @param baud    its {@code current-speed}: the driver programs divisor clockHz / (16 x baud)
     */
    UartBoard(long clockHz, int baud) throws Exception {
        String dts = "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tcompatible = \"sluice,uart-bench\";\n"
                + "\tserial@9000000 {\n\t\tcompatible = \"ns16550a\";\n\t\treg = <0x0 0x09000000 0x0 0x100>;\n"
                + "\t\tclock-frequency = <" + clockHz + ">;\n\t\tcurrent-speed = <" + baud + ">;\n"
                + "\t\tinterrupts = <" + UART_LINE + " 4>;\n\t\tsluice,backend = \"tcp:127.0.0.1:0\";\n\t};\n};\n";
        DeviceTree tree = DtsParser.parse("uart-bench.dts", dts);
        DeviceTreeNode node = tree.findByPath("/serial@9000000").orElseThrow();
        intc = new dev.sluice.platform.interrupt.InterruptController("intc", 8, 2,
                problem -> failures.add("interrupt controller: " + problem));
        intc.configure(UART_LINE, InterruptType.LEVEL);
        GuestMemory memory = new GuestMemory(0x8000_0000L, 1 << 20);
        DeviceModelContext.Builder b = DeviceModelContext.builder(node.name()).path(node.path()).compatible("ns16550a")
                .reg(0x0900_0000L, 0x100).interrupt(probe.line(intc.line(UART_LINE))).clock(clock).guestMemory(memory)
                .backend(BackendSpec.parse("tcp:127.0.0.1:0"))
                .threadFactory(DeviceModelContext.ioThreadFactory(node.name()));
        for (DeviceTreeProperty p : node.properties()) {
            b.property(p.name(), p.asBytes());
        }
        model = Ns16550a.create(b.build());
        List<IOPersonality> catalogue = List.of(personality());
        engine = new MatchingEngine(registry, () -> catalogue, new MatchingEngine.Host() {
            @Override
            public IOService instantiate(IOPersonality p) throws Exception {
                return (IOService) Class.forName(p.ioClass()).getDeclaredConstructor().newInstance();
            }

            @Override
            public void publish(IOService service) {
            }

            @Override
            public void unpublish(IOService service) {
            }

            @Override
            public void failure(IOService service, String what, Throwable cause) {
                failures.add(service + ": " + what + ": " + cause);
            }

            @Override
            public void info(String message) {
            }

            @Override
            public AutoCloseable publishFront(IOService owner, Class<?> iface, Object proxy) {
                fronts.add(proxy);
                return () -> fronts.remove(proxy);
            }
        });
        platform = new IOPlatformExpertDevice("sluice,uart-bench", tree, "uart-bench.dts", Map.of());
        platform.attachToRoot(registry);
        nub = new IOPlatformDevice(node, properties(node), probe.model(model), null, memory, new DmaAllocator(memory),
                intc.provider(node.name(), new int[] {UART_LINE}));
        nub.attach(platform);
        nub.registerService();
        if (nub.waitQuiet(20, TimeUnit.SECONDS) != IOReturn.SUCCESS || fronts.isEmpty()) {
            close();
            throw new IllegalStateException("the UART driver did not start: " + failures);
        }
    }

    private static IOPersonality personality() throws Exception {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put(IOPersonality.NAMESPACE, "Uart16550");
        a.put(IOPersonality.IO_CLASS, Uart16550Driver.class.getName());
        a.put(IOPersonality.IO_PROVIDER_CLASS, "IOPlatformDevice");
        a.put(IOPersonality.IO_NAME_MATCH, List.of("ns16550a", "ns16550"));
        a.put(IOPersonality.IO_PROBE_SCORE, 1000L);
        return IOPersonality.parse("dev.sluice.drivers.uart", 1, 0, a);
    }

    /** The registry properties of a node, as the platform expert converts them. */
    private static Map<String, Object> properties(DeviceTreeNode n) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (DeviceTreeProperty p : n.properties()) {
            out.put(p.name(), p.naturalValue());
        }
        out.put("name", n.baseName());
        if (out.get("compatible") instanceof String s) {
            out.put("compatible", List.of(s));
        }
        return out;
    }

    /** @return the SerialPort front of the started driver */
    SerialPort port() {
        return (SerialPort) fronts.get(0);
    }

    Ns16550a model() {
        return model;
    }

    /** @return the stopwatch between the model's line rising and the driver's next IIR read */
    ServiceLatencyProbe probe() {
        return probe;
    }

    /** @return the driver's registry properties, e.g. {@code IOSerialMode} */
    Object driverProperty(String key) {
        return nub.getClient() == null ? null : nub.getClient().getProperty(key);
    }

    /** @return the controller's view of the UART's line: deliveries and raise-to-handler latency */
    dev.sluice.platform.interrupt.LineStatus line() {
        return intc.status(UART_LINE);
    }

    /** @return problems the controller or the engine reported (should stay empty) */
    List<String> failures() {
        return failures;
    }

    /** Terminates the nub (the driver stops), then closes the engine, the model and the threads. */
    @Override
    public void close() {
        nub.terminate(true);
        nub.waitQuiet(10, TimeUnit.SECONDS);
        platform.terminate(true);
        platform.waitQuiet(10, TimeUnit.SECONDS);
        engine.shutdown();
        model.close();
        intc.close();
        clock.close();
    }
}
