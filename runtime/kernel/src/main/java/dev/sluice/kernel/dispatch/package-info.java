/**
 * DriverKit-style execution contexts (SEMANTICS S53-S56, S43).
 *
 * <ul>
 * <li>{@link dev.sluice.kernel.dispatch.IODispatchQueue}: a serial FIFO queue of blocks with
 * its own named thread, optionally reentrant so that a block may {@code sleep} on an event and
 * let other blocks run meanwhile.</li>
 * <li>{@link dev.sluice.kernel.dispatch.OSAction}: a callback object delivered asynchronously
 * on a target queue, that one thread can also wait for ({@code willWait} / {@code wait} /
 * {@code endWait}), and that can be cancelled for good.</li>
 * <li>{@link dev.sluice.kernel.dispatch.IOCompletion}: the completion of an asynchronous I/O
 * request, an OSGi {@link org.osgi.util.promise.Promise} whose callbacks never run on the
 * submitter's stack.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel.dispatch;
