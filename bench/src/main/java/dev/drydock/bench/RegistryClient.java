package dev.drydock.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry client doing what docker/podman do on the wire, identical for every target: Docker token auth
 * (ping {@code /v2/}, follow the Bearer challenge to the realm with Basic credentials, then send the bearer
 * token; a target that answers the ping with 200 needs no auth), blob pushes as POST + one streamed PATCH + PUT
 * {@code ?digest=} (or POST + PUT with the body), streamed pulls, manifest HEAD/GET/PUT.
 *
 * <p>Transport: {@link HttpURLConnection} with keep-alive (blocking on the calling thread, which on this 2-core
 * host costs the client much less CPU per request than {@code java.net.http.HttpClient} and so leaves more of the
 * machine to the servers). Bodies are streamed from a {@link BlobSource} with a fixed Content-Length; pulled bytes
 * are counted (and optionally hashed) as they arrive, never kept. {@code HttpURLConnection} refuses PATCH, so the
 * method is set reflectively (needs {@code --add-opens java.base/java.net=ALL-UNNAMED}, which bench/run.sh passes).
 */
final class RegistryClient {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String ACCEPT_MANIFESTS = OCI_MANIFEST + ", application/vnd.oci.image.index.v1+json, "
            + "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Duration TOKEN_REFRESH = Duration.ofMinutes(2);
    static final int PIECE = 256 * 1024;
    private static final Field METHOD;

    static {
        // Keep enough idle connections per server for the concurrent load runs (the JDK default is 5).
        if (System.getProperty("http.maxConnections") == null) System.setProperty("http.maxConnections", "64");
        Field f = null;
        try {
            f = HttpURLConnection.class.getDeclaredField("method");
            f.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            f = null;
        }
        METHOD = f;
    }

    private record Token(String value, long fetchedNanos) {}

    /** Status, Location and body (as text, for error messages and small JSON) of a finished exchange. */
    record Response(int status, String location, String wwwAuthenticate, String body) {}

    private final URI base;
    private final String basic;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile String realm;
    private volatile String service;
    private volatile boolean anonymous;
    /** Blob downloads answered with a redirect (and followed). */
    final java.util.concurrent.atomic.AtomicLong redirects = new java.util.concurrent.atomic.AtomicLong();

    RegistryClient(URI base, String user, String password) {
        if (METHOD == null) {
            throw new IllegalStateException("run with --add-opens java.base/java.net=ALL-UNNAMED (needed to send PATCH)");
        }
        this.base = base;
        this.basic = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    URI base() {
        return base;
    }

    // ------------------------------------------------------------------ auth

    /** {@code GET /v2/}: learns whether and where to get tokens. */
    void ping() throws IOException {
        HttpURLConnection c = open("GET", base.resolve("/v2/"), null);
        Response r = finish(c);
        if (r.status == 200) {
            anonymous = true;
            return;
        }
        String challenge = r.wwwAuthenticate == null ? "" : r.wwwAuthenticate;
        if (r.status != 401 || !challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new IOException("GET /v2/: " + r.status + " " + challenge);
        }
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            if (m.group(1).equals("realm")) realm = m.group(2);
            if (m.group(1).equals("service")) service = m.group(2);
        }
        if (realm == null) throw new IOException("no realm in " + challenge);
    }

    /** Makes sure a fresh token for pull+push on the repository is at hand (call before timing). */
    void login(String repository) throws IOException {
        token(repository, true);
    }

