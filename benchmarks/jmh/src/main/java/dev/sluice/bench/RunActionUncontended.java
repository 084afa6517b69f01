package dev.sluice.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link RunActionBase} from one thread: the gate is never contended. */
@Threads(1)
public class RunActionUncontended extends RunActionBase {
}
