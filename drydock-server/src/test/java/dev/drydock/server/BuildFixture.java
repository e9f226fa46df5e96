package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.compliance.ShippedSchema;
import dev.drydock.platform.builds.BuildState;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server tests' one scenario builder: adapters and builds through the real API and registry. Over any running
 * Drydock it creates organizations with a robot ({@link Owner}), registers adapters, pushes images to them (with
 * {@link TestImages}, the one in-process pusher), and reads and drives the builds those pushes create.
 *
 * <p>{@link #withParties} starts a Drydock with one organization ({@link #ORG}) and every kind of party acting on its
 * builds: a developer, an org admin, a robot, a platform reviewer, the platform admin (member of no org), a member of
 * another org, and nobody. Users act with Bearer tokens from the login endpoint (a password hash per request would
 * dominate run time). The methods without an Authorization argument act as that organization's developer.
 */
public final class BuildFixture implements AutoCloseable {
    public static final long ORG = 17532;
    public static final long OTHER_ORG = 4242;
    public static final long REVIEWERS_ORG = 999;
    public static final String DEV = "dev@acme.test";
    public static final String ORG_ADMIN = "orgadmin@acme.test";
    public static final String ROBOT = ORG + "+ci";
    public static final String REVIEWER = "reviewer@drydock.test";
    public static final String STRANGER = "stranger@other.test";
    public static final Duration WAIT = Duration.ofSeconds(90);

    /** The parties of the lifecycle table. */
    public enum Party { developer, orgAdmin, robot, reviewer, platformAdmin, otherOrgMember, anonymous }

    public final TestDrydock d;
    /** The token of {@link #ROBOT} (with parties only). */
    public final String robotToken;
    private final Map<Party, String> auth;

    /** A scenario builder over a running Drydock, without parties. */
    public BuildFixture(TestDrydock d) {
        this(d, null, Map.of());
    }

    private BuildFixture(TestDrydock d, String robotToken, Map<Party, String> auth) {
        this.d = d;
        this.robotToken = robotToken;
        this.auth = auth;
    }

    /** A Drydock that turns pushes to registered adapters into builds; {@code extra} settings win. */
    public static TestDrydock start(Map<String, String> extra) {
        return start(extra, UnaryOperator.identity());
    }

    private static TestDrydock start(Map<String, String> extra, UnaryOperator<BuildTester> tester) {
        Map<String, String> settings = new HashMap<>();
        settings.put("registry.require-adapter", "true");
        settings.putAll(extra);
        return TestDrydock.start(settings, tester);
    }

    /** A Drydock with the parties, long-lived API tokens and no fsync; {@code extra} settings win. Close it when done. */
    public static BuildFixture withParties(Map<String, String> extra, UnaryOperator<BuildTester> tester) {
        Map<String, String> settings = new HashMap<>();
        settings.put("token-ttl", "2h");
        settings.put("storage.fsync", "false"); // blob durability is not under test here; fsync dominates push time
        settings.putAll(extra);
        TestDrydock d = start(settings, tester);
        try {
            d.createOrg(ORG);
            d.createOrg(OTHER_ORG);
            d.createOrg(REVIEWERS_ORG);
            Map<Party, String> auth = new EnumMap<>(Party.class);
            auth.put(Party.developer, d.addMember(ORG, DEV, "developer"));
            auth.put(Party.orgAdmin, d.addMember(ORG, ORG_ADMIN, "admin"));
            String stranger = d.addMember(OTHER_ORG, STRANGER, "developer");
            auth.put(Party.reviewer, d.addMember(REVIEWERS_ORG, REVIEWER, "developer"));
            d.setPlatformRole(REVIEWER, "reviewer");
            String robotToken = d.createRobot(ORG, "ci");
            auth.put(Party.robot, TestDrydock.basic(ROBOT, robotToken));
            auth.put(Party.platformAdmin, d.login(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD));
            auth.put(Party.otherOrgMember, stranger);
            return new BuildFixture(d, robotToken, auth);
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    public static BuildFixture withParties() {
        return withParties(Map.of(), UnaryOperator.identity());
    }

    // ---------------------------------------------------------------- people

    /** {@code Bearer <token>} from POST /api/v1/login (cheaper than Basic, which hashes the password each call). */
    public String login(String email, String password) {
        return d.login(email, password);
    }

    public String admin() {
        return login(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    }

    /** An owner of an organization's adapters: a robot (its token is checked by SHA-256, so calls are cheap). */
    public record Owner(long org, String login, String secret) {
        public String auth() {
            return TestDrydock.basic(login, secret);
        }
    }

    /** Creates the org with a robot {@code ci} in it. */
    public Owner orgWithRobot(long org) {
        d.createOrg(org);
        return new Owner(org, org + "+ci", d.createRobot(org, "ci"));
    }

    /** The Authorization header of a party (null for anonymous). */
    public String auth(Party party) {
        return auth.get(party);
    }

    /** The name history and audit entries record for a party. */
    public static String actorName(Party party) {
        return switch (party) {
            case developer -> DEV;
            case orgAdmin -> ORG_ADMIN;
            case robot -> ROBOT;
            case reviewer -> REVIEWER;
            case platformAdmin -> TestDrydock.ADMIN_EMAIL;
            case otherOrgMember -> STRANGER;
            case anonymous -> null;
        };
    }

    public String dev() { return auth(Party.developer); }
    public String reviewer() { return auth(Party.reviewer); }

    // ---------------------------------------------------------------- adapters

    /** Registers a pull adapter; returns its engineId. */
    public String registerAdapter(Owner owner, String name) {
        return registerAdapter(owner, name, "pull");
    }

    /** Registers a batch adapter or engine of {@code category} (FullyNetworkIsolated); returns its engineId. */
    public String registerAdapter(Owner owner, String name, String category) {
        return registerEngine(owner, name, category, "batch");
    }

    /** Registers an engine of {@code category} in {@code engineMode} (FullyNetworkIsolated); returns its engineId. */
    public String registerEngine(Owner owner, String name, String category, String engineMode) {
        return registerAdapter(owner.org(), owner.auth(), name, category, "FullyNetworkIsolated", engineMode, 201)
                .get("engineId").asText();
    }

    /** Registers a pull adapter in {@link #ORG} as the developer; returns its engineId. */
    public String register(String name) {
        return registerAdapter(dev(), name, "pull", "FullyNetworkIsolated", "batch", 201).get("engineId").asText();
    }

    /** POSTs an adapter to {@link #ORG}, asserting the status; returns the response. */
    public JsonNode registerAdapter(String authorization, String name, String category, String deploymentModel,
                                    String engineMode, int status) {
        return registerAdapter(ORG, authorization, name, category, deploymentModel, engineMode, status);
    }

    private JsonNode registerAdapter(long org, String authorization, String name, String category, String deploymentModel,
                                     String engineMode, int status) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("category", category);
        body.put("deploymentModel", deploymentModel);
        body.put("engineMode", engineMode);
        return d.api("POST", "/api/v1/orgs/" + org + "/adapters", authorization, body, status);
    }

    public JsonNode adapter(String engineId) {
        return d.api("GET", "/api/v1/adapters/" + engineId, dev(), null, 200);
    }

    public String adapterState(String engineId) {
        return adapter(engineId).get("state").asText();
    }

    public JsonNode adapterAction(String authorization, String engineId, String action, int status) {
        return d.api("POST", "/api/v1/adapters/" + engineId + "/actions", authorization, Map.of("action", action), status);
    }

    // ---------------------------------------------------------------- pushes and builds

    /** Pushes a new adapter image for {@code linux/<arch>} as the owner's robot; returns the manifest digest. */
    public String push(Owner owner, String name, String tag, String arch) {
        return push(owner, name, TestImages.newAdapter(arch), tag);
    }

    /** Pushes the image to the owner's repository {@code name} as its robot; returns the manifest digest. */
    public String push(Owner owner, String name, TestImages.Built image, String tag) {
        return TestImages.push(d.url(), owner.login(), owner.secret(), owner.org() + "/" + name, image, tag);
    }

    /** Pushes a new adapter image as {@link #ROBOT} to the adapter's repository in {@link #ORG}; returns the build it created. */
    public String push(String name, String tag, String architecture) {
        return buildOf(name, push(new Owner(ORG, ROBOT, robotToken), name, tag, architecture));
    }

    /** The id of the adapter's build of that digest (created synchronously by the push), in any state. */
    public String buildId(String engineId, String digest, String auth) {
        String states = String.join(",", Arrays.stream(BuildState.values()).map(Enum::name).toList());
        for (JsonNode b : d.api("GET", "/api/v1/adapters/" + engineId + "/builds?state=" + states, auth, null, 200)) {
            if (b.get("digest").asText().equals(digest)) return b.get("id").asText();
        }
        throw new AssertionError("no build of " + digest);
    }

    /** Pushes, waits until testing finished with {@code state}; returns the build id. */
    public String pushTested(Owner owner, String engineId, String name, String tag, String arch, String state) {
        String id = buildId(engineId, push(owner, name, tag, arch), owner.auth());
        awaitState(id, owner.auth(), state);
        return id;
    }

    /** The (not deleted) build of {@link #ORG}'s adapter {@code name} with that digest. */
    public String buildOf(String name, String digest) {
        JsonNode adapters = d.api("GET", "/api/v1/orgs/" + ORG + "/adapters", dev(), null, 200);
        for (JsonNode a : adapters) {
            if (!a.get("name").asText().equals(name)) continue;
            for (JsonNode b : builds(a.get("engineId").asText(), "")) {
                if (b.get("digest").asText().equals(digest)) return b.get("id").asText();
            }
        }
        throw new AssertionError("no build of " + name + " with digest " + digest);
    }

    public List<JsonNode> builds(String engineId, String stateQuery) {
        List<JsonNode> result = new ArrayList<>();
        d.api("GET", "/api/v1/adapters/" + engineId + "/builds" + (stateQuery.isEmpty() ? "" : "?state=" + stateQuery),
                dev(), null, 200).forEach(result::add);
        return result;
    }

    public JsonNode build(String id) {
        return build(id, dev());
    }

    public JsonNode build(String id, String authorization) {
        return d.api("GET", "/api/v1/builds/" + id, authorization, null, 200);
    }

    public String state(String id) {
        return build(id).get("state").asText();
    }

    /** Waits until the build is in {@code state}; returns it. */
    public JsonNode awaitState(String id, String state) {
        return awaitState(id, dev(), state);
    }

    /** Waits (up to {@link #WAIT}) until the build, read with {@code authorization}, is in {@code state}; returns it. */
    public JsonNode awaitState(String id, String authorization, String state) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await("build " + id + " " + state).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    last.set(build(id, authorization));
                    if (!last.get().get("state").asText().equals(state)) {
                        throw new AssertionError("build " + id + " is " + last.get().get("state") + ", waiting for " + state);
                    }
                });
        return last.get();
    }

    public JsonNode act(String authorization, String id, String action, String reason, int status) {
        return d.api("POST", "/api/v1/builds/" + id + "/actions", authorization, actionBody(action, reason), status);
    }

    /** Posts an action without asserting the outcome (for races). */
    public HttpResponse<String> tryAct(String authorization, String id, String action, String reason) {
        try {
            return d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/builds/" + id + "/actions"))
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(actionBody(action, reason)))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> actionBody(String action, String reason) {
        Map<String, Object> body = new HashMap<>();
        body.put("action", action);
        if (reason != null) body.put("reason", reason);
        return body;
    }

    /** GET without asserting the status. */
    public HttpResponse<String> get(String authorization, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path)).GET();
        if (authorization != null) b.header("Authorization", authorization);
        return d.send(b.build());
    }

    /** The build's downloaded report, after checking it against the report schema Drydock ships. */
    public JsonNode report(String buildId, String auth) {
        HttpResponse<String> r = get(auth, "/api/v1/builds/" + buildId + "/report");
        if (r.statusCode() != 200) throw new AssertionError("report of " + buildId + ": " + r.statusCode() + " " + r.body());
        assertThat(ShippedSchema.REPORT.violations(r.body())).as("report schema violations of\n" + r.body()).isEmpty();
        return parse(r.body());
    }

    /**
     * Registers adapter {@code name} in {@link #ORG}, pushes a build and drives it to {@code state} through the API
     * (not for pending or fetching, which need the worker held). Returns the build id.
     */
    public String prepare(String name, String state) {
        register(name);
        if (state.equals("invalid")) {
            String id = push(name, "1.0", "arm64");
            awaitState(id, "invalid");
            return id;
        }
        String id = push(name, "1.0", "amd64");
        awaitState(id, "available");
        switch (state) {
            case "available" -> {}
            case "deleted" -> act(dev(), id, "delete", null, 200);
            case "submitted", "approved", "disapproved", "deployed", "paused" -> {
                act(dev(), id, "submit", null, 200);
                switch (state) {
                    case "submitted" -> {}
                    case "disapproved" -> act(reviewer(), id, "disapprove", "needs a README", 200);
                    default -> {
                        act(reviewer(), id, "approve", null, 200);
                        if (!state.equals("approved")) act(dev(), id, "deploy", null, 200);
                        if (state.equals("paused")) act(dev(), id, "pause", null, 200);
                    }
                }
            }
            default -> throw new IllegalArgumentException(state);
        }
        return id;
    }

    /**
     * Writes {@code count} available builds of the adapter straight into the database, with the history a tested
     * build has (push, fetch, tested {@code testMillis} later), for lists longer than pushing allows (pagination,
     * benchmarks). They have no image: only listing them is meaningful. Returns their ids, newest first.
     */
    public List<String> insertBuilds(String engineId, int count, long testMillis) {
        JsonNode adapter = adapter(engineId);
        long org = adapter.get("orgId").asLong();
        String repository = adapter.get("repository").asText();
        java.time.Instant start = java.time.Instant.now().minus(Duration.ofDays(1));
        List<String> ids = new ArrayList<>();
        d.server().database().jdbi().useTransaction(h -> {
            var builds = h.prepareBatch("""
                    insert into builds (id, engine_id, org_id, repository, tag, digest, media_type, upload_time, pushed_by, state,
                        version, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'available', 2, ?, ?)""");
            var history = h.prepareBatch("""
                    insert into build_history (build_id, at, actor, action, from_state, to_state, reason) values (?, ?, ?, ?, ?, ?, null)""");
            for (int i = 0; i < count; i++) {
                String id = java.util.UUID.randomUUID().toString();
                java.time.Instant pushed = start.plusSeconds(i);
                java.time.Instant fetched = pushed.plusMillis(5);
                String digest = "sha256:" + String.format("%064x", new java.math.BigInteger(1, id.getBytes()).mod(
                        java.math.BigInteger.TWO.pow(256)));
                builds.add(id, engineId, org, repository, "bulk-" + i, digest, TestImages.OCI_MANIFEST,
                        pushed.toEpochMilli(), ROBOT, pushed, fetched.plusMillis(testMillis));
                history.add(id, pushed, ROBOT, "push", null, "pending");
                history.add(id, fetched, "drydock", "fetch", "pending", "fetching");
                history.add(id, fetched.plusMillis(testMillis), "drydock", "tested", "fetching", "available");
                ids.addFirst(id);
            }
            builds.execute();
            history.execute();
        });
        return ids;
    }

    /** History entries of the build with this action. */
    public static List<JsonNode> history(JsonNode build, String action) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode h : build.get("history")) {
            if (h.get("action").asText().equals(action)) result.add(h);
        }
        return result;
    }

    public static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the Drydock (for {@link #withParties}; a Drydock passed to the constructor is its owner's to close). */
    @Override
    public void close() {
        d.close();
    }
}
