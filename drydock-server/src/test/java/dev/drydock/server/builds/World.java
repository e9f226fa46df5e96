package dev.drydock.server.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * A Drydock with one organization and every kind of party acting on its builds: a developer, an org admin,
 * a robot, a platform reviewer, the platform admin (member of no org), a member of another org, and nobody.
 * Users act with Bearer tokens from the login endpoint (a password hash per request would dominate run time).
 */
final class World implements AutoCloseable {
    static final long ORG = 17532;
    static final long OTHER_ORG = 4242;
    static final long REVIEWERS_ORG = 999;
    static final String DEV = "dev@acme.test";
    static final String ORG_ADMIN = "orgadmin@acme.test";
    static final String ROBOT = ORG + "+ci";
    static final String REVIEWER = "reviewer@drydock.test";
    static final String STRANGER = "stranger@other.test";
    static final Duration WAIT = Duration.ofSeconds(90);

    /** The parties of the lifecycle table. */
    enum Party { developer, orgAdmin, robot, reviewer, platformAdmin, otherOrgMember, anonymous }

    final TestDrydock d;
    final String robotToken;
    private final Map<Party, String> auth = new HashMap<>();

    private World(TestDrydock d) {
        this.d = d;
        d.createOrg(ORG);
        d.createOrg(OTHER_ORG);
        d.createOrg(REVIEWERS_ORG);
        d.addMember(ORG, DEV, "developer");
        d.addMember(ORG, ORG_ADMIN, "admin");
        d.addMember(OTHER_ORG, STRANGER, "developer");
        d.addMember(REVIEWERS_ORG, REVIEWER, "developer");
        d.setPlatformRole(REVIEWER, "reviewer");
        robotToken = d.createRobot(ORG, "ci");
        auth.put(Party.developer, d.login(DEV, TestDrydock.PASSWORD));
        auth.put(Party.orgAdmin, d.login(ORG_ADMIN, TestDrydock.PASSWORD));
        auth.put(Party.robot, TestDrydock.basic(ROBOT, robotToken));
        auth.put(Party.reviewer, d.login(REVIEWER, TestDrydock.PASSWORD));
        auth.put(Party.platformAdmin, d.login(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD));
        auth.put(Party.otherOrgMember, d.login(STRANGER, TestDrydock.PASSWORD));
    }

    /** Adapters required for pushes; long-lived API tokens; {@code extra} settings win. */
    static World start(Map<String, String> extra, UnaryOperator<BuildTester> tester) {
        Map<String, String> settings = new HashMap<>();
        settings.put("registry.require-adapter", "true");
        settings.put("token-ttl", "2h");
        settings.put("storage.fsync", "false"); // blob durability is not under test here; fsync dominates push time
        settings.putAll(extra);
        TestDrydock d = TestDrydock.start(settings, tester);
        try {
            return new World(d);
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    static World start() {
        return start(Map.of(), UnaryOperator.identity());
    }

    /** The Authorization header of a party (null for anonymous). */
    String auth(Party party) {
        return auth.get(party);
    }

    /** The name history and audit entries record for a party. */
    static String actorName(Party party) {
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

    String dev() { return auth(Party.developer); }
    String reviewer() { return auth(Party.reviewer); }

    // ---------------------------------------------------------------- adapters

    /** Registers a pull adapter as the developer; returns its engine id. */
    String register(String name) {
        return registerAdapter(dev(), name, "pull", "FullyNetworkIsolated", "batch", 201).get("engineId").asText();
    }

    JsonNode registerAdapter(String authorization, String name, String category, String deploymentModel, String engineMode,
                             int status) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("category", category);
        body.put("deploymentModel", deploymentModel);
        body.put("engineMode", engineMode);
        return d.api("POST", "/api/v1/orgs/" + ORG + "/adapters", authorization, body, status);
    }

    JsonNode adapter(String engineId) {
        return d.api("GET", "/api/v1/adapters/" + engineId, dev(), null, 200);
    }

    String adapterState(String engineId) {
        return adapter(engineId).get("state").asText();
    }

    JsonNode adapterAction(String authorization, String engineId, String action, int status) {
        return d.api("POST", "/api/v1/adapters/" + engineId + "/actions", authorization, Map.of("action", action), status);
    }

    // ---------------------------------------------------------------- builds

    /** Pushes a new image as the robot to the adapter's repository; returns the build it created. */
    String push(String name, String tag, String architecture) {
        String digest = Images.push(d, ROBOT, robotToken, ORG + "/" + name, tag, architecture);
        return buildOf(name, digest);
    }

    /** The (not deleted) build of the adapter with that digest. */
    String buildOf(String name, String digest) {
        JsonNode adapters = d.api("GET", "/api/v1/orgs/" + ORG + "/adapters", dev(), null, 200);
        for (JsonNode a : adapters) {
            if (!a.get("name").asText().equals(name)) continue;
            for (JsonNode b : builds(a.get("engineId").asText(), "")) {
                if (b.get("digest").asText().equals(digest)) return b.get("id").asText();
            }
        }
        throw new AssertionError("no build of " + name + " with digest " + digest);
    }

    List<JsonNode> builds(String engineId, String stateQuery) {
        List<JsonNode> result = new ArrayList<>();
        d.api("GET", "/api/v1/adapters/" + engineId + "/builds" + (stateQuery.isEmpty() ? "" : "?state=" + stateQuery),
                dev(), null, 200).forEach(result::add);
        return result;
    }

    JsonNode build(String id) {
        return d.api("GET", "/api/v1/builds/" + id, dev(), null, 200);
    }

    String state(String id) {
        return build(id).get("state").asText();
    }

    /** Waits until the build is in {@code state}; returns it. */
    JsonNode awaitState(String id, String state) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await("build " + id + " " + state).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    last.set(build(id));
                    if (!last.get().get("state").asText().equals(state)) {
                        throw new AssertionError("build " + id + " is " + last.get().get("state") + ", waiting for " + state);
                    }
                });
        return last.get();
    }

    JsonNode act(String authorization, String id, String action, String reason, int status) {
        Map<String, Object> body = new HashMap<>();
        body.put("action", action);
        if (reason != null) body.put("reason", reason);
        return d.api("POST", "/api/v1/builds/" + id + "/actions", authorization, body, status);
    }

    /** Posts an action without asserting the outcome (for races). */
    HttpResponse<String> tryAct(String authorization, String id, String action, String reason) {
        Map<String, Object> body = new HashMap<>();
        body.put("action", action);
        if (reason != null) body.put("reason", reason);
        try {
            return d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/builds/" + id + "/actions"))
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET without asserting the status. */
    HttpResponse<String> get(String authorization, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path)).GET();
        if (authorization != null) b.header("Authorization", authorization);
        return d.send(b.build());
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Registers adapter {@code name}, pushes a build and drives it to {@code state} through the API
     * (not for pending or fetching, which need the worker held). Returns the build id.
     */
    String prepare(String name, String state) {
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

    /** History entries of the build with this action. */
    static List<JsonNode> history(JsonNode build, String action) {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode h : build.get("history")) {
            if (h.get("action").asText().equals(action)) result.add(h);
        }
        return result;
    }

    @Override
    public void close() {
        d.close();
    }
}
