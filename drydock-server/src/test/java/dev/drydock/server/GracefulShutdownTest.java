package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.oci.Digest;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.drydock.server.ChildJvm.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to a real server process ({@link ShutdownChild}): it stops accepting connections at once, an upload in
 * flight still completes, the build test in flight is handed back (its job due again at once, not after its lease),
 * and the process exits. The same run checks the JSON log lines: each parses, and a request's lines carry its
 * request id, which the build's history records for the push.
 */
class GracefulShutdownTest {
    private static final Duration WAIT = ChildJvm.WAIT;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long ORG = 17532;
    static final String METRICS_TOKEN = "sigterm-test-scrape-token-0123456789";
    private final long started = System.nanoTime();

    @Test
    void sigtermDrainsAnUploadHandsTheTestBackAndLogsJson() throws Exception {
        Path data = Files.createTempDirectory("drydock-sigterm");
        ChildJvm jvm = ChildJvm.start(ShutdownChild.class, "256m", data.toString());
        Process child = jvm.process();
        List<String> errLines = jvm.stderr();
        CountDownLatch release = new CountDownLatch(1);
        StorageAssembly storage = null;
        try {
            int port = Integer.parseInt(jvm.expect("PORT "));
            String url = "http://127.0.0.1:" + port;
            mark("child listening");
            // one password check: Basic credentials would hash the password on every call
            String admin = "Bearer " + call(url, "POST", "/api/v1/login", null,
                    Map.of("email", TestDrydock.ADMIN_EMAIL, "password", TestDrydock.ADMIN_PASSWORD), 200).get("token").asText();
            call(url, "POST", "/api/v1/orgs", admin, Map.of("id", ORG, "name", "Acme"), 201);
            String robot = ORG + "+ci";
            String robotToken = call(url, "POST", "/api/v1/orgs/" + ORG + "/robots", admin, Map.of("name", "ci"), 201).get("token").asText();
            String repository = ORG + "/drained";
            call(url, "POST", "/api/v1/orgs/" + ORG + "/adapters", TestDrydock.basic(robot, robotToken),
                    Map.of("name", "drained", "category", "pull", "deploymentModel", "HumanReview", "engineMode", "batch"), 201);
            TestImages.push(url, robot, robotToken, repository, TestImages.newAdapter("amd64"), "1.0");
            String buildId = jvm.expect("TESTING ");
            mark("pushed, testing");

            // a request whose handling logs a line: a registry call with a token that is not one
            HttpResponse<String> rejected = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v2/"))
                    .header("Authorization", "Bearer not-a-token").header("X-Request-Id", "json-log-check-1").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(rejected.statusCode()).isEqualTo(401);

            // an upload that streams half its bytes, then waits: in flight when SIGTERM comes
            byte[] blob = new byte[4 << 20];
            ThreadLocalRandom.current().nextBytes(blob);
            String token = registryToken(url, robot, robotToken, repository);
            CompletableFuture<HttpResponse<String>> upload = HTTP.sendAsync(HttpRequest.newBuilder(
                            URI.create(url + "/v2/" + repository + "/blobs/uploads/?digest=" + Digest.sha256(blob)))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new HeldBack(blob, release))).build(),
                    HttpResponse.BodyHandlers.ofString());
            await("the upload streams").atMost(WAIT).until(() -> call(url, "GET", "/metrics", "Bearer " + METRICS_TOKEN, null, 200)
                    .toString().contains("drydock_registry_upload_sessions 1.0"));
            mark("upload in flight");

