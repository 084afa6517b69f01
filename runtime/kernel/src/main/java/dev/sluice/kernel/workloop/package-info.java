/**
 * Work loops and event sources: I/O Kit's driver concurrency model on the JVM.
 *
 * <p>An {@link dev.sluice.kernel.workloop.IOWorkLoop} is a recursive lock (the <em>gate</em>)
 * plus one dedicated thread plus an ordered chain of event sources. Every piece of driver code
 * that touches a device's state runs with the gate closed: on the loop's thread for interrupt
 * actions, work-loop-priority timers and work queues; on the caller's thread for command-gate
 * actions and {@code runAction}; on the shared {@code IOTimer} thread for passive timers.
 * SEMANTICS.md S1-S50 and P1-P6 is the contract; each class names the ids it implements.
 *
 * <p>Where Java forces a different shape than I/O Kit the behaviour is kept and the javadoc
 * says so: actions are functional interfaces whose first argument is the source's owner;
 * sleep events are keys compared with {@code equals} within one gate, not global addresses;
 * expected outcomes are {@link dev.sluice.kernel.IOReturn} values or
 * {@link dev.sluice.kernel.workloop.SleepResult}s, exceptions are kept for programming errors.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel.workloop;
