package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code test.timeout} is the limit of the whole test: the run gets what the image checks left of it, so an adapter
 * that never exits is killed by the sandbox just before the worker's limit, and the build fails with the record's
 * "Timed out after …" naming the whole limit, in a full report (checks, testLog) rather than the worker's bare one.
 */
class SandboxTimeoutTest {
    @Test
    void anAdapterThatNeverExitsTimesOutWithinTheTestLimit() throws Exception {
        SandboxE2ETest.require();
        Path tmp = Files.createTempDirectory("drydock-sandbox-timeout");
        try (TestDrydock d = BuildFixture.start(Map.of("sandbox.engine", "podman", "test.timeout", "40s"))) {
            BuildFixture fx = new BuildFixture(d);
            BuildFixture.Owner owner = fx.orgWithRobot(17532);
            String engineId = fx.registerAdapter(owner, "sleeper");
            SandboxAdapters adapters = new SandboxAdapters(new Tools(Map.of(), tmp.resolve("out")), tmp);
            adapters.build("sleeper", adapters.context("sleeper", engineId, "#!/bin/busybox sh\necho sleeping\nexec /bin/busybox sleep 600\n"));
            String id = fx.buildId(engineId, adapters.push("sleeper", d.host(), "sleeper", owner.login(), owner.secret()), owner.auth());
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                    d.api("GET", "/api/v1/builds/" + id, owner.auth(), null, 200).get("state").asText().equals("invalid"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
            JsonNode report = fx.report(id, owner.auth());
            assertThat(report.get("errors").get(0).asText()).startsWith("Timed out after 40s: the adapter was still running and was"
                    + " killed; it must finish its task (updateTask status complete) and exit within 40s");
            assertThat(report.get("checks").findValuesAsText("id")).contains("image.entrypoint", "run.exit");
            assertThat(report.get("testLog").get(0).asText()).isEqualTo("sleeping");
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
