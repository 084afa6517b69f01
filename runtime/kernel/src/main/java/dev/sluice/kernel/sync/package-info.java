/**
 * Blocking synchronisation primitives for drivers (SEMANTICS S51, S52, S43).
 *
 * <ul>
 * <li>{@link dev.sluice.kernel.sync.IOLock}: a non-recursive mutex with xnu-style
 * {@code IOLockSleep} / {@code IOLockSleepDeadline} / {@code IOLockWakeup} on event keys.</li>
 * <li>{@link dev.sluice.kernel.sync.IOSemaphore}: an IRIX-style counting semaphore
 * ({@code psema} / {@code vsema} / {@code cvsema}), the fix for the lost-interrupt race of
 * "flag + sleep".</li>
 * </ul>
 *
 * <p>Every call that may block first asks
 * {@link dev.sluice.kernel.interrupt.PrimaryInterruptContext#checkMayBlock(String)}, so it is
 * refused at once in primary interrupt context (S43). Calls that never block (unlock, tryLock,
 * wakeup, vsema, cvsema, cpsema) are allowed there: they are how an interrupt hands work on.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.sluice.kernel.sync;
