package dev.drydock.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A minimal OCI distribution client over {@link HttpClient} (HTTP/1.1, no redirects) for the protocol tests:
 * raw verbs returning {@link Resp}, plus the few push helpers every test needs. Every {@code /v2} response is
 * checked for the {@code Docker-Distribution-Api-Version} header.
 */
final class RegistryClient {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    static final String OCTET = "application/octet-stream";

    final String base;
    final String authorization;

    RegistryClient(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    RegistryClient(TestDrydock d, String authorization) {
        this(d.url(), authorization);
    }

    RegistryClient as(String otherAuthorization) {
        return new RegistryClient(base, otherAuthorization);
    }

    /** A response with the body read whole. */
    record Resp(String method, String uri, int status, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        List<String> headers(String name) {
            return headers.allValues(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }

        /** The first error code of the spec's error envelope. */
        String errorCode() {
            JsonNode errors = json().get("errors");
            assertThat(errors).as("error envelope of %s", this).isNotNull();
            return errors.get(0).get("code").asText();
        }

        @Override
        public String toString() {
            return method + " " + uri + " -> " + status + " " + headers.map() + " "
                    + (body.length > 600 ? text().substring(0, 600) + "…" : text());
        }
    }

    // ---------------------------------------------------------------- verbs

    Resp get(String path, String... headers) {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    Resp head(String path, String... headers) {
        return send("HEAD", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    Resp delete(String path, String... headers) {
        return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    Resp post(String path, byte[] body, String... headers) {
        return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    Resp put(String path, byte[] body, String... headers) {
        return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    Resp patch(String path, byte[] body, String... headers) {
        return send("PATCH", path, HttpRequest.BodyPublishers.ofByteArray(body), headers);
    }

    /** Sends a request; {@code headers} are name/value pairs; {@code path} may be relative (a Location) or absolute. */
    Resp send(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        return send(method, path, body, false, headers);
    }

    Resp send(String method, String path, HttpRequest.BodyPublisher body, boolean expectContinue, String... headers) {
        URI uri = URI.create(path.startsWith("http") ? path : base + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).method(method, body)
                .expectContinue(expectContinue);
        if (authorization != null) b.header("Authorization", authorization);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Resp resp = new Resp(method, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                    r.statusCode(), r.headers(), r.body() == null ? new byte[0] : r.body());
            if (uri.getRawPath().startsWith("/v2")) {
                assertThat(resp.header("Docker-Distribution-Api-Version")).as("API version header on %s", resp)
                        .isEqualTo("registry/2.0");
            }
            return resp;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- protocol helpers

    /** POST for a session; asserts 202 and returns the upload Location. */
    String startUpload(String repo) {
        Resp r = post("/v2/" + repo + "/blobs/uploads/", new byte[0]);
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.header("Location")).startsWith("/v2/" + repo + "/blobs/uploads/");
        return r.header("Location");
    }

    /** Pushes a blob with POST then PUT; asserts 201; returns its digest. */
    String pushBlob(String repo, byte[] content) {
        String digest = sha256(content);
        Resp r = put(withDigest(startUpload(repo), digest), content, "Content-Type", OCTET);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return digest;
    }

    /** PUTs a manifest; asserts 201 and the digest header; returns the digest. */
    String pushManifest(String repo, String reference, String mediaType, byte[] content) {
        Resp r = putManifest(repo, reference, mediaType, content);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        assertThat(r.header("Docker-Content-Digest")).isEqualTo(sha256(content));
        return sha256(content);
    }

    Resp putManifest(String repo, String reference, String mediaType, byte[] content) {
        return mediaType == null
                ? put("/v2/" + repo + "/manifests/" + reference, content)
                : put("/v2/" + repo + "/manifests/" + reference, content, "Content-Type", mediaType);
    }

    static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    // ---------------------------------------------------------------- static helpers

    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha512(byte[] content) {
        try {
            return "sha512:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    /** "Bearer <jwt>" from the real token endpoint. */
    static String bearer(TestDrydock d, String user, String password, String... scopes) {
        return "Bearer " + d.token(user, password, scopes);
    }

    /** The decoded (unverified) payload of a JWT. */
    static JsonNode jwtPayload(String token) {
        String jwt = token.startsWith("Bearer ") ? token.substring(7) : token;
        String[] parts = jwt.split("\\.");
        try {
            return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scope for full access to a repository. */
    static String all(String repo) {
        return "repository:" + repo + ":pull,push,delete";
    }
}
