package dev.sluice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClockTest {

    @Test
    @DisplayName("manual clock runs due tasks in deadline order, ties in scheduling order, with time at the deadline")
    void manualOrder() {
        ManualClock clock = new ManualClock();
        List<String> log = new ArrayList<>();
        clock.schedule(30, () -> log.add("c@" + clock.nanoTime()));
        clock.schedule(10, () -> log.add("a@" + clock.nanoTime()));
        clock.schedule(10, () -> log.add("b@" + clock.nanoTime()));
        clock.schedule(100, () -> log.add("late"));
        assertEquals(0, clock.advance(5));
        assertEquals(3, clock.advance(45));
        assertEquals(List.of("a@10", "b@10", "c@30"), log);
        assertEquals(50, clock.nanoTime());
        assertEquals(1, clock.pending());
    }

    @Test
    @DisplayName("manual clock: cancel prevents the run; tasks scheduled by tasks run in the same advance if due")
    void manualCancelAndChain() {
        ManualClock clock = new ManualClock(1000);
        List<String> log = new ArrayList<>();
        DeviceClock.Scheduled s = clock.schedule(1010, () -> log.add("cancelled"));
        clock.schedule(1005, () -> clock.schedule(clock.nanoTime() + 3, () -> log.add("chained@" + clock.nanoTime())));
        assertTrue(s.cancel());
        assertFalse(s.cancel());
        clock.advance(20);
        assertEquals(List.of("chained@1008"), log);
    }

    @Test
    @DisplayName("system clock runs callbacks on the model-clock thread; cancelled ones never run")
    void systemClock() throws Exception {
        try (SystemDeviceClock clock = new SystemDeviceClock()) {
            CountDownLatch ran = new CountDownLatch(1);
            AtomicReference<String> thread = new AtomicReference<>();
            DeviceClock.Scheduled never = clock.schedule(clock.nanoTime() + TimeUnit.SECONDS.toNanos(30), () -> thread.set("wrong"));
            assertTrue(never.cancel());
            clock.schedule(clock.nanoTime() + 1_000_000, () -> {
                thread.set(Thread.currentThread().getName());
                ran.countDown();
            });
            assertTrue(ran.await(5, TimeUnit.SECONDS));
            assertEquals("model-clock", thread.get());
        }
    }

    @Test
    @DisplayName("recording line counts raises and pulses and waits with a deadline")
    void recordingLine() throws Exception {
        RecordingInterruptLine line = new RecordingInterruptLine("l");
        assertFalse(line.awaitLevel(true, 1, TimeUnit.MILLISECONDS));
        line.raise();
        line.raise();
        assertTrue(line.isRaised());
        assertEquals(1, line.raiseCount());
        line.set(false);
        assertFalse(line.isRaised());
        Thread t = new Thread(line::pulse);
        t.start();
        assertTrue(line.awaitPulses(1, 5, TimeUnit.SECONDS));
        t.join();
        assertEquals(1, line.pulseCount());
        assertFalse(line.isRaised(), "a pulse leaves the level alone");
    }
}
