package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample adapters under {@code examples/} pass every sandbox check. */
@Tag("engine")
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static EngineFixture engine;
    private static Sandbox sandbox;

    @BeforeAll
    static void start() throws IOException {
        engine = new EngineFixture();
        sandbox = Sandbox.open(SandboxConfig.defaults(engine.endpoint()).withTimeout(Duration.ofSeconds(90)));
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) sandbox.close();
        if (engine != null) engine.close();
    }

    private static SandboxResult run(String ref, Path manifest) throws IOException {
        SandboxRequest request = SandboxRequest.of(ref, new ObjectMapper().readTree(Files.readString(manifest)),
                DeploymentModel.FullyNetworkIsolated).withAuth(engine.auth());
        return sandbox.run(request);
    }

    /** Built from its Dockerfile with {@code buildah bud}, as its README says. */
    @Test
    void busyboxPullAdapterPassesEveryCheck() throws Exception {
        Path example = EXAMPLES.resolve("busybox-pull-adapter");
        SandboxResult r = run(engine.buildDockerfile(example, "busybox-pull"), example.resolve("manifest.json"));
        assertThat(SandboxChecks.evaluate(r)).as(r.toString()).allMatch(c -> c.verdict() == SandboxChecks.Verdict.passed);
        assertThat(r.testLog()).first().asString().startsWith("Starting ingest of http://");
        assertThat(r.testLog()).last().isEqualTo("Processing complete");
        assertThat(r.stderr().lines()).isEmpty();
    }

    /**
     * The Java adapter's code, compiled here and run on a runtime made with jlink from this JDK plus the C libraries it
     * links (the test machines cannot download the eclipse-temurin base image its pom.xml uses with Jib).
     */
    @Test
    void javaPullAdapterPassesEveryCheck() throws Exception {
        Path example = EXAMPLES.resolve("java-pull-adapter");
        Path root = Files.createTempDirectory(engine.dir, "java-rootfs");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "21", "-d", root.resolve("app").toString(),
                example.resolve("src/main/java/example/PullAdapter.java").toString());
        assertThat(rc).isZero();
        JlinkRuntime.create(root);
        Files.createDirectories(root.resolve("var"));
        Files.copy(example.resolve("src/main/jib/var/manifest.json"), root.resolve("var/manifest.json"));
        Files.createDirectories(root.resolve("tmp"));
        String ref = engine.buildRootfs("java-pull", root,
                "[\"/opt/jre/bin/java\",\"-XX:MaxRAMPercentage=75\",\"-cp\",\"/app\",\"example.PullAdapter\"]");
        SandboxResult r = run(ref, example.resolve("src/main/jib/var/manifest.json"));
        assertThat(SandboxChecks.evaluate(r)).as(r.toString()).allMatch(c -> c.verdict() == SandboxChecks.Verdict.passed);
        assertThat(r.testLog()).containsExactly("Starting ingest of " + r.created().get(1).details().path("uri").asText(),
                "Created TDO " + r.created().getFirst().id(), "Added the source as an asset", "Processing complete");
    }
}
