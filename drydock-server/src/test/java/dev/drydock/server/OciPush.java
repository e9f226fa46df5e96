package dev.drydock.server;

import dev.drydock.oci.Digest;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Pushes and pulls minimal adapter images over the real HTTP API (monolithic blob uploads, one layer). */
final class OciPush {
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private OciPush() {}

    /** An image: its config, one layer and the manifest naming them. */
    record Image(byte[] config, byte[] layer, byte[] manifest) {
        Digest configDigest() { return Digest.sha256(config); }
        Digest layerDigest() { return Digest.sha256(layer); }
        Digest manifestDigest() { return Digest.sha256(manifest); }
    }

    /** A linux/amd64 adapter image (passes every check for a pull/batch adapter) whose layer holds {@code layerText}. */
    static Image image(String layerText) {
        return image(layerText, "amd64");
    }

    /**
     * A linux/{@code architecture} adapter image: one gzipped layer with {@link TestImages#GOOD_MANIFEST} at
     * /var/manifest.json and {@code layerText} as /app/adapter (so every text gives its own digests), run by
     * ENTRYPOINT ["/app/adapter"].
     */
    static Image image(String layerText, String architecture) {
        byte[] tar = TestImages.adapterLayer(TestImages.GOOD_MANIFEST, layerText).tar();
        byte[] config = ("{\"os\":\"linux\",\"architecture\":\"" + architecture + "\",\"config\":{\"Entrypoint\":[\"/app/adapter\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.sha256(tar) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = dev.drydock.image.TestTar.gzip(tar);
        String manifest = """
                {"schemaVersion":2,"mediaType":"%s",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}"""
                .formatted(MANIFEST_TYPE, Digest.sha256(config), config.length, Digest.sha256(layer), layer.length);
        return new Image(config, layer, manifest.getBytes(StandardCharsets.UTF_8));
    }

    static String pushToken(TestDrydock d, String user, String password, String repository) {
        return d.token(user, password, "repository:" + repository + ":pull,push,delete");
    }

    static void pushBlob(TestDrydock d, String repository, String token, byte[] content) {
        HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/" + repository
                        + "/blobs/uploads/?digest=" + Digest.sha256(content)))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build());
        if (r.statusCode() != 201) throw new AssertionError("blob upload: " + r.statusCode() + " " + r.body());
    }

    /** Pushes the image's blobs and its manifest under {@code tag}. */
    static void push(TestDrydock d, String repository, String token, Image image, String tag) {
        pushBlob(d, repository, token, image.config());
        pushBlob(d, repository, token, image.layer());
        putManifest(d, repository, token, image.manifest(), tag);
    }

    static void putManifest(TestDrydock d, String repository, String token, byte[] manifest, String reference) {
        HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/" + repository + "/manifests/" + reference))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", MANIFEST_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build());
        if (r.statusCode() != 201) throw new AssertionError("manifest put: " + r.statusCode() + " " + r.body());
    }

    /** GET of a registry path's bytes (status and body). */
    static HttpResponse<byte[]> get(TestDrydock d, String token, String path, String accept) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", "Bearer " + token);
            if (accept != null) b.header("Accept", accept);
            return d.http.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int delete(TestDrydock d, String token, String path) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", "Bearer " + token)
                .DELETE().build()).statusCode();
    }

    /** Pulls the image by tag and checks every byte against its digest; throws when anything is missing or wrong. */
    static void pullIntact(TestDrydock d, String repository, String token, Image image, String tag) {
        HttpResponse<byte[]> m = get(d, token, "/v2/" + repository + "/manifests/" + tag, MANIFEST_TYPE);
        if (m.statusCode() != 200 || !Digest.sha256(m.body()).equals(image.manifestDigest())) {
            throw new AssertionError("manifest of " + repository + ":" + tag + ": " + m.statusCode());
        }
        for (Digest blob : new Digest[]{image.configDigest(), image.layerDigest()}) {
            HttpResponse<byte[]> b = get(d, token, "/v2/" + repository + "/blobs/" + blob, null);
            if (b.statusCode() != 200 || !Digest.sha256(b.body()).equals(blob)) {
                throw new AssertionError("blob " + blob + " of " + repository + ": " + b.statusCode());
            }
        }
    }
}
