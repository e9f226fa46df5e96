package dev.drydock.platform.jobs;

import dev.drydock.platform.db.LeaseQueue;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * A persistent queue of build-test jobs in the shared database, leased as {@link LeaseQueue} says: a worker claims a
 * job by taking a lease and renews it while it works; when a worker dies its lease expires and another worker claims
 * the job again. Works the same with one node or N.
 */
public final class JobQueue {
    /** A claimed job; {@code lastError} is what the previous attempt left, null on a first attempt. */
    public record Job(long id, String buildId, int attempts, String owner, String lastError) {}

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final LeaseQueue leases;

    public JobQueue(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.leases = new LeaseQueue(jdbi, clock, new LeaseQueue.Table("jobs", "run_after", "queued", "leased", false, 4000));
    }

    /** Queues a test of the build inside the caller's transaction, unless one is already queued or running. */
    public void enqueue(Handle h, String buildId, Instant now) {
        boolean open = h.createQuery("select 1 from jobs where build_id = ? and state in ('queued', 'leased')")
                .bind(0, buildId).mapTo(Integer.class).findOne().isPresent();
        if (open) {
            // A retest while a run is in flight: requeue it so the newest request wins after the lease.
            h.execute("update jobs set state = 'queued', lease_owner = null, lease_expires_at = null, attempts = 0, updated_at = ? "
                    + "where build_id = ? and state in ('queued', 'leased')", now, buildId);
            return;
        }
        h.execute("insert into jobs (build_id, state, attempts, run_after, created_at, updated_at) values (?, 'queued', 0, ?, ?, ?)",
                buildId, now, now, now);
    }

    /** Claims the oldest runnable job (queued, or leased with an expired lease) for {@code lease}. */
    public Optional<Job> claim(String owner, Duration lease) {
        return leases.claimNext(owner, lease, clock.instant(), "id").flatMap(id ->
                jdbi.withHandle(h -> h.createQuery("select * from jobs where id = ?").bind(0, id)
                        .map((rs, ctx) -> new Job(rs.getLong("id"), rs.getString("build_id"), rs.getInt("attempts"), owner,
                                rs.getString("last_error")))
                        .findOne()));
    }

    /** Extends the lease; false when the job is no longer ours (expired and claimed by another worker). */
    public boolean renew(Job job, Duration lease) {
        return leases.renew(job.id(), job.owner(), lease);
    }

    public boolean stillOwned(Job job) {
        return leases.holds(job.id(), job.owner());
    }

    public void complete(Job job) {
        jdbi.useHandle(h -> leases.complete(h, job.id(), job.owner()));
    }

    /** Gives the job back to the queue after a failure, to run again after {@code delay}. */
    public void retryLater(Job job, String error, Duration delay) {
        jdbi.useHandle(h -> leases.retryAt(h, job.id(), job.owner(), clock.instant().plus(delay), error));
    }

    public void fail(Job job, String error) {
        jdbi.useHandle(h -> leases.fail(h, job.id(), job.owner(), error));
    }

    /**
     * The queue as a worker sees it (metrics): jobs waiting (due now or retrying later), and since when the
     * longest-waiting job that is due now has been due (null: none is due).
     */
    public record Backlog(int queued, Instant oldestDue) {}

    public Backlog backlog() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select count(*) as queued, min(case when run_after <= :now then run_after end) as oldest
                        from jobs where state = 'queued'""")
                .bind("now", clock.instant())
                .map((rs, ctx) -> new Backlog(rs.getInt("queued"),
                        rs.getTimestamp("oldest") == null ? null : rs.getTimestamp("oldest").toInstant()))
                .one());
    }

    /** Number of jobs queued or running (for metrics and tests). */
    public int open() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from jobs where state in ('queued', 'leased')")
                .mapTo(Integer.class).one());
    }
}