            child.destroy(); // SIGTERM: the shutdown hook of drydock serve
            await("new connections refused").atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> refused(port));
            assertThat(upload).as("the upload is still in flight").isNotDone();
            release.countDown();
            HttpResponse<String> uploaded = upload.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the process exits").isTrue();
            assertThat(child.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the hooks ran
            mark("child exited");
            jvm.awaitOutputEnd();

            // JSON logs: every line parses; the request's lines carry its id
            List<JsonNode> logs = new ArrayList<>();
            for (String line : errLines) {
                if (line.startsWith("WARNING: ")) continue; // the JVM's own notices (restricted methods), not Drydock's
                logs.add(Json.MAPPER.readTree(line));
            }
            assertThat(logs).isNotEmpty().allSatisfy(l -> assertThat(l.has("level") && l.has("loggerName")
                    && l.has("formattedMessage") && l.has("timestamp")).as(l.toString()).isTrue());
            assertThat(logs).anySatisfy(l -> {
                assertThat(l.at("/mdc/requestId").asText()).isEqualTo("json-log-check-1");
                assertThat(l.get("formattedMessage").asText()).startsWith("rejected token");
            });
            JsonNode created = logs.stream().filter(l -> l.get("formattedMessage").asText().startsWith("build " + buildId + " created"))
                    .findFirst().orElseThrow(() -> new AssertionError("no log line of the push creating the build"));
            String pushRequest = created.at("/mdc/requestId").asText();
            assertThat(pushRequest).matches("[0-9a-f-]{36}");
            assertThat(String.join("\n", errLines)).doesNotContain("did not stop within", "failed to stop");

            // what the process left in its data (opened without a server): the test handed back, the upload stored
            storage = StorageAssembly.open(DrydockConfig.load(null, Map.of(), Map.of("data", data.toString())));
            var jdbi = storage.database().jdbi();
            Map<String, Object> job = jdbi.withHandle(h -> h.createQuery(
                    "select state, lease_owner, run_after from jobs where build_id = ?").bind(0, buildId).mapToMap().one());
            assertThat(job.get("state")).isEqualTo("queued");
            assertThat(job.get("lease_owner")).isNull();
            assertThat(((OffsetDateTime) job.get("run_after")).toInstant()).as("due at once, not when the 60 s lease ends")
                    .isBefore(Instant.now());
            String state = jdbi.withHandle(h -> h.createQuery("select state from builds where id = ?").bind(0, buildId)
                    .mapTo(String.class).one());
            assertThat(state).isEqualTo("fetching");
            String recorded = jdbi.withHandle(h -> h.createQuery(
                    "select request_id from build_history where build_id = ? and action = 'push'").bind(0, buildId).mapTo(String.class).one());
            assertThat(recorded).as("the push's request id").isEqualTo(pushRequest);
            assertThat(storage.blobStore().size(Digest.sha256(blob))).hasValue((long) blob.length);
            mark("checked");
        } catch (AssertionError | RuntimeException e) {
            release.countDown();
            child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS); // its log to the end
            jvm.awaitOutputEnd();
            throw new AssertionError(e.getMessage() + "\n" + jvm.output(), e);
        } finally {
            release.countDown();
            jvm.close();
            if (storage != null) storage.database().close();
            try (var paths = Files.walk(data)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Half the bytes at once, the rest once {@code release} opens. */
    private static final class HeldBack extends InputStream {
        private final byte[] bytes;
        private final CountDownLatch release;
        private int position;

        HeldBack(byte[] bytes, CountDownLatch release) {
            this.bytes = bytes;
            this.release = release;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= bytes.length) return -1;
            if (position >= bytes.length / 2) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            int limit = position < bytes.length / 2 ? bytes.length / 2 : bytes.length;
            int n = Math.min(len, limit - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }
    }

    /** Where the time went (the test's output file): the child's start dominates. */
    private void mark(String phase) {
        System.out.printf("%6d ms %s%n", (System.nanoTime() - started) / 1_000_000, phase);
    }

    private static boolean refused(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String registryToken(String url, String user, String password, String repository) throws Exception {
        String scope = URLEncoder.encode("repository:" + repository + ":pull,push", StandardCharsets.UTF_8);
        return call(url, "GET", "/auth/token?service=drydock&scope=" + scope, TestDrydock.basic(user, password), null, 200)
                .get("token").asText();
    }
}
