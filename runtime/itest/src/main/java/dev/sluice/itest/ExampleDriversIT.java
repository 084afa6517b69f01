package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.drivers.examples.api.ExampleDevice;
import dev.sluice.kernel.interrupt.InterruptType;
import dev.sluice.kernel.workloop.IOWorkLoop;
import dev.sluice.platform.interrupt.InterruptController;
import java.util.concurrent.locks.LockSupport;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.wiring.BundleWiring;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The example drivers: probe arbitration, fallback, and the client front across swaps. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class ExampleDriversIT {

    static final String GENERIC = "dev.sluice.drivers.examples.generic";
    static final String SPECIFIC = "dev.sluice.drivers.examples.specific";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    private final List<IOService> nubs = new ArrayList<>();
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        trackers.forEach(ServiceTracker::close);
        nubs.forEach(IOService::terminate);
        for (String bsn : List.of(GENERIC, SPECIFIC)) {
            Bundle b = TestBundles.installed(context, bsn);
            if (b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        }
    }


    IOService exampleNub(String name, Integer revision) {
        IOService nub = new IOService(name, null);
        nub.setProperty("compatible", List.of("sluice,example-device"));
        if (revision != null) {
            nub.setProperty("sluice,example-revision", revision);
        }
        assertTrue(nub.attach(registry.resources()));
        nub.registerService();
        nubs.add(nub);
        Await.matchingSettled(nub);
        return nub;
    }


    ExampleDevice front(String nubName) throws Exception {
        ServiceTracker<ExampleDevice, ExampleDevice> t = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + ExampleDevice.class.getName() + ")(IOName=" + nubName + "))"), null);
        t.open();
        trackers.add(t);
        ExampleDevice d = t.waitForService(10_000);
        assertNotNull(d, "no ExampleDevice front for " + nubName);
        return d;
    }

    @Test
    @DisplayName("S61 S62 the specific driver outscores the generic one; its probe declines an old revision, leaving it to the generic")
    void arbitration() throws Exception {
        assertEquals("specific", front(exampleNub("ex-new", 3).getName()).driver());
        assertEquals("generic", front(exampleNub("ex-old", 1).getName()).driver());
    }

    @Test
    @DisplayName("S66 stopping the specific driver's bundle falls back to the generic driver behind the same front")
    void fallback() throws Exception {
        IOService nub = exampleNub("ex-fallback", null);
        ExampleDevice device = front(nub.getName());
        assertEquals("specific", device.driver());
        TestBundles.installed(context, SPECIFIC).stop();
        Await.matchingSettled(nub);
        assertEquals("generic", device.driver(), "the same front now reaches the generic driver");
        assertSame(device, front(nub.getName()), "clients keep their service object");
        TestBundles.installed(context, SPECIFIC).start();
        Await.matchingSettled(nub);
        assertEquals("generic", device.driver(), "S60: the occupied category is not matched again");
    }

    @Test
    @DisplayName("hot reload: the specific driver updated 50 times under load, every request answered exactly once")
    void reloadUnderLoad(TestReporter reporter) throws Exception {
        IOService nub = exampleNub("ex-reload", null);
        ExampleDevice device = front(nub.getName());
        assertEquals("specific", device.driver());
        int updates = 50;
        int clients = 2;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong maxPauseNanos = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long base = (long) c << 40;
            Thread t = new Thread(() -> {
                long seq = base;
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    sent.incrementAndGet();
                    try {
                        if (device.echo(seq) != seq) {
                            wrong.incrementAndGet();
                        }
                        answered.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                        return;
                    }
                    maxPauseNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    seq++;
                }
            }, "example-client-" + c);
            threads.add(t);
            t.start();
        }
        Bundle specific = TestBundles.installed(context, SPECIFIC);
        long start = System.nanoTime();
        for (int i = 0; i < updates; i++) {
            specific.update();
            Await.matchingSettled(nub);
        }
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
            assertTrue(!t.isAlive(), t.getName() + " is stuck");
        }
        assertEquals(List.of(), failures, "no request failed");
        assertEquals(0, wrong.get(), "every answer was the request's own");
        assertEquals(sent.get(), answered.get(), "every request sent was answered exactly once");
        assertTrue(answered.get() > updates, "requests kept flowing: " + answered.get());
        assertEquals("specific", device.driver(), "the updated driver serves the device again");
        reporter.publishEntry("reload", String.format("%d updates in %.1f s; %d requests sent, %d answered, max pause %.1f ms",
                updates, elapsed / 1e9, sent.get(), answered.get(), maxPauseNanos.get() / 1e6));
    }

    @Test
    @DisplayName("S39 hot reload: edge interrupts pulsed while the specific driver is updated 20 times all reach a driver, each counted once")
    void interruptsDuringUpdatesReachTheNextDriver(TestReporter reporter) throws Exception {
        int line = 1;
        List<String> problems = new CopyOnWriteArrayList<>();
        IOWorkLoop loop = IOWorkLoop.create("ex-irq-nub");
        try (InterruptController pic = new InterruptController("ex-pic", 2, 1, problems::add)) {
            pic.configure(line, InterruptType.EDGE);
            InterruptingExampleNub nub = new InterruptingExampleNub("ex-irq", pic.provider("ex-irq", new int[] {line}), loop);
            assertTrue(nub.attach(registry.resources()));
            nub.registerService();
            try {
                Await.matchingSettled(nub);
                assertEquals("specific", front(nub.getName()).driver());
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong pulses = new AtomicLong();
                Thread device = new Thread(() -> {
                    while (!stop.get()) {
                        pic.line(line).pulse();
                        pulses.incrementAndGet();
                        LockSupport.parkNanos(20_000);
                    }
                }, "ex-irq-device");
                device.start();
                Bundle specific = TestBundles.installed(context, SPECIFIC);
                int updates = 20;
                for (int i = 0; i < updates; i++) {
                    specific.update();
                    Await.matchingSettled(nub);
                }
                stop.set(true);
                device.join(10_000);
                assertTrue(!device.isAlive(), "the pulsing thread is stuck");
                long raised = pulses.get();
                assertTrue(raised > updates, "interrupts kept coming during the updates: " + raised);
                Await.until(() -> handled(nub) >= raised, Duration.ofSeconds(20),
                        "the drivers to handle all " + raised + " interrupts (handled " + handled(nub) + ")");
                assertEquals(raised, handled(nub), "every interrupt handled exactly once across the updates");
                assertEquals("specific", front(nub.getName()).driver());
                assertEquals(List.of(), problems, "the controller reported nothing");
                reporter.publishEntry("interrupts", updates + " updates; " + raised + " edge interrupts raised, "
                        + handled(nub) + " handled");
            } finally {
                nub.terminate();
            }
        } finally {
            loop.shutdown();
        }
    }

    private static long handled(IOService nub) {
        Object n = nub.getProperty("sluice,example-interrupts");
        return n instanceof Long count ? count : 0L;
    }

    @Test
    @DisplayName("S70 200 updates of a driver bundle leave no class loader, thread or registration behind")
    void updatesLeaveNothingBehind(TestReporter reporter) throws Exception {
        IOService nub = exampleNub("ex-leak", null);
        ExampleDevice device = front(nub.getName());
        Bundle specific = TestBundles.installed(context, SPECIFIC);
        specific.update(); // warm-up: kernel pools and fronts exist before the baseline
        Await.matchingSettled(nub);
        int baseThreads = liveThreads().size();
        long baseDriverThreads = driverThreads();
        int baseServices = context.getServiceReferences(IOService.class, null).size();
        List<WeakReference<ClassLoader>> oldLoaders = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            oldLoaders.add(new WeakReference<>(specific.adapt(BundleWiring.class).getClassLoader()));
            specific.update();
            Await.matchingSettled(nub);
        }
        assertEquals("specific", device.driver());
        Await.until(() -> {
            System.gc();
            return oldLoaders.stream().allMatch(w -> w.get() == null);
        }, Duration.ofSeconds(60), "the 200 old class loaders to be collected");
        Await.until(() -> driverThreads() <= baseDriverThreads, Duration.ofSeconds(20), "driver threads back to the baseline");
        // the kernel's own pools (IOConfig x2, IOTerminate) may be idle-timed-out at one moment and alive at another
        Await.until(() -> liveThreads().size() <= baseThreads + 3, Duration.ofSeconds(40),
                "live threads back to the baseline of " + baseThreads + " (now " + liveThreads() + ")");
        assertEquals(baseServices, context.getServiceReferences(IOService.class, null).size(), "no IOService registration left behind");
        reporter.publishEntry("leak", "200 updates: old class loaders collected; live threads " + liveThreads().size()
                + " vs baseline " + baseThreads);
    }

    static List<String> liveThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    static long driverThreads() {
        return liveThreads().stream().filter(n -> n.startsWith("IOWorkLoop-") || n.startsWith("front-")).count();
    }

    static Bundle self() {
        return FrameworkUtil.getBundle(ExampleDriversIT.class);
    }
}
