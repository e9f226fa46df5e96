package dev.drydock.platform.db;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Leasing over a table of work shared by every node, written once for the build-test jobs and the webhook outbox.
 * A row is due when its time has come and nobody holds a live lease on it. A worker claims a due row by an update
 * that takes a lease only while the row is still due (so two workers never hold the same row) and counts an attempt,
 * renews the lease while it works, and ends it by completing the row, failing it for good, or giving it back to run
 * again later. {@link #claimNext} picks the row with {@code FOR UPDATE SKIP LOCKED} (PostgreSQL and H2 2.x both have
 * it), so concurrent workers take different rows instead of racing for the same one.
 * A lease that expires (its node died or stalled) makes the row due again, so work is done at least once.
 * Every end of a lease names its owner, so a worker that lost its lease cannot end the new owner's.
 */
public final class LeaseQueue {

    /**
     * How a table spells the queue. Its rows have {@code id}, {@code state}, {@code attempts}, {@code lease_owner},
     * {@code lease_expires_at}, {@code last_error} and {@code updated_at} columns.
     *
     * @param dueColumn      when a row may run (next) at
     * @param waitingState   the state of a row waiting for a worker
     * @param leasedState    the state of a row a worker holds (may be {@code waitingState}: then only the lease says so)
     * @param deleteWhenDone a completed row is deleted (rather than kept as {@code done})
     * @param maxError       the {@code last_error} column's size
     */
    public record Table(String name, String dueColumn, String waitingState, String leasedState, boolean deleteWhenDone,
                        int maxError) {}

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final Table t;
    private final String free;
    private final String due;

    public LeaseQueue(Jdbi jdbi, InstantSource clock, Table table) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.t = table;
        this.free = "state in ('" + t.waitingState() + "', '" + t.leasedState() + "')"
                + " and (lease_expires_at is null or lease_expires_at < :now)";
        this.due = t.dueColumn() + " <= :now and " + free;
    }

    /** The condition (on {@code :now}) that a row is due, for the caller's query of candidates. */
    public String dueCondition() {
        return due;
    }

    /** Takes a lease on row {@code id} until {@code now + lease} when it is still due; false when another worker won it. */
    public boolean claim(long id, String owner, Duration lease, Instant now) {
        return jdbi.withHandle(h -> take(h, id, owner, lease, now, due));
    }

    /**
     * Takes a lease on row {@code id} whether or not its time has come, when nobody holds a live lease on it (work an
     * operator asks for now); false when another worker holds it.
     */
    public boolean claimNow(long id, String owner, Duration lease, Instant now) {
        return jdbi.withHandle(h -> take(h, id, owner, lease, now, free));
    }

    /**
     * Takes a lease on the first due row in {@code orderBy} order; empty when no row is due or every due row is being
     * claimed by another worker at this moment. The row is locked while it is chosen and leased in one transaction, and
     * rows other workers have locked are skipped rather than waited for.
     */
    public Optional<Long> claimNext(String owner, Duration lease, Instant now, String orderBy) {
        return jdbi.inTransaction(h -> {
            Optional<Long> id = h.createQuery("select id from " + t.name() + " where " + due + " order by " + orderBy
                            + " limit 1 for update skip locked")
                    .bind("now", now).mapTo(Long.class).findOne();
            return id.filter(row -> take(h, row, owner, lease, now, due));
        });
    }

    private boolean take(Handle h, long id, String owner, Duration lease, Instant now, String condition) {
        return h.createUpdate("update " + t.name() + " set state = '" + t.leasedState() + "',"
                        + " lease_owner = :owner, lease_expires_at = :until, attempts = attempts + 1, updated_at = :now"
                        + " where id = :id and " + condition)
                .bind("owner", owner).bind("until", now.plus(lease)).bind("now", now).bind("id", id).execute() == 1;
    }

    /** Extends the lease; false when the row is no longer {@code owner}'s (expired and claimed by another worker). */
    public boolean renew(long id, String owner, Duration lease) {
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.execute("update " + t.name() + " set lease_expires_at = ?, updated_at = ?"
                + " where id = ? and state = '" + t.leasedState() + "' and lease_owner = ?", now.plus(lease), now, id, owner)) == 1;
    }

    public boolean holds(long id, String owner) {
        return jdbi.withHandle(h -> h.createQuery("select 1 from " + t.name() + " where id = ? and state = '" + t.leasedState()
                        + "' and lease_owner = ?")
                .bind(0, id).bind(1, owner).mapTo(Integer.class).findOne().isPresent());
    }

    /** The work is done: the row ends (deleted, or kept as done). */
    public void complete(Handle h, long id, String owner) {
        if (t.deleteWhenDone()) {
            h.execute("delete from " + t.name() + " where id = ? and lease_owner = ?", id, owner);
        } else {
            h.execute("update " + t.name() + " set state = 'done', lease_owner = null, lease_expires_at = null, updated_at = ?"
                    + " where id = ? and lease_owner = ?", clock.instant(), id, owner);
        }
    }

    /** Gives the row back to run again at {@code at}, recording {@code error}. */
    public void retryAt(Handle h, long id, String owner, Instant at, String error) {
        h.execute("update " + t.name() + " set state = '" + t.waitingState() + "', lease_owner = null, lease_expires_at = null, "
                        + t.dueColumn() + " = ?, last_error = ?, updated_at = ? where id = ? and lease_owner = ?",
                at, truncate(error), clock.instant(), id, owner);
    }

    /** Gives the row back without moving its due time (work done out of turn), recording {@code error}. */
    public void giveBack(Handle h, long id, String owner, String error) {
        h.execute("update " + t.name() + " set state = '" + t.waitingState() + "', lease_owner = null, lease_expires_at = null,"
                + " last_error = ?, updated_at = ? where id = ? and lease_owner = ?", truncate(error), clock.instant(), id, owner);
    }

    /** The row runs no more: it stays as failed with {@code error}. */
    public void fail(Handle h, long id, String owner, String error) {
        h.execute("update " + t.name() + " set state = 'failed', lease_owner = null, lease_expires_at = null, last_error = ?,"
                + " updated_at = ? where id = ? and lease_owner = ?", truncate(error), clock.instant(), id, owner);
    }

    /** Gives back every row {@code owner} holds, due at once (a node stopping); the count given back. */
    public int releaseAll(String owner) {
        return jdbi.withHandle(h -> h.execute("update " + t.name() + " set state = '" + t.waitingState() + "',"
                + " lease_owner = null, lease_expires_at = null where lease_owner = ? and state = '" + t.leasedState() + "'", owner));
    }

    private String truncate(String s) {
        return s == null ? null : s.length() > t.maxError() ? s.substring(0, t.maxError()) : s;
    }
}
