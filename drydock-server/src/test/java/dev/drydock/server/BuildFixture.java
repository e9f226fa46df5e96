package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.http.Json;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Adapters and builds through the real API and registry: register an adapter, push a minimal OCI image to
 * it (config + one random layer + a tagged manifest), and wait for the worker to test the build.
 */
final class BuildFixture {
    static final String DEFAULT_ARCH = "amd64";

    private final TestDrydock d;

    BuildFixture(TestDrydock d) {
        this.d = d;
    }

    /** A Drydock that turns pushes to registered adapters into builds. */
    static TestDrydock start(Map<String, String> extra) {
        Map<String, String> settings = new java.util.HashMap<>(extra);
        settings.put("registry.require-adapter", "true");
        return TestDrydock.start(settings);
    }

    /** {@code Bearer <token>} from POST /api/v1/login (cheaper than Basic, which hashes the password each call). */
    String login(String email, String password) {
        return "Bearer " + d.api("POST", "/api/v1/login", null, Map.of("email", email, "password", password), 200)
                .get("token").asText();
    }

    String admin() {
        return login(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    }

    /** An owner of an organization's adapters: a robot (its token is checked by SHA-256, so calls are cheap). */
    record Owner(long org, String login, String secret) {
        String auth() {
            return TestDrydock.basic(login, secret);
        }
    }

    /** Creates the org with a robot {@code ci} in it. */
    Owner orgWithRobot(long org) {
        d.createOrg(org);
        return new Owner(org, org + "+ci", d.createRobot(org, "ci"));
    }

    /** Registers an adapter; returns its engineId. */
    String registerAdapter(Owner owner, String name) {
        return registerAdapter(owner.org(), owner.auth(), name);
    }

    /** Registers an adapter; returns its engineId. */
    String registerAdapter(long org, String auth, String name) {
        return registerAdapter(org, auth, name, "pull");
    }

    /** Registers a batch adapter or engine of {@code category} (FullyNetworkIsolated); returns its engineId. */
    String registerAdapter(Owner owner, String name, String category) {
        return registerAdapter(owner.org(), owner.auth(), name, category);
    }

    private String registerAdapter(long org, String auth, String name, String category) {
        return registerEngine(org, auth, name, category, "batch");
    }

    /** Registers an engine of {@code category} in {@code engineMode} (FullyNetworkIsolated); returns its engineId. */
    String registerEngine(Owner owner, String name, String category, String engineMode) {
        return registerEngine(owner.org(), owner.auth(), name, category, engineMode);
    }

    private String registerEngine(long org, String auth, String name, String category, String engineMode) {
        return d.api("POST", "/api/v1/orgs/" + org + "/adapters", auth,
                Map.of("name", name, "category", category, "deploymentModel", "FullyNetworkIsolated", "engineMode", engineMode), 201)
                .get("engineId").asText();
    }

    /** Pushes a minimal image for {@code linux/<arch>}; returns the manifest digest. */
    String push(Owner owner, String name, String tag, String arch) {
        String repo = owner.org() + "/" + name;
        OciPush.Image image = OciPush.image(UUID.randomUUID().toString(), arch);
        OciPush.push(d, repo, d.token(owner.login(), owner.secret(), "repository:" + repo + ":pull,push"), image, tag);
        return image.manifestDigest().toString();
    }

    /** The id of the adapter's build of that digest (created synchronously by the push). */
    String buildId(String engineId, String digest, String auth) {
        for (JsonNode b : d.api("GET", "/api/v1/adapters/" + engineId + "/builds?state=" + String.join(",", allStates()), auth, null, 200)) {
            if (b.get("digest").asText().equals(digest)) return b.get("id").asText();
        }
        throw new AssertionError("no build of " + digest);
    }

    /** Pushes, waits until testing finished with {@code state}; returns the build id. */
    String pushTested(Owner owner, String engineId, String name, String tag, String arch, String state) {
        String id = buildId(engineId, push(owner, name, tag, arch), owner.auth());
        awaitState(id, owner.auth(), state);
        return id;
    }

    void awaitState(String buildId, String auth, String state) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                d.api("GET", "/api/v1/builds/" + buildId, auth, null, 200).get("state").asText().equals(state));
    }

    /** The build's downloaded report, after checking it against the report schema Drydock ships. */
    JsonNode report(String buildId, String auth) {
        java.net.http.HttpResponse<String> r = d.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(d.url() + "/api/v1/builds/" + buildId + "/report")).header("Authorization", auth).GET().build());
        if (r.statusCode() != 200) throw new AssertionError("report of " + buildId + ": " + r.statusCode() + " " + r.body());
        org.assertj.core.api.Assertions.assertThat(dev.drydock.compliance.ShippedSchema.REPORT.violations(r.body()))
                .as("report schema violations of\n" + r.body()).isEmpty();
        return parse(r.body());
    }

    private static String[] allStates() {
        return java.util.Arrays.stream(dev.drydock.platform.builds.BuildState.values()).map(Enum::name).toArray(String[]::new);
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
