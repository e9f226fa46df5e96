package dev.drydock.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.testkit.Prerequisites;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Images saved by the real tools: a two-layer image built from scratch with buildah, then written by
 * {@code podman save} (docker-archive and oci-archive) and {@code skopeo copy} (OCI layout, gzip and zstd).
 */
class LocalImagesTest {
    private static final String MANIFEST = "{\"engineId\":\"0b7c\",\"category\":\"pull\"}";
    @TempDir
    static Path saved;
    @TempDir
    Path workDir;

    @BeforeAll
    static void buildAndSave() throws Exception {
        Prerequisites.requireTools("buildah", "podman", "skopeo");
        ContainerTools tools = new ContainerTools(Files.createDirectory(saved.resolve("tools")));
        Path context = Files.createDirectory(saved.resolve("context"));
        Files.writeString(context.resolve("manifest.json"), MANIFEST);
        Files.writeString(context.resolve("adapter"), "#!/bin/sh\necho adapter\n");
        String base = tools.run("buildah", "from", "scratch");
        tools.run("buildah", "copy", base, context.resolve("adapter").toString(), "/app/adapter");
        tools.run("buildah", "config", "--entrypoint", "[\"/app/adapter\"]", "--label", "stage=base", base);
        tools.run("buildah", "commit", "-q", base, "localhost/drydock-test/base:1");
        String top = tools.run("buildah", "from", "localhost/drydock-test/base:1");
        tools.run("buildah", "copy", top, context.resolve("manifest.json").toString(), "/var/manifest.json");
        tools.run("buildah", "commit", "-q", top, "localhost/drydock-test/adapter:1");
        String image = "localhost/drydock-test/adapter:1";
        tools.run("podman", "save", "--format", "docker-archive", "-o", saved.resolve("docker.tar").toString(), image);
        tools.run("podman", "save", "--format", "oci-archive", "-o", saved.resolve("oci.tar").toString(), image);
        tools.exec(List.of("skopeo", "copy", "-q", tools.storageReference(image), "oci:" + saved.resolve("layout") + ":1"));
        tools.exec(List.of("skopeo", "copy", "-q", "--dest-compress", "--dest-compress-format", "zstd",
                tools.storageReference(image), "oci:" + saved.resolve("zstd") + ":1"));
    }

    /** Resolves and reads the saved image and checks what every format must agree on. */
    private ImageFilesystem readAndCheck(Path path, String expectedTag) throws Exception {
        LocalImage local = LocalImages.open(path);
        assertThat(local.repoTag()).isEqualTo(expectedTag);
        ResolvedImage image = ImageReader.resolve(local.source(), local.top());
        assertThat(image.platform()).isEqualTo("linux/amd64");
        assertThat(image.layers()).hasSize(2);
        ImageFilesystem fs = LayerPass.read(local.source(), image, FileInterest.paths("var/manifest.json"),
                ExtractionLimits.DEFAULTS, workDir);
        FileEntry manifest = fs.resolve("/var/manifest.json").orElseThrow();
        assertThat(manifest.layer()).isEqualTo(1);
        try (InputStream in = fs.open(manifest)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
        }
        assertThat(fs.lookup("app/adapter").orElseThrow().layer()).isZero();
        JsonNode inspect = DockerInspect.of(image, fs, local.repoTag(), null).get(0);
        assertThat(inspect.at("/Config/Entrypoint/0").asText()).isEqualTo("/app/adapter");
        assertThat(inspect.at("/Config/Labels/stage").asText()).isEqualTo("base");
        assertThat(inspect.at("/RootFS/Layers")).hasSize(2);
        assertThat(inspect.get("Size").asLong()).isEqualTo(fs.layerSizes().stream().mapToLong(Long::longValue).sum()).isPositive();
        return fs;
    }

