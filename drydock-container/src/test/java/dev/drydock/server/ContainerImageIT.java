package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.http.Json;
import dev.drydock.sandbox.PodmanService;
import dev.drydock.testkit.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.drydock.server.ChildJvm.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container image the Maven build makes with Jib (profile {@code container-image}, docs/operations.md) runs with
 * podman as an operator would run it: as its own unprivileged user, data on a volume, configuration from the
 * environment, JSON logs on stdout. It answers its probes, takes a push and tests the build, stops on SIGTERM within
 * the grace period, and starts again on the same volume with its data — then as a worker that tests builds on the
 * host's container engine through the engine's mounted socket, with the flags docs/operations.md names for that.
 */
class ContainerImageIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String NAME = "drydock-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static Path tmp;
    private static ContainerStore store;
    private static Tools tools;
    private static PodmanService engine;

    @BeforeAll
    static void load() throws IOException {
        // buildah, runc and busybox: the adapter the container, as a worker, tests on the host's Podman
        Prerequisites.requireTools("podman", "buildah", "runc");
        Prerequisites.require(Files.isExecutable(Path.of("/bin/busybox")), "/bin/busybox", "busybox-static");
        Path tar = Path.of(System.getProperty("drydock.image.tar"));
        assertThat(tar).as("the image Jib built in the package phase").exists();
        tmp = Files.createTempDirectory("ddimg");
        store = new ContainerStore(tmp);
        tools = ContainerStore.tools(tmp);
        podman("load", "--input", tar.toString());
        podman("volume", "create", NAME);
    }

    @AfterAll
    static void remove() throws IOException {
        if (tools == null) return;
        tools.run(store.podman("rm", "--force", "--time", "0", NAME));
        if (engine != null) engine.close();
        tools.run(store.podman("volume", "rm", "--force", NAME));
        tools.run(store.podman("rmi", "--all", "--force"));
        try (var paths = Files.walk(tmp)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void runsAsAnOperatorWouldRunIt() throws Exception {
        String config = podman("image", "inspect", "--format",
                "{{.Config.User}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}}", image()).strip();
        assertThat(config).startsWith("10001:10001 ").contains("\"5000/tcp\"").contains("\"/var/lib/drydock\"");

        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        start(port);
        String admin = TestDrydock.basic("admin@example.test", "an-admin-password");
        call(url, "POST", "/api/v1/orgs", admin, Map.of("id", 17532, "name", "Acme"), 201);
        String robot = call(url, "POST", "/api/v1/orgs/17532/robots", admin, Map.of("name", "ci"), 201).get("token").asText();
        String robotAuth = TestDrydock.basic("17532+ci", robot);
        String boxed = call(url, "POST", "/api/v1/orgs/17532/adapters", robotAuth,
                Map.of("name", "boxed", "category", "pull", "deploymentModel", "HumanReview", "engineMode", "batch"), 201)
                .get("engineId").asText();
        TestImages.push(url, "17532+ci", robot, "17532/boxed", TestImages.newAdapter("amd64"), "1.0");
        await("the pushed build tested inside the container").atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                builds(url, robotAuth, boxed).get(0).get("state").asText().equals("available"));
        // the adapter the worker tests below, registered now and built with buildah while the containers stop and start
        String busybox = call(url, "POST", "/api/v1/orgs/17532/adapters", robotAuth, Map.of("name", "busybox", "category", "pull",
                "deploymentModel", "FullyNetworkIsolated", "engineMode", "batch"), 201).get("engineId").asText();
        SandboxAdapters adapters = new SandboxAdapters(tools, tmp);
        Path context = adapters.context("busybox", busybox, null);
        CompletableFuture<Void> built = CompletableFuture.runAsync(() -> adapters.build("busybox", context));

        // SIGTERM (podman stop) is a graceful stop: exit 143 well within the grace period, not a kill after it
        long stopping = System.nanoTime();
        podman("stop", "--time", "30", NAME);
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(25));
        assertThat(podman("inspect", "--format", "{{.State.ExitCode}}", NAME).strip()).isEqualTo("143");
        // the server logs on stderr, which podman keeps apart from stdout
        List<String> logs = tools.ok(store.podman("logs", NAME)).output().lines().filter(l -> !l.isBlank()).toList();
        assertThat(logs).isNotEmpty().allSatisfy(line -> assertThat(line).as("log.format=json").startsWith("{"));
        assertThat(String.join("\n", logs)).doesNotContain("an-admin-password", robot);

        podman("rm", NAME);
        // again on the same volume, now also as a worker testing builds on the host's engine (one start less for the suite)
        startWorker(port);
        assertThat(builds(url, robotAuth, boxed).get(0).get("state").asText()).as("the build kept on the volume").isEqualTo("available");
        built.join();
        testsBuildsOnTheHostsEngine(url, robot, adapters, busybox);
    }

    /**
     * Starts the image as a worker (role {@code all}: it tests builds) on the host's container engine — here a Podman
     * service of the test's own, standing for an operator's {@code /run/podman/podman.sock} — through its mounted socket,
     * with the flags docs/operations.md names: root with NET_ADMIN in the host's network and PID namespaces, so that it
     * creates and fences each run's bridge where the engine attaches the container, and serves the run's sandbox API on
     * that bridge's gateway. The engine pulls builds from the registry the container serves on the host's loopback.
     */
    private static void startWorker(int port) throws IOException, InterruptedException {
        engine = PodmanService.start(tmp.resolve("engine"), List.of("127.0.0.1:" + port), Duration.ofSeconds(60));
        // the sandbox's run locks: shared with the host's Drydock processes (tests, other workers), whose live runs'
        // firewall chains the worker's start-up cleanup must tell from a dead process's
        Path runLocks = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "drydock-sandbox-runs"));
        String url = "http://127.0.0.1:" + port;
        podman("run", "--detach", "--name", NAME,
                "--network", "host", "--pid", "host", "--user", "0", "--cap-add", "NET_ADMIN",
                "--volume", URI.create(engine.endpoint()).getPath() + ":/run/podman/podman.sock",
                "--volume", runLocks + ":/tmp/drydock-sandbox-runs", "--volume", NAME + ":/var/lib/drydock",
                "--env", "DRYDOCK_BIND=127.0.0.1", "--env", "DRYDOCK_PORT=" + port, "--env", "DRYDOCK_PUBLIC_URL=" + url,
                "--env", "DRYDOCK_SANDBOX_ENGINE=unix:///run/podman/podman.sock",
                image());
        awaitReady(port);
        JsonNode ready = Json.MAPPER.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(ready.get("checks").toString()).as("engine and fence usable in the container")
                .contains("\"containerEngine\":\"up\"", "\"sandboxFence\":\"up\"");
    }

    /** The busybox adapter, built with buildah, pushed and tested by the worker to its verdict through the sandbox API. */
    private static void testsBuildsOnTheHostsEngine(String url, String robot, SandboxAdapters adapters, String engineId) throws IOException {
        String robotAuth = TestDrydock.basic("17532+ci", robot);
        adapters.push("busybox", url.substring("http://".length()), "busybox", "17532+ci", robot);

        // the run's own limit (test.timeout, 10 min) ends it: no tighter one here, where a loaded machine slows each step
        await("the build tested by the worker in the container").atMost(Duration.ofMinutes(11)).pollInterval(Duration.ofMillis(250)).until(() ->
                List.of("available", "invalid").contains(builds(url, robotAuth, engineId).get(0).get("state").asText()));
        JsonNode build = builds(url, robotAuth, engineId).get(0);
        JsonNode report = call(url, "GET", "/api/v1/builds/" + build.get("id").asText() + "/report", robotAuth, null, 200);
        assertThat(build.get("state").asText()).as("verdict; report: %s", report).isEqualTo("available");
        Map<String, String> verdicts = new java.util.HashMap<>();
        report.get("checks").forEach(c -> verdicts.put(c.get("id").asText(), c.get("verdict").asText()));
        // the adapter ran, reached the sandbox API on the fenced bridge's gateway and completed its task there
        assertThat(verdicts).containsEntry("run.exit", "passed").containsEntry("run.task", "passed").containsEntry("run.output", "passed");
        assertThat(report.toString()).doesNotContain("sandbox.host-fence=false");
        assertThat(tools.ok(store.podman("logs", NAME)).output()).doesNotContain("PID namespace of its own", "cannot fence");
    }

    private static void start(int port) {
        podman("run", "--detach", "--name", NAME,
                "--publish", "127.0.0.1:" + port + ":5000", "--volume", NAME + ":/var/lib/drydock",
                "--env", "DRYDOCK_ADMIN_EMAIL=admin@example.test", "--env", "DRYDOCK_ADMIN_PASSWORD=an-admin-password",
                "--env", "DRYDOCK_LOG_FORMAT=json", "--env", "DRYDOCK_PUBLIC_URL=http://127.0.0.1:" + port,
                // an API-and-registry container: no container engine inside it (workers: docs/operations.md)
                "--env", "DRYDOCK_SANDBOX_ENGINE=none",
                image());
        awaitReady(port);
    }

    private static void awaitReady(int port) {
        await("/readyz of the container").atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static JsonNode builds(String url, String auth, String engineId) {
        return call(url, "GET", "/api/v1/adapters/" + engineId + "/builds", auth, null, 200);
    }

    private static String podman(String... args) {
        return tools.ok(store.podman(args)).stdout();
    }

    private static String image() {
        return System.getProperty("drydock.image");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
