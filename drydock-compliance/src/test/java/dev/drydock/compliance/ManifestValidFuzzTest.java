package dev.drydock.compliance;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.oci.Digest;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the Veritone manifest validator, the {@code manifest.valid} check of
 * {@code /var/manifest.json} (docs/fuzzing.md): any file is a verdict with a message saying what to fix, never an
 * exception (which would end the test as an error instead of telling the developer). The input's first byte picks
 * the registered category (none, an adapter, an engine), the rest is the file.
 */
class ManifestValidFuzzTest {
    private static final String[] CATEGORIES = {null, "pull", "transcription"};

    @FuzzTest
    void manifestFile(byte[] input) throws Exception {
        if (input.length == 0) return;
        byte[] file = java.util.Arrays.copyOfRange(input, 1, input.length);
        String category = CATEGORIES[Math.floorMod(input[0], CATEGORIES.length)];
        InMemoryFilesystem fs = new InMemoryFilesystem().file("var/manifest.json", file, 0, "COPY manifest.json /var/manifest.json");
        BuildUnderTest build = new BuildUnderTest(category == null ? null : "0c8e7b0a-engine", "b1", 1L, "dev@acme.test",
                "host/17532/a:1", "17532/a", Digest.sha256(new byte[] {1}), category, category == null ? null : "batch",
                "MostlyNetworkIsolated");
        CheckContext context = new CheckContext(build, null, null, path -> false, TestDeadline.after(Duration.ofMinutes(1)));
        context.put(ImageFilesystemCheck.FILESYSTEM, fs);
        context.put(ManifestPresentCheck.ENTRY, fs.lookup("var/manifest.json").orElseThrow());
        CheckResult result = new ManifestValidCheck().run(context);
        assertThat(result.id()).isEqualTo(ManifestValidCheck.ID);
        assertThat(result.message()).isNotBlank();
        if (result.verdict() == Verdict.failed) return;
        assertThat(result.verdict()).isIn(Verdict.passed, Verdict.warning);
        // What later checks and the sandbox read: an object whose externalCalls are bare hosts.
        JsonNode manifest = context.get(ManifestValidCheck.MANIFEST);
        assertThat(manifest.isObject()).isTrue();
        for (JsonNode host : manifest.path("externalCalls")) {
            assertThat(host.asText()).doesNotContain("/", "@", "?", "#");
            assertThat(ManifestRules.host(host.asText())).isEqualTo(host.asText());
        }
    }
}
