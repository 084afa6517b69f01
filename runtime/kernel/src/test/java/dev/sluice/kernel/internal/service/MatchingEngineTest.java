package dev.sluice.kernel.internal.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.catalog.IOPersonality;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MatchingEngineTest {

    private final IORegistry registry = new IORegistry();
    private final List<IOPersonality> catalogue = new CopyOnWriteArrayList<>();
    private final List<String> published = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final IOWorkLoop loop = IOWorkLoop.create("test-nub");
    private final Journal journal = new Journal();
    private long order;

    private final MatchingEngine engine = new MatchingEngine(registry, () -> catalogue, new MatchingEngine.Host() {
        @Override
        public IOService instantiate(IOPersonality p) throws Exception {
            return (IOService) Class.forName(p.ioClass()).getDeclaredConstructor().newInstance();
        }

        @Override
        public void publish(IOService service) {
            published.add("+" + service.getName());
        }

        @Override
        public void unpublish(IOService service) {
            published.add("-" + service.getName());
        }

        @Override
        public void failure(IOService service, String what, Throwable cause) {
            failures.add(what + ": " + cause.getMessage());
        }

        @Override
        public void info(String message) {
        }
    });

    @AfterEach
    void stop() {
        engine.shutdown();
        loop.shutdown();
    }

    private IOPersonality personality(String name, Class<?> driver, String provider, long score, Object... kv) throws Exception {
        Map<String, Object> a = new HashMap<>();
        a.put("sluice.personality", name);
        a.put("IOClass", driver.getName());
        a.put("IOProviderClass", provider);
        a.put("IOProbeScore", score);
        for (int i = 0; i < kv.length; i += 2) {
            a.put((String) kv[i], kv[i + 1]);
        }
        IOPersonality p = IOPersonality.parse("test.bundle", 1, order++, a);
        catalogue.add(p);
        return p;
    }

    private TestDrivers.TestNub nub(String name, Object... props) {
        TestDrivers.TestNub nub = new TestDrivers.TestNub(name, journal, loop);
        for (int i = 0; i < props.length; i += 2) {
            nub.setProperty((String) props[i], props[i + 1]);
        }
        nub.attach(registry.resources());
        return nub;
    }

    private void settle(IOService s) {
        assertEquals(IOReturn.SUCCESS, s.waitQuiet(10, TimeUnit.SECONDS), "matching did not settle");
    }

    private List<String> driverNames(IOService nub) {
        return nub.getClients().stream().map(c -> String.valueOf(c.getProperty(IOService.IO_PERSONALITY_NAME))).toList();
    }

    @Test
    @DisplayName("S61 S62 every candidate is probed, the best probe score starts, losers are released and never started")
    void probeArbitration() throws Exception {
        personality("Generic", TestDrivers.Recorder.class, "TestNub", 0);
        personality("Specific", TestDrivers.Recorder.class, "TestNub", 100);
        personality("Sneaky", TestDrivers.Recorder.class, "TestNub", 50);
        TestDrivers.TestNub nub = nub("dev", "probe.bonus.Sneaky", 500, "decline.Generic", true);
        nub.registerService();
        settle(nub);
        assertEquals(List.of("probe Specific 100", "probe Sneaky 550", "probe Generic 0"), journal.matching("probe"),
                "probed in initial score order; a probe may change its score");
        assertEquals(List.of("start Sneaky"), journal.matching("start"), "the best score after probing starts; nobody else");
        assertEquals(List.of("Sneaky"), driverNames(nub), "losers are detached");
        assertTrue(nub.getClient().isStarted());
        assertEquals("Sneaky", nub.getClient().getProperty(IOService.IO_PERSONALITY_NAME));
    }

    @Test
    @DisplayName("S62 if start fails or throws, the next candidate of the category is started")
    void startFailsThenNext() throws Exception {
        personality("Best", TestDrivers.Thrower.class, "TestNub", 300);
        personality("Second", TestDrivers.Recorder.class, "TestNub", 200);
        personality("Third", TestDrivers.Recorder.class, "TestNub", 100);
        TestDrivers.TestNub nub = nub("dev", "fail-start.Second", true);
        nub.registerService();
        settle(nub);
        assertEquals(List.of("start Best", "start Second", "start Third"), journal.matching("start"));
        assertEquals(List.of("Third"), driverNames(nub));
        assertTrue(failures.stream().anyMatch(f -> f.contains("driver bug in start")), failures.toString());
        assertEquals(List.of("release-2 Second", "release-1 Second"), journal.matching("release"),
                "resources of the failed start are released, newest first");
    }

    @Test
    @DisplayName("S60 S62 categories are independent; a category with an active client is skipped when matching runs again")
    void categories() throws Exception {
        personality("Block", TestDrivers.Recorder.class, "TestNub", 10, "IOMatchCategory", "storage");
        personality("Stats", TestDrivers.Recorder.class, "TestNub", 10, "IOMatchCategory", "stats");
        TestDrivers.TestNub nub = nub("dev");
        nub.registerService();
        settle(nub);
        assertEquals(List.of("Block", "Stats"), driverNames(nub));
        engine.personalitiesAdded(List.of(personality("BetterBlock", TestDrivers.Recorder.class, "TestNub", 99,
                "IOMatchCategory", "storage")));
        settle(nub);
        assertEquals(List.of("Block", "Stats"), driverNames(nub), "occupied categories are not matched again");
    }

    @Test
    @DisplayName("S66 a new personality re-runs matching for nubs without a driver; removing one terminates its instances and the nub falls back")
    void catalogueChanges() throws Exception {
        TestDrivers.TestNub nub = nub("dev");
        nub.registerService();
        settle(nub);
        assertTrue(nub.getClients().isEmpty());
        IOPersonality generic = personality("Generic", TestDrivers.Recorder.class, "TestNub", 0);
        engine.personalitiesAdded(List.of(generic));
        settle(nub);
        assertEquals(List.of("Generic"), driverNames(nub));

        IOPersonality specific = personality("Specific", TestDrivers.Recorder.class, "TestNub", 100);
        // the generic driver occupies the default category: a better personality does not evict it
        engine.personalitiesAdded(List.of(specific));
        settle(nub);
        assertEquals(List.of("Generic"), driverNames(nub));

        catalogue.remove(generic);
        engine.personalitiesRemoved(List.of(generic));
        settle(nub);
        assertEquals(List.of("Specific"), driverNames(nub), "the nub is offered to the next-best personality");
        assertTrue(journal.lines().contains("stop Generic gate-held=true"));

        catalogue.remove(specific);
        engine.personalitiesRemoved(List.of(specific));
        settle(nub);
        assertTrue(nub.getClients().isEmpty(), "no personality left: the nub stays unmatched");
    }

    @Test
    @DisplayName("S63 matching is asynchronous; waitQuiet reports TIMEOUT while a probe is in progress and SUCCESS after")
    void waitQuiet() throws Exception {
        personality("Slow", TestDrivers.SlowProber.class, "TestNub", 0);
        CountDownLatch probeGate = new CountDownLatch(1);
        TestDrivers.TestNub nub = nub("dev", "probe.gate", probeGate);
        nub.registerService();
        assertEquals(IOReturn.TIMEOUT, nub.waitQuiet(50, TimeUnit.MILLISECONDS));
        assertTrue(nub.getBusyState() > 0);
        assertTrue(registry.resources().getBusyState() > 0, "busy counts propagate to providers");
        probeGate.countDown();
        settle(nub);
        assertEquals(0, registry.resources().getBusyState());
        assertEquals(List.of("Slow"), driverNames(nub));
    }

    @Test
    @DisplayName("S64 getWorkLoop defaults to the provider's, recursively")
    void workLoopFromProvider() throws Exception {
        personality("Parent", TestDrivers.Publisher.class, "TestNub", 0);
        personality("Child", TestDrivers.Recorder.class, "Publisher", 0);
        TestDrivers.TestNub nub = nub("dev");
        nub.registerService();
        settle(nub);
        IOService parent = nub.getClient();
        settle(parent);
        IOService child = parent.getClient();
        assertSame(loop, parent.getWorkLoop());
        assertSame(loop, child.getWorkLoop());
        assertNull(new IOService("loose", null).getWorkLoop(), "no provider, no loop");
    }

    @Test
    @DisplayName("S65 a notification is called at once for existing matches, then for new ones; remove stops it")
    void notifications() throws Exception {
        TestDrivers.TestNub first = nub("first", "kind", "disk");
        first.registerService();
        settle(first);
        List<String> seen = new CopyOnWriteArrayList<>();
        MatchingEngine.Notifier n = engine.addNotification(s -> "disk".equals(s.getProperty("kind")),
                s -> seen.add("+" + s.getName()), s -> seen.add("-" + s.getName()));
        assertEquals(List.of("+first"), seen, "existing matches are reported at once");
        TestDrivers.TestNub second = nub("second", "kind", "disk");
        second.registerService();
        nub("other", "kind", "net").registerService();
        assertEquals(List.of("+first", "+second"), seen);
        second.terminate();
        assertEquals(List.of("+first", "+second", "-second"), seen);
        n.remove();
        nub("third", "kind", "disk").registerService();
        assertEquals(3, seen.size(), "nothing after remove");
    }

    @Test
    @DisplayName("S67 S68 termination: inactive at once, willTerminate root to leaf, didTerminate leaf to root, stop leaves first under the provider's gate")
    void terminationOrder() throws Exception {
        personality("Parent", TestDrivers.Publisher.class, "TestNub", 0);
        personality("Child", TestDrivers.Recorder.class, "Publisher", 0);
        TestDrivers.TestNub nub = nub("dev");
        nub.registerService();
        settle(nub);
        IOService parent = nub.getClient();
        settle(parent);
        IOService child = parent.getClient();
        assertTrue(nub.terminate());
        assertTrue(nub.isInactive() && parent.isInactive() && child.isInactive());
        List<String> order = journal.lines().stream()
                .filter(l -> l.startsWith("will") || l.startsWith("did") || l.startsWith("stop") || l.startsWith("release")).toList();
        assertEquals(List.of("will Parent", "will Child", "did Child", "did Parent",
                "stop Child gate-held=true", "release-2 Child", "release-1 Child",
                "stop Parent gate-held=true", "release-2 Parent", "release-1 Parent"), order);
        assertTrue(nub.getClients().isEmpty() && parent.getClients().isEmpty());
        assertTrue(published.containsAll(List.of("-dev", "-Publisher")), published.toString());
        assertFalse(nub.terminate(), "terminating twice is refused");
    }

    @Test
    @DisplayName("S67 a client with another provider is not terminated by default")
    void requestTerminateDefault() throws Exception {
        TestDrivers.TestNub a = nub("a");
        TestDrivers.TestNub b = nub("b");
        IOService raid = new IOService("raid", null);
        assertTrue(raid.attach(a));
        assertTrue(raid.attach(b));
        a.terminate();
        assertFalse(raid.isInactive(), "b still provides it");
        b.terminate();
        assertTrue(raid.isInactive(), "its last provider went away");
    }

    @Test
    @DisplayName("S69 attach and open on an inactive provider fail; open is exclusive by default")
    void openAndAttach() throws Exception {
        TestDrivers.TestNub nub = nub("dev");
        IOService c1 = new IOService("c1", null);
        IOService c2 = new IOService("c2", null);
        assertTrue(nub.open(c1));
        assertTrue(nub.open(c1), "the same client may open again");
        assertFalse(nub.open(c2), "exclusive");
        nub.close(c1);
        assertTrue(nub.open(c2));
        nub.terminate();
        assertFalse(nub.open(c1));
        assertFalse(new IOService("late", null).attach(nub));
    }

    @Test
    @DisplayName("S70 resources acquired through the runtime are released in reverse order when the driver stops")
    void resourcesReleased() throws Exception {
        personality("Owner", TestDrivers.Recorder.class, "TestNub", 0);
        TestDrivers.TestNub nub = nub("dev");
        nub.registerService();
        settle(nub);
        IOService driver = nub.getClient();
        IOWorkLoop own = new IOService("probe", null) {
            IOWorkLoop make() {
                return dedicatedWorkLoop();
            }
        }.make();
        assertTrue(own.thread().isAlive());
        List<String> released = new ArrayList<>();
        driver.manage(() -> released.add("first"));
        driver.manage(() -> released.add("second"));
        driver.terminate();
        assertEquals(List.of("second", "first"), released);
        assertEquals(0, driver.managedResourceCount());
        own.shutdown();
    }
}
