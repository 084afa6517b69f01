package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.IOCatalogue;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Hot deploy through the real Felix FileInstall watching a folder: dropping a driver jar matches
 * it, replacing it swaps the driver, deleting it unloads it.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class DeployFolderIT {

    static final String BSN = "org.example.deployed";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    @InjectService(timeout = 10_000)
    IOCatalogue catalogue;

    private IOService nub;
    private Path jar;

    @BeforeEach
    void nub() {
        nub = new IOService("deploy-target", null);
        nub.setProperty("compatible", List.of("sluice,deploy-test"));
        assertTrue(nub.attach(registry.resources()));
        nub.registerService();
        jar = Path.of(context.getProperty("felix.fileinstall.dir")).toAbsolutePath().resolve("deployed-driver.jar");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(jar);
        nub.terminate();
    }

    /** A driver bundle whose driver class is the kernel's IOService itself: matching and lifecycle are real. */
    static InputStream driverJar(String version, String personality) throws Exception {
        return TestBundles.manifestOnly(BSN, Map.of(
                "Bundle-Version", version,
                "Import-Package", "dev.sluice.kernel.registry",
                "Provide-Capability", "sluice.personality;sluice.personality=" + personality
                        + ";IOClass=\"dev.sluice.kernel.registry.IOService\";IOProviderClass=IOService;"
                        + "IONameMatch=\"sluice,deploy-test\""));
    }

    private String driverOnNub() {
        assertEquals(IOReturn.SUCCESS, nub.waitQuiet(10, TimeUnit.SECONDS));
        return nub.getClients().stream().filter(c -> !c.isInactive())
                .map(c -> String.valueOf(c.getProperty(IOService.IO_PERSONALITY_NAME))).findFirst().orElse("none");
    }

    private List<String> catalogued() {
        return catalogue.personalities().stream().filter(p -> p.bundle().equals(BSN)).map(IOPersonality::name).toList();
    }

    private void write(InputStream content) throws Exception {
        Files.createDirectories(jar.getParent());
        Path tmp = Files.createTempFile(jar.getParent(), "deploying", ".tmp");
        Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    @DisplayName("drop a driver jar: it is matched; replace it: the driver is swapped; delete it: it is unloaded")
    void dropReplaceDelete() throws Exception {
        assertEquals("none", driverOnNub());
        write(driverJar("1.0.0", "DeployedV1"));
        Await.until(() -> catalogued().equals(List.of("DeployedV1")), "FileInstall to install and start the dropped jar");
        Await.until(() -> driverOnNub().equals("DeployedV1"), "the dropped driver to match the nub");

        write(driverJar("1.0.1", "DeployedV2"));
        Await.until(() -> catalogued().equals(List.of("DeployedV2")), "FileInstall to update the replaced jar");
        Await.until(() -> driverOnNub().equals("DeployedV2"), "the new driver to replace the old one");

        Files.delete(jar);
        Await.until(() -> catalogued().isEmpty(), "FileInstall to uninstall the deleted jar");
        Await.until(() -> driverOnNub().equals("none"), "the driver to leave the nub");
    }
}
