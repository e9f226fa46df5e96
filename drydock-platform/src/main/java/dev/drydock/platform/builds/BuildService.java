package dev.drydock.platform.builds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.BuildReport;
import dev.drydock.compliance.Pipeline;
import dev.drydock.oci.Digest;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.RequestIds;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.Adapter;
import dev.drydock.platform.adapters.Adapter.AdapterState;
import dev.drydock.platform.adapters.AdapterStore;
import dev.drydock.platform.builds.BuildLifecycle.Move;
import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.jobs.JobQueue;
import dev.drydock.registry.events.RegistryEvent;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Builds: created from pushes, moved through the lifecycle by people and by testing. Every transition is
 * one transaction (under a lock on the adapter's row, see {@link AdapterStore#lock}: state compare-and-set
 * on {@code version}, history row, side effects on sibling builds and the adapter's state, transactional
 * listeners such as the webhook outbox) and is published as a {@link BuildChanged} after it committed. Of two
 * conflicting concurrent actions exactly one wins; the other sees the new state and gets a 409.
 */
public final class BuildService {
    private static final Logger log = LoggerFactory.getLogger(BuildService.class);
    public static final String SYSTEM = "drydock";

    static final RowMapper<Build> BUILD = (rs, ctx) -> new Build(
            rs.getString("id"), rs.getString("engine_id"), rs.getLong("org_id"), rs.getString("repository"),
            rs.getString("tag"), Digest.parse(rs.getString("digest")), rs.getString("media_type"), rs.getLong("upload_time"),
            rs.getString("pushed_by"), BuildState.valueOf(rs.getString("state")), rs.getInt("version"),
            rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());

    /**
     * One entry of a build's history; {@code requestId} is the X-Request-Id of the HTTP request that made the move
     * (null for Drydock's own moves).
     */
    public record HistoryEntry(Instant at, String actor, String action, BuildState from, BuildState to, String reason,
                               String requestId) {}

    private final Jdbi jdbi;
    private final JobQueue jobs;
    private final BuildEvents events;
    private final AuditLog audit;
    private final InstantSource clock;

