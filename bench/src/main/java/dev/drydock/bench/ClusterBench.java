package dev.drydock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.bench.RegistryClient.PushMode;
import dev.drydock.bench.Servers.Node;
import dev.drydock.testkit.TestPostgres;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Cluster benchmark: N concurrent pushes of distinct small adapter images through two API nodes
 * ({@code drydock serve --role api}) with one worker ({@code --role worker}), all on one PostgreSQL (embedded binaries,
 * testkit's {@link TestPostgres}) and one S3 bucket (s3proxy in a process of its own, {@link S3Store}); the same with one
 * API node killed with SIGKILL mid-run (its clients start their push again on the other node); and the same pushes
 * through one {@code --role all} node on the same database and bucket.
 *
 * <p>Each push is one client doing what {@code docker push} does ({@link RegistryClient}: ping, token, HEAD + POST +
 * PATCH + PUT per blob, the manifest), clients assigned round-robin to the API nodes and all released at once. Each image
 * is {@code examples/busybox-pull-adapter} built in code: a shared layer with Debian's static busybox and a layer of its
 * own (the script and the manifest naming its adapter's engineId), so every image has its own digests and, with
 * {@code --engine podman}, the worker runs every build in a real container. Measured: per-push latency (first request to
 * the manifest's 201, retries included), the time from the release of the clients to the last verdict (from the builds'
 * histories, read through the REST API), errors (any failed request not caused by the kill, pushes that never succeeded,
 * builds without a verdict, an adapter with more than one build).
 *
 * <pre>
 * bench/cluster.sh [--pushes 50] [--engine podman|none] [--scenarios cluster,kill,single] ...
 * </pre>
 */
public final class ClusterBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long ORG = Servers.ORG;
    private static final String BUCKET = "drydock-bench";
    private static final int MAX_ATTEMPTS = 3;

    private static final String[][] OPTIONS = {
            {"jar", "drydock-server/target/drydock.jar", "Drydock server jar"},
            {"example", "examples/busybox-pull-adapter", "the adapter every image is built from (its adapter.sh and manifest.json)"},
            {"busybox", "/bin/busybox", "static busybox put in each image (Debian package busybox-static)"},
            {"pushes", "50", "concurrent pushes, one distinct image and adapter each"},
            {"engine", "podman", "the worker's sandbox.engine: podman (a real container run per build) or none (run checks skipped)"},
            {"worker-concurrency", "2", "worker.concurrency of the worker (and of the --role all node)"},
            {"scenarios", "cluster,kill,single", "cluster (2 API + 1 worker), kill (the same, one API node SIGKILLed mid-run), single (one --role all node)"},
            {"kill-after", "10", "in the kill scenario, SIGKILL the second API node once this many pushes have completed"},
            {"node-jvm", "-Xmx384m", "JVM options of every node (space separated)"},
            {"timeout-minutes", "20", "give up waiting for verdicts after this long"},
            {"work", System.getProperty("java.io.tmpdir"), "parent of the temporary data directories"},
            {"keep", "false", "keep the data directories and node logs (true/false)"},
    };

    private final Map<String, String> opt = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        ClusterBench bench = new ClusterBench();
        Map<String, String> parsed = BenchOptions.parse("ClusterBench", OPTIONS, "--pushes 10 --engine none --scenarios cluster", args);
        if (parsed == null) return;
        bench.opt.putAll(parsed);
        int status = bench.run(String.join(" ", args));
        System.exit(status); // the embedded PostgreSQL stops in a shutdown hook
    }

    private int i(String key) {
        return Integer.parseInt(opt.get(key));
    }

    // ------------------------------------------------------------------ one scenario

    /** What one push did: when it started and ended, on which nodes, and why attempts failed. */
    private static final class Push {
        final int index;
        final String repository;
        long start;
        long end;
        int attempts;
        String finishedOn;
        final List<String> killRetries = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        Push(int index, String repository) {
            this.index = index;
            this.repository = repository;
        }

        boolean ok() {
            return finishedOn != null;
        }

        double seconds() {
            return (end - start) / 1e9;
        }
    }

    private record Result(String name, int pushes, double totalSeconds, double pushPhaseSeconds, double[] pushLatency,
                          double[] toVerdict, int errors, int failedPushes, int noVerdict, int duplicates, int retried,
                          int inFlightAtKill, int available, int invalid, String nodesCpu, String load) {}

    private int run(String argLine) throws Exception {
        Path jar = Path.of(opt.get("jar"));
        if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("no Drydock jar at " + jar + ": build first (bench/cluster.sh does)");
        Path busybox = Path.of(opt.get("busybox"));
        if (!Files.isExecutable(busybox)) throw new IllegalArgumentException("no static busybox at " + busybox + ": apt-get install busybox-static");
        String engine = opt.get("engine");
        if (!engine.equals("podman") && !engine.equals("none")) throw new IllegalArgumentException("--engine must be podman or none");
        System.out.printf("cluster bench %s (%s), %d pushes, engine %s, load average %s%n", ZonedDateTime.now().withNano(0),
                argLine.isEmpty() ? "defaults" : argLine, i("pushes"), engine, loadAverage());
        List<Result> results = new ArrayList<>();
        Path work = Files.createTempDirectory(Path.of(opt.get("work")), "drydock-cluster-bench-");
        try {
            for (String scenario : opt.get("scenarios").split(",")) {
                results.add(scenario(scenario.strip(), work.resolve(scenario.strip())));
            }
        } finally {
            if (!Boolean.parseBoolean(opt.get("keep"))) deleteTree(work);
            else System.out.println("kept " + work);
        }
        print(results);
        boolean clean = results.stream().allMatch(r -> r.errors + r.failedPushes + r.noVerdict + r.duplicates == 0);
        System.out.println(clean ? "every build reached a verdict, no errors" : "FAILED: errors above");
        return clean ? 0 : 1;
    }

    private Result scenario(String name, Path dir) throws Exception {
        if (!List.of("cluster", "kill", "single").contains(name)) throw new IllegalArgumentException("unknown scenario " + name);
        System.out.printf("%n== %s ==%n", name);
        String loadBefore = loadAverage();
        List<Node> nodes = new ArrayList<>();
        long t = System.nanoTime();
        try (S3Store s3 = new S3Store("s3proxy", dir.resolve("s3proxy"), List.of("-Xmx512m"))) {
            s3.createBucket(BUCKET);
            TestPostgres.Db db = TestPostgres.freshDatabase();
            Map<String, String> common = new LinkedHashMap<>(Map.of(
                    "DRYDOCK_DB_URL", db.url(), "DRYDOCK_DB_USER", db.user(), "DRYDOCK_DB_PASSWORD", db.password(),
                    "DRYDOCK_STORAGE_TYPE", "s3", "DRYDOCK_STORAGE_S3_ENDPOINT", s3.endpoint().toString(),
                    "DRYDOCK_STORAGE_S3_BUCKET", BUCKET, "DRYDOCK_STORAGE_S3_ACCESS_KEY", S3Store.ACCESS_KEY,
                    "DRYDOCK_STORAGE_S3_SECRET_KEY", S3Store.SECRET_KEY, "DRYDOCK_STORAGE_S3_PATH_STYLE", "true"));
            List<String> jvm = List.of(opt.get("node-jvm").trim().split("\\s+"));
            Path jar = Path.of(opt.get("jar"));
            Map<String, String> first = new LinkedHashMap<>(common);
            first.putAll(Map.of("DRYDOCK_ADMIN_EMAIL", Servers.ADMIN_EMAIL, "DRYDOCK_ADMIN_PASSWORD", Servers.ADMIN_PASSWORD));
            List<Node> api = new ArrayList<>();
            if (name.equals("single")) {
                first.putAll(Map.of("DRYDOCK_SANDBOX_ENGINE", opt.get("engine"), "DRYDOCK_WORKER_CONCURRENCY", opt.get("worker-concurrency")));
                api.add(add(nodes, new Node("all", dir.resolve("all"), jar, jvm, "all", first)));
            } else {
                // only the first node creates the admin; the others start once it has migrated the database
                first.put("DRYDOCK_SANDBOX_ENGINE", "none");
                api.add(add(nodes, new Node("api-a", dir.resolve("api-a"), jar, jvm, "api", first)));
                Map<String, String> second = new LinkedHashMap<>(common);
                second.put("DRYDOCK_SANDBOX_ENGINE", "none");
                Map<String, String> worker = new LinkedHashMap<>(common);
                // the worker pulls build images from node A, the node that is never killed
                worker.putAll(Map.of("DRYDOCK_SANDBOX_ENGINE", opt.get("engine"), "DRYDOCK_WORKER_CONCURRENCY",
                        opt.get("worker-concurrency"), "DRYDOCK_SANDBOX_REGISTRY_HOST", "127.0.0.1:" + api.getFirst().port));
                try (ExecutorService starters = Executors.newFixedThreadPool(2)) {
                    Future<Node> b = starters.submit(() -> new Node("api-b", dir.resolve("api-b"), jar, jvm, "api", second));
                    Future<Node> w = starters.submit(() -> new Node("worker", dir.resolve("worker"), jar, jvm, "worker", worker));
                    api.add(add(nodes, b.get()));
                    add(nodes, w.get());
                }
            }
            System.out.printf("nodes ready in %.1f s: %s%n", (System.nanoTime() - t) / 1e9,
                    String.join(", ", nodes.stream().map(n -> n.label + " :" + n.port).toList()));
            try {
                return measure(name, api, nodes, loadBefore);
            } catch (Exception | AssertionError e) {
                for (Node n : nodes) System.out.println("log of " + n.label + ": " + n.dir.resolve("server.log"));
                throw e;
            } finally {
                for (Node n : nodes) n.close();
                TestPostgres.dropUnused("");
            }
        }
    }

    private static Node add(List<Node> nodes, Node node) {
        nodes.add(node);
        return node;
    }

    private Result measure(String name, List<Node> api, List<Node> nodes, String loadBefore) throws Exception {
        int n = i("pushes");
        Node home = api.getFirst(); // never killed: setup and polling go through it
        String admin = basic(Servers.ADMIN_EMAIL, Servers.ADMIN_PASSWORD);
        rest(home, "POST", "/api/v1/orgs", admin, Map.of("id", ORG, "name", "Bench"), 201);
        JsonNode robot = rest(home, "POST", "/api/v1/orgs/" + ORG + "/robots", admin, Map.of("name", "bench"), 201);
        String login = robot.get("login").asText();
        String secret = robot.get("token").asText();
        String auth = basic(login, secret);

        // one adapter per push, registered before timing; its engineId goes into the image's manifest
        Images images = new Images(Path.of(opt.get("example")), Path.of(opt.get("busybox")));
        List<Push> pushes = new ArrayList<>();
        List<String> engineIds = new ArrayList<>();
        List<Images.Image> built = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String adapter = String.format(Locale.ROOT, "bench-%02d", k);
            String engineId = rest(home, "POST", "/api/v1/orgs/" + ORG + "/adapters", auth, Map.of("name", adapter,
                    "category", "pull", "deploymentModel", "FullyNetworkIsolated", "engineMode", "batch"), 201).get("engineId").asText();
            engineIds.add(engineId);
            built.add(images.adapter(engineId));
            pushes.add(new Push(k, ORG + "/" + adapter));
        }

        warmUp(home, api, images, auth, login, secret);

        boolean kill = name.equals("kill");
        Node victim = kill ? api.get(1) : null;
        ConcurrentHashMap<Node, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        for (Node a : api) inFlight.put(a, new AtomicInteger());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch completed = new CountDownLatch(Math.min(i("kill-after"), n));
        AtomicInteger inFlightAtKill = new AtomicInteger(-1);
        Map<Node, Boolean> killed = new ConcurrentHashMap<>();
        Instant t0;
        long start;
        try (ExecutorService clients = Executors.newFixedThreadPool(n + 1)) {
            List<Future<?>> futures = new ArrayList<>();
            for (Push p : pushes) {
                futures.add(clients.submit(() -> {
                    release.await();
                    push(p, built.get(p.index), api, login, secret, inFlight, killed);
                    if (p.ok()) completed.countDown();
                    return null;
                }));
            }
            if (kill) {
                futures.add(clients.submit(() -> {
                    completed.await();
                    killed.put(victim, true); // before the signal: a client that fails on it from now on retries
                    inFlightAtKill.set(inFlight.get(victim).get());
                    victim.kill();
                    System.out.printf("SIGKILLed %s after %d completed pushes, %d pushes in flight on it%n",
                            victim.label, i("kill-after"), inFlightAtKill.get());
                    return null;
                }));
            }
            t0 = Instant.now();
            start = System.nanoTime();
            release.countDown();
            for (Future<?> f : futures) f.get();
        }
        double pushPhase = pushes.stream().mapToLong(p -> p.end).max().orElse(start) - start;

        // every adapter's builds, until each has at least one build and all of them have a verdict
        Map<String, JsonNode> done = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(i("timeout-minutes"));
        while (done.size() < n && System.nanoTime() < deadline) {
            for (String engineId : engineIds) {
                if (done.containsKey(engineId)) continue;
                JsonNode builds = rest(home, "GET", "/api/v1/adapters/" + engineId + "/builds", auth, null, 200);
                boolean all = !builds.isEmpty();
                for (JsonNode b : builds) all &= isVerdict(b.get("state").asText());
                if (all) done.put(engineId, builds);
            }
            if (done.size() < n) Thread.sleep(500); // poll interval; the times come from the histories, not from this loop
        }

        Instant last = t0;
        List<Double> toVerdict = new ArrayList<>();
        int available = 0, invalid = 0, duplicates = 0;
        Map<String, Integer> invalidReasons = new LinkedHashMap<>();
        for (JsonNode builds : done.values()) {
            if (builds.size() > 1) duplicates++;
            for (JsonNode b : builds) {
                JsonNode build = rest(home, "GET", "/api/v1/builds/" + b.get("id").asText(), auth, null, 200);
                Instant pending = null, verdict = null;
                for (JsonNode h : build.get("history")) {
                    String to = h.get("to").asText();
                    if (to.equals("pending") && pending == null) pending = instant(h.get("at"));
                    if (isVerdict(to)) verdict = instant(h.get("at"));
                }
                if (verdict.isAfter(last)) last = verdict;
                toVerdict.add(Duration.between(pending, verdict).toMillis() / 1000.0);
                if (build.get("state").asText().equals("available")) {
                    available++;
                } else {
                    invalid++;
                    invalidReasons.merge(failedChecks(build), 1, Integer::sum);
                }
            }
        }
        // digests and ports differ per build: the same failure is counted once
        invalidReasons.forEach((why, count) -> System.out.println(count + " invalid build(s) failed: " + why));

        int errors = 0, failed = 0, retried = 0;
        for (Push p : pushes) {
            errors += p.errors.size();
            if (!p.ok()) failed++;
            if (!p.killRetries.isEmpty()) retried++;
            for (String e : p.errors) System.out.println("error: " + p.repository + ": " + e);
            for (String e : p.killRetries) System.out.println("retried (node killed): " + p.repository + ": " + e);
        }
        StringBuilder cpu = new StringBuilder();
        for (Node node : nodes) {
            cpu.append(cpu.isEmpty() ? "" : ", ").append(node.label).append(' ')
                    .append(node.alive() ? String.format(Locale.ROOT, "%.1f s", node.cpuSeconds()) : "killed");
        }
        Result r = new Result(name, n, Duration.between(t0, last).toMillis() / 1000.0, pushPhase / 1e9,
                pushes.stream().filter(Push::ok).mapToDouble(Push::seconds).sorted().toArray(),
                toVerdict.stream().mapToDouble(Double::doubleValue).sorted().toArray(),
                errors, failed, n - done.size(), duplicates, retried, inFlightAtKill.get(), available, invalid, cpu.toString(),
                loadBefore + " → " + loadAverage());
        System.out.printf(Locale.ROOT, "all pushed in %.1f s, last verdict %.1f s after the start; push p50 %.2f s p95 %.2f s;"
                        + " %d available, %d invalid; errors %d, failed pushes %d, without verdict %d, duplicates %d; CPU %s%n",
                r.pushPhaseSeconds, r.totalSeconds, pct(r.pushLatency, 50), pct(r.pushLatency, 95), available, invalid, errors,
                failed, r.noVerdict, duplicates, cpu);
        return r;
    }

    /**
     * One push through each API node, waited for until its verdict, before timing: the nodes' JVMs, database pools and S3
     * clients and the worker's engine are warm, as in a cluster that has been running (cold, the first pushes took 14 s).
     */
    private static void warmUp(Node home, List<Node> api, Images images, String auth, String login, String secret) throws Exception {
        long t = System.nanoTime();
        List<String> engineIds = new ArrayList<>();
        for (Node node : api) {
            String adapter = "warm-up-" + node.label;
            String engineId = rest(home, "POST", "/api/v1/orgs/" + ORG + "/adapters", auth, Map.of("name", adapter,
                    "category", "pull", "deploymentModel", "FullyNetworkIsolated", "engineMode", "batch"), 201).get("engineId").asText();
            engineIds.add(engineId);
            Push p = new Push(0, ORG + "/" + adapter);
            push(p, images.adapter(engineId), List.of(node), login, secret, Map.of(node, new AtomicInteger()), Map.of());
            if (!p.ok()) throw new IOException("warm-up push through " + node.label + " failed: " + p.errors);
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        for (String engineId : engineIds) {
            while (true) {
                JsonNode builds = rest(home, "GET", "/api/v1/adapters/" + engineId + "/builds", auth, null, 200);
                if (!builds.isEmpty() && isVerdict(builds.get(0).get("state").asText())) break;
                if (System.nanoTime() > deadline) throw new IOException("warm-up build of " + engineId + " has no verdict after 5 minutes");
                Thread.sleep(250);
            }
        }
        System.out.printf("warm-up: one push per API node and its verdict, %.1f s%n", (System.nanoTime() - t) / 1e9);
    }

    /**
     * One client's push: from scratch (ping, token, blobs, manifest) on its node; when that node was killed, once more
     * from scratch on another. A failure on a node that is alive is an error (and is also retried, to see what follows).
     */
    private static void push(Push p, Images.Image image, List<Node> api, String login, String secret,
                             Map<Node, AtomicInteger> inFlight, Map<Node, Boolean> killed) {
        p.start = System.nanoTime();
        int at = p.index % api.size();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Node node = api.get(at);
            p.attempts = attempt;
            inFlight.get(node).incrementAndGet();
            try {
                RegistryClient client = new RegistryClient(node.base(), login, secret);
                client.ping();
                client.login(p.repository);
                for (BlobSource blob : image.blobs()) {
                    if (!client.blobExists(p.repository, blob.digest())) client.pushBlob(p.repository, blob, PushMode.PATCH);
                }
                client.putManifest(p.repository, "1.0", image.manifest());
                p.end = System.nanoTime();
                p.finishedOn = node.label;
                return;
            } catch (IOException | RuntimeException e) {
                String what = node.label + " attempt " + attempt + ": " + e;
                if (killed.containsKey(node)) {
                    p.killRetries.add(what);
                    at = (at + 1) % api.size();
                } else {
                    p.errors.add(what);
                }
            } finally {
                inFlight.get(node).decrementAndGet();
            }
        }
        p.end = System.nanoTime();
    }

    private static boolean isVerdict(String state) {
        return state.equals("available") || state.equals("invalid");
    }

    private static String failedChecks(JsonNode build) {
        List<String> failed = new ArrayList<>();
        for (JsonNode c : build.path("checks")) {
            String verdict = c.path("verdict").asText();
            if (verdict.equals("failed") || verdict.equals("error")) {
                failed.add(c.path("id").asText() + ": " + c.path("message").asText()
                        .replaceAll("sha256:[0-9a-f]{64}", "sha256:…").replaceAll("127\\.0\\.0\\.1:\\d+/\\S+@", "…@"));
            }
        }
        return failed.toString();
    }

    private static Instant instant(JsonNode at) {
        if (at.isNumber()) return Instant.ofEpochMilli(Math.round(at.asDouble() * (at.asDouble() > 1e11 ? 1 : 1000)));
        return Instant.parse(at.asText());
    }

    // ------------------------------------------------------------------ the images

    /**
     * The example adapter as images built in code, as its Dockerfile builds it: {@code /bin/busybox} (one layer, the same
     * in every image, as a shared base layer would be), then {@code /adapter.sh} and {@code /var/manifest.json} with the
     * adapter's engineId (a layer of its own); exec-form ENTRYPOINT {@code /bin/busybox sh /adapter.sh}. Small enough
     * (about 1 MiB) to hold in memory.
     */
    private static final class Images {
        record Image(List<BlobSource> blobs, byte[] manifest) {}

        private record Layer(BlobSource blob, String diffId) {}

        private static final String PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
        private final Layer busybox;
        private final byte[] script;
        private final String manifestTemplate;

        Images(Path example, Path busyboxBinary) throws IOException {
            script = Files.readAllBytes(example.resolve("adapter.sh"));
            manifestTemplate = Files.readString(example.resolve("manifest.json"));
            if (!manifestTemplate.contains(PLACEHOLDER)) throw new IllegalArgumentException(example + "/manifest.json has no engineId placeholder");
            busybox = layer(Map.of("bin/busybox", Files.readAllBytes(busyboxBinary)));
        }

        Image adapter(String engineId) throws IOException {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("adapter.sh", script);
            files.put("var/manifest.json", manifestTemplate.replace(PLACEHOLDER, engineId).getBytes(StandardCharsets.UTF_8));
            Layer own = layer(files);
            ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
            config.putObject("config").putArray("Entrypoint").add("/bin/busybox").add("sh").add("/adapter.sh");
            config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(busybox.diffId).add(own.diffId);
            ArrayNode history = config.putArray("history");
            history.addObject().put("created_by", "COPY busybox /bin/busybox");
            history.addObject().put("created_by", "COPY adapter.sh manifest.json");
            BlobSource configBlob = new BlobSource(JSON.writeValueAsBytes(config));
            ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", RegistryClient.OCI_MANIFEST);
            descriptor(manifest.putObject("config"), "application/vnd.oci.image.config.v1+json", configBlob);
            ArrayNode layers = manifest.putArray("layers");
            for (Layer l : List.of(busybox, own)) descriptor(layers.addObject(), "application/vnd.oci.image.layer.v1.tar+gzip", l.blob);
            return new Image(List.of(busybox.blob, own.blob, configBlob), JSON.writeValueAsBytes(manifest));
        }

        private static void descriptor(ObjectNode d, String mediaType, BlobSource blob) {
            d.put("mediaType", mediaType).put("digest", blob.digest()).put("size", blob.size);
        }

        /** A gzipped tar of the files (mode 755, parent directories first) and its diff_id. */
        private static Layer layer(Map<String, byte[]> files) throws IOException {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            MessageDigest diffId = BlobSource.sha256();
            try (GZIPOutputStream gzip = new GZIPOutputStream(gz);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(gzip, diffId))) {
                List<String> dirs = new ArrayList<>();
                for (var f : files.entrySet()) {
                    int slash = f.getKey().lastIndexOf('/');
                    String dir = slash < 0 ? null : f.getKey().substring(0, slash + 1);
                    if (dir != null && !dirs.contains(dir)) {
                        dirs.add(dir);
                        TarArchiveEntry d = new TarArchiveEntry(dir);
                        d.setMode(040755);
                        tar.putArchiveEntry(d);
                        tar.closeArchiveEntry();
                    }
                    TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                    e.setMode(0100755);
                    e.setSize(f.getValue().length);
                    tar.putArchiveEntry(e);
                    tar.write(f.getValue());
                    tar.closeArchiveEntry();
                }
            }
            return new Layer(new BlobSource(gz.toByteArray()), "sha256:" + HexFormat.of().formatHex(diffId.digest()));
        }
    }

    // ------------------------------------------------------------------ REST, figures

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode rest(Node node, String method, String path, String auth, Object body, int expected) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.base() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", auth);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != expected) throw new IOException(method + " " + path + " on " + node.label + ": " + r.statusCode() + " " + r.body());
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Nearest-rank percentile of sorted values (NaN when there are none). */
    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void print(List<Result> results) {
        System.out.printf("%n| scenario | pushes | last verdict after | all pushed after | push p50 / p95 | push → verdict p50 / p95 "
                + "| available / invalid | errors | retried after the kill | nodes' CPU | load average |%n");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f s | %.1f s | %.2f / %.2f s | %.1f / %.1f s | %d / %d | %d%s | %s | %s | %s |%n",
                    r.name, r.pushes, r.totalSeconds, r.pushPhaseSeconds, pct(r.pushLatency, 50), pct(r.pushLatency, 95),
                    pct(r.toVerdict, 50), pct(r.toVerdict, 95), r.available, r.invalid, r.errors,
                    r.failedPushes + r.noVerdict + r.duplicates == 0 ? ""
                            : String.format(" (+%d failed pushes, %d without verdict, %d duplicate builds)", r.failedPushes, r.noVerdict, r.duplicates),
                    r.name.equals("kill") ? r.retried + " (" + r.inFlightAtKill + " in flight at the kill)" : "",
                    r.nodesCpu, r.load);
        }
        Result cluster = results.stream().filter(r -> r.name.equals("cluster")).findFirst().orElse(null);
        Result single = results.stream().filter(r -> r.name.equals("single")).findFirst().orElse(null);
        if (cluster != null && single != null) {
            System.out.printf(Locale.ROOT, "%nscaling, one --role all node / two API nodes + worker (>1: the cluster is faster):"
                            + " last verdict %.2f, push p50 %.2f, push p95 %.2f%n",
                    single.totalSeconds / cluster.totalSeconds, pct(single.pushLatency, 50) / pct(cluster.pushLatency, 50),
                    pct(single.pushLatency, 95) / pct(cluster.pushLatency, 95));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
