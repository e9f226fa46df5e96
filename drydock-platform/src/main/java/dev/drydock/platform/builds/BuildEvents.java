package dev.drydock.platform.builds;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** In-process fan-out of {@link BuildChanged} to listeners (live UI, webhooks, tests). */
public final class BuildEvents {
    private static final Logger log = LoggerFactory.getLogger(BuildEvents.class);
    private final List<Consumer<BuildChanged>> listeners = new CopyOnWriteArrayList<>();

    /** Registers a listener; returns a handle that removes it. */
    public Runnable subscribe(Consumer<BuildChanged> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** How many listeners are registered (streams that forget to unsubscribe show up here). */
    public int listenerCount() {
        return listeners.size();
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