    public BuildService(Jdbi jdbi, JobQueue jobs, BuildEvents events, AuditLog audit, InstantSource clock) {
        this.jdbi = jdbi;
        this.jobs = jobs;
        this.events = events;
        this.audit = audit;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- push -> build

    /**
     * Creates a build for a tagged push to an adapter's repository and queues its test. A digest that already
     * has a live build of the adapter (pushed again under another tag) does not create a second build.
     */
    public Optional<Build> onManifestPushed(RegistryEvent.ManifestPushed push) {
        if (push.tag() == null) return Optional.empty(); // children of an index, pushed by digest
        String name = push.repository().substring(push.repository().indexOf('/') + 1);
        List<BuildChanged> changes = new ArrayList<>();
        Optional<Build> created = jdbi.inTransaction(h -> {
            Optional<Adapter> adapter = AdapterStore.byName(h, push.org(), name);
            if (adapter.isEmpty()) return Optional.empty();
            AdapterStore.lock(h, adapter.get().engineId());
            adapter = AdapterStore.byId(h, adapter.get().engineId());
            if (adapter.isEmpty() || adapter.get().state() == AdapterState.deleted) return Optional.empty();
            boolean known = h.createQuery("select 1 from builds where engine_id = ? and digest = ? and state <> 'deleted'")
                    .bind(0, adapter.get().engineId()).bind(1, push.digest().toString())
                    .mapTo(Integer.class).findOne().isPresent();
            if (known) return Optional.empty();
            Instant now = clock.instant();
            String id = UUID.randomUUID().toString();
            h.createUpdate("""
                            insert into builds (id, engine_id, org_id, repository, tag, digest, media_type, upload_time,
                                pushed_by, state, version, created_at, updated_at)
                            values (:id, :engine, :org, :repo, :tag, :digest, :mediaType, :uploadTime, :user, 'pending', 0, :now, :now)""")
                    .bind("id", id).bind("engine", adapter.get().engineId()).bind("org", push.org())
                    .bind("repo", push.repository()).bind("tag", push.tag()).bind("digest", push.digest().toString())
                    .bind("mediaType", push.mediaType()).bind("uploadTime", now.toEpochMilli())
                    .bind("user", push.actor()).bind("now", now)
                    .execute();
            Move move = Move.PUSH;
            history(h, id, push.actor(), move.action(), null, move.to(), push.repository() + ":" + push.tag(), now);
            jobs.enqueue(h, id, now);
            BuildChanged change = new BuildChanged(id, adapter.get().engineId(), push.org(), null, move.to(), move.action(),
                    push.actor(), null, now);
            events.inTransaction(h, change);
            changes.add(change);
            return Optional.of(load(h, id));
        });
        events.publish(changes);
        created.ifPresent(b -> log.info("build {} created for {} ({})", b.id(), b.imagePath(), b.digest()));
        return created;
    }

    // ---------------------------------------------------------------- reading

    /** A build by id, without access checks (for Drydock's own use). */
    public Optional<Build> find(String buildId) {
        return jdbi.withHandle(h -> find(h, buildId));
    }

    public Build get(Principal principal, String buildId) {
        Build build = jdbi.withHandle(h -> find(h, buildId)).orElseThrow(() -> notFound(buildId));
        if (!principal.canSeeOrg(build.orgId())) throw notFound(buildId);
        return build;
    }

    /** One page of an adapter's builds and how many there are in all. */
    public record Page(List<Build> builds, long total) {}

    /** Builds of an adapter, newest first, optionally in some states; deleted ones only when asked for. */
    public List<Build> list(String engineId, Set<BuildState> states) {
        return list(engineId, states, Integer.MAX_VALUE, 0).builds();
    }

    /**
     * A page of {@link #list(String, Set)}: at most {@code limit} builds from {@code offset}, selected by the database
     * (the order ends on the id, so pages neither repeat nor skip builds created in the same instant).
     */
    public Page list(String engineId, Set<BuildState> states, int limit, long offset) {
        String where = "engine_id = :engine and " + (states.isEmpty() ? "state <> 'deleted'" : "state in (<states>)");
        List<String> stateNames = states.stream().map(Enum::name).toList();
        return jdbi.withHandle(h -> {
            var page = h.createQuery("select * from builds where " + where + " order by created_at desc, id limit :limit offset :offset")
                    .bind("engine", engineId).bind("limit", limit).bind("offset", offset);
            var count = h.createQuery("select count(*) from builds where " + where).bind("engine", engineId);
            if (!states.isEmpty()) {
                page.bindList("states", stateNames);
                count.bindList("states", stateNames);
            }
            return new Page(page.map(BUILD).list(), count.mapTo(Long.class).one());
        });
    }

    /**
     * How long each build's last test took, in milliseconds, from its history in one query: from its last move into
     * fetching (a new fetch attempt after a lost lease does not restart it) to the move out of testing. Builds being
     * tested (again), and builds given up on before a fetch started, have none.
     */
    public Map<String, Long> testDurations(List<Build> builds) {
        List<String> tested = builds.stream()
                .filter(b -> b.state() != BuildState.pending && b.state() != BuildState.fetching).map(Build::id).toList();
        if (tested.isEmpty()) return Map.of();
        record Span(String buildId, Timestamp started, Timestamp ended) {}
        List<Span> spans = jdbi.withHandle(h -> h.createQuery("""
                        select e.build_id, e.ended,
                            (select max(s.at) from build_history s where s.build_id = e.build_id and s.to_state = 'fetching'
                                and (s.from_state is null or s.from_state <> 'fetching') and s.at <= e.ended) as started
                        from (select build_id, max(at) as ended from build_history
                              where build_id in (<ids>) and action = :tested group by build_id) e""")
                .bindList("ids", tested).bind("tested", Move.TEST_PASSED.action())
                .map((rs, ctx) -> new Span(rs.getString("build_id"), rs.getTimestamp("started"), rs.getTimestamp("ended")))
                .list());
        Map<String, Long> result = new LinkedHashMap<>();
        for (Span span : spans) {
            if (span.started() != null) {
                result.put(span.buildId(), Duration.between(span.started().toInstant(), span.ended().toInstant()).toMillis());
            }
        }
        return result;
    }

    /** Builds waiting for review, oldest first. */
    public List<Build> reviewQueue() {
        return jdbi.withHandle(h -> h.createQuery("select * from builds where state = 'submitted' order by updated_at, id")
                .map(BUILD).list());
    }

    /**
     * The adapter's build uploaded last before {@code build} that has a report (testing finished at least once), in
     * any state: what "since the last build" compares with.
     */
    public Optional<Build> previousTested(Build build) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select * from builds where engine_id = :engine and id <> :id and report is not null
                          and (upload_time < :uploaded or (upload_time = :uploaded and created_at < :created))
                        order by upload_time desc, created_at desc, id desc""")
                .bind("engine", build.engineId()).bind("id", build.id()).bind("uploaded", build.uploadTime())
                .bind("created", build.created()).setMaxRows(1).map(BUILD).findFirst());
    }

    public List<HistoryEntry> history(String buildId) {
        return jdbi.withHandle(h -> h.createQuery("select * from build_history where build_id = ? order by id")
                .bind(0, buildId)
                .map((rs, ctx) -> new HistoryEntry(rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                        rs.getString("action"), rs.getString("from_state") == null ? null : BuildState.valueOf(rs.getString("from_state")),
                        BuildState.valueOf(rs.getString("to_state")), rs.getString("reason"), rs.getString("request_id")))
                .list());
    }

    public Optional<String> report(String buildId) {
        return jdbi.withHandle(h -> h.createQuery("select report from builds where id = ?").bind(0, buildId)
                .mapTo(String.class).findOne());
    }

    /** The build's report parsed (for the views that read fields of it: checks, summaries, comparisons). */
    public Optional<JsonNode> reportTree(String buildId) {
        return report(buildId).map(json -> {
            try {
                return REPORT_READER.readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException("report of build " + buildId + " is not JSON", e);
            }
        });
    }

    private static final ObjectMapper REPORT_READER = new ObjectMapper();

    /** Actions the principal may take on the build now. */
    public Set<BuildAction> allowedActions(Principal principal, Build build) {
        AdapterState adapterState = jdbi.withHandle(h -> AdapterStore.byId(h, build.engineId())).map(Adapter::state).orElse(null);
        return allowedActions(principal, build, adapterState);
    }

    /** As {@link #allowedActions(Principal, Build)} with the state of the build's adapter known (a list of its builds). */
    public Set<BuildAction> allowedActions(Principal principal, Build build, AdapterState adapterState) {
        Set<BuildAction> allowed = BuildLifecycle.allowed(build.state(), Roles.of(principal, build.orgId()));
        if (adapterState == AdapterState.disabled) {
            allowed.remove(BuildAction.deploy);
            allowed.remove(BuildAction.unpause);
        }
        return allowed;
    }

    // ---------------------------------------------------------------- actions

    public Build act(Principal principal, String buildId, BuildAction action, String reason) {
        if (reason != null && reason.length() > 2000) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "reason must be at most 2000 characters", Map.of("field", "reason"));
        }
        if (action == BuildAction.disapprove && (reason == null || reason.isBlank())) {
            throw new ApiException(ApiErrorCode.VALIDATION_FAILED,
                    "disapprove needs a reason: tell the developer what to fix", Map.of("field", "reason"));
        }
        Build build = get(principal, buildId);
        Set<Actor> roles = Roles.of(principal, build.orgId());
        List<BuildChanged> changes = new ArrayList<>();
        Build result = jdbi.inTransaction(h -> {
            AdapterStore.lock(h, build.engineId());
            Build current = find(h, buildId).orElseThrow(() -> notFound(buildId));
            Move move = BuildLifecycle.move(action);
            if (!move.startsFrom(current.state())) throw notAllowed(principal, current, action);
            if (!move.mayBeMadeBy(roles)) {
                throw new ApiException(ApiErrorCode.FORBIDDEN, action + " is for "
                        + (action == BuildAction.approve || action == BuildAction.disapprove || action == BuildAction.invalidate
                        ? "reviewers" : "members of organization " + current.orgId()),
                        Map.of("action", action.name()));
            }
            Adapter adapter = AdapterStore.byId(h, current.engineId()).orElseThrow();
            if ((action == BuildAction.deploy || action == BuildAction.unpause) && adapter.state() == AdapterState.disabled) {
                throw new ApiException(ApiErrorCode.BUILD_ACTION_NOT_ALLOWED,
                        "adapter " + adapter.name() + " is disabled: enable it before deploying a build",
                        Map.of("state", current.state().name(), "adapterState", adapter.state().name()));
            }
            Instant now = clock.instant();
            if (move.to() == BuildState.deployed) {
                for (Build other : h.createQuery("select * from builds where engine_id = ? and state = 'deployed' and id <> ?")
                        .bind(0, current.engineId()).bind(1, current.id()).map(BUILD).list()) {
                    changes.add(transition(h, other, Move.PAUSE_PREVIOUSLY_DEPLOYED, principal.name(),
                            "build " + current.id() + " was deployed", now));
                }
            }
            changes.add(transition(h, current, move, principal.name(), reason, now)); // same order as history
            if (action == BuildAction.retest) jobs.enqueue(h, current.id(), now);
            AdapterStore.recomputeState(h, current.engineId(), now);
            return find(h, buildId).orElseThrow();
        });
        if (action == BuildAction.delete || action == BuildAction.approve || action == BuildAction.disapprove
                || action == BuildAction.invalidate || action == BuildAction.deploy) {
            audit.record(principal.name(), "build." + action, buildId, reason);
        }
        events.publish(changes);
        return result;
    }

    /**
     * Makes one of Drydock's own moves (testing) and records it in the history, also when the build stays in its
     * state (a new fetch attempt); false when the build cannot make the move any more (deleted while queued, or
     * moved on).
     */
    public boolean systemTransition(String buildId, Move move, String reason, BuildReport report) {
        if (!move.by().contains(Actor.system)) throw new IllegalArgumentException(move + " is not one of Drydock's moves");
        List<BuildChanged> changes = new ArrayList<>();
        boolean moved = jdbi.inTransaction(h -> {
            Optional<Build> current = find(h, buildId);
            if (current.isEmpty()) return false;
            AdapterStore.lock(h, current.get().engineId());
            current = find(h, buildId);
            if (!move.startsFrom(current.get().state())) return false;
            Instant now = clock.instant();
            if (report != null) {
                h.execute("update builds set report = ? where id = ?", Pipeline.toJson(report), buildId);
            }
            // Also a move to the same state is recorded: a fetch that starts again after a lost lease (fetching ->
            // fetching) is a new attempt, and the history must show it.
            changes.add(transition(h, current.get(), move, SYSTEM, reason, now));
            AdapterStore.recomputeState(h, current.get().engineId(), now);
            return true;
        });
        events.publish(changes);
        return moved;
    }

    // ---------------------------------------------------------------- adapter-level side effects

    /** Disabling an adapter pauses its deployed build; returns that build's id (to deploy again on enable). */
    public Optional<String> pauseForDisable(Handle h, String engineId, String actor, Instant now, List<BuildChanged> changes) {
        Optional<Build> deployed = h.createQuery("select * from builds where engine_id = ? and state = 'deployed'")
                .bind(0, engineId).map(BUILD).findFirst();
        deployed.ifPresent(b -> changes.add(transition(h, b, Move.ADAPTER_DISABLED, actor, "adapter disabled", now)));
        return deployed.map(Build::id);
    }

    /** Enabling deploys again the build that disabling paused, if it is still paused. */
    public void redeployAfterEnable(Handle h, String buildId, String actor, Instant now, List<BuildChanged> changes) {
        find(h, buildId).filter(b -> Move.ADAPTER_ENABLED.startsFrom(b.state()))
                .ifPresent(b -> changes.add(transition(h, b, Move.ADAPTER_ENABLED, actor, "adapter enabled", now)));
    }

    /** Deleting an adapter deletes its builds (reports and history are kept; {@link ImageRelease} frees the images). */
    public List<Build> deleteAllForAdapter(Handle h, String engineId, String actor, Instant now, List<BuildChanged> changes) {
        List<Build> live = h.createQuery("select * from builds where engine_id = ?").bind(0, engineId).map(BUILD).list()
                .stream().filter(b -> Move.ADAPTER_DELETED.startsFrom(b.state())).toList();
        for (Build b : live) changes.add(transition(h, b, Move.ADAPTER_DELETED, actor, "adapter deleted", now));
        return live;
    }

    public void publish(List<BuildChanged> changes) {
        events.publish(changes);
    }

    /**
     * Registers a listener to every build change, after it committed (the worker's wake-up on a new pending build,
     * {@link ImageRelease}); returns a handle that removes it.
     */
    public Runnable subscribe(java.util.function.Consumer<BuildChanged> listener) {
        return events.subscribe(listener);
    }

    // ---------------------------------------------------------------- helpers

    /** Makes {@code move}, which the caller has checked {@code build} can make. */
    private BuildChanged transition(Handle h, Build build, Move move, String actor, String reason, Instant now) {
        if (!move.startsFrom(build.state())) {
            throw new IllegalStateException("build " + build.id() + " is " + build.state() + ": " + move + " starts from " + move.from());
        }
        BuildState to = move.to();
        String action = move.action();
        int updated = h.execute("update builds set state = ?, version = version + 1, updated_at = ? where id = ? and version = ?",
                to.name(), now, build.id(), build.version());
        if (updated == 0) {
            // Someone else moved it first: the caller's transaction rolls back and they see the new state.
            Build fresh = find(h, build.id()).orElseThrow();
            throw new ApiException(ApiErrorCode.BUILD_ACTION_NOT_ALLOWED,
                    "build " + build.id() + " changed concurrently and is now " + fresh.state() + ": reload and retry",
                    Map.of("state", fresh.state().name()));
        }
        history(h, build.id(), actor, action, build.state(), to, reason, now);
        BuildChanged change = new BuildChanged(build.id(), build.engineId(), build.orgId(), build.state(), to, action, actor, reason, now);
        events.inTransaction(h, change);
        return change;
    }

    private void history(Handle h, String buildId, String actor, String action, BuildState from, BuildState to,
                         String reason, Instant now) {
        h.execute("insert into build_history (build_id, at, actor, action, from_state, to_state, reason, request_id, node)"
                        + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                buildId, now, actor, action, from == null ? null : from.name(), to.name(), reason, RequestIds.current(),
                events.node());
    }

    static Optional<Build> find(Handle h, String id) {
        if (id == null || !id.matches("[0-9a-f-]{36}")) return Optional.empty();
        return h.createQuery("select * from builds where id = ?").bind(0, id).map(BUILD).findOne();
    }

    private static Build load(Handle h, String id) {
        return find(h, id).orElseThrow();
    }

    private ApiException notAllowed(Principal principal, Build build, BuildAction action) {
        Set<BuildAction> allowed = BuildLifecycle.allowed(build.state(), Roles.of(principal, build.orgId()));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("state", build.state().name());
        detail.put("action", action.name());
        detail.put("allowedActions", allowed.stream().map(Enum::name).toList());
        return new ApiException(ApiErrorCode.BUILD_ACTION_NOT_ALLOWED,
                "cannot " + action + " a build that is " + build.state() + "; allowed now: "
                        + (allowed.isEmpty() ? "none" : String.join(", ", allowed.stream().map(Enum::name).toList())),
                detail);
    }

    private static ApiException notFound(String buildId) {
        return new ApiException(ApiErrorCode.BUILD_NOT_FOUND, "build " + buildId + " does not exist or is not visible to you",
                Map.of("buildId", String.valueOf(buildId)));
    }
}
