package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.log.KernelLog;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The kernel image boots in a real framework: its bundles are active and their services work. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class KernelBootIT {

    @InjectBundleContext
    BundleContext context;

    @Test
    @DisplayName("every Sluice and Felix bundle of the kernel image is active")
    void everyBundleIsActive() {
        List<String> inactive = Arrays.stream(context.getBundles())
                .filter(b -> b.getHeaders("").get("Fragment-Host") == null)
                .filter(b -> b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + " state " + b.getState())
                .collect(Collectors.toList());
        assertEquals(List.of(), inactive);
        List<String> names = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName).toList();
        assertTrue(names.containsAll(List.of("dev.sluice.kernel", "dev.sluice.shell", "org.apache.felix.scr")), names.toString());
    }

    @Test
    @DisplayName("a message logged by another bundle through the OSGi log reaches the kernel ring")
    void logReachesKernelRing(@InjectService KernelLog ring, @InjectService LoggerFactory loggers) throws Exception {
        String marker = "itest-marker-" + System.nanoTime();
        Logger logger = loggers.getLogger(context.getBundle(), "itest", Logger.class);
        logger.info("hello from the test bundle {}", marker);
        Await.until(() -> ring.messages().stream().anyMatch(m -> m.message().contains(marker)),
                "the kernel ring to receive " + marker);
        assertTrue(ring.messages().stream().anyMatch(m -> m.source().equals("dev.sluice.itest") && m.level().equals("INFO")));
    }
}
