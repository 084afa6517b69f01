package dev.sluice.bench;

import org.openjdk.jmh.annotations.Threads;

/** {@link RunActionBase} from two threads on the same gate / lock (2 cores: fully contended). */
@Threads(2)
public class RunActionContended extends RunActionBase {
}
