package dev.drydock.platform.builds;

import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Fan-out of {@link BuildChanged} to listeners. Ordinary listeners hear of a change after its transaction committed,
 * and their failures are only logged: {@link #subscribe} hears the changes made on this node (side effects that must
 * happen once, such as {@link ImageRelease} and metrics), {@link #subscribeAllNodes} also those other nodes made,
 * as this node's {@link BuildEventFeed} reads them from the shared database (live streams, wake-ups). Transactional
 * listeners (the webhook outbox) run inside the transaction that makes the change, on its handle: what they write
 * commits or rolls back with the change, and if they throw, the change itself fails.
 */
public final class BuildEvents {
    private static final Logger log = LoggerFactory.getLogger(BuildEvents.class);
    private final List<Consumer<BuildChanged>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<BuildChanged>> allNodes = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<Handle, BuildChanged>> transactional = new CopyOnWriteArrayList<>();
    /** This process among the nodes sharing the database: recorded with each change it makes (build_history.node). */
    private final String node = java.util.UUID.randomUUID().toString();

    /** Registers a listener to this node's changes; returns a handle that removes it. */
    public Runnable subscribe(Consumer<BuildChanged> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Registers a listener to every node's changes: this node's as they commit, other nodes' as the
     * {@link BuildEventFeed} reads them (within its interval); returns a handle that removes it.
     */
    public Runnable subscribeAllNodes(Consumer<BuildChanged> listener) {
        allNodes.add(listener);
        return () -> allNodes.remove(listener);
    }

    /** How many listeners are registered (streams that forget to unsubscribe show up here). */
    public int listenerCount() {
        return listeners.size() + allNodes.size();
    }

    /** The id this node records with its changes. */
    public String node() {
        return node;
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
            tell(listeners, change);
            tell(allNodes, change);
        }
    }

    /** A change another node made (read by the {@link BuildEventFeed}): only the all-nodes listeners hear it. */
    void publishFromOtherNode(BuildChanged change) {
        tell(allNodes, change);
    }

    private static void tell(List<Consumer<BuildChanged>> to, BuildChanged change) {
        for (Consumer<BuildChanged> l : to) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                log.warn("build event listener failed: {}", e.toString());
            }
        }
    }
}
