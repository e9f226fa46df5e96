package dev.drydock.server;

import dev.drydock.oci.Digest;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.testkit.Prerequisites;
import dev.drydock.testkit.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Drydock with its blobs in S3 (s3proxy in this process): skopeo pushes an adapter image and pulls it back
 * byte-identical, once streamed through Drydock and once following 307 redirects to pre-signed URLs; the pushed build
 * is tested from the bucket.
 */
class S3StorageTest {
    private static final String BUCKET = "drydock-blobs";

    @TempDir
    static Path tmp;
    static S3Server s3;
    static Tools tools;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
        tools = ContainerStore.tools(tmp);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) s3.close();
    }

    private static Map<String, String> s3Settings(String prefix, boolean redirect) {
        Map<String, String> settings = new HashMap<>();
        settings.put("storage.type", "s3");
        settings.put("storage.s3.endpoint", s3.endpoint().toString());
        settings.put("storage.s3.bucket", BUCKET);
        settings.put("storage.s3.access-key", S3Server.ACCESS_KEY);
        settings.put("storage.s3.secret-key", S3Server.SECRET_KEY);
        settings.put("storage.s3.path-style", "true");
        settings.put("storage.s3.prefix", prefix);
        settings.put("storage.s3.redirect", String.valueOf(redirect));
        // Redirect URLs are signed for the address clients use, here another name of the server's loopback address.
        if (redirect) settings.put("storage.s3.public-endpoint", publicEndpoint());
        return settings;
    }

    private static String publicEndpoint() {
        return "http://localhost:" + s3.endpoint().getPort();
    }

    @Test
    void skopeoPushesAndPullsThroughDrydockAndTheBuildIsTestedFromTheBucket() throws IOException {
        roundTrip("streamed", false);
    }

    @Test
    void withRedirectBlobDownloadsGoStraightToTheBucket() throws IOException {
        roundTrip("redirected", true);
    }

    private void roundTrip(String name, boolean redirect) throws IOException {
        Prerequisites.requireTools("skopeo");
        try (TestDrydock d = BuildFixture.start(s3Settings(name + "/", redirect))) {
            BuildFixture f = new BuildFixture(d);
            BuildFixture.Owner owner = f.orgWithRobot(BuildFixture.ORG);
            String engineId = f.registerAdapter(owner, name);
            TestImages.Built image = TestImages.newAdapter("amd64");
            Path layout = writeOciLayout(tmp.resolve(name + "-src"), image, "1.0");
            String ref = "docker://" + d.host() + "/" + BuildFixture.ORG + "/" + name + ":1.0";
            String creds = owner.login() + ":" + owner.secret();
            tools.ok("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, "oci:" + layout + ":1.0", ref);

            // The build is tested from the bucket: nothing of the image is on the node's disk.
            String build = f.buildId(engineId, image.digest().toString(), owner.auth());
            f.awaitState(build, owner.auth(), "available");
            assertThat(d.dataDir().resolve("storage")).doesNotExist();

            // With redirect on, Drydock answers every whole-blob GET with a 307 (asserted below), so this pull only
            // succeeds by following them to the bucket.
            Path pulled = tmp.resolve(name + "-pulled");
            tools.ok("skopeo", "copy", "--src-tls-verify=false", "--src-creds", creds, ref, "oci:" + pulled + ":1.0");
            assertThat(Files.readAllBytes(blob(pulled, image.digest()))).isEqualTo(image.manifest());
            for (TestImages.Blob b : image.blobs()) {
                assertThat(Files.readAllBytes(blob(pulled, b.digest()))).as("blob %s", b.digest()).isEqualTo(b.bytes());
            }
            String layerPath = "/v2/" + BuildFixture.ORG + "/" + name + "/blobs/" + image.layerDigest();
            assertDownloads(d, owner, name, layerPath, image.blobs().getFirst().bytes(), redirect);

            // Garbage collection sweeps the bucket (this prefix): the layer, the config and the manifest, all linked.
            var gc = d.server().garbageCollector().collect(java.time.Duration.ZERO, false);
            assertThat(gc.blobs()).isEqualTo(3);
            assertThat(gc.deleted()).isZero();
            assertThat(gc.errors()).isZero();
        }
    }

    /** GET answers 307 to the bucket with redirect on, else 200 with the bytes; HEAD and ranges are always served here. */
    private static void assertDownloads(TestDrydock d, BuildFixture.Owner owner, String name, String path, byte[] content,
                                        boolean redirect) {
        String token = "Bearer " + d.token(owner.login(), owner.secret(), "repository:" + BuildFixture.ORG + "/" + name + ":pull");
        HttpResponse<byte[]> get = send(d, HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", token).build());
        if (redirect) {
            assertThat(get.statusCode()).isEqualTo(307);
            URI location = URI.create(get.headers().firstValue("Location").orElseThrow());
            assertThat(location.toString()).startsWith(publicEndpoint() + "/").contains("X-Amz-Signature=")
                    .doesNotContain(S3Server.SECRET_KEY);
            assertThat(send(d, HttpRequest.newBuilder(location).build()).body()).isEqualTo(content);
        } else {
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(content);
        }
        HttpResponse<byte[]> head = send(d, HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", token)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(content.length);
        HttpResponse<byte[]> range = send(d, HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", token)
                .header("Range", "bytes=3-9").build());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(content, 3, 10));
    }

    private static HttpResponse<byte[]> send(TestDrydock d, HttpRequest request) {
        try {
            return d.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aBucketThatDoesNotExistStopsTheStartWithAMessageNamingTheKeys() {
        Map<String, String> flags = new HashMap<>(s3Settings("", false));
        flags.put("storage.s3.bucket", "no-such-bucket");
        flags.put("data", tmp.resolve("unstarted").toString());
        DrydockConfig config = DrydockConfig.load(null, Map.of(), flags);
        assertThatThrownBy(() -> DrydockServer.blobStore(config))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("storage.type=s3: bucket 'no-such-bucket' at " + s3.endpoint() + " does not exist")
                .hasMessageContaining("storage.s3.bucket")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(S3Server.SECRET_KEY));
    }

    private static Path blob(Path layout, Digest digest) {
        return layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /** The image as an OCI image layout directory (what skopeo copies from with {@code oci:DIR:TAG}). */
    private static Path writeOciLayout(Path dir, TestImages.Built image, String tag) throws IOException {
        Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        for (TestImages.Blob b : image.blobs()) Files.write(blob(dir, b.digest()), b.bytes());
        Files.write(blob(dir, image.digest()), image.manifest());
        Files.writeString(dir.resolve("index.json"), """
                {"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d,\
                "annotations":{"org.opencontainers.image.ref.name":"%s"}}]}"""
                .formatted(image.mediaType(), image.digest(), image.manifest().length, tag), StandardCharsets.UTF_8);
        return dir;
    }
}
