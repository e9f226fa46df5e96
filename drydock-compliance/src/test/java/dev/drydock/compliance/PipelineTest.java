package dev.drydock.compliance;

import dev.drydock.image.ImageSource;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineTest {

    /** An in-memory image source: manifests and blobs by digest. */
    private static final class MemoryImage implements ImageSource {
        final Map<Digest, Manifest> manifests = new HashMap<>();
        final Map<Digest, byte[]> blobs = new HashMap<>();

        Digest blob(String content) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            Digest d = Digest.sha256(bytes);
            blobs.put(d, bytes);
            return d;
        }

        Digest manifest(String mediaType, String json) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            Digest d = Digest.sha256(bytes);
            manifests.put(d, new Manifest(mediaType, bytes));
            return d;
        }

        @Override public Optional<Manifest> manifest(Digest digest) { return Optional.ofNullable(manifests.get(digest)); }
        @Override public Optional<Long> blobSize(Digest digest) { return Optional.ofNullable(blobs.get(digest)).map(b -> (long) b.length); }
        @Override public InputStream blob(Digest digest) { return new java.io.ByteArrayInputStream(blobs.get(digest)); }
    }

    private static Digest image(MemoryImage img, String os, String arch) {
        String config = "{\"os\":\"" + os + "\",\"architecture\":\"" + arch + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        Digest c = img.blob(config);
        Digest l = img.blob("layer-" + os + arch);
        return img.manifest(MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + c + "\",\"size\":" + config.length() + "},"
                + "\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER + "\",\"digest\":\"" + l + "\",\"size\":"
                + ("layer-" + os + arch).length() + "}]}");
    }

    private static BuildUnderTest build(Digest digest) {
        return new BuildUnderTest("e", "b", 1L, "dev@acme.test", "host/17532/a:1", "17532/a", digest, "pull", "batch",
                "FullyNetworkIsolated");
    }

    @Test
    void linuxAmd64ImagePassesAndTheReportKeepsTheRecordsFieldOrder() throws Exception {
        MemoryImage img = new MemoryImage();
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck())).run(build(image(img, "linux", "amd64")), img);
        assertThat(report.success()).isTrue();
        assertThat(report.errors()).isEmpty();
        assertThat(report.platform()).isEqualTo("linux/amd64");
        assertThat(report.checks()).extracting(CheckResult::verdict).containsExactly(Verdict.passed);
        List<String> fields = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(Pipeline.toJson(report)).fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("engineId", "build", "uploadTime", "user", "image", "inspect", "vulnerabilities",
                "vulnerabilityCounts", "testLog", "success", "errors", "checks", "durations", "platform", "networkUsage", "sbom",
                "vulnerabilityData");
    }

    @Test
    void indexWithoutLinuxAmd64FailsNamingTheFix() throws Exception {
        MemoryImage img = new MemoryImage();
        Digest arm = image(img, "linux", "arm64");
        Digest index = img.manifest(MediaTypes.OCI_INDEX, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + arm + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}");
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck())).run(build(index), img);
        assertThat(report.success()).isFalse();
        assertThat(report.errors()).singleElement().asString().contains("linux/amd64").contains("--platform linux/amd64");
    }

    @Test
    void indexPicksItsLinuxAmd64Image() throws Exception {
        MemoryImage img = new MemoryImage();
        Digest arm = image(img, "linux", "arm64");
        Digest amd = image(img, "linux", "amd64");
        Digest index = img.manifest(MediaTypes.OCI_INDEX, "{\"schemaVersion\":2,\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + arm + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + amd + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}");
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck())).run(build(index), img);
        assertThat(report.success()).isTrue();
        assertThat(report.checks().getFirst().evidence()).containsEntry("manifestDigest", amd.toString());
    }

    @Test
    void missingLayerFails() throws Exception {
        MemoryImage img = new MemoryImage();
        Digest manifest = image(img, "linux", "amd64");
        img.blobs.remove(Digest.sha256("layer-linuxamd64".getBytes(StandardCharsets.UTF_8)));
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck())).run(build(manifest), img);
        assertThat(report.success()).isFalse();
        assertThat(report.errors()).singleElement().asString().contains("missing").contains("push the image again");
    }

    @Test
    void anEmptyPipelineNeverPasses() throws Exception {
        MemoryImage img = new MemoryImage();
        BuildReport report = new Pipeline(List.of()).run(build(image(img, "linux", "amd64")), img);
        assertThat(report.success()).isFalse();
        assertThat(report.errors()).singleElement().asString().contains("No compliance checks ran");
    }

    @Test
    void aCheckThatThrowsIsAnErrorVerdictAndFailsTheBuild() throws Exception {
        Check broken = new Check() {
            @Override public String id() { return "broken"; }
            @Override public CheckResult run(CheckContext context) { throw new IllegalStateException("boom"); }
        };
        MemoryImage img = new MemoryImage();
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck(), broken)).run(build(image(img, "linux", "amd64")), img);
        assertThat(report.success()).isFalse();
        assertThat(report.checks()).extracting(CheckResult::verdict).containsExactly(Verdict.passed, Verdict.error);
        assertThat(report.errors()).singleElement().asString().contains("boom");
    }

    /** A check with a fixed verdict. */
    private record Fixed(String id, Verdict verdict) implements Check {
        @Override
        public CheckResult run(CheckContext context) {
            return new CheckResult(id, verdict, id + " " + verdict, Map.of());
        }
    }

    /** A check that waits until interrupted (a scan stuck on I/O), counting the interrupts it saw. */
    private static final class Hangs implements Check {
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        @Override public String id() { return "vulnerabilities"; }
        @Override public CheckResult run(CheckContext context) throws InterruptedException {
            started.countDown();
            new java.util.concurrent.CountDownLatch(1).await();
            throw new AssertionError("unreachable");
        }
    }

    /**
     * Issue 16: a check that hangs past the deadline is stopped one grace later and reported failed with the timeout;
     * the report keeps every check done before it, and the checks after it are skipped, not lost.
     */
    @Test
    void aCheckThatHangsPastTheDeadlineIsStoppedAndTheReportKeepsTheChecksBefore() throws Exception {
        MemoryImage img = new MemoryImage();
        Pipeline pipeline = new Pipeline(List.of(new ImagePlatformCheck(), new Fixed("image.filesystem", Verdict.passed),
                new Hangs(), new Fixed("manifest.present", Verdict.passed)));
        long start = System.nanoTime();
        BuildReport report = pipeline.run(build(image(img, "linux", "amd64")), img,
                TestDeadline.after(java.time.Duration.ofSeconds(1), java.time.Duration.ofMillis(500)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).isBetween(1400L, 10_000L);
        assertThat(report.success()).isFalse();
        assertThat(report.checks()).extracting(CheckResult::id)
                .containsExactly("image.platform", "image.filesystem", "vulnerabilities", "manifest.present");
        assertThat(report.checks()).extracting(CheckResult::verdict)
                .containsExactly(Verdict.passed, Verdict.passed, Verdict.failed, Verdict.skipped);
        assertThat(report.checks().get(2).message()).isEqualTo("Timed out after 1s: vulnerabilities was still running 500ms"
                + " after the limit and was stopped: testing must finish within that time");
        assertThat(report.errors()).containsExactly(report.checks().get(2).message());
        assertThat(report.platform()).isEqualTo("linux/amd64");
        assertThat(Thread.currentThread().isInterrupted()).as("the deadline's interrupt does not leak to the caller").isFalse();
    }

    /** A deadline that passes between two checks: the next one is not started and carries the timeout, so the build fails. */
    @Test
    void checksAfterTheDeadlineAreNotStartedAndTheFirstCarriesTheTimeout() throws Exception {
        Check slow = new Check() {
            @Override public String id() { return "image.filesystem"; }
            @Override public CheckResult run(CheckContext context) throws InterruptedException {
                Thread.sleep(300);
                return CheckResult.passed(id(), "read", Map.of());
            }
        };
        MemoryImage img = new MemoryImage();
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck(), slow, new Fixed("manifest.present", Verdict.passed),
                new Fixed("manifest.valid", Verdict.passed))).run(build(image(img, "linux", "amd64")), img,
                TestDeadline.after(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(5)));
        assertThat(report.checks()).extracting(CheckResult::verdict)
                .containsExactly(Verdict.passed, Verdict.passed, Verdict.failed, Verdict.skipped);
        assertThat(report.errors()).containsExactly("Timed out after 200ms: manifest.present and the checks after it did not run:"
                + " testing must finish within that time");
        assertThat(report.success()).isFalse();
    }

    /** While a check hangs, whoever gives up on the test gets the report so far: the checks done and the timeout. */
    @Test
    void theReportSoFarHoldsTheChecksDoneAndTheRunningOneFailedWithTheTimeout() throws Exception {
        MemoryImage img = new MemoryImage();
        Hangs hangs = new Hangs();
        Pipeline pipeline = new Pipeline(List.of(new ImagePlatformCheck(), hangs));
        TestDeadline deadline = TestDeadline.after(java.time.Duration.ofMinutes(10));
        java.util.concurrent.atomic.AtomicReference<Pipeline.ReportSoFar> reportSoFar = new java.util.concurrent.atomic.AtomicReference<>();
        assertThat(reportSoFar.get()).as("nothing to report before the pipeline starts").isNull();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                pipeline.run(build(image(img, "linux", "amd64")), img, deadline, reportSoFar::set);
            } catch (InterruptedException e) {
                // stopped by the test
            }
        });
        try {
            assertThat(hangs.started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            BuildReport soFar = reportSoFar.get().withError(deadline.timedOut("testing must finish within that time"));
            assertThat(soFar.checks()).extracting(CheckResult::id, CheckResult::verdict)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("image.platform", Verdict.passed),
                            org.assertj.core.groups.Tuple.tuple("vulnerabilities", Verdict.failed));
            assertThat(soFar.errors()).containsExactly("Timed out after 10m0s: testing must finish within that time");
            assertThat(soFar.success()).isFalse();
            assertThat(soFar.build()).isEqualTo("b");
        } finally {
            runner.interrupt();
            runner.join(10_000);
        }
    }
}
