package dev.drydock.compliance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ImageSource;
import dev.drydock.oci.Digest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox run's place in the pipeline, without containers (the real runs are drydock-server's SandboxE2ETest):
 * four results from one check, skipped together when a prerequisite did not pass, warnings when runs are disabled,
 * and the report's testLog and networkUsage null whenever the adapter did not run.
 */
class SandboxRunCheckTest {
    private static final ImageSource NO_IMAGE = new ImageSource() {
        @Override
        public Optional<Manifest> manifest(Digest digest) {
            return Optional.empty();
        }

        @Override
        public Optional<Long> blobSize(Digest digest) {
            return Optional.empty();
        }

        @Override
        public InputStream blob(Digest digest) {
            throw new UnsupportedOperationException();
        }
    };
    private static final BuildUnderTest BUILD = new BuildUnderTest("e", "b", 1L, "u", "host/17532/a:1", "17532/a",
            Digest.parse("sha256:" + "a".repeat(64)), "pull", "batch", "FullyNetworkIsolated");

    /** A stand-in for an earlier check with a fixed verdict. */
    private record Fixed(String id, Verdict verdict) implements Check {
        @Override
        public CheckResult run(CheckContext context) {
            if (id.equals(ManifestValidCheck.ID)) context.put(ManifestValidCheck.MANIFEST, new ObjectMapper().createObjectNode());
            return new CheckResult(id, verdict, id + " " + verdict, Map.of());
        }
    }

    private static BuildReport run(Verdict entrypoint, SandboxAccess access) throws InterruptedException {
        return new Pipeline(List.of(new Fixed(ManifestValidCheck.ID, Verdict.passed), new Fixed(EntrypointCheck.ID, entrypoint),
                new SandboxRunCheck(access))).run(BUILD, NO_IMAGE);
    }

    /** The image's configuration as ImagePlatformCheck leaves it: a webhook engine behind the Engine Toolkit. */
    private record WebhookImage() implements Check {
        @Override
        public String id() {
            return "image.config";
        }

        @Override
        public CheckResult run(CheckContext context) throws Exception {
            context.put(ImagePlatformCheck.CONFIG, new ObjectMapper().readTree("{\"config\": {\"Entrypoint\": [\"/opt/aiware/engine\","
                    + " \"node\", \"index.js\"], \"Env\": [\"VERITONE_WEBHOOK_READY=http://0.0.0.0:8080/ready\"]}}"));
            return CheckResult.passed(id(), "read", Map.of());
        }
    }

    /** Known from the image before any run: a webhook engine's run that did not happen lists run.ready and run.process. */
    @Test
    void aWebhookEngineThatDidNotRunListsTheWebhookChecks() throws InterruptedException {
        BuildReport disabled = new Pipeline(List.of(new WebhookImage(), new Fixed(ManifestValidCheck.ID, Verdict.passed),
                new Fixed(EntrypointCheck.ID, Verdict.passed), new SandboxRunCheck(SandboxAccess.disabled("off")))).run(BUILD, NO_IMAGE);
        assertThat(disabled.checks()).extracting(CheckResult::id).endsWith("run.exit", "run.ready", "run.process", "run.output", "run.network");
        BuildReport skipped = new Pipeline(List.of(new WebhookImage(), new Fixed(ManifestValidCheck.ID, Verdict.passed),
                new Fixed(EntrypointCheck.ID, Verdict.failed), new SandboxRunCheck(SandboxAccess.disabled("off")))).run(BUILD, NO_IMAGE);
        assertThat(skipped.checks()).extracting(CheckResult::id).endsWith("run.exit", "run.ready", "run.process", "run.output", "run.network");
    }

    @Test
    void disabledRunsAreWarningsAndDoNotFailTheBuild() throws InterruptedException {
        BuildReport report = run(Verdict.passed, SandboxAccess.disabled("the sandbox is disabled (sandbox.engine=none)"));
        assertThat(report.checks()).extracting(CheckResult::id).containsExactly(ManifestValidCheck.ID, EntrypointCheck.ID,
                "run.exit", "run.task", "run.output", "run.network");
        assertThat(report.checks().subList(2, 6)).allSatisfy(c -> {
            assertThat(c.verdict()).isEqualTo(Verdict.warning);
            assertThat(c.message()).isEqualTo("not run: the sandbox is disabled (sandbox.engine=none)");
        });
        assertThat(report.success()).isTrue();
        assertThat(report.testLog()).isNull();
        assertThat(report.networkUsage()).isNull();
        assertThat(report.durations()).containsKey("run");
    }

    @Test
    void skippedTogetherWhenTheEntrypointFailed() throws InterruptedException {
        BuildReport report = run(Verdict.failed, SandboxAccess.disabled("unused"));
        assertThat(report.checks().subList(2, 6)).allSatisfy(c -> {
            assertThat(c.verdict()).isEqualTo(Verdict.skipped);
            assertThat(c.message()).isEqualTo("not checked: image.entrypoint did not pass (failed)");
        });
        assertThat(report.errors()).containsExactly("image.entrypoint failed");
    }

