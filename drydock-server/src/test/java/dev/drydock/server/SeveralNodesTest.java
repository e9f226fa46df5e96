package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.oci.Digest;
import dev.drydock.server.http.Json;
import dev.drydock.testkit.S3Server;
import dev.drydock.testkit.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.drydock.server.ChildJvm.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several Drydock processes on one PostgreSQL database (embedded, {@link TestPostgres}) and one S3 bucket (s3proxy in
 * this JVM): two nodes started as {@code drydock serve --role api} and a worker ({@code role=worker} in its file). A
 * chunked upload begun on node A is finished on node B; images pull through either; the build pushed through A is
 * tested once, by the worker, and an event stream opened on B sees each of its moves; each webhook event is delivered
 * once though both API nodes deliver. Then the worker is killed with SIGKILL mid-test, and a worker started after it
 * takes the job over once its lease ran out and finishes the build.
 */
class SeveralNodesTest {
    private static final Duration WAIT = ChildJvm.WAIT;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long ORG = 17532;
    private static final String BUCKET = "drydock-nodes";
    private static final Pattern LISTENING = Pattern.compile("Drydock listening on 127\\.0\\.0\\.1:(\\d+) as role (\\w+)");
    private final long started = System.nanoTime();
    private final List<ChildJvm> children = new ArrayList<>();

