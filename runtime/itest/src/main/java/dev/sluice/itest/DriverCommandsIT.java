package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.log.KernelLog;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * {@code iocatalog}, {@code kextstat}, {@code kextload}, {@code kextunload} and {@code kextreload}
 * with manifest-only driver bundles. A personality whose IOClass is
 * {@code dev.sluice.kernel.registry.IOService} (exported by the kernel, imported by the test
 * bundle) really loads and starts, so its instances show as active; one whose IOClass does not
 * exist is catalogued but fails to load when it wins a match.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class DriverCommandsIT {

    private static final String PREFIX = "org.example.shell.";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    @InjectService(timeout = 10_000)
    KernelLog log;

    @TempDir
    Path dir;

    private final List<IOService> nubs = new ArrayList<>();
    private GogoShell shell;

    @BeforeEach
    void open() {
        shell = new GogoShell(processor);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith(PREFIX)) {
                b.uninstall();
            }
        }
        for (IOService nub : nubs) {
            nub.terminate(true);
        }
        shell.close();
    }

    private IOService nub(String name, String location) {
        IOService nub = new IOService(name, location);
        assertTrue(nub.attach(registry.resources()));
        nub.registerService();
        nubs.add(nub);
        assertEquals(IOReturn.SUCCESS, registry.resources().waitQuiet(10, TimeUnit.SECONDS));
        return nub;
    }

    /** A personality the kernel can load: the kernel's own IOService class, on nubs with that name. */
    private static String echo(String personality, String nubName) {
        return "sluice.personality;sluice.personality=" + personality + ";IOClass=\"dev.sluice.kernel.registry.IOService\";"
                + "IOProviderClass=IOService;IONameMatch=" + nubName + ";IOProbeScore:Long=100";
    }

    private Path driverJar(String file, String bsn, String version, String personalities) throws Exception {
        return TestBundles.writeManifestOnly(dir.resolve(file), PREFIX + bsn, Map.of(
                "Bundle-Version", version,
                "Import-Package", "dev.sluice.kernel.registry",
                "Provide-Capability", personalities));
    }

    private Bundle installed(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> (PREFIX + bsn).equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    /** @return the nub's started, active drivers' personality names */
    private static List<String> drivers(IOService nub) {
        return nub.getClients().stream().filter(c -> c.isStarted() && !c.isInactive()).map(c -> c.personality().name()).toList();
    }

    private static void assertLine(String text, String regex) {
        Pattern p = Pattern.compile(regex);
        assertTrue(text.lines().anyMatch(l -> p.matcher(l).matches()), "no line matching " + regex + " in:\n" + text);
    }

    @Test
    @DisplayName("kextload starts a driver bundle, reports its match; kextstat, iocatalog and ioreg show the instance; kextunload removes it")
    void loadShowUnload() throws Exception {
        IOService nub = nub("drvnub", "2000");
        Path jar = driverJar("echo.jar", "echo", "1.0.0", echo("EchoDriver", "drvnub"));

        String loaded = shell.run("kextload " + jar);

        Bundle bundle = installed("echo");
        long id = bundle.getBundleId();
        assertEquals(Bundle.ACTIVE, bundle.getState());
        assertEquals(jar.toUri().toString(), bundle.getLocation(), "a path is installed as a file: URL");
        assertEquals(List.of(
                "loaded bundle " + id + ": org.example.shell.echo 1.0.0 (" + jar.toUri() + ")",
                "personalities: EchoDriver (dev.sluice.kernel.registry.IOService on IOService)",
                "matched: EchoDriver on IOService:/IOResources/drvnub@2000"), loaded.lines().toList());
        assertEquals(List.of("EchoDriver"), drivers(nub), "the kernel really started the driver");

        String stat = shell.run("kextstat");
        assertLine(stat, "Id\\s+State\\s+Personalities\\s+Instances\\s+Name \\(Version\\)\\s+Nubs");
        assertLine(stat, "\\s*" + id + "\\s+ACTIVE\\s+1\\s+1\\s+org\\.example\\.shell\\.echo \\(1\\.0\\.0\\)\\s+IOService:/IOResources/drvnub@2000");

        String catalog = shell.run("iocatalog -b org.example.shell.echo");
        assertEquals(List.of(
                "1 personality in catalogue order",
                "",
                "1. EchoDriver  (bundle org.example.shell.echo [" + id + "])",
                "    IOClass               dev.sluice.kernel.registry.IOService",
                "    IOProviderClass       IOService",
                "    IONameMatch           (\"drvnub\")",
                "    IOProbeScore          100",
                "    IOMatchCategory       IODefaultMatchCategory",
                "    active on             1 nub: IOService:/IOResources/drvnub@2000"), catalog.lines().toList());

        String tree = shell.run("ioreg -n drvnub -r -l");
        IOService driver = nub.getClient();
        assertLine(tree, "  \\+-o IOService  <class IOService, id 0x" + Long.toHexString(driver.getRegistryEntryID())
                + ", !registered, !matched, active, busy 0>");
        assertLine(tree, "\\s+\"IOPersonalityName\" = \"EchoDriver\"");

        String unloaded = shell.run("kextunload org.example.shell.echo");

        assertEquals(List.of(
                "unloaded bundle " + id + ": org.example.shell.echo 1.0.0",
                "stopped 1 driver instance",
                "  EchoDriver on IOService:/IOResources/drvnub@2000",
                "IOService:/IOResources/drvnub@2000 now driven by nothing"), unloaded.lines().toList());
        assertNull(context.getBundle(id), "the bundle is uninstalled");
        assertEquals(List.of(), nub.getClients(), "the instance terminated and detached");
        assertFalse(shell.run("kextstat").contains("org.example.shell.echo"));
        assertFalse(shell.run("iocatalog").contains("EchoDriver"));
    }

    @Test
    @DisplayName("a personality whose IOClass does not exist is catalogued; kextload reports the nub it matches but could not drive, and the kernel logs why")
    void missingDriverClass() throws Exception {
        nub("ghostnub", "3000");
        Path jar = driverJar("ghost.jar", "ghost", "1.0.0",
                "sluice.personality;sluice.personality=Ghost;IOClass=\"org.example.NoSuchDriver\";IOProviderClass=IOService;IONameMatch=ghostnub");

        String loaded = shell.run("kextload " + jar.toUri());

        long id = installed("ghost").getBundleId();
        assertTrue(loaded.contains("personalities: Ghost (org.example.NoSuchDriver on IOService)\n"), loaded);
        assertTrue(loaded.contains("matched: nothing\n"), loaded);
        assertTrue(loaded.contains("not started: Ghost matches IOService:/IOResources/ghostnub@3000 but does not drive it"), loaded);
        String catalog = shell.run("iocatalog");
        assertTrue(catalog.contains(". Ghost  (bundle org.example.shell.ghost [" + id + "])\n    IOClass               org.example.NoSuchDriver\n"), catalog);
        assertTrue(catalog.contains("    active on             0 nubs\n"), catalog);
        assertLine(shell.run("kextstat"), "\\s*" + id + "\\s+ACTIVE\\s+1\\s+0\\s+org\\.example\\.shell\\.ghost \\(1\\.0\\.0\\)\\s+-");
        Await.until(() -> log.messages().stream().anyMatch(m -> m.level().equals("ERROR")
                && m.message().contains("loading driver org.example.NoSuchDriver of personality Ghost failed")), "the load failure in dmesg");
    }

    @Test
    @DisplayName("iocatalog lists personalities in catalogue order with their keys, and the bundle's rejected personalities at the end")
    void catalogueOrderAndProblems() throws Exception {
        Path jar = driverJar("two.jar", "two", "1.0.0",
                "sluice.personality;sluice.personality=First;IOClass=\"org.example.First\";IOProviderClass=IOPlatformDevice;"
                        + "IOPropertyMatch=\"vendor=0x1af4&device=2\";IOMatchCategory=Storage;IODebugMask:Long=3,"
                        + "sluice.personality;sluice.personality=Broken;IOClass=\"org.example.Broken\";IOProviderClass=IOService;IOProbeScore=high,"
                        + "sluice.personality;sluice.personality=Second;IOClass=\"org.example.Second\";IOProviderClass=IOResources;"
                        + "IOPropertyExistsMatch=\"IOConsoleUsers\";IOProbeScore:Long=7");
        String problem = "bundle org.example.shell.two: personality Broken: IOProbeScore must be a whole number, not 'high'";

        String loaded = shell.run("kextload " + jar);
        assertTrue(loaded.contains("rejected: " + problem + "\n"), loaded);

        long id = installed("two").getBundleId();
        List<String> catalog = shell.run("iocatalog -b org.example.shell.two").lines().toList();
        assertEquals(List.of(
                "2 personalities in catalogue order",
                "",
                "1. First  (bundle org.example.shell.two [" + id + "])",
                "    IOClass               org.example.First",
                "    IOProviderClass       IOPlatformDevice",
                "    IOPropertyMatch       ({\"vendor\" = \"0x1af4\", \"device\" = \"2\"})",
                "    IOProbeScore          0",
                "    IOMatchCategory       Storage",
                "    IODebugMask           0x3",
                "    active on             0 nubs",
                "",
                "2. Second  (bundle org.example.shell.two [" + id + "])",
                "    IOClass               org.example.Second",
                "    IOProviderClass       IOResources",
                "    IOPropertyExistsMatch (\"IOConsoleUsers\")",
                "    IOProbeScore          7",
                "    IOMatchCategory       IODefaultMatchCategory",
                "    active on             0 nubs",
                "",
                "rejected personalities (1):",
                "  " + problem), catalog);
        String all = shell.run("iocatalog");
        assertTrue(all.indexOf("First  (bundle org.example.shell.two") < all.indexOf("Second  (bundle org.example.shell.two"), all);
        assertTrue(all.contains("\n  " + problem + "\n"), all);
    }

    @Test
    @DisplayName("kextreload updates a driver bundle in place from a file, or from its location: old instances stop, the new version matches")
    void reload() throws Exception {
        IOService nub = nub("reloadnub", "4000");
        Path v1 = driverJar("reload-1.jar", "reload", "1.0.0", echo("EchoOne", "reloadnub"));
        Path v2 = driverJar("reload-2.jar", "reload", "2.0.0", echo("EchoTwo", "reloadnub"));
        shell.run("kextload " + v1);
        long id = installed("reload").getBundleId();
        assertEquals(List.of("EchoOne"), drivers(nub));

        String fromFile = shell.run("kextreload org.example.shell.reload " + v2);

        assertEquals(List.of(
                "reloaded bundle " + id + ": org.example.shell.reload 1.0.0 -> org.example.shell.reload 2.0.0 (" + v2.toUri() + ")",
                "stopped 1 driver instance of the old version",
                "  EchoOne on IOService:/IOResources/reloadnub@4000",
                "personalities: EchoTwo (dev.sluice.kernel.registry.IOService on IOService)",
                "matched: EchoTwo on IOService:/IOResources/reloadnub@4000"), fromFile.lines().toList());
        assertEquals(List.of("EchoTwo"), drivers(nub));
        assertEquals(id, installed("reload").getBundleId(), "updated in place, same bundle id");

        String fromLocation = shell.run("kextreload " + id);

        assertTrue(fromLocation.startsWith("reloaded bundle " + id + ": org.example.shell.reload 2.0.0 -> org.example.shell.reload 1.0.0 ("
                + v1.toUri() + ")\n"), fromLocation);
        assertTrue(fromLocation.contains("matched: EchoOne on IOService:/IOResources/reloadnub@4000\n"), fromLocation);
        assertEquals(List.of("EchoOne"), drivers(nub));
    }

    @Test
    @DisplayName("bad kextload, kextunload, kextreload and iocatalog arguments are refused with one line naming them")
    void badArguments() throws Exception {
        Path missing = dir.resolve("nope.jar");
        assertEquals("kextload: no such file '" + missing + "'", shell.failure("kextload " + missing));
        assertEquals("kextload: no such file '" + missing + "' (from " + missing.toUri() + ")", shell.failure("kextload " + missing.toUri()));

        Path plain = TestBundles.writeManifestOnly(dir.resolve("plain.jar"), PREFIX + "plain", Map.of());
        assertEquals("kextload: " + plain + " (org.example.shell.plain 1.0.0) is not a driver bundle: it declares no sluice.personality capability",
                shell.failure("kextload " + plain));
        assertNull(installed("plain"), "a refused bundle is not left installed");

        Path jar = driverJar("twice.jar", "twice", "1.0.0", echo("Twice", "nonub"));
        shell.run("kextload " + jar);
        long id = installed("twice").getBundleId();
        assertEquals("kextload: " + jar + " is already loaded as bundle " + id + " (org.example.shell.twice 1.0.0); use kextreload " + id,
                shell.failure("kextload " + jar));

        assertEquals("kextunload: no bundle named 'org.example.nothing' (kextstat lists driver bundles)",
                shell.failure("kextunload org.example.nothing"));
        assertEquals("kextunload: no bundle with id 99999 (kextstat lists driver bundles)", shell.failure("kextunload 99999"));
        long kernel = Arrays.stream(context.getBundles()).filter(b -> "dev.sluice.kernel".equals(b.getSymbolicName())).findFirst().orElseThrow().getBundleId();
        assertEquals("kextunload: bundle " + kernel + " (dev.sluice.kernel) is not a driver bundle: it declares no sluice.personality capability",
                shell.failure("kextunload dev.sluice.kernel"));
        assertEquals(Bundle.ACTIVE, context.getBundle(kernel).getState(), "the kernel was left alone");

        assertEquals("kextreload: no bundle named 'org.example.nothing' (kextstat lists driver bundles)",
                shell.failure("kextreload org.example.nothing"));
        assertEquals("kextreload: no such file '" + missing + "'", shell.failure("kextreload " + id + " " + missing));
        assertEquals("iocatalog: no bundle named 'org.example.nothing' is installed (lb lists them)",
                shell.failure("iocatalog -b org.example.nothing"));
    }
}
