package dev.sluice.kernel.jcstress;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines that keep a broken implementation from hanging the suite.
 *
 * <p>Every blocking call in a contract test gets {@link #deadline()}: far beyond any scheduling
 * delay on a busy machine, so reaching it means a wakeup was lost, and the test reports it as a
 * FORBIDDEN outcome instead of hanging the fork. Calls that have no deadline variant (IRIX
 * {@code psema}) are bracketed by {@link #enterUnbounded()} / {@link #exitUnbounded()}: a daemon
 * thread interrupts a thread that stayed inside longer than the same budget, and
 * {@code exitUnbounded} reports that it had to.
 */
public final class Safety {

    /** How long a blocked actor may wait before the test calls it a lost wakeup. */
    public static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final Map<Thread, Long> INSIDE = new HashMap<>();
    private static final Map<Thread, Boolean> RESCUED = new HashMap<>();
    private static final ScheduledExecutorService RESCUER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jcstress-rescuer");
        t.setDaemon(true);
        return t;
    });

    static {
        RESCUER.scheduleWithFixedDelay(Safety::rescue, 1, 1, TimeUnit.SECONDS);
    }

    private Safety() {
    }

    /** @return an absolute {@link System#nanoTime()} deadline {@link #BUDGET_NANOS} from now */
    public static long deadline() {
        return System.nanoTime() + BUDGET_NANOS;
    }

    /** Marks the calling thread as about to block in a call without deadline. */
    public static void enterUnbounded() {
        synchronized (INSIDE) {
            INSIDE.put(Thread.currentThread(), System.nanoTime());
        }
    }

    /**
     * Ends the bracket; after it returns the rescuer no longer touches this thread.
     *
     * @return true if the rescuer had to interrupt the thread (its interrupt status is then
     *         cleared), i.e. the call blocked past the budget
     */
    public static boolean exitUnbounded() {
        synchronized (INSIDE) {
            INSIDE.remove(Thread.currentThread());
            if (RESCUED.remove(Thread.currentThread()) != null) {
                Thread.interrupted();
                return true;
            }
            return false;
        }
    }

    private static void rescue() {
        long now = System.nanoTime();
        synchronized (INSIDE) {
            for (Map.Entry<Thread, Long> e : INSIDE.entrySet()) {
                if (now - e.getValue() > BUDGET_NANOS && !RESCUED.containsKey(e.getKey())) {
                    RESCUED.put(e.getKey(), Boolean.TRUE);
                    e.getKey().interrupt();
                }
            }
        }
    }
}
