package dev.sluice.kernel.workloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.kernel.IOReturn;
import dev.sluice.kernel.interrupt.PrimaryInterruptContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IOWorkQueueEventSourceTest {

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private IOWorkLoop loop;

    @BeforeEach
    void setUp() {
        loop = IOWorkLoop.create("queue-driver", IOWorkLoop.Options.defaults()
                .withErrorHandler((src, t) -> errors.add(t.getMessage())));
    }

    @AfterEach
    void tearDown() {
        loop.shutdown();
    }

    @Test
    @DisplayName("S11 S12 work submitted from any thread runs in FIFO order on the loop thread with the gate closed")
    void fifoOnLoopThread() {
        IOWorkQueueEventSource<String> q = IOWorkQueueEventSource.workQueue("drv");
        loop.addEventSource(q);
        List<String> ran = new CopyOnWriteArrayList<>();
        AtomicInteger offLoop = new AtomicInteger();
        List<Spawn<Void>> submitters = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            String name = "submitter-" + s;
            submitters.add(Spawn.run(name, () -> {
                for (int i = 0; i < 500; i++) {
                    String item = name + ":" + i;
                    q.submit(() -> {
                        if (!loop.onThread() || !loop.inGate()) {
                            offLoop.incrementAndGet();
                        }
                        ran.add(item);
                    });
                }
            }));
        }
        submitters.forEach(Spawn::join);
        Await.until("all items ran", () -> ran.size() == 1500);
        assertEquals(0, offLoop.get());
        for (int s = 0; s < 3; s++) {
            String prefix = "submitter-" + s + ":";
            List<String> mine = ran.stream().filter(e -> e.startsWith(prefix)).toList();
            for (int i = 0; i < 500; i++) {
                assertEquals(prefix + i, mine.get(i), "FIFO per submitter");
            }
        }
        assertEquals(0, q.pendingCount());
    }

    @Test
    @DisplayName("S12 a busy queue runs a bounded batch per pass and lets the sources after it be checked between batches")
    void batchesDoNotStarveOthers() {
        List<String> log = new CopyOnWriteArrayList<>();
        IOWorkQueueEventSource<String> q = IOWorkQueueEventSource.workQueue("drv", 2);
        TestSource after = new TestSource("other", log);
        loop.addEventSource(q);
        loop.addEventSource(after);
        Await.idle(loop);
        log.clear();
        loop.runAction(() -> {
            for (int i = 1; i <= 5; i++) {
                String item = "item" + i;
                q.submit(() -> log.add(item));
            }
            return IOReturn.SUCCESS;
        });
        Await.until("all items", () -> log.contains("item5"));
        Await.idle(loop);
        assertEquals(List.of("item1", "item2", "other", "item3", "item4", "other", "item5", "other"), log);
    }

    @Test
    @DisplayName("S22 a disabled queue keeps its items; enable() signals the loop and they run; submit is allowed in primary context")
    void disabledQueueKeepsItems() {
        IOWorkQueueEventSource<String> q = IOWorkQueueEventSource.workQueue("drv");
        loop.addEventSource(q);
        q.disable();
        List<String> ran = new CopyOnWriteArrayList<>();
        q.submit(() -> ran.add("a"));
        PrimaryInterruptContext.run("primary", () -> {
            q.submit(() -> ran.add("b"));
            return true;
        });
        Await.idle(loop);
        assertTrue(ran.isEmpty());
        assertEquals(2, q.pendingCount());
        q.enable();
        Await.until("items ran after enable", () -> ran.size() == 2);
        assertEquals(List.of("a", "b"), ran);
    }

    @Test
    @DisplayName("S12 an item that throws is reported and the next item still runs; items queued before the add run once added")
    void throwingItemAndPreAddItems() {
        IOWorkQueueEventSource<String> q = IOWorkQueueEventSource.workQueue("drv");
        List<String> ran = new CopyOnWriteArrayList<>();
        q.submit(() -> {
            throw new IllegalStateException("item failed");
        });
        q.submit(() -> ran.add("next"));
        loop.addEventSource(q);
        Await.until("next item ran", () -> ran.size() == 1);
        assertEquals(List.of("item failed"), errors);
        loop.removeEventSource(q);
        q.submit(() -> ran.add("kept"));
        assertEquals(1, q.drainPending().size());
        assertEquals(0, q.pendingCount());
    }
}