    @Test
    void aDockerArchiveFromPodmanSave() throws Exception {
        try (ImageFilesystem fs = readAndCheck(saved.resolve("docker.tar"), "localhost/drydock-test/adapter:1")) {
            assertThat(fs.layerSizes()).hasSize(2);
        }
        LocalImage local = LocalImages.open(saved.resolve("docker.tar"));
        ResolvedImage image = ImageReader.resolve(local.source(), local.top());
        assertThat(image.manifestMediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        // Docker archives hold uncompressed layers, so a layer's digest is its diff_id.
        for (ResolvedImage.Layer layer : image.layers()) {
            assertThat(image.config().at("/rootfs/diff_ids/" + layer.index()).asText()).isEqualTo(layer.digest().toString());
            assertThat(layer.mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER);
        }
    }

    @Test
    void anOciArchiveFromPodmanSave() throws Exception {
        try (ImageFilesystem fs = readAndCheck(saved.resolve("oci.tar"), "localhost/drydock-test/adapter:1")) {
            assertThat(fs.entries()).extracting(FileEntry::path).contains("app", "app/adapter", "var", "var/manifest.json");
        }
    }

    @Test
    void anOciLayoutDirectoryFromSkopeo() throws Exception {
        readAndCheck(saved.resolve("layout"), "1").close();
    }

    @Test
    void anOciLayoutWithZstdLayersFromSkopeo() throws Exception {
        LocalImage local = LocalImages.open(saved.resolve("zstd"));
        ResolvedImage image = ImageReader.resolve(local.source(), local.top());
        assertThat(image.layers()).allSatisfy(layer -> assertThat(layer.mediaType()).endsWith("+zstd"));
        readAndCheck(saved.resolve("zstd"), "1").close();
    }

    @Test
    void aLayoutWithSeveralPlatformsResolvesToLinuxAmd64() throws Exception {
        Path layout = layout(true);
        LocalImage local = LocalImages.open(layout);
        ResolvedImage image = ImageReader.resolve(local.source(), local.top());
        assertThat(image.platform()).isEqualTo("linux/amd64");
        assertThat(image.manifestDigest()).isNotEqualTo(local.top());
    }

    @Test
    void aLayoutWithSeveralUnrelatedImagesIsRefusedNamingThem() throws Exception {
        Path layout = layout(false);
        assertThatThrownBy(() -> LocalImages.open(layout)).isInstanceOf(ImageException.class)
                .hasMessageContaining("holds 2 different images (arm64, amd64)").hasMessageContaining("save only the image to check");
    }

    /** An OCI layout with an arm64 and an amd64 image, listed per platform or (else) as two tags. */
    private Path layout(boolean perPlatform) throws Exception {
        Path layout = Files.createDirectory(workDir.resolve("multi"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        StringBuilder index = new StringBuilder("{\"schemaVersion\":2,\"manifests\":[");
        for (String architecture : List.of("arm64", "amd64")) {
            byte[] config = ("{\"os\":\"linux\",\"architecture\":\"" + architecture + "\"}").getBytes();
            Files.write(blobs.resolve(Digest.sha256(config).hex()), config);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                    + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                    + config.length + "},\"layers\":[]}").getBytes();
            Digest digest = Digest.sha256(manifest);
            Files.write(blobs.resolve(digest.hex()), manifest);
            index.append(architecture.equals("arm64") ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.OCI_MANIFEST)
                    .append("\",\"digest\":\"").append(digest).append("\",\"size\":").append(manifest.length)
                    .append(perPlatform ? ",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + architecture + "\"}"
                            : ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + architecture + "\"}")
                    .append("}");
        }
        Files.writeString(layout.resolve("index.json"), index.append("]}"));
        return layout;
    }

    @Test
    void somethingElseIsRejectedWithWhatToDo() throws Exception {
        Path gzipped = workDir.resolve("image.tar.gz");
        Files.write(gzipped, TestTar.gzip(new TestTar().file("manifest.json", "[]").tar()));
        assertThatThrownBy(() -> LocalImages.open(gzipped)).isInstanceOf(ImageException.class)
                .hasMessageContaining("gzip-compressed: decompress it first");
        Path plain = workDir.resolve("plain.tar");
        Files.write(plain, new TestTar().file("hello", "x").tar());
        assertThatThrownBy(() -> LocalImages.open(plain)).hasMessageContaining("neither an OCI archive nor a docker save tarball");
        assertThatThrownBy(() -> LocalImages.open(workDir)).hasMessageContaining("not an OCI image layout");
        assertThatThrownBy(() -> LocalImages.open(workDir.resolve("missing"))).hasMessageContaining("does not exist");
        Path missingLayer = workDir.resolve("broken.tar");
        Files.write(missingLayer, new TestTar().file("manifest.json",
                "[{\"Config\":\"c.json\",\"RepoTags\":[],\"Layers\":[\"l.tar\"]}]").file("c.json", "{}").tar());
        assertThatThrownBy(() -> LocalImages.open(missingLayer)).hasMessageContaining("'l.tar', which the tarball does not contain");
    }
}
