package dev.sluice.kernel.workloop;

import java.util.List;
import java.util.function.BooleanSupplier;

/** A minimal event source for loop tests: logs its name on each checkForWork and runs a body. */
final class TestSource extends IOEventSource<String> {

    private final List<String> log;
    private final boolean passive;
    volatile BooleanSupplier body = () -> false;
    volatile int checks;

    TestSource(String name, List<String> log) {
        this(name, log, false);
    }

    TestSource(String name, List<String> log, boolean passive) {
        super(name);
        this.log = log;
        this.passive = passive;
    }

    @Override
    protected boolean checkForWork() {
        checks++;
        log.add(getOwner());
        return body.getAsBoolean();
    }

    @Override
    protected boolean isPassive() {
        return passive;
    }

    void signal() {
        signalWorkAvailable();
    }
}