    @Test
    void twoApiNodesAndAWorkerShareOneDatabaseAndOneBucket() throws Exception {
        Path dir = Files.createTempDirectory("drydock-nodes");
        TestPostgres.Db db = TestPostgres.freshDatabase();
        mark("PostgreSQL");
        try (S3Server s3 = S3Server.start(); Receiver receiver = Receiver.answering(204)) {
            s3.createBucket(BUCKET);
            mark("S3");
            Path common = write(dir.resolve("node.properties"), settings(db, s3));
            Path first = write(dir.resolve("first.properties"), settings(db, s3) + "admin.email=" + TestDrydock.ADMIN_EMAIL
                    + "\nadmin.password=" + TestDrydock.ADMIN_PASSWORD + "\n");
            Path worker = write(dir.resolve("worker.properties"), settings(db, s3) + "role=worker\n");
            String held = ORG + "/held";
            // only A creates the admin; all three migrate the empty database at once (Flyway's lock orders them)
            ChildJvm nodeA = start(Main.class, "serve", "--role", "api", "--config", first.toString(), "--data", dir.resolve("a").toString());
            ChildJvm nodeB = start(Main.class, "serve", "--role", "api", "--config", common.toString(), "--data", dir.resolve("b").toString());
            ChildJvm worker1 = start(HeldWorkerChild.class, worker.toString(), dir.resolve("w1").toString(), held);
            String a = "http://127.0.0.1:" + port(nodeA, "api");
            String b = "http://127.0.0.1:" + port(nodeB, "api");
            String w1 = "http://127.0.0.1:" + worker1.expect("PORT ");
            mark("three nodes listening");

            // a worker serves only its probes and metrics
            call(w1, "GET", "/healthz", null, null, 200);
            assertThat(call(w1, "GET", "/readyz", null, null, 200).toString()).contains("\"database\":\"up\"", "\"blobStorage\":\"up\"");
            assertThat(call(w1, "GET", "/api/v1/me", null, null, 404).at("/error/message").asText())
                    .contains("role=worker", "/healthz, /metrics, /readyz", "send GET /api/v1/me to an API node");
            call(w1, "GET", "/v2/", null, null, 404);

            String admin = "Bearer " + call(a, "POST", "/api/v1/login", null,
                    Map.of("email", TestDrydock.ADMIN_EMAIL, "password", TestDrydock.ADMIN_PASSWORD), 200).get("token").asText();
            call(a, "POST", "/api/v1/orgs", admin, Map.of("id", ORG, "name", "Acme"), 201);
            String robot = ORG + "+ci";
            String robotToken = call(a, "POST", "/api/v1/orgs/" + ORG + "/robots", admin, Map.of("name", "ci"), 201).get("token").asText();
            String robotAuth = TestDrydock.basic(robot, robotToken);
            String engineId = call(b, "POST", "/api/v1/orgs/" + ORG + "/adapters", robotAuth, adapter("pulled"), 201)
                    .get("engineId").asText();
            call(a, "POST", "/api/v1/orgs/" + ORG + "/adapters", robotAuth, adapter("held"), 201);
            call(b, "POST", "/api/v1/orgs/" + ORG + "/webhooks", admin, Map.of("url", receiver.url()), 201);

            // a chunked upload begun on A, continued and finished on B
            String repository = ORG + "/pulled";
            String pushToken = registryToken(a, robot, robotToken, repository, "pull,push");
            byte[] blob = new byte[3 << 20];
            ThreadLocalRandom.current().nextBytes(blob);
            int half = blob.length / 2;
            HttpResponse<String> begun = send(registry(a + "/v2/" + repository + "/blobs/uploads/", pushToken)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), 202);
            HttpResponse<String> chunk = send(registry(a + location(begun), pushToken).header("Content-Range", "0-" + (half - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 0, half))).build(), 202);
            chunk = send(registry(b + location(chunk), pushToken).header("Content-Range", half + "-" + (blob.length - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, half, blob.length))).build(), 202);
            String digest = Digest.sha256(blob).toString();
            send(registry(b + location(chunk) + (location(chunk).contains("?") ? "&" : "?") + "digest=" + digest, pushToken)
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), 201);
            for (String node : List.of(a, b)) {
                HttpResponse<byte[]> pulled = HTTP.send(registry(node + "/v2/" + repository + "/blobs/" + digest, pushToken).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(pulled.statusCode()).isEqualTo(200);
                assertThat(pulled.body()).as("the blob through " + node).isEqualTo(blob);
            }
            mark("chunked upload across nodes");

            // B's stream of the adapter, open before the push through A: every move it shows was made on another node
            List<String> eventsOnB = new CopyOnWriteArrayList<>();
            List<Long> lagMillis = new CopyOnWriteArrayList<>();
            HttpResponse<Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(URI.create(b + "/api/v1/adapters/" + engineId
                    + "/events")).header("Authorization", robotAuth).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.statusCode()).isEqualTo(200);
            Thread reader = Thread.ofVirtual().start(() -> stream.body().forEach(line -> {
                if (!line.startsWith("data: ")) return;
                JsonNode event = json(line.substring(6));
                lagMillis.add(Duration.between(Instant.parse(event.get("at").asText()), Instant.now()).toMillis());
                eventsOnB.add(event.get("buildId").asText() + " " + event.get("to").asText());
            }));
            TestImages.Built image = TestImages.newAdapter("amd64");
            TestImages.push(a, robot, robotToken, repository, image, "1.0");
            String buildId = call(a, "GET", "/api/v1/adapters/" + engineId + "/builds", robotAuth, null, 200)
                    .findValue("id").asText();
            await("B's stream shows the verdict").atMost(WAIT).until(() -> eventsOnB.contains(buildId + " available"));
            assertThat(eventsOnB).containsExactly(buildId + " pending", buildId + " fetching", buildId + " available");
            mark("tested; B's stream heard each move, " + lagMillis + " ms after it was made");
            JsonNode build = call(b, "GET", "/api/v1/builds/" + buildId, robotAuth, null, 200);
            assertThat(build.get("state").asText()).isEqualTo("available");
            assertThat(actions(build)).containsExactly("push", "fetch", "tested");
            Jdbi jdbi = Jdbi.create(db.url(), db.user(), db.password());
            int attempts = jdbi.withHandle(h -> h.createQuery("select attempts from jobs where build_id = ?").bind(0, buildId)
                    .mapTo(Integer.class).one());
            assertThat(attempts).as("claimed once").isEqualTo(1);

            // the image pulls through either node, with a token from either
            String pullToken = registryToken(b, robot, robotToken, repository, "pull");
            for (String node : List.of(a, b)) {
                HttpResponse<byte[]> manifest = HTTP.send(registry(node + "/v2/" + repository + "/manifests/1.0", pullToken)
                        .header("Accept", TestImages.OCI_MANIFEST).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(manifest.statusCode()).isEqualTo(200);
                assertThat(manifest.body()).isEqualTo(image.manifest());
            }

            // a worker killed mid-test: the next worker takes its job over once the lease ran out
            TestImages.push(b, robot, robotToken, held, TestImages.adapter("held layer"), "1.0");
            String heldBuild = worker1.expect("TESTING ");
            worker1.process().destroyForcibly(); // SIGKILL: no shutdown hook hands the job back
            assertThat(worker1.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            mark("worker killed mid-test");
            ChildJvm worker2 = start(Main.class, "serve", "--role", "worker", "--config", common.toString(),
                    "--data", dir.resolve("w2").toString());
            port(worker2, "worker");
            await("the second worker finishes the build").atMost(WAIT).until(() ->
                    call(a, "GET", "/api/v1/builds/" + heldBuild, robotAuth, null, 200).get("state").asText().equals("available"));
            assertThat(actions(call(a, "GET", "/api/v1/builds/" + heldBuild, robotAuth, null, 200)))
                    .containsExactly("push", "fetch", "fetch", "tested");
            mark("the second worker took over");

            // every webhook event delivered once, though both API nodes deliver
            await("the outbox is empty").atMost(WAIT).until(() -> jdbi.withHandle(h -> h.createQuery(
                    "select count(*) from webhook_outbox").mapTo(Integer.class).one()) == 0);
            List<String> ids = receiver.requests.stream().map(r -> json(r.bodyText()).get("id").asText()).toList();
            assertThat(new HashSet<>(ids)).as("no event twice").hasSameSizeAs(ids);
            assertThat(receiver.requests.stream().filter(r -> r.bodyText().contains(buildId))).hasSize(3);
            assertThat(receiver.requests.stream().filter(r -> r.bodyText().contains(heldBuild))).hasSize(4);
            mark("webhooks checked");
            reader.interrupt();
        } catch (AssertionError | RuntimeException e) {
            StringBuilder logs = new StringBuilder();
            for (ChildJvm child : children) logs.append("\n").append(child.output());
            throw new AssertionError(e.getMessage() + logs, e);
        } finally {
            for (ChildJvm child : children) child.close();
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What every node shares: the database and the bucket; fast retries, short leases, no sandbox run. */
    private static String settings(TestPostgres.Db db, S3Server s3) {
        return String.join("\n",
                "bind=127.0.0.1", "port=0", "db.url=" + db.url(), "db.user=" + db.user(), "db.password=" + db.password(),
                "db.pool-size=4", "storage.type=s3", "storage.s3.endpoint=" + s3.endpoint(), "storage.s3.bucket=" + BUCKET,
                "storage.s3.access-key=" + S3Server.ACCESS_KEY, "storage.s3.secret-key=" + S3Server.SECRET_KEY,
                "storage.s3.path-style=true", "sandbox.engine=none", "worker.lease=3s", "token-ttl=2h",
                "webhooks.allow-private-network=true", "webhooks.retry-base=100ms", "webhooks.retry-cap=400ms",
                // Delivery is at least once: on a starved CPU a receiver answering after the request timeout gets the
                // event again (seen once at load 15). A long timeout keeps "no event twice" about what this test is
                // for: two nodes never claiming one row.
                "webhooks.request-timeout=60s", "") + "\n";
    }

    private ChildJvm start(Class<?> main, String... args) throws java.io.IOException {
        ChildJvm child = ChildJvm.start(main, "256m", args);
        children.add(child);
        return child;
    }

    /** The port a {@code drydock serve} child logged it listens on, with the role it logged. */
    private static int port(ChildJvm child, String role) {
        AtomicInteger port = new AtomicInteger();
        await("listening").atMost(WAIT).until(() -> {
            for (String line : child.stderr()) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    assertThat(m.group(2)).isEqualTo(role);
                    port.set(Integer.parseInt(m.group(1)));
                    return true;
                }
            }
            if (!child.process().isAlive()) throw new AssertionError("the node exited: " + child.output());
            return false;
        });
        return port.get();
    }

    private static Map<String, String> adapter(String name) {
        return Map.of("name", name, "category", "pull", "deploymentModel", "HumanReview", "engineMode", "batch");
    }

    private static List<String> actions(JsonNode build) {
        List<String> actions = new ArrayList<>();
        build.get("history").forEach(h -> actions.add(h.get("action").asText()));
        return actions;
    }

    private static String registryToken(String url, String user, String password, String repository, String actions) {
        String scope = URLEncoder.encode("repository:" + repository + ":" + actions, StandardCharsets.UTF_8);
        return call(url, "GET", "/auth/token?service=drydock&scope=" + scope, TestDrydock.basic(user, password), null, 200)
                .get("token").asText();
    }

    private static HttpRequest.Builder registry(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream");
    }

    private static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static HttpResponse<String> send(HttpRequest request, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(request.method() + " " + request.uri() + ": " + r.body()).isEqualTo(status);
        return r;
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path write(Path file, String content) throws java.io.IOException {
        return Files.writeString(file, content);
    }

    private void mark(String phase) {
        System.out.printf("%6d ms %s%n", (System.nanoTime() - started) / 1_000_000, phase);
    }
}
