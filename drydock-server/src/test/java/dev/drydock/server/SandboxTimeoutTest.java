package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code test.timeout} is the one deadline of the whole test (issue 16): the run gets what the image checks left of
 * it and the sandbox stops an adapter that never exits at it, hands over the run's result, and cleans up afterwards
 * (on vfs that takes longer than any margin could allow). The build fails with the record's "Timed out after …"
 * naming the whole limit, in a full report: every image check passed, {@code run.exit} failed with the timeout,
 * {@code testLog}; and the container, its network and its firewall chain are gone afterwards.
 */
class SandboxTimeoutTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void anAdapterThatNeverExitsTimesOutWithAFullReportAndIsCleanedUp() throws Exception {
        SandboxE2ETest.require();
        Path tmp = Files.createTempDirectory("drydock-sandbox-timeout");
        try (TestDrydock d = BuildFixture.start(Map.of("sandbox.engine", "podman", "test.timeout", "30s"))) {
            BuildFixture fx = new BuildFixture(d);
            BuildFixture.Owner owner = fx.orgWithRobot(17532);
            String engineId = fx.registerAdapter(owner, "sleeper");
            Tools tools = new Tools(Map.of(), tmp.resolve("out"));
            SandboxAdapters adapters = new SandboxAdapters(tools, tmp);
            adapters.build("sleeper", adapters.context("sleeper", engineId, "#!/bin/busybox sh\necho sleeping\nexec /bin/busybox sleep 600\n"));
            String id = fx.buildId(engineId, adapters.push("sleeper", d.host(), "sleeper", owner.login(), owner.secret()), owner.auth());
            long start = System.nanoTime();
            await().atMost(LIMIT.multipliedBy(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                    d.api("GET", "/api/v1/builds/" + id, owner.auth(), null, 200).get("state").asText().equals("invalid"));
            // the deadline, plus killing the container and reading its output; not the cleanup
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LIMIT.plusSeconds(25));
            JsonNode report = fx.report(id, owner.auth());
            Map<String, String> verdicts = new LinkedHashMap<>();
            for (JsonNode check : report.get("checks")) verdicts.put(check.get("id").asText(), check.get("verdict").asText());
            assertThat(verdicts).as(report.toPrettyString()).containsEntry("image.platform", "passed")
                    .containsEntry("image.filesystem", "passed").containsEntry("manifest.present", "passed")
                    .containsEntry("manifest.valid", "passed").containsEntry("image.entrypoint", "passed")
                    .containsEntry("run.exit", "failed");
            assertThat(report.get("errors").get(0).asText()).startsWith("Timed out after 30s: the adapter was still running and was"
                    + " killed; it must finish its task (updateTask status complete) and exit within 30s");
            assertThat(report.get("testLog").get(0).asText()).isEqualTo("sleeping");
            JsonNode exit = report.get("checks").findParents("id").stream().filter(c -> c.get("id").asText().equals("run.exit"))
                    .findFirst().orElseThrow();
            assertThat(exit.get("evidence").get("outcome").asText()).isEqualTo("TIMED_OUT");
            String runId = exit.get("evidence").get("runId").asText();

            // the cleanup runs after the report, outside the deadline, and is never cut off
            String socket = d.dataDir().resolve("podman/podman.sock").toString();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                String containers = tools.ok("curl", "-sf", "--unix-socket", socket, "http://d/v1.41/containers/json?all=true").stdout();
                String networks = tools.ok("curl", "-sf", "--unix-socket", socket, "http://d/v1.41/networks").stdout();
                assertThat(containers).doesNotContain(runId);
                assertThat(networks).doesNotContain(runId);
                assertThat(tools.ok("iptables", "-S").stdout()).doesNotContain("DDSB-" + runId);
            });
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
