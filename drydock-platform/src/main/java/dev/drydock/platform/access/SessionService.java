package dev.drydock.platform.access;

import dev.drydock.oci.Digest;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import org.jdbi.v3.core.Jdbi;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;

/**
 * Browser sessions of the Developer App: a user signs in once and the browser sends the session id as a cookie.
 * Each session has its own CSRF token, which every state-changing request made with the cookie must repeat in a
 * header (a cross-site page can make the browser send the cookie, but cannot read the token). Sessions end at
 * logout, after {@code idleTimeout} without a request, or {@code maxAge} after sign-in; deleting the user ends them.
 */
public final class SessionService {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Writing last-seen on every request would turn each page's API calls into writes; a minute's slack is enough. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final IdentityService identity;
    private final AuditLog audit;
    private final InstantSource clock;
    private final Duration idleTimeout;
    private final Duration maxAge;

    /** A new session: {@code id} goes into the cookie and nowhere else. */
    public record NewSession(String id, String csrfToken, Instant expires) {}

    /** A live session's user, the CSRF token its unsafe requests must carry, and when it ends unless used again. */
    public record Session(Principal.User user, String csrfToken, Instant expires) {}

    public SessionService(Jdbi jdbi, IdentityService identity, AuditLog audit, InstantSource clock, Duration idleTimeout,
                          Duration maxAge) {
        this.jdbi = jdbi;
        this.identity = identity;
        this.audit = audit;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
        this.maxAge = maxAge;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Starts a session for a user who has just proven who they are. */
    public NewSession start(Principal.User user) {
        String id = random(32);
        String csrf = random(32);
        Instant now = clock.instant();
        Instant expires = now.plus(maxAge);
        jdbi.useTransaction(h -> {
            h.execute("delete from web_sessions where expires_at <= ? or last_seen_at <= ?", now, now.minus(idleTimeout));
            h.execute("insert into web_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)"
                    + " values (?, ?, ?, ?, ?, ?)", sha256Hex(id), user.id(), csrf, now, now, expires);
        });
        audit.record(user.name(), "session.start", "web", null);
        return new NewSession(id, csrf, Instant.ofEpochMilli(Math.min(expires.toEpochMilli(), now.plus(idleTimeout).toEpochMilli())));
    }

    /** The live session a cookie names, marking it used; empty when unknown, ended or expired. */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) return Optional.empty();
        String hash = sha256Hex(id);
        Instant now = clock.instant();
        record Row(long userId, String csrf, Instant lastSeen, Instant expires) {}
        Optional<Row> row = jdbi.withHandle(h -> h.createQuery(
                        "select user_id, csrf_token, last_seen_at, expires_at from web_sessions where id_hash = ?")
                .bind(0, hash)
                .map((rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant()))
                .findOne());
        if (row.isEmpty()) return Optional.empty();
        Row r = row.get();
        if (!now.isBefore(r.expires()) || !now.isBefore(r.lastSeen().plus(idleTimeout))) {
            jdbi.useHandle(h -> h.execute("delete from web_sessions where id_hash = ?", hash));
            return Optional.empty();
        }
        if (Duration.between(r.lastSeen(), now).compareTo(TOUCH_EVERY) >= 0) {
            jdbi.useHandle(h -> h.execute("update web_sessions set last_seen_at = ? where id_hash = ?", now, hash));
        }
        Instant ends = now.plus(idleTimeout).isBefore(r.expires()) ? now.plus(idleTimeout) : r.expires();
        return identity.userById(r.userId()).map(u -> new Session(u, r.csrf(), ends));
    }

    /** Ends the session a cookie names (logout); nothing happens for an unknown one. */
    public void end(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) return;
        String hash = sha256Hex(id);
        Optional<String> who = jdbi.inTransaction(h -> {
            Optional<String> email = h.createQuery("select u.email from web_sessions s join users u on u.id = s.user_id"
                    + " where s.id_hash = ?").bind(0, hash).mapTo(String.class).findOne();
            h.execute("delete from web_sessions where id_hash = ?", hash);
            return email;
        });
        who.ifPresent(email -> audit.record(email, "session.end", "web", null));
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String sha256Hex(String value) {
        return Digest.sha256(value.getBytes(StandardCharsets.UTF_8)).hex();
    }
}
