package dev.drydock.platform.db;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Periodic maintenance that one node of several sharing the database runs at a time, and once per interval across
 * them all: garbage collection (two collectors at once would put back each other's parked blobs) and the advisory feed
 * update (two imports of the same download would race). Each task is a row of {@code maintenance_tasks}, leased
 * through {@link LeaseQueue}: a node that finds it due takes the lease, renews it while the task runs, and gives it
 * back due one interval later. A node that dies mid-task loses its lease, and the task is due again for the others.
 */
public final class ClusterTasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterTasks.class);
    static final Duration LEASE = Duration.ofMinutes(2);

    /** The tasks, one row each (migration V14). */
    public enum Task {
        GARBAGE_COLLECTION(1),
        VULNDB_UPDATE(2);

        final long id;

        Task(long id) {
            this.id = id;
        }
    }

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final LeaseQueue queue;
    private final Duration lease;
    private final String owner = "node-" + UUID.randomUUID();
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "drydock-task-lease");
        t.setDaemon(true);
        return t;
    });

    public ClusterTasks(Jdbi jdbi, InstantSource clock) {
        this(jdbi, clock, LEASE);
    }

    ClusterTasks(Jdbi jdbi, InstantSource clock, Duration lease) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.lease = lease;
        this.queue = new LeaseQueue(jdbi, clock, new LeaseQueue.Table("maintenance_tasks", "run_after", "waiting", "running",
                false, 2000));
    }

    /**
     * Runs {@code work} here when the task is due and no other node runs it; afterwards it is due again {@code every}
     * later (also when it failed: the failure is logged and recorded). False when it was not this node's turn.
     */
    public boolean runIfDue(Task task, Duration every, Runnable work) {
        try {
            if (!queue.claim(task.id, owner, lease, clock.instant())) return false;
        } catch (RuntimeException e) { // the database is away: the next look tries again
            log.warn("could not look whether maintenance task {} is due: {}", task, e.toString());
            return false;
        }
        long renewEvery = Math.max(1, lease.toMillis() / 3);
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> {
            try {
                if (!queue.renew(task.id, owner, lease)) log.warn("lost the lease on maintenance task {}", task);
            } catch (RuntimeException e) {
                log.warn("could not renew the lease on maintenance task {}: {}", task, e.toString());
            }
        }, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        String error = null;
        try {
            work.run();
        } catch (RuntimeException e) {
            error = e.toString();
            log.warn("maintenance task {} failed: {}", task, error);
        } finally {
            renewal.cancel(false);
            String failure = error;
            try {
                jdbi.useHandle(h -> queue.retryAt(h, task.id, owner, clock.instant().plus(every), failure));
            } catch (RuntimeException e) { // the lease runs out instead, and the task is due again then
                log.warn("could not record the end of maintenance task {}: {}", task, e.toString());
            }
        }
        return true;
    }

    @Override
    public void close() {
        renewals.shutdownNow();
    }
}
