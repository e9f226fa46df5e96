package dev.drydock.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.image.TestTar;
import dev.drydock.oci.Digest;
import dev.drydock.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * OCI images written byte by byte by test code: layers as tarballs ({@link TestTar}, including what no build tool
 * writes: a manifest symlinked to /etc/passwd, whiteouts, zstd compression), configs with ENTRYPOINT or CMD and a history
 * naming each layer's Dockerfile step, and indexes. Pushed over the registry API like any client would.
 */
public final class TestImages {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** A manifest that passes manifest.valid and matches an adapter registered as pull/batch. */
    public static final String GOOD_MANIFEST = """
            {"category":"pull","engineMode":"batch","preferredInputFormat":"video/mp4",
             "supportedInputFormats":["video/mp4"],"outputFormats":["application/json"],"clusterSize":"small"}""";

    private TestImages() {}

    /** The usual adapter layer: the manifest at /var/manifest.json and an executable /app/adapter. */
    public static TestTar adapterLayer(String manifestJson, String adapterContent) {
        return new TestTar().dir("var").file("var/manifest.json", manifestJson).dir("app").file("app/adapter", adapterContent);
    }

    public record Blob(String mediaType, byte[] bytes) {
        public Digest digest() {
            return Digest.sha256(bytes);
        }
    }

    /** A built image (or index): the blobs to upload first, then the manifest. */
    public record Built(List<Blob> blobs, String mediaType, byte[] manifest, String platform) {
        public Digest digest() {
            return Digest.sha256(manifest);
        }
    }

    /** An image in the making: layers in order, then the config. */
    public static final class Image {
        private final List<Blob> layers = new ArrayList<>();
        private final List<String> diffIds = new ArrayList<>();
        private final List<String> steps = new ArrayList<>();
        private List<String> entrypoint = List.of("/app/adapter");
        private List<String> cmd = List.of();
        private String architecture = "amd64";

        public Image layer(TestTar tar, String createdBy) {
            byte[] plain = tar.tar();
            return layer(new Blob("application/vnd.oci.image.layer.v1.tar+gzip", TestTar.gzip(plain)), plain, createdBy);
        }

        public Image zstdLayer(TestTar tar, String createdBy) {
            byte[] plain = tar.tar();
            return layer(new Blob("application/vnd.oci.image.layer.v1.tar+zstd", TestTar.zstd(plain)), plain, createdBy);
        }

        private Image layer(Blob blob, byte[] plain, String createdBy) {
            layers.add(blob);
            diffIds.add(Digest.sha256(plain).toString());
            steps.add(createdBy);
            return this;
        }

        public Image entrypoint(String... args) {
            entrypoint = List.of(args);
            return this;
        }

        public Image cmd(String... args) {
            cmd = List.of(args);
            return this;
        }

        public Image architecture(String architecture) {
            this.architecture = architecture;
            return this;
        }

        public Built build() {
            ObjectNode config = Json.MAPPER.createObjectNode().put("architecture", architecture).put("os", "linux");
            ObjectNode runtime = config.putObject("config");
            if (!entrypoint.isEmpty()) runtime.set("Entrypoint", strings(entrypoint));
            if (!cmd.isEmpty()) runtime.set("Cmd", strings(cmd));
            config.putObject("rootfs").put("type", "layers").set("diff_ids", strings(diffIds));
            ArrayNode history = config.putArray("history");
            for (String step : steps) history.addObject().put("created_by", step);
            Blob configBlob = new Blob("application/vnd.oci.image.config.v1+json", json(config));
            ObjectNode manifest = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST);
            manifest.set("config", descriptor(configBlob));
            ArrayNode layerList = manifest.putArray("layers");
            for (Blob layer : layers) layerList.add(descriptor(layer));
            List<Blob> blobs = new ArrayList<>(layers);
            blobs.add(configBlob);
            return new Built(blobs, OCI_MANIFEST, json(manifest), "linux/" + architecture);
        }
    }

    public static Image image() {
        return new Image();
    }

    /** An index of single-platform images; their blobs and manifests are pushed (by digest) before it. */
    public static Built index(Built... images) {
        ObjectNode index = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Built image : images) {
            ObjectNode d = manifests.addObject().put("mediaType", image.mediaType()).put("digest", image.digest().toString())
                    .put("size", image.manifest().length);
            String[] platform = image.platform().split("/");
            d.putObject("platform").put("os", platform[0]).put("architecture", platform[1]);
        }
        List<Blob> children = new ArrayList<>();
        for (Built image : images) {
            children.addAll(image.blobs());
            children.add(new Blob(image.mediaType(), image.manifest()));
        }
        return new Built(children, OCI_INDEX, json(index), null);
    }

    /** Pushes the image (an index: its images first, by digest) and tags it. */
    public static void push(TestDrydock d, String repository, String token, Built image, String tag) {
        for (Blob blob : image.blobs()) {
            if (blob.mediaType().equals(OCI_MANIFEST)) putManifest(d, repository, token, blob.mediaType(), blob.bytes(), blob.digest().toString());
            else OciPush.pushBlob(d, repository, token, blob.bytes());
        }
        putManifest(d, repository, token, image.mediaType(), image.manifest(), tag);
    }

    private static void putManifest(TestDrydock d, String repository, String token, String mediaType, byte[] manifest, String reference) {
        HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/" + repository + "/manifests/" + reference))
                .header("Authorization", "Bearer " + token).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build());
        if (r.statusCode() != 201) throw new AssertionError("manifest put " + reference + ": " + r.statusCode() + " " + r.body());
    }

    /** Writes the image as an OCI image layout directory (what {@code ./drydock check DIR} reads). */
    public static Path writeLayout(Built image, Path dir) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
        for (Blob blob : image.blobs()) Files.write(blobs.resolve(blob.digest().hex()), blob.bytes());
        Files.write(blobs.resolve(image.digest().hex()), image.manifest());
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ObjectNode index = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        index.putArray("manifests").addObject().put("mediaType", image.mediaType()).put("digest", image.digest().toString())
                .put("size", image.manifest().length);
        Files.write(dir.resolve("index.json"), json(index));
        return dir;
    }

    private static ObjectNode descriptor(Blob blob) {
        return Json.MAPPER.createObjectNode().put("mediaType", blob.mediaType()).put("digest", blob.digest().toString())
                .put("size", blob.bytes().length);
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    private static byte[] json(Object node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
