package dev.drydock.server.builds;

import dev.drydock.server.TestDrydock;
import dev.drydock.server.http.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Pushes minimal OCI images straight through the registry API with java.net.http: a config blob (os linux and
 * the given architecture, plus a nonce label so every image has its own digest, ENTRYPOINT ["/app/adapter"]),
 * one gzipped layer with a pull/batch adapter's /var/manifest.json, and the manifest under a tag. Much faster than building with buildah and pushing with podman.
 */
final class Images {
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final byte[] LAYER_TAR = dev.drydock.server.TestImages.adapterLayer(
            dev.drydock.server.TestImages.GOOD_MANIFEST, "#!/bin/sh\n").tar();
    private static final byte[] LAYER = gzip(LAYER_TAR);
    private static final String DIFF_ID = sha256(LAYER_TAR);
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /** A registry response that refused the push. */
    static final class Refused extends AssertionError {
        final int status;
        final String body;

        Refused(String step, int status, String body) {
            super(step + ": " + status + " " + body);
            this.status = status;
            this.body = body;
        }
    }

    /** An image's bytes, pushable several times (e.g. under a second tag). */
    record Image(byte[] config, byte[] manifest, String digest) {}

    private Images() {}

    static Image image(String architecture) {
        byte[] config = json(Map.of(
                "architecture", architecture,
                "os", "linux",
                "config", Map.of("Labels", Map.of("nonce", UUID.randomUUID().toString()),
                        "Entrypoint", List.of("/app/adapter")),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(DIFF_ID))));
        byte[] manifest = json(Map.of(
                "schemaVersion", 2,
                "mediaType", MANIFEST,
                "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json",
                        "digest", sha256(config), "size", config.length),
                "layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest", sha256(LAYER), "size", LAYER.length))));
        return new Image(config, manifest, sha256(manifest));
    }

    /** Pushes a new image for {@code linux/<architecture>} as {@code repository:tag}; returns its digest. */
    static String push(TestDrydock d, String user, String secret, String repository, String tag, String architecture) {
        return push(d.url(), user, secret, repository, tag, image(architecture));
    }

    static String push(String baseUrl, String user, String secret, String repository, String tag, Image image) {
        String token = token(baseUrl, user, secret, repository);
        upload(baseUrl, token, repository, LAYER);
        upload(baseUrl, token, repository, image.config());
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/manifests/" + tag))
                .header("Authorization", "Bearer " + token).header("Content-Type", MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest())).build());
        if (r.statusCode() != 201) throw new Refused("PUT manifest", r.statusCode(), r.body());
        String digest = r.headers().firstValue("Docker-Content-Digest").orElseThrow();
        if (!digest.equals(image.digest())) throw new AssertionError("registry computed " + digest + ", expected " + image.digest());
        return digest;
    }

    private static void upload(String baseUrl, String token, String repository, byte[] blob) {
        String digest = sha256(blob);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl + "/v2/" + repository + "/blobs/uploads/?digest="
                        + URLEncoder.encode(digest, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build());
        if (r.statusCode() != 201) throw new Refused("POST blob upload", r.statusCode(), r.body());
    }

    private static String token(String baseUrl, String user, String secret, String repository) {
        String scope = URLEncoder.encode("repository:" + repository + ":pull,push", StandardCharsets.UTF_8);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl + "/auth/token?service=drydock&scope=" + scope))
                .header("Authorization", TestDrydock.basic(user, secret)).GET().build());
        if (r.statusCode() != 200) throw new Refused("token", r.statusCode(), r.body());
        try {
            return Json.MAPPER.readTree(r.body()).get("token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] json(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
