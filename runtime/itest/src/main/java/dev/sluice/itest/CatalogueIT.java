package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.log.KernelLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The catalogue extender reads personalities from bundles' manifests as they start and stop. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class CatalogueIT {

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    IOCatalogue catalogue;

    @InjectService(timeout = 10_000)
    KernelLog log;

    private Bundle installed;

    @AfterEach
    void uninstall() throws Exception {
        if (installed != null) {
            installed.uninstall();
        }
    }

    private List<IOPersonality> of(String bsn) {
        return catalogue.personalities().stream().filter(p -> p.bundle().equals(bsn)).toList();
    }

    @Test
    @DisplayName("a started bundle's personalities join the catalogue; a malformed one is rejected naming bundle and field, the rest still work")
    void goodAndMalformed() throws Exception {
        String bsn = "org.example.drivers";
        installed = context.installBundle("test:" + bsn, TestBundles.manifestOnly(bsn, Map.of("Provide-Capability",
                "sluice.personality;IOClass=\"org.example.GoodDriver\";IOProviderClass=IOPlatformDevice;IOProbeScore:Long=5;"
                        + "IONameMatch:List<String>=\"virtio\\,mmio,virtio-mmio\","
                        + "sluice.personality;sluice.personality=Broken;IOClass=\"org.example.BadDriver\";"
                        + "IOProviderClass=IOPlatformDevice;IOProbeScore=high")));
        assertTrue(of(bsn).isEmpty(), "nothing is catalogued before the bundle starts");
        installed.start();
        List<IOPersonality> mine = of(bsn);
        assertEquals(List.of("GoodDriver"), mine.stream().map(IOPersonality::name).toList());
        assertEquals(List.of("virtio,mmio", "virtio-mmio"), mine.get(0).nameMatch());
        assertEquals(5, mine.get(0).probeScore());
        String problem = "bundle org.example.drivers: personality Broken: IOProbeScore must be a whole number, not 'high'";
        assertTrue(catalogue.problems().contains(problem), catalogue.problems().toString());
        Await.until(() -> log.messages().stream().anyMatch(m -> m.level().equals("ERROR") && m.message().contains(problem)),
                "the rejection to reach dmesg");

        installed.stop();
        assertTrue(of(bsn).isEmpty(), "a stopped bundle's personalities leave the catalogue");
    }

    @Test
    @DisplayName("listeners hear a bundle's personalities arrive and leave")
    void listenersAreTold() throws Exception {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        IOCatalogue.Listener listener = new IOCatalogue.Listener() {
            @Override
            public void personalitiesAdded(List<IOPersonality> added) {
                added.forEach(p -> heard.add("+" + p.name()));
            }

            @Override
            public void personalitiesRemoved(List<IOPersonality> removed) {
                removed.forEach(p -> heard.add("-" + p.name()));
            }
        };
        catalogue.addListener(listener);
        try {
            String bsn = "org.example.listened";
            installed = context.installBundle("test:" + bsn, TestBundles.manifestOnly(bsn, Map.of("Provide-Capability",
                    "sluice.personality;IOClass=\"org.example.A\";IOProviderClass=IOResources")));
            installed.start();
            installed.stop();
            assertEquals(List.of("+A", "-A"), heard);
        } finally {
            catalogue.removeListener(listener);
        }
    }
}
