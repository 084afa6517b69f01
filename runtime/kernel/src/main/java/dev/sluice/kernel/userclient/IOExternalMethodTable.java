package dev.sluice.kernel.userclient;

import dev.sluice.kernel.IOReturn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A user client's dispatch table: its {@link IOExternalMethodDispatch entries}, found by selector
 * or by name, and the kernel's argument checks. A call whose method is unknown or whose inputs
 * do not have the entry's shape fails with {@link IOReturn#BAD_ARGUMENT} and a one-line message
 * naming the method and what was wrong, e.g. {@code VirtioBlock.read: expected 2 scalar inputs,
 * got 1}; the driver's code is not run. Immutable and thread-safe.
 */
public final class IOExternalMethodTable {

    private final String owner;
    private final List<IOExternalMethodDispatch> entries;
    private final Map<Integer, IOExternalMethodDispatch> bySelector = new LinkedHashMap<>();
    private final Map<String, IOExternalMethodDispatch> byName = new LinkedHashMap<>();

    private IOExternalMethodTable(String owner, List<IOExternalMethodDispatch> entries) {
        this.owner = Objects.requireNonNull(owner, "owner");
        List<IOExternalMethodDispatch> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt(IOExternalMethodDispatch::selector));
        for (IOExternalMethodDispatch e : sorted) {
            Objects.requireNonNull(e, "entry");
            if (bySelector.putIfAbsent(e.selector(), e) != null) {
                throw new IllegalArgumentException(owner + ": selector " + e.selector() + " is used twice");
            }
            if (byName.putIfAbsent(e.name(), e) != null) {
                throw new IllegalArgumentException(owner + ": method name '" + e.name() + "' is used twice");
            }
        }
        this.entries = List.copyOf(sorted);
    }

    /**
     * @param owner   the name calls are reported under, usually the driver's (e.g. {@code VirtioBlock})
     * @param entries the methods; selectors and names must be unique
     * @return the table
     * @throws IllegalArgumentException on a duplicate selector or name
     */
    public static IOExternalMethodTable of(String owner, IOExternalMethodDispatch... entries) {
        return new IOExternalMethodTable(owner, List.of(entries));
    }

    /** @see #of(String, IOExternalMethodDispatch...) */
    public static IOExternalMethodTable of(String owner, List<IOExternalMethodDispatch> entries) {
        return new IOExternalMethodTable(owner, entries);
    }

    /** @return the name calls are reported under */
    public String owner() {
        return owner;
    }

    /** @return the entries, by selector */
    public List<IOExternalMethodDispatch> entries() {
        return entries;
    }

    /**
     * @param method an {@link Integer} selector or a {@link String} name
     * @return the entry, or null if there is none
     */
    public IOExternalMethodDispatch lookup(Object method) {
        if (method instanceof Integer selector) {
            return bySelector.get(selector);
        }
        if (method instanceof String name) {
            return byName.get(name);
        }
        return null;
    }

    /** @return e.g. {@code 0 read, 1 write} */
    public String methodList() {
        if (entries.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (IOExternalMethodDispatch e : entries) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(e.selector()).append(' ').append(e.name());
        }
        return b.toString();
    }

    /**
     * Checks a call before any driver code runs.
     *
     * @param method      an Integer selector or a String name
     * @param scalarInput the scalar inputs (null = none)
     * @param structInput the struct input (null = none)
     * @param async       true for {@code callAsync}
     * @return null if the call is well formed, else the one-line reason
     */
    public String problem(Object method, long[] scalarInput, byte[] structInput, boolean async) {
        IOExternalMethodDispatch d = lookup(method);
        if (d == null) {
            if (method instanceof Integer) {
                return owner + ": no method with selector " + method + " (methods: " + methodList() + ")";
            }
            if (method instanceof String) {
                return owner + ": no method named '" + method + "' (methods: " + methodList() + ")";
            }
            return owner + ": a method is a selector (Integer) or a name (String), not "
                    + (method == null ? "null" : method.getClass().getSimpleName() + " " + method);
        }
        String m = owner + "." + d.name();
        if (d.async() && !async) {
            return m + " is asynchronous: call it with callAsync";
        }
        if (!d.async() && async) {
            return m + " is synchronous: call it with call, not callAsync";
        }
        int scalars = scalarInput == null ? 0 : scalarInput.length;
        if (scalars != d.scalarInputCount()) {
            return m + ": expected " + d.scalarInputCount() + " scalar input" + (d.scalarInputCount() == 1 ? "" : "s")
                    + ", got " + scalars;
        }
        int bytes = structInput == null ? 0 : structInput.length;
        if (d.structInputSize() != IOExternalMethodDispatch.VARIABLE && bytes != d.structInputSize()) {
            return m + ": expected " + (d.structInputSize() == 0 ? "no struct input"
                    : "a " + d.structInputSize() + "-byte struct input") + ", got " + bytes + " byte" + (bytes == 1 ? "" : "s");
        }
        return null;
    }

    /**
     * Checks what a method produced against its entry (a driver bug if it does not match).
     *
     * @return null if the outputs have the declared shape, else the one-line reason
     */
    static String outputProblem(String owner, IOExternalMethodDispatch d, long[] scalars, byte[] struct) {
        int n = scalars == null ? 0 : scalars.length;
        if (n != d.scalarOutputCount()) {
            return owner + "." + d.name() + " produced " + n + " scalar outputs but declares " + d.scalarOutputCount();
        }
        int bytes = struct == null ? 0 : struct.length;
        if (d.structOutputSize() != IOExternalMethodDispatch.VARIABLE && bytes != d.structOutputSize()) {
            return owner + "." + d.name() + " produced a " + bytes + "-byte struct output but declares " + d.structOutputSize();
        }
        return null;
    }

    /**
     * Checks and runs a synchronous call on the calling thread. What the method throws is
     * rethrown (the user client reports it).
     *
     * @return BAD_ARGUMENT with the reason if the call is malformed (the method is not run);
     * the method's outputs if it returned SUCCESS; otherwise its status
     */
    public IOCallResult call(Object method, long[] scalarInput, byte[] structInput, IOUserClientCaller caller) {
        String problem = problem(method, scalarInput, structInput, false);
        if (problem != null) {
            return IOCallResult.failure(IOReturn.BAD_ARGUMENT, problem);
        }
        IOExternalMethodDispatch d = lookup(method);
        IOExternalMethodArguments args = new IOExternalMethodArguments(d, caller, orEmpty(scalarInput), orEmpty(structInput), null);
        IOReturn status = d.method().invoke(args);
        if (status != IOReturn.SUCCESS) {
            return failed(d, args, status);
        }
        String bad = outputProblem(owner, d, args.scalarOutput(), args.structOutput());
        return bad == null ? IOCallResult.success(args.scalarOutput(), args.structOutput()) : IOCallResult.failure(IOReturn.ERROR, bad);
    }

    /**
     * Checks and starts an asynchronous call on the calling thread. The method gets an
     * {@link IOAsyncReference}; once it returned SUCCESS, the reference's single completion is
     * passed to {@code sink}, never before this method has returned from the driver's code (a
     * driver that completes inside the method is held until then). If the method fails or
     * throws, the reference is dead and {@code sink} is never called.
     *
     * @param sink      receives the completion (from the completing thread or this one); it must
     *                  hand application code to another thread
     * @param accepted  receives the reference of an accepted call (to abort it when the connection closes), may be null
     * @return SUCCESS if accepted, else the failure (BAD_ARGUMENT for a malformed call)
     */
    public IOCallResult callAsync(Object method, long[] scalarInput, byte[] structInput, IOUserClientCaller caller,
            Consumer<IOCallResult> sink, Consumer<IOAsyncReference> accepted) {
        String problem = problem(method, scalarInput, structInput, true);
        if (problem != null) {
            return IOCallResult.failure(IOReturn.BAD_ARGUMENT, problem);
        }
        IOExternalMethodDispatch d = lookup(method);
        Held held = new Held(sink);
        IOAsyncReference ref = new IOAsyncReference(owner, d, held::completed);
        IOExternalMethodArguments args = new IOExternalMethodArguments(d, caller, orEmpty(scalarInput), orEmpty(structInput), ref);
        IOReturn status = null;
        try {
            status = d.method().invoke(args);
            if (status == IOReturn.SUCCESS && accepted != null) {
                accepted.accept(ref);
            }
        } finally {
            boolean ok = status == IOReturn.SUCCESS;
            if (!ok) {
                ref.abort(IOReturn.ABORTED, "not accepted");
            }
            held.returned(ok);
        }
        return status == IOReturn.SUCCESS ? IOCallResult.success(null, null) : failed(d, args, status);
    }

    /** @return the failure a method returned, with the reason it gave to {@link IOExternalMethodArguments#fail} */
    private IOCallResult failed(IOExternalMethodDispatch d, IOExternalMethodArguments args, IOReturn status) {
        String reason = args.failureReason(status);
        return IOCallResult.failure(status == null ? IOReturn.ERROR : status,
                owner + "." + d.name() + (reason != null ? ": " + reason : " returned " + status));
    }

    /** Holds a completion that arrives before the method returned. */
    private static final class Held {
        private final Consumer<IOCallResult> sink;
        private boolean returned;
        private boolean accepted;
        private IOCallResult early;

        Held(Consumer<IOCallResult> sink) {
            this.sink = sink;
        }

        void completed(IOCallResult r) {
            synchronized (this) {
                if (!returned) {
                    early = r;
                    return;
                }
                if (!accepted) {
                    return;
                }
            }
            sink.accept(r);
        }

        void returned(boolean ok) {
            IOCallResult r;
            synchronized (this) {
                returned = true;
                accepted = ok;
                r = early;
                early = null;
            }
            if (ok && r != null) {
                sink.accept(r);
            }
        }
    }

    private static long[] orEmpty(long[] a) {
        return a == null ? new long[0] : a;
    }

    private static byte[] orEmpty(byte[] a) {
        return a == null ? new byte[0] : a;
    }

    @Override
    public String toString() {
        return owner + " methods: " + methodList();
    }
}
