package dev.drydock.platform.builds;

import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Fan-out of {@link BuildChanged} to listeners. Ordinary listeners (live UI, tests, wake-ups) hear of a change
 * after its transaction committed, and their failures are only logged. Transactional listeners (the webhook
 * outbox) run inside the transaction that makes the change, on its handle: what they write commits or rolls
 * back with the change, and if they throw, the change itself fails.
 */
public final class BuildEvents {
    private static final Logger log = LoggerFactory.getLogger(BuildEvents.class);
    private final List<Consumer<BuildChanged>> listeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<Handle, BuildChanged>> transactional = new CopyOnWriteArrayList<>();

    /** Registers a listener; returns a handle that removes it. */
    public Runnable subscribe(Consumer<BuildChanged> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** How many listeners are registered (streams that forget to unsubscribe show up here). */
    public int listenerCount() {
        return listeners.size();
    }

    /** Registers a listener that runs inside each change's transaction; returns a handle that removes it. */
    public Runnable subscribeInTransaction(BiConsumer<Handle, BuildChanged> listener) {
        transactional.add(listener);
        return () -> transactional.remove(listener);
    }

    /** Called by the code making a change, inside its transaction. */
    void inTransaction(Handle h, BuildChanged change) {
        for (BiConsumer<Handle, BuildChanged> l : transactional) {
            l.accept(h, change);
        }
    }

    void publish(List<BuildChanged> changes) {
        for (BuildChanged change : changes) {
            for (Consumer<BuildChanged> l : listeners) {
                try {
                    l.accept(change);
                } catch (RuntimeException e) {
                    log.warn("build event listener failed: {}", e.toString());
                }
            }
        }
    }
}
