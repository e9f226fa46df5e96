package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An engine making exactly the calls of Veritone's own sample engine (veritone-sample-engine-py: introspection,
 * {@code updateTask} with {@code jobId} and {@code output}, {@code assets(assetType: [..])}, the {@code signedUri}
 * download, a multipart {@code createAsset} with {@code jsondata}) runs in a real container with the facts of a passing
 * run: exit code 0, the task complete, its text/plain asset, no network violation.
 */
@Tag("engine")
public class VeritoneSampleEngineRunTest {
    /** The sample engine's manifest, as it ships (drydock-server's SandboxE2ETest pushes the same engine). */
    public static final String MANIFEST = """
            {"engineId":"3861d2c3-0467-4e95-9407-c6b5259d275f","category":"translation","externalCalls":[],
             "preferredInputFormat":"text/plain","supportedInputFormats":["text/plain","application/ttml+xml"],
             "outputFormats":["text/plain","application/ttml+xml"],"clusterSize":"small"}
            """;
    @RegisterExtension
    static final AdapterRuns runs = new AdapterRuns(Duration.ofSeconds(90), false);

    /** A test adapter script of {@code src/test/resources/adapters/}. */
    public static String script(String name) throws IOException {
        try (InputStream in = VeritoneSampleEngineRunTest.class.getResourceAsStream("/adapters/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theSampleEnginesCallsPassEveryRunCheck() throws IOException {
        String ref = runs.engine.buildAdapter("sample-translation", MANIFEST, script("sample-translation-engine.sh"));
        SandboxRequest request = SandboxRequest.of(ref, new ObjectMapper().readTree(MANIFEST), DeploymentModel.FullyNetworkIsolated)
                .withAuth(runs.engine.auth());
        SandboxResult r = runs.sandbox.run(request);
        String describe = "stdout=" + r.stdout().lines() + "\nstderr=" + r.stderr().lines() + "\ncalls=" + r.apiCalls()
                + "\nnetwork=" + r.networkUsage();
        // the facts every run check passes on (drydock-compliance's RunVerdictsTest judges these same facts)
        assertThat(r.outcome()).as(describe).isEqualTo(SandboxResult.Outcome.EXITED);
        assertThat(r.exitCode()).as(describe).isZero();
        assertThat(r.task().status()).isEqualTo("complete");
        assertThat(r.task().history()).containsExactly("running", "complete");
        assertThat(r.networkUsage().violations()).as(describe).isEmpty();
        assertThat(r.testLog()).containsExactly("translating text (text/plain)", "Successfully ran engine!");
        assertThat(r.apiCalls()).extracting(ApiCall::operation)
                .containsExactly("__schema", "updateTask", "temporalDataObject", "GET /media", "createAsset", "updateTask");
        assertThat(r.apiCalls()).allSatisfy(c -> assertThat(c.error()).isNull());
        assertThat(r.engineOutputs()).containsExactly(new EngineOutput("createAsset", "text/plain", null));
        CreatedObject asset = r.created().getLast();
        assertThat(asset.parentId()).isEqualTo(r.ids().recordingId());
        assertThat(asset.bytes()).isEqualTo(SampleMedia.text().bytes().length);
        assertThat(asset.details().path("jsondata").path("language").asText()).isEqualTo("upper");
        assertThat(asset.details().path("assetType").asText()).isEqualTo("text");
    }
}
