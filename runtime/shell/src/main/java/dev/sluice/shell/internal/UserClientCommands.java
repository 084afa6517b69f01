package dev.sluice.shell.internal;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.userclient.Entitlement;
import dev.sluice.kernel.userclient.IOCallResult;
import dev.sluice.kernel.userclient.IOConnect;
import dev.sluice.kernel.userclient.IOExternalMethodDispatch;
import dev.sluice.kernel.userclient.IOKitLib;
import dev.sluice.kernel.workloop.IOReturnException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code ioclient}: calls a driver's external method through a user client, as an application
 * would (IOConnectCallMethod). The shell bundle holds the {@link Entitlement#ADMIN} entitlement,
 * so it may open any user client. Each call opens a connection, calls, and closes it. Gogo
 * calls it on the session's thread; an asynchronous method is waited for with a deadline.
 */
@Entitlement(Entitlement.ADMIN)
@Component(service = UserClientCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=ioclient"
})
public final class UserClientCommands {

    private final IORegistry registry;
    private final IOKitLib lib;

    @Activate
    public UserClientCommands(@Reference IORegistry registry, @Reference IOKitLib lib) {
        this.registry = registry;
        this.lib = lib;
    }

    /**
     * Calls an external method and prints its outputs.
     *
     * @return scalar outputs (decimal and hex) and struct output (hex and text)
     */
    @Descriptor("call a driver's external method through a user client: ioclient SERVICE METHOD [ARGS...]")
    public String ioclient(
            @Descriptor("user client type (default 0)") @Parameter(names = {"-t", "--type"}, absentValue = "0") int type,
            @Descriptor("seconds to wait for an asynchronous method (default 10)") @Parameter(names = {"-w", "--wait"}, absentValue = "10") int waitSeconds,
            @Descriptor("the driver: registry path (IOService:/...), IOName or registry id (0x...)") String service,
            @Descriptor("method name or selector number") String method,
            @Descriptor("scalar inputs (decimal or 0x hex), and at most one struct input s:TEXT or x:HEX") String... args) throws InterruptedException {
        IOService target = ServiceArgument.resolve(registry, service, "ioclient");
        Object selector = method.matches("\\d+") ? (Object) Integer.valueOf(method) : method;
        List<Long> scalars = new ArrayList<>();
        byte[] struct = null;
        for (String a : args == null ? new String[0] : args) {
            if (a.startsWith("s:") || a.startsWith("x:")) {
                if (struct != null) {
                    throw new IllegalArgumentException("ioclient: only one struct input (s:TEXT or x:HEX) is allowed");
                }
                struct = a.startsWith("s:") ? a.substring(2).getBytes(StandardCharsets.UTF_8) : hex(a.substring(2));
            } else {
                scalars.add(number(a));
            }
        }
        long[] in = scalars.stream().mapToLong(Long::longValue).toArray();
        IOConnect c;
        try {
            c = lib.open(target, type);
        } catch (IOReturnException e) {
            throw new IllegalArgumentException("ioclient: " + e.getMessage());
        }
        try {
            IOExternalMethodDispatch d = c.userClient().methodTable().lookup(selector);
            IOCallResult r;
            if (d != null && d.async()) {
                BlockingQueue<IOCallResult> done = new ArrayBlockingQueue<>(1);
                r = c.callAsync(selector, in, struct, done::offer);
                if (r.isSuccess()) {
                    r = done.poll(waitSeconds, TimeUnit.SECONDS);
                    if (r == null) {
                        throw new IllegalArgumentException("ioclient: " + c.userClient().methodTable().owner() + "." + d.name()
                                + " did not complete within " + waitSeconds + " s");
                    }
                }
            } else {
                r = c.call(selector, in, struct);
            }
            if (r.status() != IOReturn.SUCCESS) {
                throw new IllegalArgumentException("ioclient: " + r.message() + " (" + r.status() + ")");
            }
            String name = c.userClient().methodTable().owner() + "." + (d == null ? selector : d.name());
            return format(name, r);
        } finally {
            c.close();
        }
    }

    static String format(String name, IOCallResult r) {
        StringBuilder out = new StringBuilder(name).append(" -> ").append(r.status());
        long[] scalars = r.scalarOutput();
        byte[] struct = r.structOutput();
        if (scalars.length == 0 && struct.length == 0) {
            return out.append(" (no outputs)\n").toString();
        }
        out.append('\n');
        for (int i = 0; i < scalars.length; i++) {
            out.append(String.format(Locale.ROOT, "scalar[%d] = %d (0x%x)%n", i, scalars[i], scalars[i]));
        }
        if (struct.length > 0) {
            out.append("struct (").append(struct.length).append(struct.length == 1 ? " byte)\n" : " bytes)\n");
            for (int off = 0; off < struct.length; off += 16) {
                int end = Math.min(struct.length, off + 16);
                StringBuilder hex = new StringBuilder();
                StringBuilder text = new StringBuilder();
                for (int i = off; i < end; i++) {
                    int b = struct[i] & 0xff;
                    hex.append(hex.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b));
                    text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                }
                out.append(String.format(Locale.ROOT, "  %04x  %-47s  |%s|%n", off, hex, text));
            }
        }
        return out.toString();
    }

    static long number(String a) {
        try {
            if (a.toLowerCase(Locale.ROOT).startsWith("0x")) {
                return Long.parseUnsignedLong(a.substring(2), 16);
            }
            return Long.parseLong(a);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ioclient: '" + a + "' is not a number (scalars are decimal or 0x hex; "
                    + "a struct input is s:TEXT or x:HEX)");
        }
    }

    static byte[] hex(String h) {
        if (h.length() % 2 != 0 || !h.matches("[0-9a-fA-F]*")) {
            throw new IllegalArgumentException("ioclient: 'x:" + h + "' is not hex bytes (an even number of hex digits)");
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < h.length(); i += 2) {
            b.write(Integer.parseInt(h.substring(i, i + 2), 16));
        }
        return b.toByteArray();
    }
}
