package dev.drydock.sandbox;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Which images the runs of one engine use, so that one run's clean-up never pulls the ground from under another run.
 * Two hazards: removing an image a run is about to start (counted per reference: the last user removes it), and
 * removing an image while another run pulls a <em>different</em> image sharing a layer with it — the engine then finds
 * the layer present, skips it, and the removal deletes it before the pull commits ("layer not known": the build failed
 * for a reason that was not its own). So pulls share a lock that a removal takes alone.
 */
final class EngineImages {
    private final Map<String, Integer> users = new HashMap<>();
    private final ReadWriteLock layers = new ReentrantReadWriteLock();

    /** Counts a run as a user of {@code imageRef}; call {@link #release} once when it ends, whatever happened. */
    void acquire(String imageRef) {
        synchronized (users) {
            users.merge(imageRef, 1, Integer::sum);
        }
    }

    /** Runs a pull; any number at once, never while a removal runs. */
    <T> T pull(Supplier<T> pull) {
        layers.readLock().lock();
        try {
            return pull.get();
        } finally {
            layers.readLock().unlock();
        }
    }

    /**
     * Ends a run's use of {@code imageRef}. The last user removes the image (when {@code remove}), alone on the engine,
     * holding the count so that a run starting meanwhile pulls afresh instead of finding the image gone before its
     * create.
     */
    void release(String imageRef, boolean remove, Runnable removal) {
        synchronized (users) {
            int left = users.merge(imageRef, -1, Integer::sum);
            if (left > 0) return;
            users.remove(imageRef);
            if (!remove) return;
            layers.writeLock().lock();
            try {
                removal.run();
            } finally {
                layers.writeLock().unlock();
            }
        }
    }
}
