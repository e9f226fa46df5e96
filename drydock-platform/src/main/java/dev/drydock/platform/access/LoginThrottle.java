package dev.drydock.platform.access;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Slows password guessing: after {@code maxFailuresPerAccount} failures in a row for one account (from anywhere), or
 * {@code maxFailuresPerAddress} from one client address, each further attempt is refused without checking the password
 * until a backoff has passed; the backoff starts at 1 s and doubles with every further failure up to a cap. A success
 * resets the account's count; an address's count starts over after a window of its longest backoff (see {@link #count}).
 * <p>
 * Why two caps: the per-account backoff applies to the account from every address, so a stranger can use it to keep
 * the real owner out — it is kept short (a minute by default), enough to make guessing one account slow. The per-address
 * backoff only hurts the guesser (and whoever shares their address), so it may grow long (15 minutes).
 * <p>
 * Password checks (Argon2, deliberately costly) also run through a bounded pool: {@code hashConcurrency} at once, up to
 * {@code hashQueue} callers waiting briefly, and beyond that a refusal — so a flood of attempts cannot starve the CPU.
 * <p>
 * State is in memory, per node, and bounded: each table holds at most {@code maxEntries} keys, dropping the least
 * recently failed one beyond that (a spray of random e-mails cannot grow it without bound).
 */
public final class LoginThrottle {
    /** How long a caller may wait for a hashing slot before it is refused. */
    private static final Duration HASH_WAIT = Duration.ofSeconds(5);

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

    /** Consecutive failures of one key and until when it is refused. */
    private static final class Record {
        int failures;
        Instant streakStart;
        Instant lastFailure;
        Instant blockedUntil = Instant.MIN;
    }

    private final Limits limits;
    private final InstantSource clock;
    private final Map<String, Record> accounts;
    private final Map<String, Record> addresses;
    private final Semaphore hashing;
    private final AtomicInteger waiting = new AtomicInteger();

    public LoginThrottle(Limits limits, InstantSource clock) {
        this.limits = limits;
        this.clock = clock;
        this.accounts = bounded(limits.maxEntries());
        this.addresses = bounded(limits.maxEntries());
        this.hashing = new Semaphore(limits.hashConcurrency(), true);
    }

    private static Map<String, Record> bounded(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Record> eldest) {
                return size() > max;
            }
        };
    }

    /** The key an account is counted under: e-mails are case-insensitive; no account is longer than an e-mail's 320. */
    static String accountKey(String username) {
        String key = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        return key.length() > 320 ? key.substring(0, 320) : key;
    }

    /**
     * Refuses ({@link Throttled}) while the account or the address is backed off; otherwise returns at once. A null
     * account or address is not counted (nor, in {@link #failed}, counted against).
     */
    public synchronized void check(String account, String address) {
        Instant now = clock.instant();
        Record a = account == null ? null : accounts.get(accountKey(account));
        Record r = address == null ? null : addresses.get(address);
        Instant until = later(a == null ? Instant.MIN : a.blockedUntil, r == null ? Instant.MIN : r.blockedUntil);
        if (now.isBefore(until)) {
            throw new Throttled("too many failed sign-ins for this account or address", Duration.between(now, until));
        }
    }

    /**
     * Counts a failure; true when it started (or extended) a backoff of the account or the address — the moment worth
     * an audit entry, rather than every refused attempt.
     */
    public synchronized boolean failed(String account, String address) {
        Instant now = clock.instant();
        boolean account429 = account != null
                && count(accounts, accountKey(account), limits.maxFailuresPerAccount(), limits.maxAccountBackoff(), false, now);
        boolean address429 = address != null
                && count(addresses, address, limits.maxFailuresPerAddress(), limits.maxAddressBackoff(), true, now);
        return account429 || address429;
    }

    /** A success: the account starts again from zero (the address does not: one valid account must not unlock guessing others). */
    public synchronized void succeeded(String account) {
        accounts.remove(accountKey(account));
    }

    /**
     * Counts one failure of {@code key}. An account's failures count in a row (a success, or twice its longest backoff
     * without a failure, starts over). An address's count per window of its longest backoff, since a success does not
     * reset it: many people behind one NAT, each mistyping now and then, must not add up to a lockout.
     */
    private boolean count(Map<String, Record> table, String key, int free, Duration cap, boolean windowed, Instant now) {
        Record r = table.computeIfAbsent(key, k -> new Record());
        boolean quiet = r.lastFailure != null && Duration.between(r.lastFailure, now).compareTo(cap.multipliedBy(2)) > 0;
        boolean windowOver = windowed && r.streakStart != null && Duration.between(r.streakStart, now).compareTo(cap) > 0
                && !now.isBefore(r.blockedUntil);
        if (r.failures == 0 || quiet || windowOver) {
            r.failures = 0;
            r.streakStart = now;
        }
        r.failures++;
        r.lastFailure = now;
        if (r.failures < free) return false;
        int doublings = Math.min(r.failures - free, 30);
        Duration backoff = limits.firstBackoff().multipliedBy(1L << doublings);
        if (backoff.compareTo(cap) > 0) backoff = cap;
        r.blockedUntil = now.plus(backoff);
        return true;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Keys tracked now (accounts + addresses); for tests of the memory bound. */
    synchronized int size() {
        return accounts.size() + addresses.size();
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
