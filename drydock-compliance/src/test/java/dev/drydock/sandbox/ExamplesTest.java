package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.CheckResult;
import dev.drydock.compliance.RunVerdicts;
import dev.drydock.compliance.Verdict;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.drydock.compliance.JudgedRun.checks;
import static org.assertj.core.api.Assertions.assertThat;

/** The sample adapters and engine under {@code examples/} pass every sandbox check. */
@Tag("engine")
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    @RegisterExtension
    static final AdapterRuns runs = new AdapterRuns(Duration.ofSeconds(90), false);

    private static SandboxResult run(String ref, Path manifest) throws IOException {
        return run(ref, Files.readString(manifest));
    }

    private static SandboxResult run(String ref, String manifest) throws IOException {
        SandboxRequest request = SandboxRequest.of(ref, new ObjectMapper().readTree(manifest),
                DeploymentModel.FullyNetworkIsolated).withAuth(runs.engine.auth());
        return runs.sandbox.run(request);
    }

    /** Built from its Dockerfile with {@code buildah bud}, as its README says. */
    @Test
    @Tag("engine-matrix")
    void busyboxPullAdapterPassesEveryCheck() throws Exception {
        Path example = EXAMPLES.resolve("busybox-pull-adapter");
        SandboxResult r = run(runs.engine.buildDockerfile(example, "busybox-pull"), example.resolve("manifest.json"));
        assertThat(RunVerdicts.judge(r)).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
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
        Path root = Files.createTempDirectory(runs.engine.dir, "java-rootfs");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "21", "-d", root.resolve("app").toString(),
                example.resolve("src/main/java/example/PullAdapter.java").toString());
        assertThat(rc).isZero();
        JlinkRuntime.create(root);
        Files.createDirectories(root.resolve("var"));
        Files.copy(example.resolve("src/main/jib/var/manifest.json"), root.resolve("var/manifest.json"));
        Files.createDirectories(root.resolve("tmp"));
        String ref = runs.engine.buildRootfs("java-pull", root,
                "[\"/opt/jre/bin/java\",\"-XX:MaxRAMPercentage=75\",\"-cp\",\"/app\",\"example.PullAdapter\"]");
        SandboxResult r = run(ref, example.resolve("src/main/jib/var/manifest.json"));
        assertThat(RunVerdicts.judge(r)).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(r.testLog()).containsExactly("Starting ingest of " + r.created().get(1).details().path("uri").asText(),
                "Created TDO " + r.created().getFirst().id(), "Added the source as an asset", "Processing complete");
    }

    /**
     * The keyword engine, built from its Dockerfile with {@code buildah bud}: it reads the recording's text asset through
     * its signedUri and writes the sample text's words as a vtn-standard keyword result with a multipart createAsset.
     */
    @Test
    void textKeywordEnginePassesEveryCheck() throws Exception {
        Path example = EXAMPLES.resolve("text-keyword-engine");
        SandboxResult r = run(runs.engine.buildDockerfile(example, "text-keyword"), example.resolve("manifest.json"));
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.values()).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(checks.get("run.task").message()).isEqualTo("task complete (running → complete)");
        assertThat(checks.get("run.output").message()).isEqualTo("output application/json via createAsset");
        assertThat(r.apiCalls()).extracting(ApiCall::operation)
                .containsExactly("updateTask", "temporalDataObject", "GET /media", "createAsset", "updateTask");
        assertThat(r.apiCalls()).allSatisfy(c -> assertThat(c.error()).isNull());
        // updateTask carries the task's id and the payload's jobId, as Veritone's UpdateTask has them
        for (ApiCall update : List.of(r.apiCalls().getFirst(), r.apiCalls().getLast())) {
            JsonNode input = update.variables().path("updateTask").path("input");
            assertThat(input.path("id").asText()).as(update.toString()).isEqualTo(r.ids().taskId());
            assertThat(input.path("jobId").asText()).as(update.toString()).isEqualTo(r.ids().jobId());
        }

        // the result: one vtn-standard keyword document, the sample text's words (every one occurs once)
        assertThat(r.engineOutputs()).hasSize(1);
        EngineOutput out = r.engineOutputs().getFirst();
        assertThat(out.via()).isEqualTo(EngineOutput.CREATE_ASSET);
        assertThat(out.contentType()).isEqualTo("application/json");
        assertThat(out.json().path("validationContracts").toString()).isEqualTo("[\"keyword\"]");
        List<String> labels = out.json().path("object").findValuesAsText("label");
        assertThat(labels).containsExactly("brown", "dog", "drydock", "fox", "jumps", "lazy", "quick", "sample", "sandbox");
        assertThat(out.json().path("object")).allSatisfy(o -> {
            assertThat(o.path("type").asText()).isEqualTo("keyword");
            assertThat(o.path("confidence").asDouble()).isEqualTo(1.0);
        });
        CreatedObject asset = r.created().getLast();
        assertThat(asset.parentId()).isEqualTo(r.ids().recordingId());
        assertThat(asset.details().path("assetType").asText()).isEqualTo("vtn-standard");
        assertThat(r.testLog()).containsExactly("Extracting keywords from the text asset of recording " + r.ids().recordingId(),
                "Keywords: " + String.join(" ", labels), "Wrote the result as asset " + asset.id(), "Task complete");
        assertThat(r.stderr().lines()).isEmpty();
    }

    /**
     * Its error path: registered under a category whose recording has no text asset (transcription gets a WAV), it
     * reports the task failed with Veritone's failureReason and failureMessage, and exits 1.
     */
    @Test
    void textKeywordEngineReportsAFailedTask() throws Exception {
        Path example = EXAMPLES.resolve("text-keyword-engine");
        String manifest = Files.readString(example.resolve("manifest.json"))
                .replace("\"keyword-extraction\"", "\"transcription\"").replace("text/plain", "audio/wav");
        SandboxResult r = run(runs.engine.buildDockerfile(example, "text-keyword-failing"), manifest);
        Map<String, CheckResult> checks = checks(r);
        String why = "recording " + r.ids().recordingId() + " has no text asset";
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.task().status()).isEqualTo("failed");
        assertThat(r.task().failureReason()).isEqualTo("internal_error: " + why);
        assertThat(checks.get("run.task").message()).isEqualTo("the adapter reported the task as failed: internal_error: " + why);
        assertThat(r.apiCalls()).extracting(ApiCall::operation).containsExactly("updateTask", "temporalDataObject", "updateTask");
        assertThat(r.apiCalls()).allSatisfy(c -> assertThat(c.error()).isNull());
        assertThat(r.stderr().lines()).containsExactly("keyword extraction failed: " + why);
    }

    /**
     * The webhook keyword engine, built from its Dockerfile with {@code buildah bud}: the sandbox plays the Engine
     * Toolkit (ready, then one text chunk posted to process) and the answer is a vtn-standard keyword document.
     */
    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void webhookKeywordEnginePassesEveryCheck() throws Exception {
        Path example = EXAMPLES.resolve("webhook-keyword-engine");
        SandboxResult r = run(runs.engine.buildDockerfile(example, "webhook-keyword"), example.resolve("manifest.json"));
        Map<String, CheckResult> checks = checks(r);
        assertThat(checks.keySet()).containsExactly("run.exit", "run.ready", "run.process", "run.output", "run.network");
        assertThat(checks.values()).as(r.toString()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(checks.get("run.output").message()).isEqualTo("output application/json via process");
        assertThat(r.webhook().toolkit()).isNull();
        assertThat(r.webhook().command()).containsExactly("/bin/busybox", "sh", "/engine.sh");
        assertThat(r.webhook().chunks()).singleElement().satisfies(c -> {
            assertThat(c.mimeType()).isEqualTo("text/plain");
            assertThat(c.attempts()).singleElement().satisfies(a -> assertThat(a.status()).isEqualTo(200));
        });
        // the engine downloaded the chunk from cacheURI: a signed media download, and nothing else
        assertThat(r.apiCalls()).extracting(ApiCall::operation).containsExactly("GET /media");
        EngineOutput out = r.engineOutputs().getFirst();
        assertThat(out.via()).isEqualTo(EngineOutput.PROCESS);
        assertThat(out.json().path("validationContracts").toString()).isEqualTo("[\"keyword\"]");
        List<String> labels = out.json().path("object").findValuesAsText("label");
        assertThat(labels).containsExactly("brown", "dog", "drydock", "fox", "jumps", "lazy", "quick", "sample", "sandbox");
        assertThat(r.testLog()).first().isEqualTo("Keyword engine listening on port 8080");
        assertThat(r.testLog()).contains("Extracting keywords from a text/plain chunk", "Keywords: " + String.join(" ", labels));
    }
}
