package dev.drydock.compliance;

import dev.drydock.image.ImageSource;
import dev.drydock.registry.Digest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineTest {
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

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
        return img.manifest(OCI_MANIFEST, "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":" + config.length() + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + l + "\",\"size\":"
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
                "vulnerabilityCounts", "testLog", "success", "errors", "checks", "durations", "platform", "networkUsage");
    }

    @Test
    void indexWithoutLinuxAmd64FailsNamingTheFix() throws Exception {
        MemoryImage img = new MemoryImage();
        Digest arm = image(img, "linux", "arm64");
        Digest index = img.manifest("application/vnd.oci.image.index.v1+json", "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + OCI_MANIFEST + "\",\"digest\":\"" + arm + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}");
        BuildReport report = new Pipeline(List.of(new ImagePlatformCheck())).run(build(index), img);
        assertThat(report.success()).isFalse();
        assertThat(report.errors()).singleElement().asString().contains("linux/amd64").contains("--platform linux/amd64");
    }

    @Test
    void indexPicksItsLinuxAmd64Image() throws Exception {
        MemoryImage img = new MemoryImage();
        Digest arm = image(img, "linux", "arm64");
        Digest amd = image(img, "linux", "amd64");
        Digest index = img.manifest("application/vnd.oci.image.index.v1+json", "{\"schemaVersion\":2,\"manifests\":["
                + "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + arm + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                + "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + amd + "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}");
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
}
