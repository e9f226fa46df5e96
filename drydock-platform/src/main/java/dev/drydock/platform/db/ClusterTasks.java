package dev.drydock.platform.db;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Periodic maintenance that one node of several sharing the database runs at a time, and once per interval across
 * them all: garbage collection (two collectors at once would put back each other's parked blobs) and the advisory feed
 * update (two imports of the same download would race). Each task is a row of {@code maintenance_tasks}, leased
 * through {@link LeaseQueue}: a node that finds it due takes the lease, renews it while the task runs, and gives it
 * back due one interval later. A node that dies mid-task loses its lease, and the task is due again for the others.
 * An operator's run out of turn ({@code drydock gc}) takes the same lease through {@link #runNow}, so it never runs
 * beside a node's.
 */
public final class ClusterTasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterTasks.class);
    static final Duration LEASE = Duration.ofMinutes(2);
    /** This machine's name, looked up once (the lookup may be slow where names resolve badly). */
    private static final String HOST = host();

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
    private final String owner;
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "drydock-task-lease");
        t.setDaemon(true);
        return t;
    });

    /** Who holds a task's lease (see {@link #ClusterTasks(Jdbi, InstantSource, String)}) and until when, unless renewed. */
    public record Holder(String owner, Instant until) {}

    /** A server node's tasks. */
    public ClusterTasks(Jdbi jdbi, InstantSource clock) {
        this(jdbi, clock, "node");
    }

    /**
     * @param who what runs the tasks ("node", "drydock gc"): with this host's name and a unique suffix it is the lease's
     *            owner, which an operator reads in {@code maintenance_tasks} and in {@code drydock gc}'s refusal
     */
    public ClusterTasks(Jdbi jdbi, InstantSource clock, String who) {
        this(jdbi, clock, LEASE, who);
    }

    ClusterTasks(Jdbi jdbi, InstantSource clock, Duration lease) {
        this(jdbi, clock, lease, "node");
    }

    private ClusterTasks(Jdbi jdbi, InstantSource clock, Duration lease, String who) {
        // within lease_owner's 100 characters
        this.owner = who + " on " + (HOST.length() > 60 ? HOST.substring(0, 60) : HOST) + " ("
                + UUID.randomUUID().toString().substring(0, 8) + ")";
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
        try {
            leased(task, work, (h, error) -> queue.retryAt(h, task.id, owner, clock.instant().plus(every), error));
        } catch (RuntimeException e) { // logged and recorded: the next run may do better
            log.warn("maintenance task {} failed: {}", task, e.toString());
        }
        return true;
    }

    /**
     * Runs {@code work} now, due or not, unless another holds the task's lease ({@link #holder} says who): false then,
     * without running it. The task's next due time stays as it was. A failure of {@code work} is recorded and thrown.
     */
    public boolean runNow(Task task, Runnable work) {
        if (!queue.claimNow(task.id, owner, lease, clock.instant())) return false;
        leased(task, work, (h, error) -> queue.giveBack(h, task.id, owner, error));
        return true;
    }

    /** Who holds the task's lease now; empty when nobody does (or the holder's lease ran out). */
    public Optional<Holder> holder(Task task) {
        return jdbi.withHandle(h -> h.createQuery("select lease_owner, lease_expires_at from maintenance_tasks"
                        + " where id = :id and lease_owner is not null and lease_expires_at >= :now")
                .bind("id", task.id).bind("now", clock.instant())
                .map((rs, ctx) -> new Holder(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant()))
                .findOne());
    }

    /**
     * Runs {@code work} under the lease just taken, renewing it meanwhile, and ends the lease with {@code end} (given
     * the failure, or null), also when {@code work} throws, which it then rethrows.
     */
    private void leased(Task task, Runnable work, BiConsumer<Handle, String> end) {
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
            throw e;
        } finally {
            renewal.cancel(false);
            String failure = error;
            try {
                jdbi.useHandle(h -> end.accept(h, failure));
            } catch (RuntimeException e) { // the lease runs out instead, and the task is free again then
                log.warn("could not record the end of maintenance task {}: {}", task, e.toString());
            }
        }
    }

    /** This machine's name (a pod's name on Kubernetes), for the lease's owner. */
    private static String host() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown host";
        }
    }

    @Override
    public void close() {
        renewals.shutdownNow();
    }
}
