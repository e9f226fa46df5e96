package dev.drydock.platform;

import org.jdbi.v3.core.Jdbi;

import java.time.InstantSource;
import java.util.List;

/** Append-only record of security-relevant actions (logins, token and member changes, deletes). */
public final class AuditLog {
    public record Entry(long id, java.time.Instant at, String actor, String action, String target, String detail) {}

    private final Jdbi jdbi;
    private final InstantSource clock;

    public AuditLog(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Records an action; {@code detail} must never contain a secret. */
    public void record(String actor, String action, String target, String detail) {
        jdbi.useHandle(h -> record(h, actor, action, target, detail));
    }

    /** Records an action in the caller's transaction: it is kept if and only if the change it describes commits. */
    public void record(org.jdbi.v3.core.Handle h, String actor, String action, String target, String detail) {
        h.execute("insert into audit_log (at, actor, action, target, detail) values (?, ?, ?, ?, ?)",
                clock.instant(), actor, action, target, detail);
    }

    public List<Entry> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("select * from audit_log order by id desc limit ?").bind(0, limit)
                .map((rs, ctx) -> new Entry(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                        rs.getString("action"), rs.getString("target"), rs.getString("detail")))
                .list());
    }

}