    @Test
    void aFailingSandboxIsAnErrorOnEachRunCheck() throws InterruptedException {
        SandboxAccess broken = new SandboxAccess() {
            @Override
            public dev.drydock.sandbox.Sandbox sandbox() {
                throw new IllegalStateException("engine gone");
            }

            @Override
            public String disabledReason() {
                return null;
            }

            @Override
            public PullTarget pullTarget(BuildUnderTest build, Duration validFor) {
                throw new IllegalStateException();
            }
        };
        BuildReport report = run(Verdict.passed, broken);
        assertThat(report.checks().subList(2, 6)).extracting(CheckResult::verdict).containsOnly(Verdict.error);
        assertThat(report.success()).isFalse();
    }

    // --- run.output's vtn-standard rule, through the integration seam ---

    private static final CheckResult OUTPUT_PASSED = CheckResult.passed("run.output", "output application/json (120 bytes)",
            Map.of("created", List.of()));

    @Test
    void aDeclaredContractNotMetFailsRunOutput() {
        CheckResult r = SandboxRunCheck.withVtnStandardJson(OUTPUT_PASSED,
                List.of(VtnOutputRuleTest.declaring(VtnOutputRuleTest.BROKEN_TRANSCRIPT, "transcript")), "transcription");
        assertThat(r.id()).isEqualTo("run.output");
        assertThat(r.verdict()).isEqualTo(Verdict.failed);
        assertThat(r.message()).startsWith("the engine output (output 1) declares the vtn-standard validation contract \"transcript\"")
                .contains("$.series[0]: required property 'words' not found");
        assertThat(r.evidence()).containsKeys("created", SandboxRunCheck.VTN_STANDARD);
        assertThat(r.blocksBuild()).isTrue();
    }

    /** A webhook engine's answer to a chunk (via {@code process}) is judged like any other output, with JSON paths. */
    @Test
    void aWebhookEnginesProcessAnswerNotMeetingItsContractFailsRunOutput() {
        CheckResult r = SandboxRunCheck.withVtnStandard(OUTPUT_PASSED, List.of(new VtnOutputRule.Output("process", VtnStandardTest.json(
                "{\"validationContracts\":[\"keyword\"],\"object\":[{\"type\":\"keyword\",\"name\":\"fox\"}]}"))), "keyword");
        assertThat(r.verdict()).isEqualTo(Verdict.failed);
        assertThat(r.message()).startsWith("the engine output (process) declares the vtn-standard validation contract \"keyword\"")
                .contains("$.object[0]");
        assertThat(r.blocksBuild()).isTrue();
    }

    @Test
    void aCategoryContractNotMetWarnsAndAMetOneAddsANote() {
        CheckResult warned = SandboxRunCheck.withVtnStandard(OUTPUT_PASSED, List.of(new VtnOutputRule.Output("uploadEngineResult",
                VtnOutputRuleTest.declaring(VtnOutputRuleTest.BROKEN_TRANSCRIPT))), "transcription");
        assertThat(warned.verdict()).isEqualTo(Verdict.warning);
        assertThat(warned.message()).startsWith("no engine output declares a vtn-standard validation contract");
        assertThat(warned.blocksBuild()).isFalse();

        CheckResult met = SandboxRunCheck.withVtnStandardJson(OUTPUT_PASSED,
                List.of(VtnOutputRuleTest.declaring(VtnOutputRuleTest.TRANSCRIPT, "transcript")), "transcription");
        assertThat(met.verdict()).isEqualTo(Verdict.passed);
        assertThat(met.message()).isEqualTo("output application/json (120 bytes); vtn-standard: meets \"transcript\" (output 1)");
    }

    @Test
    void noContractForTheCategoryLeavesRunOutputAsItIsWithANoteInTheEvidence() {
        CheckResult r = SandboxRunCheck.withVtnStandardJson(OUTPUT_PASSED, List.of(VtnStandardTest.json("{}")), "face-detection");
        assertThat(r.verdict()).isEqualTo(Verdict.passed);
        assertThat(r.message()).isEqualTo(OUTPUT_PASSED.message());
        assertThat(r.evidence().get(SandboxRunCheck.VTN_STANDARD).toString()).contains("not checked: no vtn-standard validation"
                + " contract is formalised for category face-detection");
    }

    @Test
    void aRunOutputThatDidNotPassKeepsItsOwnVerdictAndMessage() {
        CheckResult missing = CheckResult.failed("run.output", "no output in one of the manifest's outputFormats [application/json]:"
                + " upload the result with uploadEngineResult or createAsset", Map.of());
        CheckResult r = SandboxRunCheck.withVtnStandardJson(missing, List.of(), "transcription");
        assertThat(r.verdict()).isEqualTo(Verdict.failed);
        assertThat(r.message()).isEqualTo(missing.message());
        assertThat(r.evidence()).containsEntry(SandboxRunCheck.VTN_STANDARD, Map.of("note", "not checked: run.output did not pass"));
    }

    @Test
    void aWarningFromRunOutputItselfIsKeptAlongsideTheRules() {
        CheckResult warned = CheckResult.warning("run.output", "a warning of its own", Map.of());
        CheckResult r = SandboxRunCheck.withVtnStandardJson(warned, List.of(VtnOutputRuleTest.declaring(VtnOutputRuleTest.BROKEN_TRANSCRIPT)),
                "transcription");
        assertThat(r.verdict()).isEqualTo(Verdict.warning);
        assertThat(r.message()).startsWith("a warning of its own; no engine output declares");
    }
}
