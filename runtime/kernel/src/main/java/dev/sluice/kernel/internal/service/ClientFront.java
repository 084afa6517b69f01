package dev.sluice.kernel.internal.service;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.registry.IOService;
import dev.sluice.kernel.workloop.IOCommandGate;
import dev.sluice.kernel.workloop.IOReturnException;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The stable, nub-owned front of a driver's client interface: a proxy, published once as an OSGi
 * service, whose calls reach whichever driver currently serves the nub. Each call takes the
 * front's command gate (on the nub's work loop) only to pick the current driver and count itself
 * in flight; the driver's method then runs on the caller's thread outside this gate.
 *
 * <p>Hot swap: {@link #beginSwap()} disables the gate, so new calls wait (SEMANTICS S25), and
 * returns once in-flight calls have left; the old driver can then be stopped safely. The next
 * driver to {@link #attach} re-enables the gate and the waiting calls run on it. {@link #retire()}
 * removes the gate: waiting callers get an {@link IOReturnException} with {@link IOReturn#OFFLINE}.
 */
final class ClientFront<T> implements InvocationHandler {

    private final IOService nub;
    private final Class<T> iface;
    private final IOWorkLoop loop;
    private final boolean ownLoop;
    private final IOCommandGate<ClientFront<T>> gate;
    private final Object drained = new Object();
    private final T proxy;
    // guarded by the loop's gate
    private T target;
    private IOService driver;
    private int inFlight;
    private boolean swapping;
    private volatile boolean retired;

    ClientFront(IOService nub, Class<T> iface) {
        this.nub = nub;
        this.iface = iface;
        IOWorkLoop nubLoop = nub.getWorkLoop();
        this.ownLoop = nubLoop == null;
        this.loop = ownLoop ? IOWorkLoop.create("front-" + nub.getName()) : nubLoop;
        this.gate = IOCommandGate.commandGate(this);
        IOReturn r = loop.addEventSource(gate);
        if (r != IOReturn.SUCCESS) {
            throw new IOReturnException(r, "cannot add the client front's gate to " + loop);
        }
        this.proxy = iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, this));
    }

    T proxy() {
        return proxy;
    }

    Class<T> iface() {
        return iface;
    }

    IOService nub() {
        return nub;
    }

    /** @return the driver serving the front now, or null during a swap */
    IOService driver() {
        IOService[] d = new IOService[1];
        loop.runAction(() -> {
            d[0] = driver;
            return IOReturn.SUCCESS;
        });
        return d[0];
    }

    /** Makes {@code impl} of {@code newDriver} the target and lets waiting calls through. */
    void attach(IOService newDriver, T impl) {
        loop.runAction(() -> {
            target = impl;
            driver = newDriver;
            swapping = false;
            return IOReturn.SUCCESS;
        });
        gate.enable();
    }

    /** Called when {@code gone} stopped serving: clears the target if it was the current one. */
    void detach(IOService gone) {
        loop.runAction(() -> {
            if (driver == gone) {
                target = null;
                driver = null;
            }
            return IOReturn.SUCCESS;
        });
    }

    /** @return true while a swap is in progress (between beginSwap and attach or retire) */
    boolean isSwapping() {
        boolean[] s = new boolean[1];
        loop.runAction(() -> {
            s[0] = swapping;
            return IOReturn.SUCCESS;
        });
        return s[0];
    }

    /** Holds new calls and waits until in-flight calls have returned. Runs on the swapping thread. */
    void beginSwap() {
        gate.disable();
        loop.runAction(() -> {
            swapping = true;
            while (inFlight > 0) {
                loop.sleepGateUninterruptibly(drained);
            }
            return IOReturn.SUCCESS;
        });
    }

    /** Removes the gate: waiting and later calls fail with OFFLINE. */
    void retire() {
        retired = true;
        loop.removeEventSource(gate);
        if (ownLoop) {
            loop.shutdown();
        }
    }

    boolean isRetired() {
        return retired;
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals": return self == args[0];
                case "hashCode": return System.identityHashCode(self);
                default: return "ClientFront(" + iface.getSimpleName() + " of " + nub.getPathComponent() + ")";
            }
        }
        @SuppressWarnings("unchecked")
        T[] current = (T[]) new Object[1];
        IOReturn r = retired ? IOReturn.OFFLINE : gate.runAction(front -> {
            if (target == null) {
                return IOReturn.OFFLINE;
            }
            current[0] = target;
            inFlight++;
            return IOReturn.SUCCESS;
        });
        if (r != IOReturn.SUCCESS) {
            throw new IOReturnException(r == IOReturn.ABORTED ? IOReturn.OFFLINE : r,
                    iface.getSimpleName() + "." + method.getName() + " on " + nub.getPathComponent()
                            + ": no driver serves this device");
        }
        try {
            return method.invoke(current[0], args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            loop.runAction(() -> {
                if (--inFlight == 0) {
                    loop.wakeupGate(drained, false);
                }
                return IOReturn.SUCCESS;
            });
        }
    }
}
