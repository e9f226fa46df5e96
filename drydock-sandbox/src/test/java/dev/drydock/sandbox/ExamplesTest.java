package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample adapters under {@code examples/}, built from their Dockerfiles, pass every sandbox check. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void busyboxPullAdapterPassesEveryCheck() throws Exception {
        Path example = EXAMPLES.resolve("busybox-pull-adapter");
        try (PodmanFixture podman = new PodmanFixture();
             Sandbox sandbox = Sandbox.open(SandboxConfig.defaults(podman.endpoint()).withTimeout(Duration.ofSeconds(60)))) {
            String ref = podman.buildDockerfile(example, "busybox-pull");
            SandboxRequest request = SandboxRequest.of(ref, new ObjectMapper().readTree(Files.readString(example.resolve("manifest.json"))),
                    DeploymentModel.FullyNetworkIsolated).withAuth(podman.auth());
            SandboxResult r = sandbox.run(request);
            assertThat(SandboxChecks.evaluate(r)).as(r.toString()).allMatch(c -> c.verdict() == SandboxChecks.Verdict.passed);
            assertThat(r.testLog()).first().asString().startsWith("Starting ingest of http://");
            assertThat(r.testLog()).last().isEqualTo("Processing complete");
            assertThat(r.stderr().lines()).isEmpty();
        }
    }
}
