package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
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

import static dev.drydock.server.ChildJvm.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container image the Maven build makes with Jib (profile {@code container-image}, docs/operations.md) runs with
 * podman as an operator would run it: as its own unprivileged user, data on a volume, configuration from the
 * environment, JSON logs on stdout. It answers its probes, takes a push and tests the build, stops on SIGTERM within
 * the grace period, and starts again on the same volume with its data.
 */
class ContainerImageIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String NAME = "drydock-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static Path tmp;
    private static ContainerStore store;
    private static Tools tools;

    @BeforeAll
    static void load() throws IOException {
        Prerequisites.requireTools("podman");
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
        call(url, "POST", "/api/v1/orgs/17532/adapters", robotAuth,
                Map.of("name", "boxed", "category", "pull", "deploymentModel", "HumanReview", "engineMode", "batch"), 201);
        TestImages.push(url, "17532+ci", robot, "17532/boxed", TestImages.newAdapter("amd64"), "1.0");
        await("the pushed build tested inside the container").atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                builds(url, robotAuth).get(0).get("state").asText().equals("available"));

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
        start(port);
        assertThat(builds(url, robotAuth).get(0).get("state").asText()).as("the build kept on the volume").isEqualTo("available");
    }

    private static void start(int port) {
        podman("run", "--detach", "--name", NAME,
                "--publish", "127.0.0.1:" + port + ":5000", "--volume", NAME + ":/var/lib/drydock",
                "--env", "DRYDOCK_ADMIN_EMAIL=admin@example.test", "--env", "DRYDOCK_ADMIN_PASSWORD=an-admin-password",
                "--env", "DRYDOCK_LOG_FORMAT=json", "--env", "DRYDOCK_PUBLIC_URL=http://127.0.0.1:" + port,
                // an API-and-registry container: no container engine inside it (workers: docs/operations.md)
                "--env", "DRYDOCK_SANDBOX_ENGINE=none",
                image());
        await("/readyz of the container").atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static JsonNode builds(String url, String auth) {
        String engineId = call(url, "GET", "/api/v1/orgs/17532/adapters", auth, null, 200).get(0).get("engineId").asText();
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
