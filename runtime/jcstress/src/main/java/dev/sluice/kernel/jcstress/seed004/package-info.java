/**
 * Seed 004 (IRIX multiprocessor drivers) and SEMANTICS P1: the lost-wakeup race of a flag tested
 * outside the lock that guards the sleep, and the correct protocol beside it.
 *
 * <p>The {@code *Model} tests model "sleep" as registering a sleeper under the gate's lock and
 * "wakeup" as waking only a registered sleeper (wakeups are not stored, S6): at the end a sleeper
 * that registered and was never woken would sleep forever. They run millions of samples per
 * second, so they show a narrow race quickly. The {@code Blocking*} tests do the same with threads
 * that really block on a JDK lock and condition.
 *
 * <p>Classes whose names end in {@code NegativeControl} are expected to show the bug (their bad
 * outcome is ACCEPTABLE_INTERESTING); see the module README for how the runner asserts them.
 */
package dev.sluice.kernel.jcstress.seed004;
