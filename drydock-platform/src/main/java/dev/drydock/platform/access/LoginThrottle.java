package dev.drydock.platform.access;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Slows password guessing: after {@code maxFailuresPerAccount} failures in a row for one account (from anywhere), or
 * {@code maxFailuresPerAddress} from one client address, each further attempt is refused without checking the password
 * until a backoff has passed; the backoff starts at 1 s and doubles with every further failure up to a cap. A success
 * resets the account's count; an address's count starts over after a window of its longest backoff (see {@link #next}).
 * <p>
 * Why two caps: the per-account backoff applies to the account from every address, so a stranger can use it to keep
 * the real owner out — it is kept short (a minute by default), enough to make guessing one account slow. The per-address
 * backoff only hurts the guesser (and whoever shares their address), so it may grow long (15 minutes).
 * <p>
 * The counts are shared by every node through the database ({@code login_failures}), so N nodes behind a load balancer
 * do not give a guesser N times the attempts. An attempt costs one indexed read ({@link #check}), a failure one write
 * per key counted; a failure counted on another node between the two is not lost (the write is conditional on what was
 * read, and counts again on top of the other's). Rows are bounded: a node prunes keys quiet for twice their longest
 * backoff (they count as none) and, beyond {@code maxEntries} keys of a kind, the least recently failed, every
 * {@code maxEntries / 10} failures it counts or once a minute — a spray of random e-mails cannot grow the table
 * without bound.
 * <p>
 * Password checks (Argon2, deliberately costly) also run through a bounded pool: {@code hashConcurrency} at once, up to
 * {@code hashQueue} callers waiting briefly, and beyond that a refusal — so a flood of attempts cannot starve the CPU.
 * That pool protects this node's CPU, so it is per node.
 */
public final class LoginThrottle {
    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    /** How long a caller may wait for a hashing slot before it is refused. */
    private static final Duration HASH_WAIT = Duration.ofSeconds(5);
    private static final Duration PRUNE_EVERY = Duration.ofMinutes(1);
    /** Conditional writes of one key tried before a failure is left uncounted (each round, one contender wins). */
    private static final int MAX_WRITES = 50;
    /** The longest key stored ({@code login_failures.subject}): no account is longer than an e-mail's 320. */
    private static final int MAX_KEY = 320;

    /** @param firstBackoff the backoff after the last free failure; it doubles with each further failure */
    public record Limits(int maxFailuresPerAccount, int maxFailuresPerAddress, Duration maxAccountBackoff,
                         Duration maxAddressBackoff, int hashConcurrency, int hashQueue, int maxEntries, Duration firstBackoff) {
        public static Limits defaults() {
            return new Limits(5, 20, Duration.ofMinutes(1), Duration.ofMinutes(15),
                    Math.max(1, Runtime.getRuntime().availableProcessors()), 64, 100_000, Duration.ofSeconds(1));
        }
    }

    /** An attempt refused without a password check: 429 {@code TOO_MANY_ATTEMPTS}, to be retried after {@link #retryAfter}. */
    public static final class Throttled extends ApiException {
        private final long retryAfterSeconds;

        Throttled(String message, Duration wait) {
            super(ApiErrorCode.TOO_MANY_ATTEMPTS, message + ": wait " + seconds(wait) + " s",
                    Map.of("retryAfterSeconds", seconds(wait)));
            this.retryAfterSeconds = seconds(wait);
        }

        /** Whole seconds, rounded up (for {@code Retry-After}). */
        public long retryAfter() {
            return retryAfterSeconds;
        }

        private static long seconds(Duration wait) {
            return Math.max(1, (wait.toMillis() + 999) / 1000);
        }
    }

    /** What a row counts failures of (its {@code scope}). */
    private enum Scope {
        ACCOUNT("account"), ADDRESS("address");

        final String column;

        Scope(String column) {
            this.column = column;
        }
    }

    /** One key's consecutive failures as stored, and until when it is refused (null: never). */
    private record Failures(int failures, Instant streakStart, Instant lastFailure, Instant blockedUntil) {}

    /**
     * One sign-in attempt that {@link #check} let through: tell it how the password check went. It carries what
     * the check read, so counting a failure writes without reading again.
     */
    public final class Attempt {
        private final String account;
        private final String address;
        private final Failures accountRow;
        private final Failures addressRow;

        private Attempt(String account, String address, Failures accountRow, Failures addressRow) {
            this.account = account;
            this.address = address;
            this.accountRow = accountRow;
            this.addressRow = addressRow;
        }

        /**
         * Counts a failure; true when it started (or extended) a backoff of the account or the address — the moment
         * worth an audit entry, rather than every refused attempt.
         */
        public boolean failed() {
            Instant now = clock.instant();
            boolean account429 = account != null && count(Scope.ACCOUNT, account, accountRow, now);
            boolean address429 = address != null && count(Scope.ADDRESS, address, addressRow, now);
            failuresSincePrune.incrementAndGet();
            pruneIfDue(now);
            return account429 || address429;
        }

        /**
         * A success: the account starts again from zero (the address does not: one valid account must not unlock
         * guessing others). Writes only when the account had failures.
         */
        public void succeeded() {
            if (account != null && accountRow != null) {
                jdbi.useHandle(h -> h.execute("delete from login_failures where scope = ? and subject = ?",
                        Scope.ACCOUNT.column, account));
            }
        }
    }

    private final Jdbi jdbi;
    private final Limits limits;
    private final InstantSource clock;
    private final Semaphore hashing;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger failuresSincePrune = new AtomicInteger();
    private final AtomicBoolean pruning = new AtomicBoolean();
    private volatile Instant lastPrune;

    public LoginThrottle(Jdbi jdbi, Limits limits, InstantSource clock) {
        this.jdbi = jdbi;
        this.limits = limits;
        this.clock = clock;
        this.hashing = new Semaphore(limits.hashConcurrency(), true);
        this.lastPrune = clock.instant();
    }

    /** The key an account is counted under: e-mails are case-insensitive. */
    static String accountKey(String username) {
        return truncate(username == null ? "" : username.strip().toLowerCase(Locale.ROOT));
    }

    private static String truncate(String key) {
        return key.length() > MAX_KEY ? key.substring(0, MAX_KEY) : key;
    }

    /**
     * Refuses ({@link Throttled}) while the account or the address is backed off; otherwise returns the attempt, to be
     * told how it went. A null account or address is not counted (nor, in {@link Attempt#failed}, counted against).
     */
    public Attempt check(String account, String address) {
        Instant now = clock.instant();
        String accountKey = account == null ? null : accountKey(account);
        String addressKey = address == null ? null : truncate(address);
        Map<Scope, Failures> rows = new EnumMap<>(Scope.class);
        if (accountKey != null || addressKey != null) {
            jdbi.useHandle(h -> h.createQuery("select scope, failures, streak_start, last_failure, blocked_until"
                            + " from login_failures where scope = :account and subject = :accountKey"
                            + " or scope = :address and subject = :addressKey")
                    .bind("account", Scope.ACCOUNT.column).bind("accountKey", accountKey)
                    .bind("address", Scope.ADDRESS.column).bind("addressKey", addressKey)
                    .map((rs, ctx) -> Map.entry(rs.getString("scope"), failures(rs, ctx)))
                    .forEach(row -> rows.put(Scope.ACCOUNT.column.equals(row.getKey()) ? Scope.ACCOUNT : Scope.ADDRESS,
                            row.getValue())));
        }
        Instant until = later(blockedUntil(rows.get(Scope.ACCOUNT)), blockedUntil(rows.get(Scope.ADDRESS)));
        if (now.isBefore(until)) {
            throw new Throttled("too many failed sign-ins for this account or address", Duration.between(now, until));
        }
        return new Attempt(accountKey, addressKey, rows.get(Scope.ACCOUNT), rows.get(Scope.ADDRESS));
    }

    private static Failures failures(ResultSet rs, StatementContext ctx) throws SQLException {
        ColumnMapper<Instant> instant = ctx.findColumnMapperFor(Instant.class).orElseThrow();
        return new Failures(rs.getInt("failures"), instant.map(rs, "streak_start", ctx), instant.map(rs, "last_failure", ctx),
                instant.map(rs, "blocked_until", ctx));
    }

    private static Instant blockedUntil(Failures f) {
        return f == null || f.blockedUntil() == null ? Instant.MIN : f.blockedUntil();
    }

    /**
     * Counts one failure of {@code key} on top of {@code read}, what the check read: written only if the row is still
     * as read, else read again and counted on top of what another node wrote meanwhile. True when it backs the key off.
     */
    private boolean count(Scope scope, String key, Failures read, Instant now) {
        Failures old = read;
        for (int i = 0; i < MAX_WRITES; i++) {
            Failures next = next(scope, old, now);
            if (old == null ? insert(scope, key, next) : update(scope, key, old, next)) {
                return next.failures() >= free(scope);
            }
            old = jdbi.withHandle(h -> h.createQuery("select failures, streak_start, last_failure, blocked_until"
                            + " from login_failures where scope = ? and subject = ?")
                    .bind(0, scope.column).bind(1, key).map(LoginThrottle::failures).findOne().orElse(null));
        }
        log.warn("a failed sign-in of one {} was not counted: {} other failures were being counted at once", scope.column,
                MAX_WRITES);
        return false;
    }

    private int free(Scope scope) {
        return scope == Scope.ACCOUNT ? limits.maxFailuresPerAccount() : limits.maxFailuresPerAddress();
    }

    private Duration cap(Scope scope) {
        return scope == Scope.ACCOUNT ? limits.maxAccountBackoff() : limits.maxAddressBackoff();
    }

    /**
     * The key's failures after one more. An account's failures count in a row (a success, or twice its longest backoff
     * without a failure, starts over). An address's count per window of its longest backoff, since a success does not
     * reset it: many people behind one NAT, each mistyping now and then, must not add up to a lockout.
     */
    private Failures next(Scope scope, Failures old, Instant now) {
        Duration cap = cap(scope);
        boolean quiet = old != null && Duration.between(old.lastFailure(), now).compareTo(cap.multipliedBy(2)) > 0;
        boolean windowOver = scope == Scope.ADDRESS && old != null
                && Duration.between(old.streakStart(), now).compareTo(cap) > 0 && !now.isBefore(blockedUntil(old));
        boolean fresh = old == null || quiet || windowOver;
        int failures = fresh ? 1 : old.failures() + 1;
        Instant blockedUntil = old == null ? null : old.blockedUntil();
        if (failures >= free(scope)) {
            int doublings = Math.min(failures - free(scope), 30);
            Duration backoff = limits.firstBackoff().multipliedBy(1L << doublings);
            blockedUntil = now.plus(backoff.compareTo(cap) > 0 ? cap : backoff);
        }
        return new Failures(failures, fresh ? now : old.streakStart(), now, blockedUntil);
    }

    /** Stores a key's first failure; false when another node stored one first. */
    private boolean insert(Scope scope, String key, Failures f) {
        try {
            jdbi.useHandle(h -> h.createUpdate("insert into login_failures (scope, subject, failures, streak_start, last_failure,"
                            + " blocked_until) values (:scope, :subject, :failures, :streakStart, :lastFailure, :blockedUntil)")
                    .bind("scope", scope.column).bind("subject", key).bind("failures", f.failures())
                    .bind("streakStart", f.streakStart()).bind("lastFailure", f.lastFailure())
                    .bindByType("blockedUntil", f.blockedUntil(), Instant.class).execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return false; // the primary key: another node's failure of the same key came first
            }
            throw e;
        }
    }

    /** Writes a key's failures if its row is still as {@code old}; false when another node changed it meanwhile. */
    private boolean update(Scope scope, String key, Failures old, Failures f) {
        return jdbi.withHandle(h -> h.createUpdate("update login_failures set failures = :failures,"
                        + " streak_start = :streakStart, last_failure = :lastFailure, blocked_until = :blockedUntil"
                        + " where scope = :scope and subject = :subject and failures = :oldFailures and last_failure = :oldLast")
                .bind("failures", f.failures()).bind("streakStart", f.streakStart()).bind("lastFailure", f.lastFailure())
                .bindByType("blockedUntil", f.blockedUntil(), Instant.class)
                .bind("scope", scope.column).bind("subject", key)
                .bind("oldFailures", old.failures()).bind("oldLast", old.lastFailure()).execute() == 1);
    }

    /**
     * Every {@code maxEntries / 10} failures this node counted, or once a minute, deletes the keys that count as none
     * (quiet for twice their longest backoff) and, of each kind, the least recently failed beyond {@code maxEntries}.
     * One prune at a time on this node; nodes pruning at once only delete the same rows.
     */
    private void pruneIfDue(Instant now) {
        boolean due = failuresSincePrune.get() >= Math.max(1, limits.maxEntries() / 10)
                || Duration.between(lastPrune, now).compareTo(PRUNE_EVERY) >= 0;
        if (!due || !pruning.compareAndSet(false, true)) return;
        try {
            failuresSincePrune.set(0);
            lastPrune = now;
            jdbi.useHandle(h -> {
                for (Scope scope : Scope.values()) {
                    h.execute("delete from login_failures where scope = ? and last_failure < ?", scope.column,
                            now.minus(cap(scope).multipliedBy(2)));
                    h.createUpdate("delete from login_failures where scope = :scope and last_failure <= (select last_failure"
                                    + " from login_failures where scope = :scope order by last_failure desc limit 1 offset :max)")
                            .bind("scope", scope.column).bind("max", limits.maxEntries()).execute();
                }
            });
        } catch (RuntimeException e) { // the next failure tries again; the sign-in itself was counted
            log.warn("could not prune failed sign-ins: {}", e.toString());
        } finally {
            pruning.set(false);
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Keys tracked now (accounts + addresses); for tests of the bound. */
    int size() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from login_failures").mapTo(Integer.class).one());
    }

    /** Callers waiting for a hashing slot now; for tests. */
    int waitingForHashing() {
        return waiting.get();
    }

    /**
     * Runs a password check in the bounded hashing pool: waits briefly for a slot when all are busy, and refuses
     * ({@link Throttled}) when the queue is full or the wait runs out.
     */
    public <T> T hashing(Supplier<T> check) {
        if (!hashing.tryAcquire()) {
            if (waiting.incrementAndGet() > limits.hashQueue()) {
                waiting.decrementAndGet();
                throw busy();
            }
            try {
                if (!hashing.tryAcquire(HASH_WAIT.toMillis(), TimeUnit.MILLISECONDS)) throw busy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw busy();
            } finally {
                waiting.decrementAndGet();
            }
        }
        try {
            return check.get();
        } finally {
            hashing.release();
        }
    }

    private Throttled busy() {
        return new Throttled("too many sign-ins are being checked at once", limits.firstBackoff());
    }
}
