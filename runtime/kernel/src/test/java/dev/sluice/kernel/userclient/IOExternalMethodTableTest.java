package dev.sluice.kernel.userclient;

import static dev.sluice.kernel.userclient.IOExternalMethodDispatch.VARIABLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The kernel's checks of external method calls, before any driver code runs. */
class IOExternalMethodTableTest {

    private static final IOUserClientCaller CALLER = new IOUserClientCaller("test.app", 7, Set.of());

    private final AtomicInteger driverCalls = new AtomicInteger();
    private final AtomicReference<IOAsyncReference> lastRef = new AtomicReference<>();

    private final IOExternalMethodTable table = IOExternalMethodTable.of("VirtioBlock",
            IOExternalMethodDispatch.sync(0, "read", 2, 1, 0, VARIABLE, a -> {
                driverCalls.incrementAndGet();
                a.setScalarOutput(0, a.scalarInput(0) + a.scalarInput(1));
                a.setStructOutput("data".getBytes(StandardCharsets.US_ASCII));
                return IOReturn.SUCCESS;
            }),
            IOExternalMethodDispatch.sync(1, "write", 1, 0, 4, 0, a -> {
                driverCalls.incrementAndGet();
                return IOReturn.SUCCESS;
            }),
            IOExternalMethodDispatch.sync(2, "id", 0, 0, 0, 8, a -> {
                driverCalls.incrementAndGet();
                System.arraycopy("VBLK0001".getBytes(StandardCharsets.US_ASCII), 0, a.structOutput(), 0, 8);
                return IOReturn.SUCCESS;
            }),
            IOExternalMethodDispatch.async(3, "flush", 0, 1, 0, 0, a -> {
                driverCalls.incrementAndGet();
                lastRef.set(a.asyncReference());
                return IOReturn.SUCCESS;
            }),
            IOExternalMethodDispatch.sync(4, "busy", 0, 0, 0, 0, a -> {
                driverCalls.incrementAndGet();
                return IOReturn.BUSY;
            }),
            IOExternalMethodDispatch.sync(5, "liar", 0, 2, 0, 0, a -> {
                driverCalls.incrementAndGet();
                a.setStructOutput(new byte[0]);
                return IOReturn.SUCCESS;
            }));

    private void assertRefused(String expected, IOCallResult r) {
        assertEquals(IOReturn.BAD_ARGUMENT, r.status(), r.toString());
        assertEquals(expected, r.message());
        assertEquals(0, driverCalls.get(), "the driver never saw the call");
        assertEquals(0, r.scalarOutput().length);
    }

    @Test
    @DisplayName("a well-formed call reaches the method, by selector or by name, with its outputs")
    void wellFormed() {
        IOCallResult byName = table.call("read", new long[] {40, 2}, null, CALLER);
        assertEquals(IOReturn.SUCCESS, byName.status());
        assertArrayEquals(new long[] {42}, byName.scalarOutput());
        assertArrayEquals("data".getBytes(StandardCharsets.US_ASCII), byName.structOutput());
        assertEquals(byName, table.call(0, new long[] {40, 2}, new byte[0], CALLER));
        assertEquals("VBLK0001", new String(table.call(2, null, null, CALLER).structOutput(), StandardCharsets.US_ASCII));
        assertEquals(3, driverCalls.get());
    }

    @Test
    @DisplayName("an unknown selector is refused listing the methods")
    void unknownSelector() {
        assertRefused("VirtioBlock: no method with selector 9 (methods: 0 read, 1 write, 2 id, 3 flush, 4 busy, 5 liar)",
                table.call(9, null, null, CALLER));
    }

    @Test
    @DisplayName("an unknown name is refused listing the methods")
    void unknownName() {
        assertRefused("VirtioBlock: no method named 'frob' (methods: 0 read, 1 write, 2 id, 3 flush, 4 busy, 5 liar)",
                table.call("frob", null, null, CALLER));
    }

    @Test
    @DisplayName("a method that is neither selector nor name is refused")
    void badMethodKind() {
        assertRefused("VirtioBlock: a method is a selector (Integer) or a name (String), not Long 0",
                table.call(0L, null, null, CALLER));
        assertRefused("VirtioBlock: a method is a selector (Integer) or a name (String), not null",
                table.call(null, null, null, CALLER));
    }

