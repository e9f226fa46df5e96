package dev.drydock.compliance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ImageSource;
import dev.drydock.registry.Digest;
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
                new SandboxRunCheck(access, Duration.ofMinutes(10)))).run(BUILD, NO_IMAGE);
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

}
