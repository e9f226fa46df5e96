package dev.drydock.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.image.TestTar;
import dev.drydock.oci.Digest;
import dev.drydock.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * OCI images written byte by byte by test code: layers as tarballs ({@link TestTar}, including what no build tool
 * writes: a manifest symlinked to /etc/passwd, whiteouts, zstd compression), configs with ENTRYPOINT or CMD and a history
 * naming each layer's Dockerfile step, and indexes.
 *
 * <p>This is the server tests' one in-process pusher: {@link #push} sends an image over the registry API as any client
 * would (monolithic blob uploads, then the manifest). Tests about clients push with the real ones instead
 * ({@link RealClientsTest}, {@link SandboxAdapters}).
 */
public final class TestImages {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** A manifest that passes manifest.valid and matches an adapter registered as pull/batch. */
    public static final String GOOD_MANIFEST = """
            {"category":"pull","engineMode":"batch","preferredInputFormat":"video/mp4",
             "supportedInputFormats":["video/mp4"],"outputFormats":["application/json"],"clusterSize":"small"}""";

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

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

        /** The first layer's digest (an image's blobs are its layers, then its config). */
        public Digest layerDigest() {
            return blobs.getFirst().digest();
        }

        public Digest configDigest() {
            return blobs.getLast().digest();
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

    /**
     * The usual adapter image for linux/amd64: one gzipped {@link #adapterLayer} with {@link #GOOD_MANIFEST} and
     * {@code adapterText} as /app/adapter (so every text gives its own digests); it passes every check for a pull/batch
     * adapter.
     */
    public static Built adapter(String adapterText) {
        return adapter(adapterText, "amd64");
    }

    /** {@link #adapter(String)} for linux/{@code architecture} (only amd64 passes the platform check). */
    public static Built adapter(String adapterText, String architecture) {
        return image().layer(adapterLayer(GOOD_MANIFEST, adapterText), "COPY . /").architecture(architecture).build();
    }

    /** A new adapter image (random content, so its own digests) for linux/{@code architecture}. */
    public static Built newAdapter(String architecture) {
        return adapter(UUID.randomUUID().toString(), architecture);
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

    // ---------------------------------------------------------------- the in-process pusher

    /** A registry response that refused a push: its status and body, for tests that expect the refusal. */
    public static final class Refused extends AssertionError {
        public final int status;
        public final String body;

        Refused(String step, int status, String body) {
            super(step + ": " + status + " " + body);
            this.status = status;
            this.body = body;
        }
    }

    /** A registry bearer token for pushing to (and deleting from) one repository, from the real token endpoint. */
    public static String pushToken(TestDrydock d, String user, String password, String repository) {
        return d.token(user, password, "repository:" + repository + ":pull,push,delete");
    }

    /** Pushes the image (an index: its images first, by digest) and tags it; returns the digest the registry computed. */
    public static String push(TestDrydock d, String repository, String token, Built image, String tag) {
        return push(d.url(), repository, token, image, tag);
    }

    /** Logs in as {@code user} at the token endpoint of the Drydock at {@code baseUrl} (e.g. a child process) and pushes. */
    public static String push(String baseUrl, String user, String password, String repository, Built image, String tag) {
        String scope = URLEncoder.encode("repository:" + repository + ":pull,push", StandardCharsets.UTF_8);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl + "/auth/token?service=drydock&scope=" + scope))
                .header("Authorization", TestDrydock.basic(user, password)).GET().build());
        if (r.statusCode() != 200) throw new Refused("token", r.statusCode(), r.body());
        String token;
        try {
            token = Json.MAPPER.readTree(r.body()).get("token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return push(baseUrl, repository, token, image, tag);
    }

    private static String push(String baseUrl, String repository, String token, Built image, String tag) {
        for (Blob blob : image.blobs()) {
            if (blob.mediaType().equals(OCI_MANIFEST)) putManifest(baseUrl, repository, token, blob.mediaType(), blob.bytes(), blob.digest().toString());
            else pushBlob(baseUrl, repository, token, blob.bytes());
        }
        String digest = putManifest(baseUrl, repository, token, image.mediaType(), image.manifest(), tag);
        if (!digest.equals(image.digest().toString())) throw new AssertionError("registry computed " + digest + ", expected " + image.digest());
        return digest;
    }

    /** A monolithic blob upload (POST with the digest). */
    public static void pushBlob(TestDrydock d, String repository, String token, byte[] content) {
        pushBlob(d.url(), repository, token, content);
    }

    private static void pushBlob(String baseUrl, String repository, String token, byte[] content) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository
                        + "/blobs/uploads/?digest=" + Digest.sha256(content)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build());
        if (r.statusCode() != 201) throw new Refused("POST blob upload", r.statusCode(), r.body());
    }

    /** PUTs a manifest; returns its Docker-Content-Digest. */
    private static String putManifest(String baseUrl, String repository, String token, String mediaType, byte[] manifest,
                                      String reference) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/manifests/" + reference))
                .header("Authorization", "Bearer " + token).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build());
        if (r.statusCode() != 201) throw new Refused("PUT manifest " + reference, r.statusCode(), r.body());
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** GET of a registry path's bytes (status and body). */
    public static HttpResponse<byte[]> get(TestDrydock d, String token, String path, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", "Bearer " + token);
        if (accept != null) b.header("Accept", accept);
        return send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public static int delete(TestDrydock d, String token, String path) {
        return send(HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", "Bearer " + token)
                .DELETE().build()).statusCode();
    }

    /** Pulls the image by tag and checks every byte against its digest; throws when anything is missing or wrong. */
    public static void pullIntact(TestDrydock d, String repository, String token, Built image, String tag) {
        HttpResponse<byte[]> m = get(d, token, "/v2/" + repository + "/manifests/" + tag, image.mediaType());
        if (m.statusCode() != 200 || !Digest.sha256(m.body()).equals(image.digest())) {
            throw new AssertionError("manifest of " + repository + ":" + tag + ": " + m.statusCode());
        }
        for (Blob blob : image.blobs()) {
            HttpResponse<byte[]> b = get(d, token, "/v2/" + repository + "/blobs/" + blob.digest(), null);
            if (b.statusCode() != 200 || !Digest.sha256(b.body()).equals(blob.digest())) {
                throw new AssertionError("blob " + blob.digest() + " of " + repository + ": " + b.statusCode());
            }
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return HTTP.send(request, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