    @Test
    @DisplayName("too few and too many scalar inputs are refused naming the method")
    void scalarCounts() {
        assertRefused("VirtioBlock.read: expected 2 scalar inputs, got 1", table.call("read", new long[] {1}, null, CALLER));
        assertRefused("VirtioBlock.read: expected 2 scalar inputs, got 3", table.call("read", new long[] {1, 2, 3}, null, CALLER));
        assertRefused("VirtioBlock.write: expected 1 scalar input, got 0", table.call(1, null, new byte[4], CALLER));
    }

    @Test
    @DisplayName("a struct input of the wrong size, or one where none is expected, is refused")
    void structSizes() {
        assertRefused("VirtioBlock.write: expected a 4-byte struct input, got 3 bytes", table.call("write", new long[] {1}, new byte[3], CALLER));
        assertRefused("VirtioBlock.write: expected a 4-byte struct input, got 0 bytes", table.call("write", new long[] {1}, null, CALLER));
        assertRefused("VirtioBlock.id: expected no struct input, got 1 byte", table.call("id", null, new byte[1], CALLER));
    }

    @Test
    @DisplayName("a variable-size struct input accepts any size")
    void variableStruct() {
        IOExternalMethodTable t = IOExternalMethodTable.of("Echo", IOExternalMethodDispatch.sync(0, "echo", 0, 0, VARIABLE, VARIABLE, a -> {
            a.setStructOutput(a.structInput());
            return IOReturn.SUCCESS;
        }));
        for (int n : new int[] {0, 1, 4096}) {
            assertEquals(n, t.call("echo", null, new byte[n], CALLER).structOutput().length);
        }
    }

    @Test
    @DisplayName("sync and async methods must be called the matching way")
    void syncAsyncMismatch() {
        assertRefused("VirtioBlock.flush is asynchronous: call it with callAsync", table.call("flush", null, null, CALLER));
        assertRefused("VirtioBlock.read is synchronous: call it with call, not callAsync",
                table.callAsync("read", new long[] {1, 2}, null, CALLER, r -> { }, null));
        assertRefused("VirtioBlock.flush: expected 0 scalar inputs, got 1",
                table.callAsync("flush", new long[] {1}, null, CALLER, r -> { }, null));
    }

    @Test
    @DisplayName("a failing status is handed back without outputs; outputs that break the declared shape give ERROR")
    void statusAndOutputShape() {
        IOCallResult busy = table.call("busy", null, null, CALLER);
        assertEquals(IOReturn.BUSY, busy.status());
        assertEquals("VirtioBlock.busy returned BUSY", busy.message());
        IOCallResult liar = table.call("liar", null, null, CALLER);
        assertEquals(IOReturn.SUCCESS, liar.status(), "the preallocated scalar outputs keep the declared shape");
        IOExternalMethodTable bad = IOExternalMethodTable.of("Bad", IOExternalMethodDispatch.sync(0, "fixed", 0, 0, 0, 2, a -> {
            a.setStructOutput(new byte[3]);
            return IOReturn.SUCCESS;
        }));
        assertThrows(IllegalArgumentException.class, () -> bad.call("fixed", null, null, CALLER));
    }

    @Test
    @DisplayName("a method that refuses its arguments says why: the caller gets its status and 'Owner.method: reason'")
    void failWithReason() {
        IOExternalMethodTable t = IOExternalMethodTable.of("Sp804Timer",
                IOExternalMethodDispatch.sync(0, "waitForInterrupt", 1, 1, 0, 0,
                        a -> a.scalarInput(0) < 1 ? a.fail(IOReturn.BAD_ARGUMENT, "micros must be 1 or more, got " + a.scalarInput(0))
                                : IOReturn.SUCCESS),
                IOExternalMethodDispatch.async(1, "later", 1, 1, 0, 0, a -> a.fail(IOReturn.BUSY, "both counters are busy")),
                IOExternalMethodDispatch.sync(2, "mismatch", 0, 0, 0, 0, a -> {
                    a.fail(IOReturn.BAD_ARGUMENT, "a reason for another status");
                    return IOReturn.NOT_READY;
                }));
        IOCallResult bad = t.call("waitForInterrupt", new long[] {-5}, null, CALLER);
        assertEquals(IOReturn.BAD_ARGUMENT, bad.status());
        assertEquals("Sp804Timer.waitForInterrupt: micros must be 1 or more, got -5", bad.message());
        assertTrue(t.call("waitForInterrupt", new long[] {5}, null, CALLER).isSuccess());
        IOCallResult busy = t.callAsync("later", new long[] {1}, null, CALLER, r -> { }, null);
        assertEquals(IOReturn.BUSY, busy.status());
        assertEquals("Sp804Timer.later: both counters are busy", busy.message());
        assertEquals("Sp804Timer.mismatch returned NOT_READY", t.call("mismatch", null, null, CALLER).message(),
                "a reason given with another status than the one returned is not used");
        IOExternalMethodTable success = IOExternalMethodTable.of("S", IOExternalMethodDispatch.sync(0, "ok", 0, 0, 0, 0,
                a -> a.fail(IOReturn.SUCCESS, "not a failure")));
        assertThrows(IllegalArgumentException.class, () -> success.call("ok", null, null, CALLER));
    }

