package dev.sluice.itest;

import dev.sluice.drivers.serial.api.SerialPort;
import dev.sluice.platform.IOPlatformDevice;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Finds the {@link SerialPort} service a serial driver (the 16550 or the virtio console) publishes
 * for a nub, by the description its {@code driver()} gives: {@code "<DriverClass> <version> on
 * <nub> (...)"}.
 */
final class SerialPorts {

    private SerialPorts() {
    }

    /** @return the port {@code driverClass} publishes for {@code nub}, waiting up to {@code deadline} */
    static SerialPort of(BundleContext context, IOPlatformDevice nub, String driverClass, Duration deadline)
            throws InterruptedException {
        SerialPort[] found = new SerialPort[1];
        Await.until(() -> (found[0] = find(context, nub, driverClass)) != null, deadline,
                "a SerialPort service of " + driverClass + " for " + nub.getPathComponent());
        return found[0];
    }

    private static SerialPort find(BundleContext context, IOPlatformDevice nub, String driverClass) {
        try {
            for (ServiceReference<SerialPort> ref : context.getServiceReferences(SerialPort.class, null)) {
                SerialPort p = context.getService(ref);
                if (p != null && describes(p, nub, driverClass)) {
                    return p;
                }
            }
            return null;
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean describes(SerialPort p, IOPlatformDevice nub, String driverClass) {
        try {
            String d = p.driver();
            return d.startsWith(driverClass + " ") && d.contains(" on " + nub.getPathComponent() + " ");
        } catch (RuntimeException offline) {
            return false;
        }
    }
}
