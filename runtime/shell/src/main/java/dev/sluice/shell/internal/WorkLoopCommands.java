package dev.sluice.shell.internal;

import dev.sluice.kernel.registry.IORegistry;
import dev.sluice.kernel.registry.IOServiceManager;
import dev.sluice.kernel.workloop.IOEventSource;
import dev.sluice.kernel.workloop.IOWorkLoop;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code workloops}: the kernel's work loops with their thread, event sources, gate owner, queue
 * depth and watchdog stalls. Runs on the Gogo session's thread; reads only monitoring accessors,
 * never takes a gate, so it works even when a loop is stuck.
 */
@Component(service = WorkLoopCommands.class, property = {
        "osgi.command.scope=sluice",
        "osgi.command.function=workloops"
})
public final class WorkLoopCommands {

    private final IORegistry registry;

    @Activate
    public WorkLoopCommands(@Reference IORegistry registry) {
        this.registry = registry;
    }

    @Descriptor("list the kernel's work loops: thread, state, event sources, gate owner and queue, sleepers, watchdog stalls")
    public String workloops() {
        IOServiceManager m = registry.manager();
        List<IOWorkLoop> loops = m == null ? List.of() : m.workLoops();
        if (loops.isEmpty()) {
            return "no work loops (drivers with dedicated loops and the platform's loops appear here)\n";
        }
        StringBuilder out = new StringBuilder();
        for (IOWorkLoop loop : loops) {
            Thread owner = loop.gateOwner();
            out.append(String.format("%s  thread %s (%s)%s%n", loop.owner(), loop.thread().getName(), loop.thread().getState(),
                    loop.isTerminating() ? ", terminating" : ""));
            out.append(String.format("    gate: %s, held x%d, %d waiting, %d sleeping, %d acquisitions, %d stalls%n",
                    owner == null ? "open" : "held by " + owner.getName(), loop.gateHoldCount(), loop.gateQueueLength(),
                    loop.sleeperCount(), loop.gateAcquisitions(), m.stalls(loop)));
            IOEventSource<?> running = loop.currentSource();
            for (IOEventSource<?> s : loop.eventSources()) {
                out.append(String.format("    %s %s%s%n", s.isEnabled() ? "+" : "-", s, s == running ? "  (running)" : ""));
            }
        }
        return out.toString();
    }
}
