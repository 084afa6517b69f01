package dev.sluice.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel image's deploy folder as FileInstall finds it at boot: bundle jars are installed,
 * a subdirectory is skipped ({@code felix.fileinstall.subdir.mode=skip}) instead of being jarred up
 * into a temporary bundle. FileInstall treats a directory as an exploded bundle only in the scan
 * at its start, so this boots the real image on a folder prepared beforehand.
 */
class DeployFolderBootTest {

    private static final long TIMEOUT_SECONDS = 180;

    @TempDir
    Path home;

    private static Manifest manifest(String bsn) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        return m;
    }

    @Test
    @DisplayName("at boot, a bundle jar in the deploy folder is installed and an exploded bundle directory beside it is not")
    void subdirectoryIsSkippedAtBoot() throws Exception {
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(deploy.resolve("plain.jar")),
                manifest("org.example.plain"))) {
            jar.flush();
        }
        Path exploded = Files.createDirectories(deploy.resolve("exploded-bundle").resolve("META-INF"));
        try (OutputStream out = Files.newOutputStream(exploded.resolve("MANIFEST.MF"))) {
            manifest("org.example.exploded").write(out);
        }

        KernelProcess.Outcome run = new KernelProcess(home).run(List.of("lb -s"), TIMEOUT_SECONDS);
        assertEquals(0, run.batchStatus(), run::toString);
        assertTrue(run.stdout().contains("org.example.plain"), "the jar was installed by the same scan: " + run);
        assertFalse(run.stdout().contains("org.example.exploded"), "the directory was not: " + run);
    }
}
