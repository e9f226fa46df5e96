package dev.drydock.platform.jobs;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * A persistent queue of build-test jobs in the shared database. A worker claims a job by taking a lease
 * (compare-and-set on the row, so two workers never hold the same job) and renews it while it works; when a
 * worker dies its lease expires and another worker claims the job again. Works the same with one node or N.
 */
public final class JobQueue {
    /** A claimed job. */
    /** A claimed job; {@code lastError} is what the previous attempt left, null on a first attempt. */
    public record Job(long id, String buildId, int attempts, String owner, String lastError) {}

    private final Jdbi jdbi;
    private final InstantSource clock;

    public JobQueue(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
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
        for (int attempt = 0; attempt < 5; attempt++) {
            Instant now = clock.instant();
            Optional<Long> candidate = jdbi.withHandle(h -> h.createQuery("""
                            select id from jobs
                            where run_after <= :now and (state = 'queued' or (state = 'leased' and lease_expires_at < :now))
                            order by id limit 1""")
                    .bind("now", now).mapTo(Long.class).findOne());
            if (candidate.isEmpty()) return Optional.empty();
            long id = candidate.get();
            int won = jdbi.withHandle(h -> h.createUpdate("""
                            update jobs set state = 'leased', lease_owner = :owner, lease_expires_at = :until,
                                attempts = attempts + 1, updated_at = :now
                            where id = :id and run_after <= :now
                              and (state = 'queued' or (state = 'leased' and lease_expires_at < :now))""")
                    .bind("owner", owner).bind("until", now.plus(lease)).bind("now", now).bind("id", id).execute());
            if (won == 1) {
                return jdbi.withHandle(h -> h.createQuery("select * from jobs where id = ?").bind(0, id)
                        .map((rs, ctx) -> new Job(rs.getLong("id"), rs.getString("build_id"), rs.getInt("attempts"), owner,
                                rs.getString("last_error")))
                        .findOne());
            }
            // another worker took it between our read and our update: look again
        }
        return Optional.empty();
    }

    /** Extends the lease; false when the job is no longer ours (expired and claimed by another worker). */
    public boolean renew(Job job, Duration lease) {
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.execute(
                "update jobs set lease_expires_at = ?, updated_at = ? where id = ? and state = 'leased' and lease_owner = ?",
                now.plus(lease), now, job.id(), job.owner())) == 1;
    }

    public boolean stillOwned(Job job) {
        return jdbi.withHandle(h -> h.createQuery("select 1 from jobs where id = ? and state = 'leased' and lease_owner = ?")
                .bind(0, job.id()).bind(1, job.owner()).mapTo(Integer.class).findOne().isPresent());
    }

    public void complete(Job job) {
        Instant now = clock.instant();
        jdbi.useHandle(h -> h.execute("update jobs set state = 'done', lease_owner = null, lease_expires_at = null, updated_at = ? "
                + "where id = ? and lease_owner = ?", now, job.id(), job.owner()));
    }

    /** Gives the job back to the queue after a failure, to run again after {@code delay}. */
    public void retryLater(Job job, String error, Duration delay) {
        Instant now = clock.instant();
        jdbi.useHandle(h -> h.execute("update jobs set state = 'queued', lease_owner = null, lease_expires_at = null, "
                        + "run_after = ?, last_error = ?, updated_at = ? where id = ? and lease_owner = ?",
                now.plus(delay), truncate(error), now, job.id(), job.owner()));
    }

    public void fail(Job job, String error) {
        Instant now = clock.instant();
        jdbi.useHandle(h -> h.execute("update jobs set state = 'failed', lease_owner = null, lease_expires_at = null, "
                + "last_error = ?, updated_at = ? where id = ? and lease_owner = ?", truncate(error), now, job.id(), job.owner()));
    }

    /** Number of jobs queued or running (for metrics and tests). */
    public int open() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from jobs where state in ('queued', 'leased')")
                .mapTo(Integer.class).one());
    }

    private static String truncate(String s) {
        return s == null ? null : s.length() > 4000 ? s.substring(0, 4000) : s;
    }
}
