package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.oci.Digest;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.Json;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to a real server process ({@link ShutdownChild}): it stops accepting connections at once, an upload in
 * flight still completes, the build test in flight is handed back (its job due again at once, not after its lease),
 * and the process exits. The same run checks the JSON log lines: each parses, and a request's lines carry its
 * request id, which the build's history records for the push.
 */
class GracefulShutdownTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long ORG = 17532;
    static final String METRICS_TOKEN = "sigterm-test-scrape-token-0123456789";
    private final long started = System.nanoTime();

    @Test
    void sigtermDrainsAnUploadHandsTheTestBackAndLogsJson() throws Exception {
        Path data = Files.createTempDirectory("drydock-sigterm");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ShutdownChild.class.getName(), data.toString()).start();
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        List<String> outLines = new CopyOnWriteArrayList<>();
        List<String> errLines = new CopyOnWriteArrayList<>();
        Thread outReader = read(child.getInputStream(), line -> {
            outLines.add(line);
            out.add(line);
        });
        Thread errReader = read(child.getErrorStream(), errLines::add);
        CountDownLatch release = new CountDownLatch(1);
        StorageAssembly storage = null;
        try {
            int port = Integer.parseInt(expect(out, "PORT ", outLines));
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
            String buildId = expect(out, "TESTING ", outLines);
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
            outReader.join(5000);
            errReader.join(5000);

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
            errReader.join(5000);
            throw new AssertionError(e.getMessage() + "\nchild stdout:\n" + String.join("\n", outLines)
                    + "\nchild stderr:\n" + String.join("\n", errLines), e);
        } finally {
            release.countDown();
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
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

    private static Thread read(InputStream stream, java.util.function.Consumer<String> sink) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) sink.accept(line);
            } catch (IOException ignored) {
                // the child ended
            }
        });
    }

    /** Waits for a line starting with {@code prefix}; returns the rest. */
    private static String expect(BlockingQueue<String> lines, String prefix, List<String> output) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) return line.substring(prefix.length()).trim();
        }
        throw new AssertionError("the child never printed " + prefix + "; output:\n" + String.join("\n", output));
    }

    /** An API call (JSON body or text, as a JSON string node), asserting the status. */
    private static JsonNode call(String url, String method, String path, String auth, Object body, int status) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
            if (auth != null) b.header("Authorization", auth);
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != status) throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
            return r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                    ? Json.MAPPER.readTree(r.body()) : Json.MAPPER.getNodeFactory().textNode(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
