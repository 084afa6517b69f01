package dev.sluice.kernel.catalog;

import java.util.List;

/**
 * The driver catalogue: every valid personality of every started driver bundle, in catalogue
 * order (the order bundles started, then declaration order). Published as an OSGi service by
 * the kernel; thread-safe. Listeners are called on the thread that changed the catalogue (the
 * framework's bundle-event thread) and must hand long work to another thread.
 */
public interface IOCatalogue {

    /** @return a snapshot of the personalities, in catalogue order */
    List<IOPersonality> personalities();

    /** @return the problems found in bundles' personalities (one line each), newest last */
    List<String> problems();

    /** Adds a listener; it is called for later changes only. */
    void addListener(Listener listener);

    void removeListener(Listener listener);

    /** Told of personalities added or removed together (one bundle starting or stopping). */
    interface Listener {

        /** Personalities of a bundle that started. */
        void personalitiesAdded(List<IOPersonality> added);

        /** Personalities of a bundle that is stopping; called before the bundle's classes go away. */
        void personalitiesRemoved(List<IOPersonality> removed);
    }
}
