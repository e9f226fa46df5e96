package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.oci.Digest;
import dev.drydock.registry.storage.FilesystemBlobStore;
import dev.drydock.server.http.Json;
import dev.drydock.testkit.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static dev.drydock.server.ChildJvm.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash consistency: a Drydock in its own JVM ({@link CrashChild}) is killed with SIGKILL at seeded random points
 * while it takes chunked blob uploads, manifest pushes, deletions that its garbage collection (running every 100 ms)
 * frees, and tests builds with the real pipeline, while it delivers webhooks to a local receiver; on H2 and on
 * PostgreSQL. After every kill, before the next start, every blob in the store must match its digest; after every
 * start, every acknowledged push is pullable byte-exact, no stored manifest references a missing blob, and the
 * upload cut off mid-PATCH resumes from the offset the registry reports. At the end no build is left pending or
 * fetching, no job open, and every event of every build's history reached the receiver.
 *
 * <p>CI: {@value #DEFAULT_KILLS} kills per database, one during each {@link Kind} (a kill costs ~9 s: a child JVM restart
 * and a full verification; the H2 defect it found is pinned down by {@code EmbeddedDurabilityTest}, so the suite need not hunt for it).
 * A campaign: {@code -Ddrydock.crash.kills=100}; replay a run with the
 * seed it printed: {@code -Ddrydock.crash.seed=<seed>} (the points are seeded; the process's timing is not).
 */
class CrashConsistencyTest {
    static final int DEFAULT_KILLS = 4;
    private static final int KILLS = Integer.getInteger("drydock.crash.kills", DEFAULT_KILLS);
    private static final long ORG = 17532;
    private static final String ADAPTER = "crashy";
    private static final String REPO = ORG + "/" + ADAPTER;
    private static final String ROBOT = ORG + "+ci";
    private static final String OCTET = "application/octet-stream";
    private static final int CHUNK = 256 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Set<String> TRANSIENT = Set.of("pending", "fetching");
    private static final Map<String, String> SETTINGS = Map.of(
            "registry.require-adapter", "true",
            "worker.lease", "2s",
            "token-ttl", "2h",
            "gc.interval", "100ms",
            "gc.grace", "1s",
            "webhooks.allow-private-network", "true",
            "webhooks.retry-base", "100ms",
            "webhooks.retry-cap", "400ms",
            "webhooks.max-attempts", "100");

    enum Kind { UPLOAD, MANIFEST, GC, BUILD }

    /**
     * Found a defect of H2 (2.2.220 to 2.5.252): after a SIGKILL its start dropped commits that were acknowledged and
     * in the file — an upload session answered 202 ("upload … unknown" after the restart, its bytes in the store, its
     * row gone) and a manifest answered 201 (404 after the restart). H2 had written them; the file header it rewrites
     * when a chunk lands in reused space named the chunk before, so its start never found the newest one.
     * {@code Database.open} now recovers them first ({@code H2Recovery}); {@code EmbeddedDurabilityTest} pins it down
     * in the platform module. Seeds that had failed: 46092443045387, 46673179759827, 47000492964170, 47246834774886.
     */
    @Test
    void killsOnH2() throws Exception {
        new Run("h2", Map.of()).go();
    }

    @Test
    void killsOnPostgresql() throws Exception {
        TestPostgres.Db db = TestPostgres.freshDatabase();
        new Run("postgresql", Map.of("db.url", db.url(), "db.user", db.user(), "db.password", db.password())).go();
    }

    /** One image pushed and acknowledged (201 on its manifest). */
    private record Pushed(String tag, TestImages.Built image) {}

    /** An upload whose PATCH was cut off by a kill: where it lives and what it was to contain. */
    private record Interrupted(String location, byte[] content) {}

    private static final class Run {
        final String database;
        final Map<String, String> settings = new HashMap<>(SETTINGS);
        final long seed = Long.getLong("drydock.crash.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path data;
        final List<Pushed> acknowledged = Collections.synchronizedList(new ArrayList<>());
        final Set<String> deletedTags = ConcurrentHashMap.newKeySet();
        final AtomicInteger pushes = new AtomicInteger();
        final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        int blobsVerified;
        int manifestsVerified;
        int uploadsResumed;
        int recoveries; // starts whose database H2 alone would have opened without its last commits
        ChildJvm child;
        String url;
        String admin;
        String registryToken;
        String deleteToken;
        String engineId;

        Run(String database, Map<String, String> db) throws IOException {
            this.database = database;
            settings.putAll(db);
            data = Files.createTempDirectory("drydock-crash");
        }

        void go() throws Exception {
            System.out.println("CrashConsistencyTest on " + database + ": seed " + seed + " (-Ddrydock.crash.seed=" + seed
                    + "), " + KILLS + " kills");
            long started = System.nanoTime();
            List<Kind> kinds = new ArrayList<>();
            for (int i = 0; i < KILLS; i++) kinds.add(Kind.values()[i % Kind.values().length]);
            Collections.shuffle(kinds, random);
            try (Receiver receiver = Receiver.answering(204)) {
                start();
                setUp(receiver);
                for (Kind kind : kinds) {
                    Interrupted cut = killDuring(kind);
                    verifyStore();
                    start();
                    verifyRegistry();
                    if (cut != null) resume(cut);
                }
                child.close();
                verifyStore();
                finish(receiver);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(database + ", seed " + seed + ": " + e.getMessage()
                        + (child == null ? "" : "\n" + child.output()), e);
            } finally {
                if (child != null) child.close();
                deleteData();
            }
            System.out.printf("CrashConsistencyTest on %s: %d kills (%s), %d blob digests and %d manifests verified, "
                            + "%d cut-off uploads resumed, %d pushes, %d starts recovered commits H2 alone would drop, "
                            + "%.1f s%n", database, KILLS, kinds, blobsVerified, manifestsVerified, uploadsResumed,
                    pushes.get(), recoveries, (System.nanoTime() - started) / 1e9);
        }

        void start() throws IOException, InterruptedException {
            List<String> args = new ArrayList<>(List.of(data.toString()));
            settings.forEach((k, v) -> args.add(k + "=" + v));
            child = ChildJvm.start(CrashChild.class, "256m", args.toArray(String[]::new));
            url = "http://127.0.0.1:" + child.expect("PORT ");
        }

        /** An organization, its robot and adapter, and a webhook to the receiver; tokens that outlive restarts. */
        void setUp(Receiver receiver) {
            admin = "Bearer " + call(url, "POST", "/api/v1/login", null,
                    Map.of("email", TestDrydock.ADMIN_EMAIL, "password", TestDrydock.ADMIN_PASSWORD), 200).get("token").asText();
            call(url, "POST", "/api/v1/orgs", admin, Map.of("id", ORG, "name", "Acme"), 201);
            String robot = call(url, "POST", "/api/v1/orgs/" + ORG + "/robots", admin, Map.of("name", "ci"), 201).get("token").asText();
            engineId = call(url, "POST", "/api/v1/orgs/" + ORG + "/adapters", TestDrydock.basic(ROBOT, robot),
                    Map.of("name", ADAPTER, "category", "pull", "deploymentModel", "HumanReview", "engineMode", "batch"), 201)
                    .get("engineId").asText();
            call(url, "POST", "/api/v1/orgs/" + ORG + "/webhooks", admin, Map.of("url", receiver.url()), 201);
            String scope = URLEncoder.encode("repository:" + REPO + ":pull,push,delete", StandardCharsets.UTF_8);
            registryToken = "Bearer " + call(url, "GET", "/auth/token?service=drydock&scope=" + scope,
                    TestDrydock.basic(ROBOT, robot), null, 200).get("token").asText();
            // deleting from a repository takes an admin of the organization (or the platform)
            deleteToken = "Bearer " + call(url, "GET", "/auth/token?service=drydock&scope=" + scope,
                    TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD), null, 200).get("token").asText();
        }

        // ------------------------------------------------------------ the work a kill interrupts

        /** Runs pushes (and deletions for the collector) until the kill, aimed at {@code kind}; returns a cut-off upload. */
        Interrupted killDuring(Kind kind) throws Exception {
            AtomicBoolean killed = new AtomicBoolean();
            CountDownLatch aim = new CountDownLatch(1);
            int manifestToAim = pushes.get() + 1 + random.nextInt(3);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Thread pusher = Thread.ofVirtual().start(() -> {
                try {
                    while (!killed.get()) {
                        int n = pushes.incrementAndGet();
                        TestImages.Built image = TestImages.adapter("crash image " + n + " " + seed);
                        for (TestImages.Blob blob : image.blobs()) pushBlob(http, blob.bytes());
                        if (kind == Kind.MANIFEST && n >= manifestToAim) aim.countDown();
                        String tag = "t" + n;
                        if (putManifest(http, tag, image) == 201) acknowledged.add(new Pushed(tag, image));
                        if (n % 3 == 0) deleteOne(http); // garbage for the collector
                    }
                } catch (Throwable e) {
                    if (!killed.get()) failures.add(e); // else the server died under the request
                }
            });
            Interrupted[] cut = {null};
            // drawn here, not in the uploader's thread, so that the seed alone decides them
            byte[] content = new byte[CHUNK * (2 + random.nextInt(6)) + random.nextInt(CHUNK)];
            random.nextBytes(content);
            int whole = random.nextInt(content.length / CHUNK);
            Thread uploader = kind != Kind.UPLOAD ? null : Thread.ofVirtual().start(() -> {
                try {
                    cut[0] = uploadUntilCut(http, aim, content, whole);
                } catch (Throwable e) {
                    failures.add(e);
                    aim.countDown();
                }
            });
            // The random point: how long after the aimed-at moment the process dies.
            long delayMicros = switch (kind) {
                case UPLOAD -> {
                    awaitAim(aim, pusher);
                    yield random.nextInt(20_000);
                }
                case MANIFEST -> {
                    awaitAim(aim, pusher);
                    yield random.nextInt(15_000);
                }
                case BUILD -> {
                    child.expect("TESTING ");
                    yield random.nextInt(150_000);
                }
                // Deletions made garbage; once older than gc.grace (1 s) a collection every 100 ms moves it aside
                // and deletes it: the kill lands before, in or after one.
                case GC -> 1_000_000 + random.nextInt(600_000);
            };
            TimeUnit.MICROSECONDS.sleep(delayMicros); // not synchronisation: the seeded point of the kill
            killed.set(true);
            child.process().destroyForcibly(); // SIGKILL
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            child.awaitOutputEnd();
            if (child.stderr().stream().anyMatch(line -> line.contains("H2Recovery"))) recoveries++;
            pusher.join(30_000);
            if (uploader != null) uploader.join(30_000);
            http.close();
            assertThat(failures).as("answers before the kill").isEmpty();
            return cut[0];
        }

        /** Waits for the aimed-at moment, failing at once with what went wrong if the work stopped before it. */
        void awaitAim(CountDownLatch aim, Thread pusher) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!aim.await(100, TimeUnit.MILLISECONDS)) {
                if (!failures.isEmpty() || !pusher.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the work stopped before the point of the kill: " + failures, 
                            failures.isEmpty() ? null : failures.getFirst());
                }
            }
        }

        /**
         * A chunked upload: a few whole PATCHes, then one whose body stops halfway (the process dies under it);
         * counts down {@code aim} once that body is on its way.
         */
        Interrupted uploadUntilCut(HttpClient http, CountDownLatch aim, byte[] content, int whole)
                throws IOException, InterruptedException {
            HttpResponse<String> started = send(http, request("/v2/" + REPO + "/blobs/uploads/")
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(started.statusCode()).as("POST upload %s", started.body()).isEqualTo(202);
            String location = started.headers().firstValue("Location").orElseThrow();
            for (int i = 0; i < whole; i++) {
                HttpResponse<String> r = send(http, request(location).header("Content-Type", OCTET)
                        .header("Content-Range", i * CHUNK + "-" + ((i + 1) * CHUNK - 1))
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content, i * CHUNK, CHUNK)));
                assertThat(r.statusCode()).as("PATCH %s", r.body()).isEqualTo(202);
            }
            int from = whole * CHUNK;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", URI.create(url).getPort()), 10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + registryToken
                        + "\r\nContent-Type: " + OCTET + "\r\nContent-Range: " + from + "-" + (content.length - 1)
                        + "\r\nContent-Length: " + (content.length - from) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(content, from, (content.length - from) / 2);
                out.flush();
                aim.countDown();
                socket.getInputStream().read(); // until the kill closes the connection
            } catch (java.net.SocketException e) {
                // the kill reset the connection
            }
            return new Interrupted(location, content);
        }

        void pushBlob(HttpClient http, byte[] bytes) throws IOException, InterruptedException {
            HttpResponse<String> r = send(http, request("/v2/" + REPO + "/blobs/uploads/?digest=" + Digest.sha256(bytes))
                    .header("Content-Type", OCTET).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
            assertThat(r.statusCode()).as("blob upload: %s", r.body()).isEqualTo(201);
        }

        int putManifest(HttpClient http, String tag, TestImages.Built image) throws IOException, InterruptedException {
            HttpResponse<String> r = send(http, request("/v2/" + REPO + "/manifests/" + tag)
                    .header("Content-Type", image.mediaType()).PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest())));
            assertThat(r.statusCode()).as("manifest %s: %s", tag, r.body()).isEqualTo(201);
            return r.statusCode();
        }

        /** Deletes the oldest acknowledged image still there (its manifest's bytes become garbage). */
        void deleteOne(HttpClient http) throws IOException, InterruptedException {
            Pushed oldest;
            synchronized (acknowledged) {
                oldest = acknowledged.stream().filter(p -> !deletedTags.contains(p.tag())).findFirst().orElse(null);
            }
            if (oldest == null) return;
            deletedTags.add(oldest.tag()); // before: if the kill cuts the DELETE off, the image may or may not be gone
            HttpResponse<String> r = send(http, request("/v2/" + REPO + "/manifests/" + oldest.image().digest())
                    .setHeader("Authorization", deleteToken).DELETE());
            assertThat(r.statusCode()).as("DELETE manifest: %s", r.body()).isEqualTo(202);
        }

        // ------------------------------------------------------------ invariants

        /** With the process dead: every blob in the store matches its digest. */
        void verifyStore() throws IOException {
            // opening the store is what the next start does first (it puts back what a collection had moved aside)
            FilesystemBlobStore store = new FilesystemBlobStore(data.resolve("storage"), false);
            List<String> wrong = new ArrayList<>();
            int[] count = {0};
            store.forEach(digest -> {
                count[0]++;
                try (InputStream in = store.open(digest, 0, store.size(digest).orElseThrow())) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
                    if (!Digest.of("sha256", sha).equals(digest)) wrong.add(digest.toString());
                } catch (IOException | java.security.NoSuchAlgorithmException e) {
                    wrong.add(digest + ": " + e);
                }
            });
            assertThat(wrong).as("blobs whose bytes do not match their digest").isEmpty();
            blobsVerified += count[0];
        }

        /** Every acknowledged push pulls byte-exact; every tag's manifest references only blobs that are there. */
        void verifyRegistry() throws IOException, InterruptedException {
            HttpClient http = HttpClient.newHttpClient();
            List<Pushed> kept;
            synchronized (acknowledged) {
                kept = acknowledged.stream().filter(p -> !deletedTags.contains(p.tag())).toList();
            }
            for (Pushed p : kept) {
                HttpResponse<byte[]> m = sendBytes(http, request("/v2/" + REPO + "/manifests/" + p.tag())
                        .header("Accept", p.image().mediaType()).GET());
                assertThat(m.statusCode()).as("acknowledged manifest %s", p.tag()).isEqualTo(200);
                assertThat(Digest.sha256(m.body())).isEqualTo(p.image().digest());
            }
            Set<String> seen = new HashSet<>();
            JsonNode tags = Json.MAPPER.readTree(send(http, request("/v2/" + REPO + "/tags/list?n=10000").GET()).body()).get("tags");
            for (JsonNode tag : tags == null || tags.isNull() ? Json.MAPPER.createArrayNode() : tags) {
                HttpResponse<byte[]> m = sendBytes(http, request("/v2/" + REPO + "/manifests/" + tag.asText())
                        .header("Accept", TestImages.OCI_MANIFEST).GET());
                if (m.statusCode() == 404) continue; // a tag whose manifest was deleted
                assertThat(m.statusCode()).as("manifest %s", tag).isEqualTo(200);
                manifestsVerified++;
                JsonNode manifest = Json.MAPPER.readTree(m.body());
                List<String> blobs = new ArrayList<>(List.of(manifest.get("config").get("digest").asText()));
                manifest.get("layers").forEach(l -> blobs.add(l.get("digest").asText()));
                for (String blob : blobs) {
                    if (!seen.add(blob)) continue;
                    HttpResponse<byte[]> b = sendBytes(http, request("/v2/" + REPO + "/blobs/" + blob).GET());
                    assertThat(b.statusCode()).as("blob %s of manifest %s", blob, tag).isEqualTo(200);
                    assertThat(Digest.sha256(b.body()).toString()).isEqualTo(blob);
                }
            }
            http.close();
        }

        /** The client flow after a cut-off PATCH: ask where to resume, send the rest, close with the digest. */
        void resume(Interrupted cut) throws IOException, InterruptedException {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> status = send(http, request(cut.location()).GET());
            if (status.statusCode() != 204) {
                String id = cut.location().replaceAll(".*/uploads/([^/?]+).*", "$1");
                child.close();
                throw new AssertionError("upload " + id + " after the kill: " + status.statusCode() + " " + status.body()
                        + "; its bytes " + (Files.exists(data.resolve("storage").resolve("uploads").resolve(id)) ? "are" : "are not")
                        + " in the store; its row: " + uploadRow(id));
            }
            String range = status.headers().firstValue("Range").orElseThrow();
            long offset = range.equals("0-0") ? 0 : Long.parseLong(range.substring(range.indexOf('-') + 1)) + 1;
            assertThat(offset).isBetween(0L, (long) cut.content().length);
            byte[] rest = Arrays.copyOfRange(cut.content(), (int) offset, cut.content().length);
            HttpResponse<String> patch = send(http, request(cut.location()).header("Content-Type", OCTET)
                    .header("Content-Range", offset + "-" + (cut.content().length - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(rest)));
            assertThat(patch.statusCode()).as("resumed PATCH: %s", patch.body()).isEqualTo(202);
            Digest digest = Digest.sha256(cut.content());
            String put = cut.location() + (cut.location().contains("?") ? "&" : "?") + "digest=" + digest;
            HttpResponse<String> done = send(http, request(put).PUT(HttpRequest.BodyPublishers.noBody()));
            assertThat(done.statusCode()).as("closing PUT: %s", done.body()).isEqualTo(201);
            HttpResponse<byte[]> blob = sendBytes(http, request("/v2/" + REPO + "/blobs/" + digest).GET());
            assertThat(blob.body()).isEqualTo(cut.content());
            uploadsResumed++;
            http.close();
        }

        /**
         * The last start, in-process (its database at hand): every build ends tested, no job stays open, and every
         * event of every build's history reaches the receiver once the outbox has drained.
         */
        void finish(Receiver receiver) throws Exception {
            try (TestDrydock d = TestDrydock.open(data, settings, UnaryOperator.identity())) {
                url = d.url();
                verifyRegistry();
                await("no build left pending or fetching").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (JsonNode b : d.api("GET", "/api/v1/adapters/" + engineId + "/builds", admin, null, 200)) {
                        if (TRANSIENT.contains(b.get("state").asText())) return false;
                    }
                    return true;
                });
                var jdbi = d.server().database().jdbi();
                int openJobs = jdbi.withHandle(h -> h.createQuery("select count(*) from jobs where state in ('queued', 'leased')")
                        .mapTo(Integer.class).one());
                assertThat(openJobs).as("open jobs").isZero();
                await("webhook outbox drained").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                        jdbi.withHandle(h -> h.createQuery("select count(*) from webhook_outbox").mapTo(Integer.class).one()) == 0);
                Set<String> received = new HashSet<>();
                for (Receiver.Request r : List.copyOf(receiver.requests)) {
                    JsonNode e = Json.MAPPER.readTree(r.body());
                    received.add(e.get("subject").asText() + " " + e.get("data").get("action").asText()
                            + " " + e.get("data").get("to").asText());
                }
                List<String> missing = new ArrayList<>();
                int moves = 0;
                for (JsonNode b : d.api("GET", "/api/v1/adapters/" + engineId + "/builds", admin, null, 200)) {
                    String id = b.get("id").asText();
                    for (JsonNode h : d.api("GET", "/api/v1/builds/" + id, admin, null, 200).get("history")) {
                        moves++;
                        String move = id + " " + h.get("action").asText() + " " + h.get("to").asText();
                        if (!received.contains(move)) missing.add(move);
                    }
                }
                assertThat(missing).as("build moves whose webhook never arrived").isEmpty();
                assertThat(moves).isPositive();
                System.out.printf("CrashConsistencyTest on %s: %d build moves, all delivered (%d deliveries)%n",
                        database, moves, receiver.requests.size());
                d.stop();
            }
        }

        /** The upload's row in the database, read directly (the process is dead). */
        String uploadRow(String id) {
            String dbUrl = settings.getOrDefault("db.url", dev.drydock.platform.db.Database.embeddedUrl(data));
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(dbUrl, settings.getOrDefault("db.user", "sa"),
                    settings.getOrDefault("db.password", ""));
                 java.sql.PreparedStatement q = c.prepareStatement("select * from uploads where id = ?")) {
                q.setString(1, id);
                try (java.sql.ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) return "none";
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.append(rs.getMetaData().getColumnName(i)).append('=').append(rs.getString(i)).append(' ');
                    }
                    return row.toString();
                }
            } catch (java.sql.SQLException e) {
                return "unreadable: " + e.getMessage();
            }
        }

        // ------------------------------------------------------------ HTTP

        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : url + path))
                    .header("Authorization", registryToken).timeout(WAIT);
        }

        static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        static HttpResponse<byte[]> sendBytes(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        void deleteData() {
            try (var paths = Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
