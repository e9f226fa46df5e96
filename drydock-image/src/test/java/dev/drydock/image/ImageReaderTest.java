package dev.drydock.image;

import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageReaderTest {
    final TestImage source = new TestImage();

    private String entry(Digest digest, String os, String architecture, String variant) {
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + digest + "\",\"size\":1,\"platform\":"
                + "{\"os\":\"" + os + "\",\"architecture\":\"" + architecture + "\""
                + (variant == null ? "" : ",\"variant\":\"" + variant + "\"") + "}}";
    }

    private Digest index(String... entries) {
        return source.manifest(MediaTypes.OCI_INDEX,
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + String.join(",", entries) + "]}");
    }

    @Test
    void aMultiArchIndexResolvesToItsLinuxAmd64Image() throws Exception {
        Digest arm = source.image().platform("linux", "arm64").layer(new TestTar().file("arm", "").gzip(), "arm").push();
        Digest amd = source.image().layer(new TestTar().file("amd", "").gzip(), "amd").push();
        Digest windows = source.image().platform("windows", "amd64").push();
        Digest top = index(entry(arm, "linux", "arm64", "v8"), entry(windows, "windows", "amd64", null), entry(amd, "linux", "amd64", null));
        ResolvedImage image = ImageReader.resolve(source, top);
        assertThat(image.pushedDigest()).isEqualTo(top);
        assertThat(image.manifestDigest()).isEqualTo(amd);
        assertThat(image.platform()).isEqualTo("linux/amd64");
        assertThat(image.layers()).singleElement().extracting(ResolvedImage.Layer::createdBy).isEqualTo("amd");
    }

    @Test
    void aPlainAmd64EntryIsPreferredOverAVariant() throws Exception {
        Digest v3 = source.image().layer(new TestTar().file("v3", "").gzip(), "v3").push();
        Digest plain = source.image().layer(new TestTar().file("plain", "").gzip(), "plain").push();
        assertThat(ImageReader.resolve(source, index(entry(v3, "linux", "amd64", "v3"), entry(plain, "linux", "amd64", null)))
                .manifestDigest()).isEqualTo(plain);
        assertThat(ImageReader.resolve(source, index(entry(v3, "linux", "amd64", "v3"))).manifestDigest()).isEqualTo(v3);
    }

    @Test
    void anIndexWithoutLinuxAmd64SaysHowToBuildOne() throws Exception {
        Digest arm = source.image().platform("linux", "arm64").push();
        assertThatThrownBy(() -> ImageReader.resolve(source, index(entry(arm, "linux", "arm64", null))))
                .isInstanceOf(ImageException.class).hasMessageContaining("no linux/amd64 image")
                .hasMessageContaining("--platform linux/amd64");
    }

    @Test
    void aDockerSchema2ImageIsResolvedWithItsLayers() throws Exception {
        Digest manifest = source.image().docker().layer(new TestTar().file("a", "").gzip(), "ADD a").push();
        ResolvedImage image = ImageReader.resolve(source, manifest);
        assertThat(image.manifestMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(image.layers()).singleElement().satisfies(layer -> {
            assertThat(layer.index()).isZero();
            assertThat(layer.size()).isEqualTo(source.blobSize(layer.digest()).orElseThrow());
        });
        assertThat(image.config().path("os").asText()).isEqualTo("linux");
    }

    @Test
    void anotherPlatformIsReportedNotRejected() throws Exception {
        Digest arm = source.image().platform("linux", "arm64").push();
        assertThat(ImageReader.resolve(source, arm).platform()).isEqualTo("linux/arm64");
    }

    @Test
    void aMissingOrResizedLayerAsksForAPushAgain() throws Exception {
        byte[] layer = new TestTar().file("a", "").gzip();
        Digest manifest = source.image().layer(layer, "a").push();
        source.blobs.put(Digest.sha256(layer), new byte[3]);
        assertThatThrownBy(() -> ImageReader.resolve(source, manifest)).hasMessage(
                "layer " + Digest.sha256(layer) + " is missing or has the wrong size: push the image again");
        source.blobs.remove(Digest.sha256(layer));
        assertThatThrownBy(() -> ImageReader.resolve(source, manifest)).hasMessageContaining("missing");
    }

    @Test
    void aForeignLayerNeedNotBeStoredButCannotBeRead() throws Exception {
        Digest config = source.blob("{\"os\":\"linux\",\"architecture\":\"amd64\"}".getBytes());
        String foreign = "sha256:" + "ab".repeat(32);
        Digest manifest = source.manifest(MediaTypes.DOCKER_MANIFEST, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\""
                + config + "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\","
                + "\"digest\":\"" + foreign + "\",\"size\":10,\"urls\":[\"https://example.test/layer\"]}]}");
        ResolvedImage image = ImageReader.resolve(source, manifest);
        assertThat(image.layers()).singleElement().extracting(l -> l.digest().toString()).isEqualTo(foreign);
        assertThatThrownBy(() -> LayerPass.read(source, image, path -> true, ExtractionLimits.DEFAULTS, java.nio.file.Path.of("/nonexistent")))
                .isInstanceOf(ImageException.class).hasMessageContaining(foreign).hasMessageContaining("foreign layer");
    }

    @Test
    void aHugeOrBrokenConfigIsRejectedWithTheFix() throws Exception {
        byte[] big = ("{\"x\":\"" + "a".repeat(9 << 20) + "\"}").getBytes();
        Digest bigConfig = source.blob(big);
        Digest manifest = source.manifest(MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\""
                + bigConfig + "\",\"size\":" + big.length + "},\"layers\":[]}");
        assertThatThrownBy(() -> ImageReader.resolve(source, manifest)).hasMessageContaining("larger than 8 MiB")
                .hasMessageContaining("rebuild the image");
        Digest broken = source.blob("{not json".getBytes());
        Digest brokenManifest = source.manifest(MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\""
                + broken + "\",\"size\":9},\"layers\":[]}");
        assertThatThrownBy(() -> ImageReader.resolve(source, brokenManifest)).hasMessageContaining("not valid JSON");
    }

    @Test
    void anArtifactIsNotAnImage() throws Exception {
        byte[] chart = "{\"name\":\"chart\",\"version\":\"1.0\"}".getBytes();
        Digest config = source.blob(chart);
        Digest manifest = source.manifest(MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":{\"mediaType\":"
                + "\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"" + config + "\",\"size\":" + chart.length + "},\"layers\":[]}");
        assertThatThrownBy(() -> ImageReader.resolve(source, manifest)).isInstanceOf(ImageException.class)
                .hasMessageContaining("is an artifact (config media type 'application/vnd.cncf.helm.config.v1+json')")
                .hasMessageContaining("not a container image");
    }

    @Test
    void aPushedManifestThatIsGoneAsksForAPushAgain() {
        Digest gone = Digest.sha256("gone".getBytes());
        assertThatThrownBy(() -> ImageReader.resolve(source, gone)).hasMessage(
                "the pushed manifest " + gone + " is no longer in the repository: push the image again");
    }
}
