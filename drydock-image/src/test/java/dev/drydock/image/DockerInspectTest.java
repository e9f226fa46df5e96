package dev.drydock.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.oci.Digest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DockerInspectTest {
    final TestImage source = new TestImage();
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path workDir;

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void printsDockersFieldsInDockersOrderFromTheImageConfig() throws Exception {
        TestImage.Builder builder = source.image().layer(new TestTar().file("a", "x").gzip(), "ADD a")
                .layer(new TestTar().file("b", "y").tar(), "RUN b");
        ObjectNode config = builder.config();
        config.put("User", "1000:1000").put("WorkingDir", "/app").put("StopSignal", "SIGTERM");
        config.putArray("Env").add("PATH=/usr/bin");
        config.putArray("Entrypoint").add("/app/adapter");
        config.putObject("ExposedPorts").putObject("8080/tcp");
        config.putObject("Labels").put("org.opencontainers.image.source", "https://example.test/x");
        config.putObject("Healthcheck").putArray("Test").add("CMD").add("/app/health");
        Digest manifest = builder.push();
        ResolvedImage image = ImageReader.resolve(source, manifest);

        ArrayNode inspect = DockerInspect.of(image, List.of(1000L, 24L), "reg.test/17532/a:1", "reg.test/17532/a@" + manifest);

        assertThat(inspect).hasSize(1);
        JsonNode root = inspect.get(0);
        assertThat(fields(root)).containsExactly("Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "DockerVersion",
                "Author", "Config", "Architecture", "Os", "Size", "RootFS", "Metadata");
        assertThat(root.get("Id").asText()).isEqualTo(image.configDigest().toString());
        assertThat(root.get("RepoTags").toString()).isEqualTo("[\"reg.test/17532/a:1\"]");
        assertThat(root.get("RepoDigests").get(0).asText()).isEqualTo("reg.test/17532/a@" + manifest);
        assertThat(root.get("Created").asText()).isEqualTo("2026-11-25T01:02:03.456789Z");
        assertThat(root.get("Architecture").asText()).isEqualTo("amd64");
        assertThat(root.get("Os").asText()).isEqualTo("linux");
        assertThat(root.get("Size").asLong()).isEqualTo(1024);
        assertThat(root.get("RootFS").get("Type").asText()).isEqualTo("layers");
        assertThat(root.get("RootFS").get("Layers")).hasSize(2);
        assertThat(root.get("RootFS").get("Layers").get(0).asText()).isEqualTo(image.config().at("/rootfs/diff_ids/0").asText());
        assertThat(root.at("/Metadata/LastTagTime").asText()).isEqualTo("0001-01-01T00:00:00Z");

        JsonNode container = root.get("Config");
        assertThat(fields(container)).containsExactly("Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
                "AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "Image", "Volumes",
                "WorkingDir", "Entrypoint", "OnBuild", "Labels", "StopSignal");
        assertThat(container.get("User").asText()).isEqualTo("1000:1000");
        assertThat(container.get("Entrypoint").toString()).isEqualTo("[\"/app/adapter\"]");
        assertThat(container.get("Cmd").isNull()).isTrue();
        assertThat(container.get("Volumes").isNull()).isTrue();
        assertThat(container.get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(container.get("Labels").get("org.opencontainers.image.source").asText()).isEqualTo("https://example.test/x");
        assertThat(container.at("/Healthcheck/Test/1").asText()).isEqualTo("/app/health");
    }

    @Test
    void aBareImageGetsNullsWhereDockerPrintsNullsAndTheSizeOfTheFilesystemPass() throws Exception {
        Digest manifest = source.image().platform("linux", "arm64").layer(new TestTar().file("a", "x").gzip(), "ADD").push();
        ResolvedImage image = ImageReader.resolve(source, manifest);
        ((ObjectNode) image.config()).put("variant", "v8");
        try (ImageFilesystem fs = LayerPass.read(source, image, path -> false, ExtractionLimits.DEFAULTS,
                workDir)) {
            JsonNode root = DockerInspect.of(image, fs, null, null).get(0);
            assertThat(root.get("RepoTags")).isEmpty();
            assertThat(root.get("Variant").asText()).isEqualTo("v8");
            assertThat(fields(root)).containsSubsequence("Architecture", "Variant", "Os");
            assertThat(root.get("Size").asLong()).isEqualTo(fs.layerSizes().getFirst()).isPositive();
            JsonNode container = root.get("Config");
            assertThat(container.get("Env").isNull()).isTrue();
            assertThat(container.get("Entrypoint").isNull()).isTrue();
            assertThat(container.get("Labels").isNull()).isTrue();
            assertThat(container.has("ExposedPorts")).isFalse();
            assertThat(container.has("Healthcheck")).isFalse();
        }
    }
}
