package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Metrics (who may read them, what they show, that their labels are bounded), request ids (answered, logged with,
 * recorded in a build's history) and the readiness probe against real failures: a closed engine socket, a missing
 * blob directory, a closed database pool.
 */
class ObservabilityTest {
    private static final String METRICS_TOKEN = "scrape-0123456789abcdef0123456789abcdef";
    private static final long ORG = 17532;
    private static TestDrydock d;
    private static BuildFixture fixture;
    private static BuildFixture.Owner owner;
    private static Receiver receiver;

    @BeforeAll
    static void start() {
        receiver = Receiver.answering(200);
        d = BuildFixture.start(Map.of("metrics.token", METRICS_TOKEN, "token-ttl", "2h", "storage.fsync", "false",
                "webhooks.allow-private-network", "true"));
        fixture = new BuildFixture(d);
        owner = fixture.orgWithRobot(ORG);
        d.api("POST", "/api/v1/orgs/" + ORG + "/webhooks", admin(), Map.of("url", receiver.url()), 201);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
        if (receiver != null) receiver.close();
    }

    private static String admin() {
        return TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    }

    private static HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path)).GET();
        headers.forEach(b::header);
        return d.send(b.build());
    }

    @Test
    void metricsNeedTheScrapeTokenOrAnAdminOrOperator() {
        assertThat(get("/metrics", Map.of()).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", Map.of("Authorization", "Bearer wrong-" + METRICS_TOKEN)).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", Map.of("Authorization", "Bearer " + METRICS_TOKEN.substring(1))).statusCode()).isEqualTo(401);
        HttpResponse<String> robot = get("/metrics", Map.of("Authorization", owner.auth()));
        assertThat(robot.statusCode()).isEqualTo(403);
        assertThat(BuildFixture.parse(robot.body()).at("/error/code").asText()).isEqualTo("FORBIDDEN");

        HttpResponse<String> scraper = get("/metrics", Map.of("Authorization", "Bearer " + METRICS_TOKEN));
        assertThat(scraper.statusCode()).isEqualTo(200);
        assertThat(scraper.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(scraper.body()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                "process_uptime_seconds").doesNotContain(METRICS_TOKEN);
        assertThat(get("/metrics", Map.of("Authorization", admin())).statusCode()).isEqualTo(200);
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void aRequestIdIsAnsweredAndAMalformedOneReplaced() {
        String kept = get("/api/v1/me", Map.of("Authorization", admin(), "X-Request-Id", "lb-7f3a.91:2"))
                .headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(kept).isEqualTo("lb-7f3a.91:2");
        for (String bad : List.of("x".repeat(65), "has space", "<script>", "ünïcode")) {
            String answered = get("/healthz", Map.of("X-Request-Id", bad)).headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(answered).as(bad).isNotEqualTo(bad).matches("[0-9a-f-]{36}");
        }
        String generated = get("/healthz", Map.of()).headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated).matches("[0-9a-f-]{36}");
        assertThat(get("/healthz", Map.of()).headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo(generated);
    }

    /** One traced push, tested: its request id in the build's history, and what it did in the metrics. */
    @Test
    void aPushRecordsItsRequestIdInTheBuildsHistoryAndShowsInTheMetrics() {
        String engineId = fixture.registerAdapter(owner, "traced");
        String repository = ORG + "/traced";
        String token = TestImages.pushToken(d, owner.login(), owner.secret(), repository);
        TestImages.Built image = TestImages.newAdapter("amd64");
        for (TestImages.Blob blob : image.blobs()) TestImages.pushBlob(d, repository, token, blob.bytes());
        HttpResponse<String> put = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/" + repository + "/manifests/1.0"))
                .header("Authorization", "Bearer " + token).header("Content-Type", image.mediaType())
                .header("X-Request-Id", "ci-push-4711").PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest())).build());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("X-Request-Id")).hasValue("ci-push-4711");

        String id = fixture.buildId(engineId, image.digest().toString(), owner.auth());
        JsonNode build = fixture.awaitState(id, owner.auth(), "available");
        assertThat(BuildFixture.history(build, "push").getFirst().get("requestId").asText()).isEqualTo("ci-push-4711");
        assertThat(BuildFixture.history(build, "fetch").getFirst().get("requestId").isNull())
                .as("Drydock's own moves come from no request").isTrue();
        HttpResponse<String> submit = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/builds/" + id + "/actions"))
                .header("Authorization", owner.auth()).header("Content-Type", "application/json").header("X-Request-Id", "ui-submit-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"submit\"}")).build());
        assertThat(submit.statusCode()).as(submit.body()).isEqualTo(200);
        assertThat(BuildFixture.history(fixture.build(id, owner.auth()), "submit").getFirst().get("requestId").asText())
                .isEqualTo("ui-submit-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> value(get("/metrics", Map.of("Authorization", admin())).body(),
                "drydock_webhook_deliveries_total{outcome=\"delivered\"}") >= 1);
        String text = get("/metrics", Map.of("Authorization", "Bearer " + METRICS_TOKEN)).body();
        assertThat(value(text, "drydock_builds_tested_total{state=\"available\"}")).isGreaterThanOrEqualTo(1);
        assertThat(text).contains("drydock_builds_tested_total{state=\"invalid\"}");
        assertThat(value(text, "drydock_check_verdicts_total{check=\"manifest.present\",verdict=\"passed\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "drydock_check_duration_seconds_count{check=\"image.filesystem\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(text, "drydock_http_requests_seconds_count{method=\"POST\",route=\"/v2/{name}/blobs/uploads/\",status=\"2xx\"}"))
                .isGreaterThanOrEqualTo(2);
        assertThat(value(text, "drydock_http_requests_seconds_count{method=\"PUT\",route=\"/v2/{name}/manifests/{reference}\",status=\"2xx\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(text, "drydock_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/builds/{buildId}\",status=\"2xx\"}"))
                .isGreaterThanOrEqualTo(1);
        long blobBytes = image.blobs().stream().mapToLong(b -> b.bytes().length).sum();
        assertThat(value(text, "drydock_registry_blob_bytes_total{direction=\"in\"}")).isGreaterThanOrEqualTo(blobBytes);
        assertThat(text).contains("drydock_registry_blob_bytes_total{direction=\"out\"}", "drydock_registry_upload_sessions 0.0",
                "drydock_jobs_queued ", "drydock_jobs_oldest_due_age_seconds ", "drydock_tests_running ",
                "drydock_webhook_deliveries_total{outcome=\"gave_up\"} 0.0");
        // no organization, repository, build id, request id or digest is ever a label value
        for (String line : text.lines().filter(l -> l.startsWith("drydock_") && l.contains("{")).toList()) {
            String labels = line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1);
            assertThat(labels).as(line).doesNotContain(String.valueOf(ORG), "traced", id, "sha256", "ci-push", "ui-submit");
        }
    }

    @Test
    void probesAnswerJsonNamingEachDependency() throws IOException {
        HttpResponse<String> live = get("/healthz", Map.of());
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(live.body()).get("status").asText()).isEqualTo("alive");
        HttpResponse<String> ready = get("/readyz", Map.of());
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode body = Json.MAPPER.readTree(ready.body());
        assertThat(body.get("status").asText()).isEqualTo("ready");
        // this node tests nothing in a sandbox (sandbox.engine=none): no engine to ask
        assertThat(body.get("checks")).hasToString("{\"database\":\"up\",\"blobStorage\":\"up\"}");
    }

    @Test
    void notReadyWhileTheEngineTheBlobStorageOrTheDatabaseIsDown() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once closed
        }
        try (TestDrydock node = TestDrydock.start(Map.of("worker.concurrency", "1", "sandbox.engine", "tcp://127.0.0.1:" + closed))) {
            HttpResponse<String> r = node.send(HttpRequest.newBuilder(URI.create(node.url() + "/readyz")).GET().build());
            assertThat(r.statusCode()).isEqualTo(503);
            // sandbox.host-fence is on: whether this machine lets it fence runs (root, iptables) is checked too
            String fence = dev.drydock.sandbox.NetworkFence.unavailableReason() == null ? "up" : "down";
            assertThat(Json.MAPPER.readTree(r.body()).toString())
                    .isEqualTo("{\"status\":\"unavailable\",\"checks\":{\"database\":\"up\",\"blobStorage\":\"up\",\"containerEngine\":\"down\","
                            + "\"sandboxFence\":\"" + fence + "\"}}");
            assertThat(r.body()).doesNotContain(String.valueOf(closed), "127.0.0.1");

            Path blobs = node.dataDir().resolve("storage/blobs");
            Files.move(blobs, node.dataDir().resolve("storage/blobs-away"));
            r = node.send(HttpRequest.newBuilder(URI.create(node.url() + "/readyz")).GET().build());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(r.body()).get("checks").get("blobStorage").asText()).isEqualTo("down");
            assertThat(r.body()).doesNotContain(node.dataDir().toString());
            Files.move(node.dataDir().resolve("storage/blobs-away"), blobs);

            node.server().database().close();
            r = node.send(HttpRequest.newBuilder(URI.create(node.url() + "/readyz")).GET().build());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(Json.MAPPER.readTree(r.body()).get("checks").get("database").asText()).isEqualTo("down");
            assertThat(node.send(HttpRequest.newBuilder(URI.create(node.url() + "/healthz")).GET().build()).statusCode())
                    .as("alive all along").isEqualTo(200);
        }
    }

    @Test
    void badObservabilitySettingsNameTheirKey() {
        assertThatThrownBy(() -> load(Map.of("log.format", "xml")))
                .isInstanceOf(DrydockConfig.InvalidConfig.class).hasMessageContaining("log.format must be text or json, got 'xml'");
        assertThatThrownBy(() -> load(Map.of("metrics.token", "short-secret")))
                .isInstanceOf(DrydockConfig.InvalidConfig.class).hasMessageContaining("metrics.token must be 32-512 characters")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> load(Map.of("shutdown.grace", "soon")))
                .isInstanceOf(DrydockConfig.InvalidConfig.class).hasMessageContaining("shutdown.grace");
        DrydockConfig json = load(Map.of("log.format", "JSON", "metrics.token", METRICS_TOKEN, "shutdown.grace", "5s"));
        assertThat(json.observability().jsonLogs()).isTrue();
        assertThat(json.observability().shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(json.toString()).doesNotContain(METRICS_TOKEN);
        DrydockConfig defaults = load(Map.of());
        assertThat(defaults.observability().jsonLogs()).isFalse();
        assertThat(defaults.observability().metricsToken()).isNull();
        assertThat(defaults.observability().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    private static DrydockConfig load(Map<String, String> flags) {
        Map<String, String> all = new java.util.HashMap<>(flags);
        all.put("data", d.dataDir().resolve("config-test").toString());
        return DrydockConfig.load(null, Map.of(), all);
    }
}
