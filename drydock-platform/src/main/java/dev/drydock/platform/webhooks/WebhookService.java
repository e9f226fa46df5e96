package dev.drydock.platform.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.builds.BuildChanged;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.vulns.VulnerabilityMonitor;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Webhooks of an organization (managed by its admins) and the outbox their events go to.
 *
 * <p>{@link #enqueue} runs inside the transaction of every build state change (a transactional
 * {@link dev.drydock.platform.builds.BuildEvents} listener): it writes one outbox row per webhook of the
 * build's organization, holding the finished CloudEvent body, so an event is stored if and only if the change
 * committed. The {@link WebhookDispatcher} delivers the rows.
 *
 * <p>Secrets are HMAC keys: they are stored as given (signing needs them), returned once by {@link #create},
 * and never logged, audited or listed.
 */
public final class WebhookService {
    public static final int MAX_PER_ORG = 20;
    public static final String EVENT_TYPE = "dev.drydock.build.state.changed";
    public static final String SECRET_PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A webhook as listed (no secret). */
    public record Webhook(String id, long orgId, String url, String createdBy, Instant created) {}

    /** A webhook just created, with its secret (shown this once). */
    public record NewWebhook(String id, long orgId, String url, String secret, String createdBy, Instant created) {
        @Override
        public String toString() {
            return "NewWebhook[id=" + id + ", orgId=" + orgId + ", url=" + url + ", secret=***]";
        }
    }

    /** One delivery attempt. {@code statusCode} is null when no answer came ({@code error} says why). */
    public record Delivery(String eventId, int attempt, boolean success, Integer statusCode, String error, long durationMs,
                           Instant at) {}

    private final Jdbi jdbi;
    private final IdentityService identity;
    private final AuditLog audit;
    private final InstantSource clock;
    private final WebhookTargets targets;
    private final Runnable onStored;

    /** @param onStored runs after a transaction that stored events committed (wakes the dispatcher) */
    public WebhookService(Jdbi jdbi, IdentityService identity, AuditLog audit, InstantSource clock, WebhookTargets targets,
                          Runnable onStored) {
        this.onStored = onStored;
        this.jdbi = jdbi;
        this.identity = identity;
        this.audit = audit;
        this.clock = clock;
        this.targets = targets;
    }

    // ---------------------------------------------------------------- management (org admins)

    public NewWebhook create(Principal actor, long orgId, String url, String secret) {
        identity.requireOrgAdmin(actor, orgId);
        URI target = targets.validate(url);
        String key = secret == null ? generateSecret() : validSecret(secret);
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        jdbi.useTransaction(h -> {
            int existing = h.createQuery("select count(*) from webhooks where org_id = ?").bind(0, orgId).mapTo(Integer.class).one();
            if (existing >= MAX_PER_ORG) {
                throw new ApiException(ApiErrorCode.WEBHOOK_LIMIT_REACHED, "organization " + orgId + " already has "
                        + MAX_PER_ORG + " webhooks: delete one first", Map.of("limit", MAX_PER_ORG));
            }
            // A failed insert's exception must not carry the secret among its rendered parameters into a log.
            h.configure(StatementExceptions.class, c -> c.setMessageRendering(StatementExceptions.MessageRendering.NONE));
            h.execute("insert into webhooks (id, org_id, url, secret, created_by, created_at) values (?, ?, ?, ?, ?, ?)",
                    id, orgId, target.toString(), key, actor.name(), now);
        });
        audit.record(actor.name(), "webhook.create", orgId + "/" + id, withoutQuery(target));
        return new NewWebhook(id, orgId, target.toString(), key, actor.name(), now);
    }

    public List<Webhook> list(Principal actor, long orgId) {
        identity.requireOrgAdmin(actor, orgId);
        return jdbi.withHandle(h -> h.createQuery("select * from webhooks where org_id = ? order by created_at, id")
                .bind(0, orgId)
                .map((rs, ctx) -> new Webhook(rs.getString("id"), rs.getLong("org_id"), rs.getString("url"),
                        rs.getString("created_by"), rs.getTimestamp("created_at").toInstant()))
                .list());
    }

    /** Deletes the webhook with its undelivered events and delivery log. */
    public void delete(Principal actor, long orgId, String id) {
        identity.requireOrgAdmin(actor, orgId);
        String url = jdbi.inTransaction(h -> {
            String found = h.createQuery("select url from webhooks where id = ? and org_id = ?").bind(0, id).bind(1, orgId)
                    .mapTo(String.class).findOne().orElseThrow(() -> notFound(orgId, id));
            h.execute("delete from webhooks where id = ? and org_id = ?", id, orgId);
            return found;
        });
        audit.record(actor.name(), "webhook.delete", orgId + "/" + id, withoutQuery(URI.create(url)));
    }

    /** Delivery attempts, newest first. */
    public List<Delivery> deliveries(Principal actor, long orgId, String id, int limit) {
        identity.requireOrgAdmin(actor, orgId);
        return jdbi.withHandle(h -> {
            boolean exists = h.createQuery("select 1 from webhooks where id = ? and org_id = ?").bind(0, id).bind(1, orgId)
                    .mapTo(Integer.class).findOne().isPresent();
            if (!exists) throw notFound(orgId, id);
            return h.createQuery("select * from webhook_deliveries where webhook_id = ? order by id desc limit ?")
                    .bind(0, id).bind(1, limit)
                    .map((rs, ctx) -> {
                        Integer status = (Integer) rs.getObject("status_code");
                        return new Delivery(rs.getString("event_id"), rs.getInt("attempt"),
                                status != null && status >= 200 && status < 300, status, rs.getString("error"),
                                rs.getLong("duration_ms"), rs.getTimestamp("at").toInstant());
                    })
                    .list();
        });
    }

    // ---------------------------------------------------------------- outbox


    /** Writes the change to the outbox of every webhook of its organization, in the caller's transaction. */
    public void enqueue(Handle h, BuildChanged change) {
        enqueue(h, change.orgId(), eventId -> cloudEvent(eventId, change));
    }

    /** Writes a {@code build.vulnerable} event (monitoring found new vulnerabilities) to the outbox, in the caller's transaction. */
    public void enqueueVulnerable(Handle h, VulnerabilityMonitor.BuildVulnerable event) {
        enqueue(h, event.orgId(), eventId -> cloudEvent(eventId, event));
    }

    private void enqueue(Handle h, long orgId, java.util.function.Function<String, String> bodyOf) {
        List<String> hooks = h.createQuery("select id from webhooks where org_id = ?").bind(0, orgId)
                .mapTo(String.class).list();
        if (hooks.isEmpty()) return;
        String eventId = UUID.randomUUID().toString();
        String body = bodyOf.apply(eventId);
        Instant now = clock.instant();
        for (String hook : hooks) {
            h.execute("""
                            insert into webhook_outbox (webhook_id, event_id, body, state, attempts, next_attempt_at, created_at, updated_at)
                            values (?, ?, ?, 'pending', 0, ?, ?, ?)""",
                    hook, eventId, body, now, now, now);
        }
        if (h.isInTransaction()) {
            h.afterCommit(onStored);
        } else {
            onStored.run();
        }
    }

    /** The CloudEvents 1.0 structured-mode JSON of a build change. */
    static String cloudEvent(String eventId, BuildChanged c) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("buildId", c.buildId());
        data.put("engineId", c.engineId());
        data.put("orgId", c.orgId());
        data.put("from", c.from() == null ? null : c.from().name());
        data.put("to", c.to().name());
        data.put("action", c.action());
        data.put("actor", c.actor());
        data.put("reason", c.reason());
        data.put("at", c.at().toString());
        return envelope(eventId, EVENT_TYPE, c.orgId(), c.buildId(), c.at(), data);
    }

    /**
     * The CloudEvents 1.0 JSON of a {@code build.vulnerable} event: the build, its adapter and state, and each new
     * finding (advisory, CVE, severity, package name, version and purl, fixed version or null, file).
     */
    static String cloudEvent(String eventId, VulnerabilityMonitor.BuildVulnerable v) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("buildId", v.buildId());
        data.put("engineId", v.engineId());
        data.put("orgId", v.orgId());
        data.put("state", v.state().name());
        List<Map<String, Object>> findings = new java.util.ArrayList<>();
        for (VulnerabilityMonitor.NewFinding f : v.findings()) {
            Map<String, Object> pkg = new LinkedHashMap<>();
            pkg.put("name", f.packageName());
            pkg.put("version", f.packageVersion());
            pkg.put("purl", f.purl());
            Map<String, Object> finding = new LinkedHashMap<>();
            finding.put("advisory", f.advisory());
            finding.put("cve", f.cve());
            finding.put("severity", f.severity().name());
            finding.put("package", pkg);
            finding.put("fixedBy", f.fixedBy());
            finding.put("path", f.path());
            findings.add(finding);
        }
        data.put("findings", findings);
        data.put("at", v.at().toString());
        return envelope(eventId, VulnerabilityMonitor.EVENT_TYPE, v.orgId(), v.buildId(), v.at(), data);
    }

    private static String envelope(String eventId, String type, long orgId, String buildId, Instant at, Map<String, Object> data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("specversion", "1.0");
        event.put("id", eventId);
        event.put("source", "/drydock/orgs/" + orgId);
        event.put("type", type);
        event.put("subject", buildId);
        event.put("time", at.toString());
        event.put("datacontenttype", "application/json");
        event.put("data", data);
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String generateSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String validSecret(String secret) {
        if (!secret.matches("[\\x21-\\x7e]{16,200}")) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "secret must be 16-200 printable ASCII characters without spaces, or left out to have one generated",
                    Map.of("field", "secret"));
        }
        return secret;
    }

    /** The URL for audit records: a query string may carry a receiver's token, so it is left out. */
    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static ApiException notFound(long orgId, String id) {
        return new ApiException(ApiErrorCode.WEBHOOK_NOT_FOUND, "organization " + orgId + " has no webhook " + id,
                Map.of("id", String.valueOf(id)));
    }
}
