package dev.drydock.platform.webhooks;

import dev.drydock.platform.db.LeaseQueue;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Delivers the webhook outbox. A poller finds, per webhook, the oldest due row, leases it (compare-and-set, so
 * with several nodes on one database each row goes to one node at a time) and POSTs it on a virtual thread:
 * <ul>
 *   <li>At most one delivery per webhook is in flight on a node, and at most {@code concurrency} in all, so a
 *       receiver that hangs holds up only its own queue (for at most the timeouts) and never the others, nor
 *       the build that caused the event (the event was stored with the build change; delivery is separate).</li>
 *   <li>Connect and request timeouts bound every attempt; an overall deadline of both plus a second also cuts
 *       off a receiver that answers but never finishes its body.</li>
 *   <li>A 2xx answer deletes the row. Anything else (other status, timeout, connection error) schedules the
 *       next attempt after {@code retryBase * 2^(attempt-1)}, at most {@code retryCap}, with jitter (between
 *       half and all of it); after {@code maxAttempts} the row stays in the outbox as {@code failed}. Every
 *       attempt is written to the delivery log. Redirects are not followed.</li>
 *   <li>The outbox is in the database, so a restart resumes where it stopped; a clean stop gives back its
 *       leases, and a crashed node's lease expires. Delivery is therefore at least once: receivers should
 *       de-duplicate on the CloudEvents {@code id}, which is the same for every attempt.</li>
 * </ul>
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int BATCH = 200;

    /** Tunables, validated by the caller's configuration. */
    public record Settings(Duration connectTimeout, Duration requestTimeout, Duration retryBase, Duration retryCap,
                           int maxAttempts, int concurrency, Duration retention, Duration poll) {}

    private record Due(long id, String webhookId) {}

    private record Claimed(long id, String webhookId, String eventId, String body, int attempt, String url, String secret) {
        @Override
        public String toString() {
            return "Claimed[id=" + id + ", webhook=" + webhookId + ", event=" + eventId + ", attempt=" + attempt + "]";
        }
    }

    private record Outcome(Integer status, String error, long durationMs) {
        boolean success() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final WebhookTargets targets;
    private final Settings settings;
    private final Duration lease;
    private final LeaseQueue leases;
    private final String owner = "webhooks-" + UUID.randomUUID();
    private final HttpClient client;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "drydock-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-", 0).factory());
    private final Semaphore slots;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean wakeQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running = true;
    private final java.util.function.Consumer<AttemptResult> attempts;

    /** What became of one delivery attempt, as told to the {@code attempts} listener (metrics). */
    public enum AttemptResult { delivered, retrying, gave_up }

    public WebhookDispatcher(Jdbi jdbi, InstantSource clock, WebhookTargets targets, Settings settings) {
        this(jdbi, clock, targets, settings, result -> {});
    }

    /** @param attempts told the result of every recorded attempt (on the delivering thread: must be quick) */
    public WebhookDispatcher(Jdbi jdbi, InstantSource clock, WebhookTargets targets, Settings settings,
                             java.util.function.Consumer<AttemptResult> attempts) {
        this.attempts = attempts;
        this.jdbi = jdbi;
        this.clock = clock;
        this.targets = targets;
        this.settings = settings;
        this.slots = new Semaphore(settings.concurrency());
        this.lease = settings.connectTimeout().plus(settings.requestTimeout()).plusSeconds(30);
        // a row stays pending while leased: the lease alone says a node is delivering it
        this.leases = new LeaseQueue(jdbi, clock, new LeaseQueue.Table("webhook_outbox", "next_attempt_at", "pending", "pending",
                true, 2000));
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::poll, 0, settings.poll().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::purge, 1, 60, TimeUnit.MINUTES);
    }

    /** Looks for due deliveries now (called after events were stored); calls while one is queued add nothing. */
    public void wakeUp() {
        if (!running || !wakeQueued.compareAndSet(false, true)) return;
        try {
            scheduler.execute(() -> {
                wakeQueued.set(false);
                poll();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            wakeQueued.set(false); // closing
        }
    }

    /** Number of outbox rows not yet delivered (pending or being delivered; for tests and metrics). */
    public int pending() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from webhook_outbox where state = 'pending'")
                .mapTo(Integer.class).one());
    }

    // ---------------------------------------------------------------- polling and claiming

    private void poll() {
        if (!running) return;
        try {
            Instant now = clock.instant();
            List<Due> due = jdbi.withHandle(h -> h.createQuery("select webhook_id, min(id) as id from webhook_outbox where "
                            + leases.dueCondition() + " group by webhook_id order by min(id) limit :limit")
                    .bind("now", now).bind("limit", BATCH)
                    .map((rs, ctx) -> new Due(rs.getLong("id"), rs.getString("webhook_id"))).list());
            for (Due d : due) {
                if (!running || inFlight.contains(d.webhookId())) continue;
                if (!slots.tryAcquire()) return; // a finishing delivery wakes us up again
                Optional<Claimed> claimed;
                try {
                    claimed = claim(d, now);
                } catch (RuntimeException e) {
                    slots.release();
                    throw e;
                }
                if (claimed.isEmpty()) {
                    slots.release();
                    continue;
                }
                inFlight.add(d.webhookId());
                senders.execute(() -> {
                    try {
                        deliver(claimed.get());
                    } finally {
                        inFlight.remove(d.webhookId());
                        slots.release();
                        wakeUp();
                    }
                });
            }
        } catch (RuntimeException e) {
            if (running) log.warn("webhook poll failed: {}", e.toString());
        }
    }

    private Optional<Claimed> claim(Due d, Instant now) {
        if (!leases.claim(d.id(), owner, lease, now)) return Optional.empty(); // another node took it, or it was deleted
        return jdbi.withHandle(h -> h.createQuery("""
                        select o.id, o.webhook_id, o.event_id, o.body, o.attempts, w.url, w.secret
                        from webhook_outbox o join webhooks w on w.id = o.webhook_id where o.id = ?""")
                .bind(0, d.id())
                .map((rs, ctx) -> new Claimed(rs.getLong("id"), rs.getString("webhook_id"), rs.getString("event_id"),
                        rs.getString("body"), rs.getInt("attempts"), rs.getString("url"), rs.getString("secret")))
                .findOne());
    }

    // ---------------------------------------------------------------- delivering

    private void deliver(Claimed c) {
        if (c.attempt() > settings.maxAttempts()) {
            // Claimed again after a node died mid-attempt, with no attempts left.
            finish(c, new Outcome(null, "gave up: no attempt left after an interrupted delivery", 0));
            return;
        }
        Outcome outcome = send(c);
        if (!running) return; // shutting down: close() gives the lease back, the next start delivers again
        finish(c, outcome);
    }

    private Outcome send(Claimed c) {
        long start = System.nanoTime();
        URI uri = URI.create(c.url());
        try {
            targets.checkBeforeDelivery(uri);
        } catch (WebhookTargets.BlockedTarget e) {
            return new Outcome(null, e.getMessage(), elapsedMs(start));
        }
        byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/cloudevents+json; charset=utf-8")
                .header(WebhookSignature.HEADER, WebhookSignature.sign(c.secret(), body))
                .header("User-Agent", "Drydock-Webhooks/1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        Duration deadline = settings.connectTimeout().plus(settings.requestTimeout()).plusSeconds(1);
        try {
            int status = response.get(deadline.toMillis(), TimeUnit.MILLISECONDS).statusCode();
            return new Outcome(status, null, elapsedMs(start));
        } catch (TimeoutException e) {
            response.cancel(true);
            return new Outcome(null, "timed out: no complete answer within " + deadline.toMillis() + " ms", elapsedMs(start));
        } catch (ExecutionException e) {
            return new Outcome(null, describe(e.getCause(), uri), elapsedMs(start));
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted (Drydock stopping)", elapsedMs(start));
        }
    }

    private String describe(Throwable t, URI uri) {
        String message = switch (t) {
            case HttpConnectTimeoutException e -> "connect timed out after " + settings.connectTimeout().toMillis() + " ms";
            case HttpTimeoutException e -> "timed out: no answer within " + settings.requestTimeout().toMillis() + " ms";
            case ConnectException e -> "connection refused or unreachable: " + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
            case java.net.UnknownHostException e -> "unknown host " + uri.getHost();
            case javax.net.ssl.SSLException e -> "TLS failed: " + e.getMessage();
            default -> t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        };
        return message.length() > 2000 ? message.substring(0, 2000) : message;
    }

    private void finish(Claimed c, Outcome outcome) {
        Instant now = clock.instant();
        Duration retryIn = backoff(c.attempt());
        try {
            jdbi.useTransaction(h -> {
                boolean hookExists = h.createQuery("select 1 from webhooks where id = ?").bind(0, c.webhookId())
                        .mapTo(Integer.class).findOne().isPresent();
                if (!hookExists) return; // deleted meanwhile, with its outbox and log
                h.execute("""
                                insert into webhook_deliveries (webhook_id, event_id, attempt, status_code, error, duration_ms, at)
                                values (?, ?, ?, ?, ?, ?, ?)""",
                        c.webhookId(), c.eventId(), c.attempt(), outcome.status(), outcome.error(), outcome.durationMs(), now);
                if (outcome.success()) {
                    leases.complete(h, c.id(), owner);
                } else if (c.attempt() >= settings.maxAttempts()) {
                    leases.fail(h, c.id(), owner, summary(outcome));
                } else {
                    leases.retryAt(h, c.id(), owner, now.plus(retryIn), summary(outcome));
                }
            });
        } catch (RuntimeException e) {
            if (running) log.warn("could not record webhook delivery {}: {}", c, e.toString());
            return;
        }
        attempts.accept(outcome.success() ? AttemptResult.delivered
                : c.attempt() >= settings.maxAttempts() ? AttemptResult.gave_up : AttemptResult.retrying);
        if (outcome.success()) {
            log.debug("delivered event {} to webhook {} (attempt {})", c.eventId(), c.webhookId(), c.attempt());
        } else if (c.attempt() >= settings.maxAttempts()) {
            log.warn("webhook {}: giving up on event {} after {} attempts: {}", c.webhookId(), c.eventId(), c.attempt(), summary(outcome));
        } else {
            try {
                // The regular poll would find it too; this only saves waiting for it when the retry is sooner.
                scheduler.schedule(this::poll, Math.min(retryIn.toMillis(), settings.poll().toMillis()), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // closing
            }
        }
    }

    /** Delay before attempt {@code attempt + 1}: exponential from retryBase, capped, with jitter (½ to all). */
    Duration backoff(int attempt) {
        long base = settings.retryBase().toMillis();
        long cap = settings.retryCap().toMillis();
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long full = Math.min(cap, base > (Long.MAX_VALUE >> shift) ? cap : base << shift);
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
    }

    private static String summary(Outcome o) {
        return o.status() != null ? "HTTP " + o.status() : o.error();
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    // ---------------------------------------------------------------- housekeeping

    private void purge() {
        try {
            Instant cutoff = clock.instant().minus(settings.retention());
            int log1 = jdbi.withHandle(h -> h.execute("delete from webhook_deliveries where at < ?", cutoff));
            int dead = jdbi.withHandle(h -> h.execute("delete from webhook_outbox where state = 'failed' and updated_at < ?", cutoff));
            if (log1 + dead > 0) log.info("purged {} webhook delivery log entries and {} failed events", log1, dead);
        } catch (RuntimeException e) {
            if (running) log.warn("webhook log purge failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        scheduler.shutdownNow();
        senders.shutdownNow();
        try {
            senders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.shutdownNow();
        try {
            // Give back what this node was delivering, so a restart (or another node) delivers it without waiting.
            leases.releaseAll(owner);
        } catch (RuntimeException e) {
            log.warn("could not release webhook leases: {}", e.toString());
        }
    }
}
