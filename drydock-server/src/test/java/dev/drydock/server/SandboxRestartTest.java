package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server killed (SIGKILL) while an adapter runs leaves its container, network and firewall chain behind, and its own
 * Podman service running; the next start stops that service, starts a new one and removes every leftover before
 * testing anything.
 */
class SandboxRestartTest {
    static final Map<String, String> SETTINGS = Map.of("sandbox.engine", "podman", "registry.require-adapter", "true",
            "test.timeout", "60s", "worker.lease", "3s");

    @Test
    void leftoversOfAKilledServerAreRemovedOnTheNextStart() throws Exception {
        SandboxE2ETest.require();
        Path data = Files.createTempDirectory("drydock-sandbox-kill");
        Path tmp = Files.createTempDirectory("drydock-sandbox-kill-tools");
        Tools tools = new Tools(Map.of(), tmp.resolve("out"));
        ChildJvm child = ChildJvm.start(SandboxChild.class, "384m", data.toString());
        String socket = data.resolve("podman/podman.sock").toString();
        TestDrydock restarted = null;
        try {
            String port = child.expect("PORT ");
            String url = "http://127.0.0.1:" + port;
            String admin = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            api(tools, url, "POST", "/api/v1/orgs", admin, "{\"id\":17532,\"name\":\"Acme\"}");
            String robot = api(tools, url, "POST", "/api/v1/orgs/17532/robots", admin, "{\"name\":\"ci\"}").get("token").asText();
            String auth = TestDrydock.basic("17532+ci", robot);
            String engineId = api(tools, url, "POST", "/api/v1/orgs/17532/adapters", auth,
                    "{\"name\":\"sleeper\",\"category\":\"pull\",\"deploymentModel\":\"FullyNetworkIsolated\",\"engineMode\":\"batch\"}")
                    .get("engineId").asText();

            SandboxAdapters adapters = new SandboxAdapters(tools, tmp);
            adapters.build("sleeper", adapters.context("sleeper", engineId, "#!/bin/busybox sh\necho sleeping\nexec /bin/busybox sleep 300\n"));
            adapters.push("sleeper", "127.0.0.1:" + port, "sleeper", "17532+ci", robot);

            // the adapter is running: a labelled container and its network exist
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> !running(tools, socket).isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("no sandbox container ran; the server said:\n" + child.output()
                        + "\nengine: " + tools.run("curl", "-s", "--unix-socket", socket, "http://d/v1.41/containers/json?all=true").output(), e);
            }
            List<String> containers = labelled(tools, socket, "containers/json?all=true", "Id");
            List<String> networks = labelled(tools, socket, "networks", "Name");
            assertThat(networks).isNotEmpty();

            child.process().destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup; its Podman service keeps running
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(labelled(tools, socket, "containers/json?all=true", "Id")).containsAll(containers);

            restarted = TestDrydock.open(data, SETTINGS, UnaryOperator.identity());
            List<String> after = labelled(tools, socket, "containers/json?all=true", "Id");
            assertThat(after).doesNotContainAnyElementsOf(containers);
            assertThat(labelled(tools, socket, "networks", "Name")).doesNotContainAnyElementsOf(networks);
            String chains = tools.ok("iptables", "-S").stdout();
            for (String n : networks) assertThat(chains).doesNotContain("DDSB-" + n.substring("ddsb-".length()) + " ");
        } finally {
            child.close();
            if (restarted != null) restarted.close();
            else stopOrphanedPodman(data); // failed before the restart, which would have stopped it: no service left behind
            for (Path dir : restarted == null ? List.of(tmp, data) : List.of(tmp)) { // the restarted server deletes data
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Stops the Podman service the killed child started (it outlives the child: its parent is then init). */
    private static void stopOrphanedPodman(Path data) throws IOException, InterruptedException {
        Path pidFile = data.resolve("podman/podman.pid");
        if (!Files.exists(pidFile)) return;
        var service = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                .filter(p -> p.info().command().map(c -> c.endsWith("podman")).orElse(false));
        if (service.isPresent()) {
            service.get().destroy();
            try {
                service.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                service.get().destroyForcibly();
            }
        }
    }

    private static List<String> running(Tools tools, String socket) throws IOException {
        return labelled(tools, socket, "containers/json", "Id");
    }

    /** The given field of the engine's objects labelled {@code dev.drydock.sandbox}, through the engine's own API. */
    private static List<String> labelled(Tools tools, String socket, String path, String field) throws IOException {
        Tools.Result r = tools.run("curl", "-s", "--unix-socket", socket, "http://d/v1.41/" + path);
        if (!r.ok()) return List.of();
        List<String> out = new ArrayList<>();
        for (JsonNode n : BuildFixture.parse(r.stdout())) {
            if (n.path("Labels").has("dev.drydock.sandbox")) out.add(n.get(field).asText());
        }
        return out;
    }

    private static JsonNode api(Tools tools, String url, String method, String path, String auth, String body) {
        Tools.Result r = tools.ok("curl", "-sf", "-X", method, "-H", "Authorization: " + auth, "-H", "Content-Type: application/json",
                "-d", body, url + path);
        return BuildFixture.parse(r.stdout());
    }
}
