package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IORegistryPlane;
import dev.sluice.kernel.registry.IOService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/** The registry and driver lifecycle inside the running kernel (SEMANTICS S57-S69). */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class LifecycleIT {

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    private final List<IOService> nubs = new ArrayList<>();
    private final List<Bundle> bundles = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        nubs.forEach(IOService::terminate);
        for (Bundle b : bundles) {
            b.uninstall();
        }
    }

    private IOService nub(String name, Object... props) {
        IOService nub = new IOService(name, "40");
        for (int i = 0; i < props.length; i += 2) {
            nub.setProperty((String) props[i], props[i + 1]);
        }
        assertTrue(nub.attach(registry.resources()));
        nub.registerService();
        nubs.add(nub);
        assertEquals(IOReturn.SUCCESS, nub.waitQuiet(10, TimeUnit.SECONDS));
        return nub;
    }

    /** A driver bundle whose personalities use the kernel's IOService class as driver: real matching, no code. */
    private Bundle drivers(String bsn, String... personalities) throws Exception {
        String caps = String.join(",", java.util.Arrays.stream(personalities).map(p -> "sluice.personality;"
                + "IOClass=\"dev.sluice.kernel.registry.IOService\";IOProviderClass=IOService;" + p).toList());
        Bundle b = context.installBundle("test:" + bsn, TestBundles.manifestOnly(bsn, Map.of(
                "Import-Package", "dev.sluice.kernel.registry", "Provide-Capability", caps)));
        bundles.add(b);
        b.start();
        return b;
    }

    private static String driverOf(IOService nub) {
        return nub.getClients().stream().filter(c -> !c.isInactive())
                .map(c -> String.valueOf(c.getProperty(IOService.IO_PERSONALITY_NAME))).findFirst().orElse("none");
    }

    @Test
    @DisplayName("S57 a registered nub is an OSGi service whose properties give its registry id and path; lookups agree")
    void publishedWithIdAndPath() throws Exception {
        IOService nub = nub("lc-published", "compatible", List.of("sluice,lc"));
        ServiceReference<IOService> ref = context.getServiceReferences(IOService.class,
                "(&(IOName=lc-published)(compatible=sluice,lc))").iterator().next();
        assertEquals(nub.getRegistryEntryID(), ref.getProperty("IORegistryEntryID"));
        assertEquals("IOService:/IOResources/lc-published@40", ref.getProperty("path"));
        assertSame(nub, registry.fromPath((String) ref.getProperty("path")).orElseThrow());
        assertSame(nub, registry.fromId(nub.getRegistryEntryID()).orElseThrow());
        assertSame(registry.resources(), nub.getParentEntry(IORegistryPlane.SERVICE));
        assertTrue(nub.getRegistryEntryID() > registry.resources().getRegistryEntryID());
    }

    @Test
    @DisplayName("S58 S59 S63 an installed driver bundle is matched by class, name and properties; best score wins; waitQuiet settles")
    void matchingInFramework() throws Exception {
        IOService nub = nub("lc-match", "compatible", List.of("sluice,lc-dev"), "revision", 3);
        drivers("org.example.lc.drivers",
                "sluice.personality=Low;IONameMatch=\"sluice,lc-dev\";IOProbeScore:Long=1",
                "sluice.personality=High;IONameMatch=\"sluice,lc-dev\";IOPropertyMatch=\"revision=3\";IOProbeScore:Long=100",
                "sluice.personality=WrongRevision;IONameMatch=\"sluice,lc-dev\";IOPropertyMatch=\"revision=4\";IOProbeScore:Long=500",
                "sluice.personality=WrongName;IONameMatch=\"sluice,other\";IOProbeScore:Long=900");
        assertEquals(IOReturn.SUCCESS, nub.waitQuiet(10, TimeUnit.SECONDS));
        assertEquals(0, nub.getBusyState());
        assertEquals("High", driverOf(nub));
        assertEquals("sluice,lc-dev", nub.getClient().getProperty("IONameMatched"));
    }

    @Test
    @DisplayName("S65 a ServiceTracker with an LDAP filter sees existing matching devices at once, new ones later, and terminated ones leave")
    void trackerNotifications() throws Exception {
        nub("lc-disk-1", "compatible", List.of("sluice,lc-disk"));
        List<String> events = new CopyOnWriteArrayList<>();
        ServiceTracker<IOService, IOService> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + IOService.class.getName() + ")(compatible=sluice,lc-disk))"),
                new ServiceTrackerCustomizer<>() {
                    @Override
                    public IOService addingService(ServiceReference<IOService> ref) {
                        events.add("+" + ref.getProperty("IOName"));
                        return context.getService(ref);
                    }

                    @Override
                    public void modifiedService(ServiceReference<IOService> ref, IOService s) {
                    }

                    @Override
                    public void removedService(ServiceReference<IOService> ref, IOService s) {
                        events.add("-" + ref.getProperty("IOName"));
                        context.ungetService(ref);
                    }
                });
        tracker.open();
        try {
            assertEquals(List.of("+lc-disk-1"), events);
            IOService second = nub("lc-disk-2", "compatible", List.of("sluice,lc-disk"));
            nub("lc-net", "compatible", List.of("sluice,lc-net"));
            assertEquals(List.of("+lc-disk-1", "+lc-disk-2"), events);
            second.terminate();
            assertEquals(List.of("+lc-disk-1", "+lc-disk-2", "-lc-disk-2"), events);
        } finally {
            tracker.close();
        }
    }

    @Test
    @DisplayName("S67 S68 terminating a nub terminates its driver, withdraws both services and detaches them")
    void termination() throws Exception {
        IOService nub = nub("lc-term", "compatible", List.of("sluice,lc-term"));
        drivers("org.example.lc.term", "sluice.personality=Term;IONameMatch=\"sluice,lc-term\"");
        assertEquals(IOReturn.SUCCESS, nub.waitQuiet(10, TimeUnit.SECONDS));
        IOService driver = nub.getClient();
        assertNotNull(driver);
        assertTrue(driver.isStarted());
        assertTrue(nub.terminate());
        assertTrue(nub.isInactive() && driver.isInactive());
        assertFalse(driver.isStarted(), "stopped");
        assertNull(driver.getProvider(), "detached");
        assertTrue(context.getServiceReferences(IOService.class, "(IOName=lc-term)").isEmpty(), "withdrawn");
        assertTrue(registry.fromId(driver.getRegistryEntryID()).isEmpty());
    }

    @Test
    @DisplayName("S69 attach and open on an inactive provider fail; open is exclusive")
    void openAndAttach() {
        IOService nub = nub("lc-open");
        IOService a = new IOService("a", null);
        IOService b = new IOService("b", null);
        assertTrue(nub.open(a));
        assertFalse(nub.open(b));
        nub.close(a);
        assertTrue(nub.open(b));
        nub.terminate();
        assertFalse(nub.open(a));
        assertFalse(new IOService("late", null).attach(nub));
    }
}
