package dev.sluice.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.userclient.Entitlement;
import dev.sluice.kernel.userclient.IOCallResult;
import dev.sluice.kernel.userclient.IOConnect;
import dev.sluice.kernel.userclient.IOKitLib;
import dev.sluice.kernel.workloop.IOReturnException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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

/**
 * User clients through the kernel's IOKitLib service: open, call, close, entitlements,
 * asynchronous completions, a call blocked on an interrupt beside other clients, release (S70).
 * This test bundle declares the test driver's entitlement.
 */
@Entitlement(UserClientTestDriver.ENTITLEMENT)
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class UserClientIT {

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    IORegistry registry;

    @InjectService(timeout = 10_000)
    IOKitLib lib;

    private final List<IOService> nubs = new ArrayList<>();
    private final List<IOConnect> connections = new ArrayList<>();
    private final List<Bundle> installed = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        connections.forEach(IOConnect::close);
        nubs.forEach(IOService::terminate);
        for (Bundle b : installed) {
            b.uninstall();
        }
    }

    /** @return the test driver matched to a new nub named {@code name} */
    static UserClientTestDriver driverOn(IORegistry registry, List<IOService> nubs, String name) {
        IOService nub = new IOService(name, null);
        nub.setProperty("compatible", List.of("sluice,uc-test"));
        assertTrue(nub.attach(registry.resources()));
        nub.registerService();
        nubs.add(nub);
        Await.matchingSettled(nub);
        IOService driver = nub.getClient();
        assertTrue(driver instanceof UserClientTestDriver, "the test driver serves " + name + ": " + driver);
        return (UserClientTestDriver) driver;
    }

    private IOConnect open(IOKitLib from, IOService service, int type) {
        IOConnect c = from.open(service, type);
        connections.add(c);
        return c;
    }

    @Test
    @DisplayName("open a driver through IOKitLib, call by name and selector with scalars and structs, close")
    void openCallClose() {
        UserClientTestDriver driver = driverOn(registry, nubs, "uc-basic");
        assertEquals(List.of(UserClientTestDriver.ENTITLEMENT), List.copyOf(lib.caller().entitlements()));
        IOConnect c = open(lib, driver.getProvider(), 0); // the nub: its driver is opened
        assertSame(driver, c.service());
        assertEquals(List.of(c.userClient()), driver.getClients(), "the user client is attached below its driver");
        assertEquals("dev.sluice.itest [" + context.getBundle().getBundleId() + "]", c.userClient().getProperty("IOUserClientCreator"));

        IOCallResult sum = c.call("add", 40, 2);
        assertEquals(IOReturn.SUCCESS, sum.status(), sum.toString());
        assertArrayEquals(new long[] {42}, sum.scalarOutput());
        IOCallResult echo = c.call(1, null, "abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals("cba", new String(echo.structOutput(), StandardCharsets.US_ASCII));
        IOCallResult id = c.call("id");
        assertEquals(driver.getRegistryEntryID(), id.scalar(0));
        assertEquals("UCTEST01", new String(id.structOutput(), StandardCharsets.US_ASCII));

        IOCallResult bad = c.call("add", 1);
        assertEquals(IOReturn.BAD_ARGUMENT, bad.status());
        assertEquals("UCTest.add: expected 2 scalar inputs, got 1", bad.message());

        c.close();
        assertFalse(c.isOpen());
        assertEquals(IOReturn.OFFLINE, c.call("add", 1, 2).status());
        assertTrue(c.userClient().isInactive());
        assertEquals(List.of(), driver.getClients(), "S70: closing detached the user client");
        assertEquals(IOReturn.UNSUPPORTED, assertThrows(IOReturnException.class, () -> lib.open(driver, 7)).result());
    }

    /** @return the IOKitLib instance of another bundle (a manifest-only "application") */
    private IOKitLib libOf(Bundle app) {
        BundleContext bc = app.getBundleContext();
        ServiceReference<?> ref = bc.getServiceReference(IOKitLib.class.getName());
        assertNotNull(ref, "IOKitLib is visible to " + app.getSymbolicName());
        return (IOKitLib) bc.getService(ref);
    }

    private Bundle app(String bsn, Map<String, String> headers) throws Exception {
        Bundle b = context.installBundle("test:" + bsn, TestBundles.manifestOnly(bsn, headers));
        installed.add(b);
        b.start();
        return b;
    }

    @Test
    @DisplayName("a bundle without the entitlement gets NOT_PERMITTED naming it; with it, it opens; stopping the bundle releases its connections (S70)")
    void entitlements() throws Exception {
        UserClientTestDriver driver = driverOn(registry, nubs, "uc-entitled");
        IOKitLib plain = libOf(app("org.example.plain", Map.of()));
        assertEquals("org.example.plain", plain.caller().bundle());
        IOReturnException refused = assertThrows(IOReturnException.class, () -> plain.open(driver, 0));
        assertEquals(IOReturn.NOT_PERMITTED, refused.result());
        assertTrue(refused.getMessage().contains("lacks entitlement 'sluice.test.userclient' required by UserClientTestDriver"),
                refused.getMessage());
        assertEquals(List.of(), driver.getClients(), "nothing was attached for the refused bundle");
        IOConnect open = plain.open(driver, 1); // type 1 needs no entitlement
        assertEquals(3, open.call("add", 1, 2).scalar(0));

        Bundle entitledApp = app("org.example.entitled", Map.of("Provide-Capability",
                "sluice.entitlement;sluice.entitlement=\"" + UserClientTestDriver.ENTITLEMENT + "\""));
        IOConnect entitled = libOf(entitledApp).open(driver, 0);
        assertEquals(7, entitled.call("add", 3, 4).scalar(0));
        assertEquals(2, driver.getClients().size());

        entitledApp.stop();
        assertFalse(entitled.isOpen(), "the stopped bundle's connection is released");
        assertTrue(entitled.userClient().isInactive());
        assertEquals(List.of(open.userClient()), driver.getClients(), "only the other bundle's user client is left");
        open.close();
    }

    @Test
    @DisplayName("S56 an async completion runs on the completion thread after callAsync returned, even when the driver completes inline")
    void asyncCompletionNeverOnCallerStack() throws Exception {
        UserClientTestDriver driver = driverOn(registry, nubs, "uc-async");
        IOConnect c = open(lib, driver, 0);
        CountDownLatch returned = new CountDownLatch(1);
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread caller = Thread.currentThread();
        IOCallResult accepted = c.callAsync("addAsync", new long[] {20, 22}, null, result -> {
            try {
                // if this ran on the caller's stack, callAsync could not return and this wait would time out
                boolean callReturnedFirst = returned.await(10, TimeUnit.SECONDS);
                seen.complete(result.status() + " " + result.scalar(0) + " returnedFirst=" + callReturnedFirst
                        + " sameThread=" + (Thread.currentThread() == caller) + " " + Thread.currentThread().getName());
            } catch (InterruptedException e) {
                seen.completeExceptionally(e);
            }
        });
        returned.countDown();
        assertEquals(IOReturn.SUCCESS, accepted.status(), accepted.toString());
        assertEquals("SUCCESS 42 returnedFirst=true sameThread=false IOCompletion-dev.sluice.itest", seen.get(20, TimeUnit.SECONDS));

        CompletableFuture<IOCallResult> irq = new CompletableFuture<>();
        assertTrue(c.callAsync("irqAsync", null, null, irq::complete).isSuccess());
        assertFalse(irq.isDone(), "pending until the interrupt");
        driver.ringDoorbell();
        IOCallResult fromInterrupt = irq.get(20, TimeUnit.SECONDS);
        assertEquals(IOReturn.SUCCESS, fromInterrupt.status());
        assertTrue(fromInterrupt.scalar(0) >= 1);
        assertEquals(IOReturn.BAD_ARGUMENT, c.callAsync("add", new long[] {1, 2}, null, r -> { }).status());
    }

    @Test
    @DisplayName("seed 000: a sync call blocked until an interrupt (commandSleep in the gate) does not block another client's calls")
    void blockingCallDoesNotBlockOthers() throws Exception {
        UserClientTestDriver driver = driverOn(registry, nubs, "uc-block");
        IOConnect waiter = open(lib, driver, 0);
        IOConnect other = open(lib, driver, 0);
        CompletableFuture<IOCallResult> waited = CompletableFuture.supplyAsync(() -> waiter.call("waitIrq"));
        Await.until(() -> driver.sleepers() == 1, "the first client to sleep in waitIrq");
        for (int i = 0; i < 3; i++) {
            IOCallResult r = other.call("add", i, 100);
            assertEquals(100 + i, r.scalar(0), "the second client's call went through the same gate");
        }
        assertFalse(waited.isDone(), "the first client is still waiting for the interrupt");
        driver.ringDoorbell();
        IOCallResult r = waited.get(20, TimeUnit.SECONDS);
        assertEquals(IOReturn.SUCCESS, r.status(), r.toString());
        assertTrue(r.scalar(0) >= 1, "it saw the interrupt count");
    }

    @Test
    @DisplayName("S70 a terminating driver releases its connections: blocked and pending calls end, later calls get OFFLINE")
    void driverTerminationReleasesConnections() throws Exception {
        UserClientTestDriver driver = driverOn(registry, nubs, "uc-term");
        IOConnect c = open(lib, driver, 0);
        CompletableFuture<IOCallResult> blocked = CompletableFuture.supplyAsync(() -> c.call("waitIrq"));
        Await.until(() -> driver.sleepers() == 1, "a caller to sleep in waitIrq");
        CompletableFuture<IOCallResult> pending = new CompletableFuture<>();
        assertTrue(c.callAsync("irqAsync", null, null, pending::complete).isSuccess());

        driver.getProvider().terminate();
        assertFalse(c.isOpen(), "the connection was released with the driver");
        assertEquals(IOReturn.ABORTED, blocked.get(20, TimeUnit.SECONDS).status(), "the sleeper was woken by the gate's removal");
        IOCallResult aborted = pending.get(20, TimeUnit.SECONDS);
        assertEquals(IOReturn.OFFLINE, aborted.status());
        assertTrue(aborted.message().contains("UserClientTestDriver terminated"), aborted.message());
        IOCallResult later = c.call("add", 1, 2);
        assertEquals(IOReturn.OFFLINE, later.status());
        assertNotEquals("", later.message());
        assertTrue(c.userClient().isInactive());
        assertEquals(0, c.userClient().managedResourceCount());
    }
}