    @Test
    @DisplayName("an async completion that arrives inside the method is held until the method returned")
    void asyncCompletionHeldUntilReturn() {
        List<String> events = new ArrayList<>();
        IOExternalMethodTable t = IOExternalMethodTable.of("Now", IOExternalMethodDispatch.async(0, "now", 0, 1, 0, 0, a -> {
            assertTrue(a.asyncReference().complete(5));
            events.add("method returns");
            return IOReturn.SUCCESS;
        }));
        IOCallResult accepted = t.callAsync("now", null, null, CALLER, r -> events.add("completed " + r.scalar(0)), null);
        assertEquals(IOReturn.SUCCESS, accepted.status());
        assertEquals(List.of("method returns", "completed 5"), events);
    }

    @Test
    @DisplayName("a refused async call never completes; an accepted one completes once, with its shape checked")
    void asyncExactlyOnce() {
        List<IOCallResult> results = new ArrayList<>();
        IOCallResult accepted = table.callAsync("flush", null, null, CALLER, results::add, null);
        assertTrue(accepted.isSuccess());
        assertTrue(results.isEmpty());
        IOAsyncReference ref = lastRef.get();
        assertTrue(ref.complete(IOReturn.SUCCESS, new long[] {1, 2}, null));
        assertFalse(ref.complete(3), "a second completion is refused");
        assertEquals(1, results.size());
        assertEquals(IOReturn.ERROR, results.get(0).status());
        assertEquals("VirtioBlock.flush produced 2 scalar outputs but declares 1", results.get(0).message());

        List<IOCallResult> never = new ArrayList<>();
        IOExternalMethodTable refusing = IOExternalMethodTable.of("R", IOExternalMethodDispatch.async(0, "no", 0, 0, 0, 0, a -> {
            a.asyncReference().complete();
            return IOReturn.NOT_READY;
        }));
        assertEquals(IOReturn.NOT_READY, refusing.callAsync("no", null, null, CALLER, never::add, null).status());
        assertTrue(never.isEmpty(), "a call the method refused never completes");
    }

    @Test
    @DisplayName("tables refuse duplicate selectors and names; entries refuse bad shapes")
    void tableValidation() {
        IOExternalMethod m = a -> IOReturn.SUCCESS;
        assertThrows(IllegalArgumentException.class, () -> IOExternalMethodTable.of("T",
                IOExternalMethodDispatch.sync(0, "a", 0, 0, 0, 0, m), IOExternalMethodDispatch.sync(0, "b", 0, 0, 0, 0, m)));
        assertThrows(IllegalArgumentException.class, () -> IOExternalMethodTable.of("T",
                IOExternalMethodDispatch.sync(0, "a", 0, 0, 0, 0, m), IOExternalMethodDispatch.sync(1, "a", 0, 0, 0, 0, m)));
        assertThrows(IllegalArgumentException.class, () -> IOExternalMethodDispatch.sync(-1, "a", 0, 0, 0, 0, m));
        assertThrows(IllegalArgumentException.class, () -> IOExternalMethodDispatch.sync(0, "two words", 0, 0, 0, 0, m));
        assertThrows(IllegalArgumentException.class, () -> IOExternalMethodDispatch.sync(0, "a", -1, 0, 0, 0, m));
        assertThrows(IllegalArgumentException.class, () -> IOExternalMethodDispatch.sync(0, "a", 0, 0, -2, 0, m));
        assertNull(table.lookup(42));
        assertEquals("0 read(2 scalars, struct 0 -> 1 scalar, struct *)", table.lookup("read").signature());
    }

    @Test
    @DisplayName("the admin entitlement grants every entitlement")
    void entitlements() {
        assertTrue(new IOUserClientCaller("a", 1, Set.of("x")).hasEntitlement("x"));
        assertFalse(new IOUserClientCaller("a", 1, Set.of("x")).hasEntitlement("y"));
        assertTrue(new IOUserClientCaller("a", 1, Set.of(Entitlement.ADMIN)).hasEntitlement("y"));
        assertTrue(CALLER.hasEntitlement(null));
    }
}