    private String token(String repository, boolean freshen) throws IOException {
        if (anonymous || repository == null) return null;
        Token t = tokens.get(repository);
        if (t != null && (!freshen || System.nanoTime() - t.fetchedNanos < TOKEN_REFRESH.toNanos())) return t.value;
        String scope = "repository:" + repository + ":pull,push";
        HttpURLConnection c = open("GET", URI.create(realm + "?service=" + enc(service) + "&scope=" + enc(scope)), null);
        c.setRequestProperty("Authorization", basic);
        Response r = finish(c);
        if (r.status != 200) throw new IOException("token endpoint: " + r.status + " " + r.body);
        Matcher m = Pattern.compile("\"(?:token|access_token)\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body);
        if (!m.find()) throw new IOException("no token in " + r.body);
        tokens.put(repository, new Token(m.group(1), System.nanoTime()));
        return m.group(1);
    }

    private URI v2(String repository, String rest) {
        return base.resolve("/v2/" + repository + "/" + rest);
    }

    // ------------------------------------------------------------------ blobs

    enum PushMode {
        /** POST, one PATCH with the whole body (Content-Length), PUT ?digest= without body: docker, podman. */
        PATCH,
        /** POST, PUT ?digest= with the whole body: containerd, the spec's "monolithic" upload via a session. */
        PUT
    }

    /** {@code HEAD} a blob; true when the repository has it. */
    boolean blobExists(String repository, String digest) throws IOException {
        Response r = finish(open("HEAD", v2(repository, "blobs/" + digest), repository));
        if (r.status != 200 && r.status != 404) throw new IOException("HEAD blob: " + r.status);
        return r.status == 200;
    }

    /** Pushes one blob the way the mode says; the blob's digest must already be known (it is sent on the PUT). */
    void pushBlob(String repository, BlobSource blob, PushMode mode) throws IOException {
        String digest = blob.digest();
        Response r = send(open("POST", v2(repository, "blobs/uploads/"), repository), null);
        expect(r, 202, "POST upload");
        URI location = location(r);
        BlobSource body = blob;
        if (mode == PushMode.PATCH) {
            r = send(open("PATCH", location, repository), blob);
            expect(r, 202, "PATCH upload");
            location = location(r);
            body = null;
        }
        String q = location.getRawQuery() == null ? "?" : "&";
        r = send(open("PUT", URI.create(location + q + "digest=" + enc(digest)), repository), body);
        expect(r, 201, "PUT upload");
    }

    /**
     * Streams a blob and returns its length; when {@code verify}, also checks its digest. A redirect (a registry
     * sending the download to its bucket's pre-signed URL) is followed as docker does: once, without the registry's
     * Authorization header (the URL carries its own signature; S3 refuses a second credential).
     */
    long pullBlob(String repository, String digest, long expectedSize, boolean verify) throws IOException {
        HttpURLConnection c = open("GET", v2(repository, "blobs/" + digest), repository);
        c.setInstanceFollowRedirects(false);
        int status = c.getResponseCode();
        if (status == 307 || status == 302 || status == 303) {
            Response r = finish(c);
            URI to = location(r);
            redirects.incrementAndGet();
            c = open("GET", to, null);
            status = c.getResponseCode();
        }
        if (status != 200) throw new IOException("GET blob " + digest + ": " + finish(c).status);
        MessageDigest md = verify ? BlobSource.sha256() : null;
        long bytes = 0;
        byte[] buffer = new byte[PIECE];
        try (InputStream in = c.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
                if (md != null) md.update(buffer, 0, n);
            }
        }
        if (bytes != expectedSize) throw new IOException("GET blob " + digest + ": " + bytes + " bytes, not " + expectedSize);
        if (md != null) {
            String actual = "sha256:" + HexFormat.of().formatHex(md.digest());
            if (!actual.equals(digest)) throw new IOException("GET blob " + digest + " returned content " + actual);
        }
        return bytes;
    }

    // ------------------------------------------------------------------ manifests

    void putManifest(String repository, String reference, byte[] manifest) throws IOException {
        HttpURLConnection c = open("PUT", v2(repository, "manifests/" + reference), repository);
        c.setRequestProperty("Content-Type", OCI_MANIFEST);
        expect(send(c, new BlobSource(manifest)), 201, "PUT manifest");
    }

    byte[] getManifest(String repository, String reference) throws IOException {
        HttpURLConnection c = open("GET", v2(repository, "manifests/" + reference), repository);
        c.setRequestProperty("Accept", ACCEPT_MANIFESTS);
        if (c.getResponseCode() != 200) throw new IOException("GET manifest: " + finish(c));
        try (InputStream in = c.getInputStream()) {
            return in.readAllBytes();
        }
    }

    /** HEAD (or GET) a manifest; returns the status (the body, if any, is read and dropped). */
    int manifestStatus(String repository, String reference, boolean head) throws IOException {
        HttpURLConnection c = open(head ? "HEAD" : "GET", v2(repository, "manifests/" + reference), repository);
        c.setRequestProperty("Accept", ACCEPT_MANIFESTS);
        int status = c.getResponseCode();
        drain(c, status);
        return status;
    }

    // ------------------------------------------------------------------ plumbing

    private HttpURLConnection open(String method, URI uri, String repository) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (method.equals("PATCH")) {
            try {
                METHOD.set(c, method);
            } catch (IllegalAccessException e) {
                throw new IOException(e);
            }
        } else {
            c.setRequestMethod(method);
        }
        c.setInstanceFollowRedirects(true);
        c.setUseCaches(false);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(600_000);
        c.setRequestProperty("Accept", "*/*");
        String token = token(repository, false);
        if (token != null) c.setRequestProperty("Authorization", "Bearer " + token);
        return c;
    }

    /** Sends the request with the body (or an empty body: {@code Content-Length: 0}) and reads the response. */
    private static Response send(HttpURLConnection c, BlobSource body) throws IOException {
        c.setDoOutput(true);
        if (body == null) {
            c.setFixedLengthStreamingMode(0L);
            c.getOutputStream().close();
        } else {
            if (c.getRequestProperty("Content-Type") == null) c.setRequestProperty("Content-Type", "application/octet-stream");
            c.setFixedLengthStreamingMode(body.size);
            try (OutputStream out = c.getOutputStream()) {
                body.writeTo(out, PIECE);
            }
        }
        return finish(c);
    }

    /** Reads the whole response (so the connection goes back to the keep-alive pool). */
    private static Response finish(HttpURLConnection c) throws IOException {
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = "";
        if (in != null) {
            try (in) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return new Response(status, c.getHeaderField("Location"), c.getHeaderField("WWW-Authenticate"), body);
    }

    private static void drain(HttpURLConnection c, int status) throws IOException {
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in == null) return;
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private URI location(Response r) throws IOException {
        if (r.location == null) throw new IOException("no Location header (status " + r.status + ")");
        return base.resolve(r.location);
    }

    private static void expect(Response r, int status, String what) throws IOException {
        if (r.status != status) throw new IOException(what + ": " + r.status + " " + r.body);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
