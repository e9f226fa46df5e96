package dev.drydock.server.registry;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.drydock.platform.access.SigningKeys;
import dev.drydock.registry.auth.Access;
import dev.drydock.registry.auth.TokenSigner;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.registry.Manifests.Desc;
import dev.drydock.server.registry.RawHttp.Raw;
import dev.drydock.server.registry.RegistryClient.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.drydock.server.registry.Manifests.DOCKER_MANIFEST;
import static dev.drydock.server.registry.Manifests.OCI_CONFIG;
import static dev.drydock.server.registry.Manifests.OCI_EMPTY;
import static dev.drydock.server.registry.Manifests.OCI_INDEX;
import static dev.drydock.server.registry.Manifests.OCI_LAYER;
import static dev.drydock.server.registry.Manifests.OCI_MANIFEST;
import static dev.drydock.server.registry.RegistryClient.OCTET;
import static dev.drydock.server.registry.RegistryClient.all;
import static dev.drydock.server.registry.RegistryClient.bearer;
import static dev.drydock.server.registry.RegistryClient.randomBytes;
import static dev.drydock.server.registry.RegistryClient.sha256;
import static dev.drydock.server.registry.RegistryClient.slice;
import static dev.drydock.server.registry.RegistryClient.utf8;
import static dev.drydock.server.registry.RegistryClient.withDigest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind: each answered with the spec's error code and HTTP status, and none of it may lose
 * or corrupt what was stored before. After every test the pre-existing blobs and manifests of both
 * organizations are read back and compared by digest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    static final long A = 17532;
    static final long B = 20001;
    static final String DEV = "dev@acme.test";
    static final String OWNER_B = "owner@globex.test";
    static final String REPO = A + "/base";
    static final String REPO_B = B + "/secret";

    TestDrydock d;
    RegistryClient dev;      // developer of A with pull+push on REPO and the scratch repositories
    RegistryClient ownerB;   // admin of B with everything on REPO_B

    // What was stored before the bad input: checked after every test.
    byte[] config = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
    byte[] layer = randomBytes(600_000, 42);
    byte[] manifest;
    String manifestDigest;
    byte[] secretLayer = randomBytes(10_000, 43);
    byte[] manifestB;

    @BeforeAll
    void start() {
        d = TestDrydock.start();
        d.createOrg(A);
        d.createOrg(B);
        d.addMember(A, DEV, "developer");
        d.addMember(B, OWNER_B, "admin");
        dev = devClient();
        ownerB = new RegistryClient(d, bearer(d, OWNER_B, TestDrydock.PASSWORD, all(REPO_B)));

        dev.pushBlob(REPO, config);
        dev.pushBlob(REPO, layer);
        manifest = Manifests.oci(Desc.of(OCI_CONFIG, config), Desc.of(OCI_LAYER, layer));
        manifestDigest = dev.pushManifest(REPO, "v1", OCI_MANIFEST, manifest);

        ownerB.pushBlob(REPO_B, config);
        ownerB.pushBlob(REPO_B, secretLayer);
        manifestB = Manifests.oci(Desc.of(OCI_CONFIG, config), Desc.of(OCI_LAYER, secretLayer));
        ownerB.pushManifest(REPO_B, "v1", OCI_MANIFEST, manifestB);
    }

    RegistryClient devClient(String... extraRepos) {
        List<String> scopes = new ArrayList<>(List.of(all(REPO)));
        for (String r : extraRepos) scopes.add(all(r));
        return new RegistryClient(d, bearer(d, DEV, TestDrydock.PASSWORD, scopes.toArray(String[]::new)));
    }

    /** The platform admin, with everything on the given repositories (dev may not delete). */
    RegistryClient admin(String... repos) {
        List<String> scopes = new ArrayList<>(List.of(all(REPO), all(REPO_B)));
        for (String r : repos) scopes.add(all(r));
        return new RegistryClient(d, bearer(d, TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD, scopes.toArray(String[]::new)));
    }

    @AfterAll
    void stop() {
        d.close();
    }

    @AfterEach
    void storedContentIsIntact() {
        RegistryClient admin = admin();
        assertIntact(admin, REPO, manifest, config, layer);
        assertIntact(admin, REPO_B, manifestB, config, secretLayer);
    }

    private static void assertIntact(RegistryClient c, String repo, byte[] manifest, byte[]... blobs) {
        for (byte[] blob : blobs) {
            Resp r = c.get("/v2/" + repo + "/blobs/" + sha256(blob));
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(sha256(r.body())).isEqualTo(sha256(blob));
        }
        for (String ref : List.of("v1", sha256(manifest))) {
            Resp r = c.get("/v2/" + repo + "/manifests/" + ref);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(sha256(r.body())).isEqualTo(sha256(manifest));
            assertThat(r.header("Docker-Content-Digest")).isEqualTo(sha256(manifest));
        }
        Resp tags = c.get("/v2/" + repo + "/tags/list");
        assertThat(DistributionSpecTest.strings(tags.json().get("tags"))).contains("v1");
    }

    private static void assertError(Resp r, int status, String code) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.errorCode()).as("%s", r).isEqualTo(code);
    }

    private static void assertInvalidToken(Resp r) {
        assertError(r, 401, "UNAUTHORIZED");
        assertThat(r.header("WWW-Authenticate")).as("%s", r).startsWith("Bearer realm=").contains("error=\"invalid_token\"");
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void wrongPasswordIs401AndChangesNothing() {
        RegistryClient wrong = new RegistryClient(d, TestDrydock.basic(DEV, "not-the-password-1"));
        Resp base = wrong.get("/v2/");
        assertError(base, 401, "UNAUTHORIZED");
        assertThat(base.header("WWW-Authenticate")).startsWith("Bearer realm=\"" + d.url() + "/auth/token\"");
        assertError(wrong.put("/v2/" + REPO + "/manifests/v1", utf8("{}"), "Content-Type", OCI_MANIFEST), 401, "UNAUTHORIZED");
        assertError(wrong.delete("/v2/" + REPO + "/manifests/v1"), 401, "UNAUTHORIZED");
        assertError(new RegistryClient(d, TestDrydock.basic("nobody@acme.test", "whatever-password")).get("/v2/"), 401, "UNAUTHORIZED");

        Resp token = new RegistryClient(d, TestDrydock.basic(DEV, "not-the-password-1")).get("/auth/token?service=drydock&scope=repository:" + REPO + ":pull");
        assertThat(token.status()).isEqualTo(401);
        assertThat(token.header("WWW-Authenticate")).startsWith("Basic");
        Resp noCredentials = new RegistryClient(d, null).get("/auth/token?service=drydock");
        assertThat(noCredentials.status()).isEqualTo(401);
    }

    @Test
    void forgedExpiredOrTamperedTokensAreInvalidToken() throws Exception {
        String url = "/v2/" + REPO + "/manifests/v1";
        byte[] evil = Manifests.oci(Desc.of(OCI_CONFIG, config));
        List<Access> everything = List.of(Access.repository(REPO, "pull", "push", "delete"),
                Access.repository(REPO_B, "pull", "push", "delete"));

        // Signed by a key the server never saw.
        String otherKey = new TokenSigner(TokenSigner.generateKey(), "drydock", InstantSource.system())
                .issue(DEV, "drydock", everything, Duration.ofMinutes(5));
        // Signed with the server's own key (read from its database), but long expired / not yet valid.
        var serverKey = SigningKeys.loadOrCreate(d.server().database().jdbi(), InstantSource.system());
        String expired = new TokenSigner(serverKey, "drydock", InstantSource.fixed(Instant.now().minus(Duration.ofHours(2))))
                .issue(DEV, "drydock", everything, Duration.ofMinutes(5));
        String future = new TokenSigner(serverKey, "drydock", InstantSource.fixed(Instant.now().plus(Duration.ofHours(2))))
                .issue(DEV, "drydock", everything, Duration.ofMinutes(5));
        String wrongIssuer = new TokenSigner(serverKey, "someone-else", InstantSource.system())
                .issue(DEV, "drydock", everything, Duration.ofMinutes(5));
        String wrongAudience = new TokenSigner(serverKey, "drydock", InstantSource.system())
                .issue(DEV, "another-registry", everything, Duration.ofMinutes(5));
        // A real token whose payload was edited to grant more (signature kept).
        String real = d.token(DEV, TestDrydock.PASSWORD, "repository:" + REPO + ":pull");
        String[] parts = real.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"actions\":[\"pull\"]", "\"actions\":[\"delete\",\"pull\",\"push\"]");
        assertThat(payload).contains("\"delete\"");
        String tampered = parts[0] + "." + b64(payload) + "." + parts[2];
        // alg none, and HS256 keyed with something public.
        String claims = "{\"iss\":\"drydock\",\"sub\":\"" + DEV + "\",\"aud\":\"drydock\",\"exp\":"
                + (Instant.now().getEpochSecond() + 300) + ",\"access\":[{\"type\":\"repository\",\"name\":\"" + REPO
                + "\",\"actions\":[\"pull\",\"push\",\"delete\"]}]}";
        String algNone = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims) + ".";
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), JWTClaimsSet.parse(claims));
        hs.sign(new MACSigner(sha256(utf8(serverKey.toPublicJWK().toJSONString())).substring(7)));
        // API session token (other audience) from the real login endpoint.
        String apiToken = d.api("POST", "/api/v1/login", null, Map.of("email", DEV, "password", TestDrydock.PASSWORD), 200)
                .get("token").asText();

        Map<String, String> forged = new java.util.LinkedHashMap<>();
        forged.put("other key", otherKey);
        forged.put("expired", expired);
        forged.put("not yet valid", future);
        forged.put("wrong issuer", wrongIssuer);
        forged.put("wrong audience", wrongAudience);
        forged.put("tampered payload", tampered);
        forged.put("alg none", algNone);
        forged.put("HS256", hs.serialize());
        forged.put("API audience", apiToken);
        forged.put("garbage", "not.a.jwt");
        for (var e : forged.entrySet()) {
            RegistryClient c = new RegistryClient(d, "Bearer " + e.getValue());
            assertInvalidToken(c.get(url));
            assertInvalidToken(c.put(url, evil, "Content-Type", OCI_MANIFEST));
            assertInvalidToken(c.delete("/v2/" + REPO + "/manifests/" + manifestDigest));
            assertInvalidToken(c.delete("/v2/" + REPO_B + "/blobs/" + sha256(secretLayer)));
            assertInvalidToken(c.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]));
        }
        // The untampered token still works for what it grants, and only that.
        RegistryClient ok = new RegistryClient(d, "Bearer " + real);
        assertThat(ok.get(url).status()).isEqualTo(200);
        Resp push = ok.put(url, evil, "Content-Type", OCI_MANIFEST);
        assertError(push, 401, "UNAUTHORIZED");
        assertThat(push.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"")
                .contains("scope=\"repository:" + REPO + ":push\"");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tokenOfAnotherOrganizationGetsInsufficientScope() {
        RegistryClient c = new RegistryClient(d, bearer(d, DEV, TestDrydock.PASSWORD, all(REPO_B)));
        Resp get = c.get("/v2/" + REPO_B + "/manifests/v1");
        assertError(get, 401, "UNAUTHORIZED");
        assertThat(get.header("WWW-Authenticate")).contains("error=\"insufficient_scope\"");
        assertError(c.put("/v2/" + REPO_B + "/manifests/v1", manifest, "Content-Type", OCI_MANIFEST), 401, "UNAUTHORIZED");
        assertError(c.delete("/v2/" + REPO_B + "/manifests/v1"), 401, "UNAUTHORIZED");
        assertError(c.post("/v2/" + REPO_B + "/blobs/uploads/?digest=" + sha256(layer), layer, "Content-Type", OCTET),
                401, "UNAUTHORIZED");
    }

    // ---------------------------------------------------------------- names and paths

    @Test
    void pathTraversalNeverReachesAnotherOrganization() {
        // The dispatcher sees the raw path (neither dot segments nor %-escapes are resolved), so every traversal
        // attempt fails the name grammar; none may reach 20001/secret with a token that has nothing there.
        String token = "Bearer " + d.token(DEV, TestDrydock.PASSWORD, all(REPO), all(REPO_B));
        String secretDigest = sha256(secretLayer);
        Map<String, String> paths = new java.util.LinkedHashMap<>();
        paths.put("/v2/" + A + "/../" + REPO_B + "/manifests/v1", "NAME_INVALID");
        paths.put("/v2/" + A + "/x/../../" + REPO_B + "/manifests/v1", "NAME_INVALID");
        paths.put("/v2/" + A + "/%2e%2e/" + REPO_B + "/manifests/v1", "NAME_INVALID");
        paths.put("/v2/" + A + "/%2E%2E/" + REPO_B + "/manifests/v1", "NAME_INVALID");
        paths.put("/v2/" + A + "/..%2f" + REPO_B + "/manifests/v1", "NAME_INVALID");
        paths.put("/v2/" + A + "%2f..%2f" + REPO_B + "/manifests/v1", "NAME_INVALID");
        paths.put("/v2/" + A + "/base/../../" + REPO_B + "/blobs/" + secretDigest, "NAME_INVALID");
        paths.put("/v2/" + A + "/%2e%2e/" + REPO_B + "/blobs/" + secretDigest, "NAME_INVALID");
        paths.put("/v2/" + REPO + "/blobs/..%2f..%2f..%2f" + REPO_B + "%2fblobs%2f" + secretDigest, "NAME_INVALID");
        paths.put("/v2/" + A + "/./../" + REPO_B + "/tags/list", "NAME_INVALID");
        paths.put("/v2/" + A + "/../" + REPO_B + "/referrers/" + sha256(manifestB), "NAME_INVALID");
        paths.put("/v2/" + REPO + "/blobs/uploads/..%2f..%2fblobs", "BLOB_UPLOAD_UNKNOWN");
        paths.put("/v2/" + REPO + "/blobs/uploads/%2e%2e", "BLOB_UPLOAD_UNKNOWN");
        for (var e : paths.entrySet()) {
            Raw r = RawHttp.request(d.port(), "GET", e.getKey(), new byte[0], "Authorization", token);
            assertThat(r.status()).as("GET %s -> %s", e.getKey(), r).isEqualTo(e.getValue().equals("NAME_INVALID") ? 400 : 404);
            assertThat(r.body()).as("GET %s", e.getKey()).contains("\"" + e.getValue() + "\"")
                    .doesNotContain("schemaVersion").doesNotContain(sha256(manifestB).substring(7));
        }
        // Writes through traversal paths are refused too; B's content is checked after the test.
        List<String[]> writes = List.of(
                new String[]{"PUT", "/v2/" + A + "/../" + REPO_B + "/manifests/v1"},
                new String[]{"PUT", "/v2/" + A + "/%2e%2e/" + REPO_B + "/manifests/v1"},
                new String[]{"DELETE", "/v2/" + A + "/../" + REPO_B + "/manifests/v1"},
                new String[]{"DELETE", "/v2/" + A + "/../" + REPO_B + "/blobs/" + secretDigest},
                new String[]{"POST", "/v2/" + A + "/../" + REPO_B + "/blobs/uploads/"},
                new String[]{"POST", "/v2/" + A + "/../" + REPO_B + "/blobs/uploads/?digest=" + sha256(manifest)},
                new String[]{"POST", "/v2/" + REPO + "/../../" + REPO_B + "/blobs/uploads/?mount=" + secretDigest + "&from=" + REPO_B});
        for (String[] w : writes) {
            Raw r = RawHttp.request(d.port(), w[0], w[1], manifest, "Authorization", token, "Content-Type", OCI_MANIFEST);
            assertThat(r.status()).as("%s %s -> %s", w[0], w[1], r).isEqualTo(400);
            assertThat(r.body()).contains("\"NAME_INVALID\"");
        }
    }

    @Test
    void invalidRepositoryNamesAreNameInvalid() {
        RegistryClient c = devClient();
        String longName = A + "/" + "a".repeat(256);
        for (String name : List.of(A + "/Base", A + "/BASE", "library/ubuntu", "ubuntu", String.valueOf(A), "0/x",
                "0" + A + "/x", A + "/-x", A + "/x-", A + "/x..y", A + "/x//y", A + "/x_", "-1/x", longName)) {
            Resp get = c.get("/v2/" + name + "/manifests/v1");
            assertError(get, 400, "NAME_INVALID");
            assertError(c.post("/v2/" + name + "/blobs/uploads/", new byte[0]), 400, "NAME_INVALID");
            assertError(c.put("/v2/" + name + "/manifests/v1", manifest, "Content-Type", OCI_MANIFEST), 400, "NAME_INVALID");
            assertError(c.get("/v2/" + name + "/tags/list"), 400, "NAME_INVALID");
        }
    }

    @Test
    void invalidTagsAreRejectedOnPushAndUnknownOnPull() {
        String repo = A + "/tags";
        RegistryClient c = devClient(repo);
        c.pushBlob(repo, config);
        byte[] m = Manifests.oci(Desc.of(OCI_CONFIG, config));
        String max = "t".repeat(128);
        String tooLong = "t".repeat(129);
        assertThat(c.putManifest(repo, max, OCI_MANIFEST, m).status()).isEqualTo(201);
        for (String tag : List.of(tooLong, ".hidden", "-dash", "..x", "t%21", "t+1", "t~1", "%2e%2e")) {
            assertError(c.putManifest(repo, tag, OCI_MANIFEST, m), 400, "MANIFEST_INVALID");
            assertError(c.get("/v2/" + repo + "/manifests/" + tag), 404, "MANIFEST_UNKNOWN");
            assertError(admin(repo).delete("/v2/" + repo + "/manifests/" + tag), 404, "MANIFEST_UNKNOWN");
        }
        assertThat(DistributionSpecTest.strings(c.get("/v2/" + repo + "/tags/list").json().get("tags"))).containsExactly(max);
        // Literal dot segments never act as tags.
        for (String tag : List.of("..", ".")) {
            Raw r = RawHttp.request(d.port(), "PUT", "/v2/" + repo + "/manifests/" + tag, m,
                    "Authorization", c.authorization, "Content-Type", OCI_MANIFEST);
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.body()).contains("\"MANIFEST_INVALID\"");
        }
        assertThat(DistributionSpecTest.strings(c.get("/v2/" + repo + "/tags/list").json().get("tags"))).containsExactly(max);
    }

    // ---------------------------------------------------------------- digests

    @Test
    void blobDigestMismatchIsDigestInvalidAndDiscardsTheUpload() {
        String repo = A + "/mismatch";
        RegistryClient c = devClient(repo);
        byte[] content = randomBytes(50_000, 7);
        String wrong = sha256(utf8("something else"));

        String location = c.startUpload(repo);
        assertError(c.put(withDigest(location, wrong), content, "Content-Type", OCTET), 400, "DIGEST_INVALID");
        assertError(c.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(c.get("/v2/" + repo + "/blobs/" + wrong), 404, "BLOB_UNKNOWN");
        assertError(c.get("/v2/" + repo + "/blobs/" + sha256(content)), 404, "BLOB_UNKNOWN");

        assertError(c.post("/v2/" + repo + "/blobs/uploads/?digest=" + wrong, content, "Content-Type", OCTET), 400, "DIGEST_INVALID");
        assertError(c.get("/v2/" + repo + "/blobs/" + wrong), 404, "BLOB_UNKNOWN");

        String chunked = c.startUpload(repo);
        assertThat(c.patch(chunked, slice(content, 0, 20_000), "Content-Type", OCTET, "Content-Range", "0-19999").status()).isEqualTo(202);
        assertError(c.put(withDigest(chunked, wrong), slice(content, 20_000, content.length)), 400, "DIGEST_INVALID");
        assertError(c.get(chunked), 404, "BLOB_UPLOAD_UNKNOWN");

        // Claiming the digest of a stored blob with other bytes must not touch the stored blob.
        String stored = sha256(layer);
        assertError(c.post("/v2/" + REPO + "/blobs/uploads/?digest=" + stored, content, "Content-Type", OCTET), 400, "DIGEST_INVALID");
        String again = c.startUpload(REPO);
        assertError(c.put(withDigest(again, stored), content, "Content-Type", OCTET), 400, "DIGEST_INVALID");
        // And a blob that is the same in every byte but one.
        byte[] flipped = layer.clone();
        flipped[flipped.length / 2] ^= 1;
        assertError(c.post("/v2/" + REPO + "/blobs/uploads/?digest=" + stored, flipped, "Content-Type", OCTET), 400, "DIGEST_INVALID");
    }

    @Test
    void manifestDigestMismatchIsDigestInvalid() {
        byte[] other = Manifests.oci(Desc.of(OCI_CONFIG, config));
        // PUT by the digest of the stored manifest with other bytes.
        assertError(dev.putManifest(REPO, manifestDigest, OCI_MANIFEST, other), 400, "DIGEST_INVALID");
        // PUT by a digest of nothing in particular.
        assertError(dev.putManifest(REPO, sha256(utf8("x")), OCI_MANIFEST, manifest), 400, "DIGEST_INVALID");
        assertError(dev.get("/v2/" + REPO + "/manifests/" + sha256(other)), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void malformedDigestsAreDigestInvalid() {
        String hex = sha256(layer).substring(7);
        List<String> bad = List.of("sha256:xyz", "sha256:" + hex.substring(1), "sha256:" + hex + "0",
                "sha256:" + hex.toUpperCase(), "md5:" + hex.substring(0, 32), "sha256", "sha256:", ":" + hex,
                "sha384:" + hex + hex.substring(0, 32), "sha512:" + hex);
        RegistryClient c = dev;
        for (String digest : bad) {
            String enc = digest;
            assertError(c.get("/v2/" + REPO + "/blobs/" + enc), 400, "DIGEST_INVALID");
            assertThat(c.head("/v2/" + REPO + "/blobs/" + enc).status()).isEqualTo(400);
            assertError(c.delete("/v2/" + REPO + "/blobs/" + enc), 400, "DIGEST_INVALID");
            assertError(c.get("/v2/" + REPO + "/referrers/" + enc), 400, "DIGEST_INVALID");
            assertError(c.post("/v2/" + REPO + "/blobs/uploads/?digest=" + enc, layer, "Content-Type", OCTET), 400, "DIGEST_INVALID");
            assertError(c.post("/v2/" + REPO + "/blobs/uploads/?mount=" + enc + "&from=" + REPO, new byte[0]), 400, "DIGEST_INVALID");
            if (digest.contains(":") && !digest.startsWith(":")) {
                assertError(c.get("/v2/" + REPO + "/manifests/" + enc), 400, "DIGEST_INVALID");
                assertError(c.putManifest(REPO, enc, OCI_MANIFEST, manifest), 400, "DIGEST_INVALID");
            }
            // A bad digest on the closing PUT leaves the session open: the client can retry.
            String location = c.startUpload(REPO);
            assertThat(c.patch(location, utf8("abc"), "Content-Type", OCTET).status()).isEqualTo(202);
            assertError(c.put(location + "?digest=" + enc, new byte[0]), 400, "DIGEST_INVALID");
            Resp status = c.get(location);
            assertThat(status.status()).as("%s", status).isEqualTo(204);
            assertThat(status.header("Range")).isEqualTo("0-2");
            assertThat(c.delete(location).status()).isEqualTo(204);
        }
        String location = c.startUpload(REPO);
        assertError(c.put(location, utf8("abc")), 400, "DIGEST_INVALID"); // no ?digest= at all
        assertThat(c.delete(location).status()).isEqualTo(204);
    }

    // ---------------------------------------------------------------- broken uploads

    @Test
    void truncatedChunkKeepsAPrefixAndTheUploadResumes() {
        String repo = A + "/truncated";
        RegistryClient c = devClient(repo);
        byte[] content = randomBytes(2_000_000, 8);
        String location = c.startUpload(repo);

        Raw cut = RawHttp.truncated(d.port(), "PATCH", location, content.length, content, 1_300_000,
                "Authorization", c.authorization, "Content-Type", OCTET, "Content-Range", "0-" + (content.length - 1));
        assertCutShort(cut);

        Resp status = c.get(location);
        assertThat(status.status()).as("%s", status).isEqualTo(204);
        long offset = rangeEnd(status.header("Range")) + 1;
        if (status.header("Range").equals("0-0")) offset = 0; // nothing kept (0-0 is also what an empty upload says)
        assertThat(offset).isBetween(0L, 1_300_000L);
        assertError(c.get("/v2/" + repo + "/blobs/" + sha256(content)), 404, "BLOB_UNKNOWN");

        // Resume from where the server says, with the rest of the bytes.
        Resp rest = c.patch(location, slice(content, (int) offset, content.length), "Content-Type", OCTET,
                "Content-Range", offset + "-" + (content.length - 1));
        assertThat(rest.status()).as("%s", rest).isEqualTo(202);
        assertThat(rest.header("Range")).isEqualTo("0-" + (content.length - 1));
        Resp put = c.put(withDigest(location, sha256(content)), new byte[0]);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/blobs/" + sha256(content)).body()).isEqualTo(content);
    }

    @Test
    void truncatedMonolithicPushesStoreNothing() {
        String repo = A + "/truncated-mono";
        RegistryClient c = devClient(repo);
        byte[] content = randomBytes(900_000, 9);
        String digest = sha256(content);

        Raw post = RawHttp.truncated(d.port(), "POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content.length,
                content, 700_000, "Authorization", c.authorization, "Content-Type", OCTET);
        assertCutShort(post);
        assertError(c.get("/v2/" + repo + "/blobs/" + digest), 404, "BLOB_UNKNOWN");

        String location = c.startUpload(repo);
        Raw put = RawHttp.truncated(d.port(), "PUT", withDigest(location, digest), content.length, content, 600_000,
                "Authorization", c.authorization, "Content-Type", OCTET);
        assertCutShort(put);
        assertError(c.get("/v2/" + repo + "/blobs/" + digest), 404, "BLOB_UNKNOWN");

        // A truncated manifest PUT over an existing tag leaves the tag as it was.
        byte[] other = Manifests.oci(Desc.of(OCI_CONFIG, config));
        Raw m = RawHttp.truncated(d.port(), "PUT", "/v2/" + REPO + "/manifests/v1", other.length, other, other.length / 2,
                "Authorization", dev.authorization, "Content-Type", OCI_MANIFEST);
        assertCutShort(m);
    }

    /** A request whose body ended early must not read as a success: 400 SIZE_INVALID (to a client still listening). */
    private static void assertCutShort(Raw r) {
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.body()).contains("\"SIZE_INVALID\"");
    }

    static long rangeEnd(String range) {
        return Long.parseLong(range.substring(range.indexOf('-') + 1));
    }

    @Test
    void outOfOrderChunksAre416WithTheRangeToResumeFrom() {
        String repo = A + "/out-of-order";
        RegistryClient c = devClient(repo);
        byte[] content = randomBytes(3000, 10);
        String location = c.startUpload(repo);
        String uuid = location.substring(location.lastIndexOf('/') + 1);

        // The first chunk must start at 0.
        Resp notZero = c.patch(location, slice(content, 1000, 2000), "Content-Type", OCTET, "Content-Range", "1000-1999");
        assertError(notZero, 416, "BLOB_UPLOAD_INVALID");
        assertThat(notZero.header("Range")).isEqualTo("0-0");
        assertThat(c.patch(location, slice(content, 0, 1000), "Content-Type", OCTET, "Content-Range", "0-999").status()).isEqualTo(202);

        for (String range : List.of("2000-2999", "500-1499", "0-999", "999-1998")) {
            int start = Integer.parseInt(range.split("-")[0]);
            Resp r = c.patch(location, slice(content, start, start + 1000), "Content-Type", OCTET, "Content-Range", range);
            assertError(r, 416, "BLOB_UPLOAD_INVALID");
            assertThat(r.header("Range")).isEqualTo("0-999");
            assertThat(r.header("Location")).isEqualTo(location);
            assertThat(r.header("Docker-Upload-UUID")).isEqualTo(uuid);
        }
        // Content-Range that disagrees with the body's length, or is not <start>-<end>.
        assertThat(c.patch(location, slice(content, 1000, 1500), "Content-Type", OCTET, "Content-Range", "1000-1999").status()).isEqualTo(416);
        assertThat(c.patch(location, slice(content, 1000, 1500), "Content-Type", OCTET, "Content-Range", "1500-1000").status()).isEqualTo(416);
        assertThat(c.patch(location, slice(content, 1000, 1500), "Content-Type", OCTET, "Content-Range", "abc").status()).isEqualTo(416);

        Resp status = c.get(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-999");

        assertThat(c.patch(location, slice(content, 1000, 2000), "Content-Type", OCTET, "Content-Range", "1000-1999").status()).isEqualTo(202);
        Resp put = c.put(withDigest(location, sha256(content)), slice(content, 2000, 3000), "Content-Type", OCTET,
                "Content-Range", "2000-2999");
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/blobs/" + sha256(content)).body()).isEqualTo(content);
    }

    // ---------------------------------------------------------------- numbers beyond 64 bits (issue 16 #6)

    @Test
    void contentRangeBeyond64BitsIs416WithTheRangeToResumeFrom() {
        String repo = A + "/overflow-upload";
        RegistryClient c = devClient(repo);
        byte[] content = randomBytes(1000, 13);
        String location = c.startUpload(repo);
        for (String range : List.of("18446744073709551615-18446744073709551616", "0-99999999999999999999",
                "99999999999999999999-99999999999999999999")) {
            Resp patch = c.patch(location, content, "Content-Type", OCTET, "Content-Range", range);
            assertError(patch, 416, "BLOB_UPLOAD_INVALID");
            assertThat(patch.header("Range")).as(range).isEqualTo("0-0");
            assertThat(patch.header("Location")).as(range).isEqualTo(location);
            Resp put = c.put(withDigest(location, sha256(content)), content, "Content-Type", OCTET, "Content-Range", range);
            assertError(put, 416, "BLOB_UPLOAD_INVALID");
            assertThat(put.header("Range")).as(range).isEqualTo("0-0");
        }
        // The upload is untouched and still completes.
        Resp put = c.put(withDigest(location, sha256(content)), content, "Content-Type", OCTET, "Content-Range", "0-999");
        assertThat(put.status()).as("%s", put).isEqualTo(201);
    }

    @Test
    void rangeBeyond64BitsOnABlobIsReadAsRfc9110Says() {
        String blob = "/v2/" + REPO + "/blobs/" + sha256(layer);
        // A last position past the end means "to the end" (RFC 9110 14.1.1), however large it is.
        for (String range : List.of("bytes=0-99999999999999999999", "bytes=-99999999999999999999")) {
            Resp r = dev.get(blob, "Range", range);
            assertThat(r.status()).as("%s", r).isEqualTo(206);
            assertThat(r.header("Content-Range")).as(range).isEqualTo("bytes 0-" + (layer.length - 1) + "/" + layer.length);
            assertThat(sha256(r.body())).isEqualTo(sha256(layer));
        }
        Resp tail = dev.get(blob, "Range", "bytes=599990-99999999999999999999");
        assertThat(tail.status()).as("%s", tail).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(slice(layer, 599_990, layer.length));
        // A first position past the end cannot be satisfied.
        for (String range : List.of("bytes=99999999999999999999-", "bytes=18446744073709551615-18446744073709551616")) {
            Resp r = dev.get(blob, "Range", range);
            assertError(r, 416, "SIZE_INVALID");
            assertThat(r.header("Content-Range")).as(range).isEqualTo("bytes */" + layer.length);
        }
    }

    @Test
    void pageSizesBeyond32BitsAreTheLargestPage() {
        Resp tags = dev.get("/v2/" + REPO + "/tags/list?n=99999999999999999999");
        assertThat(tags.status()).as("%s", tags).isEqualTo(200);
        assertThat(DistributionSpecTest.strings(tags.json().get("tags"))).contains("v1");
        RegistryClient catalogReader = new RegistryClient(d, bearer(d, TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD,
                "registry:catalog:*"));
        Resp catalog = catalogReader.get("/v2/_catalog?n=99999999999999999999");
        assertThat(catalog.status()).as("%s", catalog).isEqualTo(200);
        assertThat(DistributionSpecTest.strings(catalog.json().get("repositories"))).contains(REPO, REPO_B);
        for (String bad : List.of("-1", "abc", "1e3", "-99999999999999999999")) {
            assertError(dev.get("/v2/" + REPO + "/tags/list?n=" + bad), 400, "UNSUPPORTED");
        }
    }

    @Test
    void contentLengthBeyond64BitsIs400WithTheSpecErrorBody() {
        String repo = A + "/overflow-length";
        RegistryClient c = devClient(repo);
        String location = c.startUpload(repo);
        for (String length : List.of("99999999999999999999", "18446744073709551616")) {
            Raw r = RawHttp.head(d.port(), "PATCH " + location + " HTTP/1.1",
                    "Authorization", c.authorization, "Content-Type", OCTET, "Content-Length", length);
            // Jetty's parser refuses it before any route runs (and logs nothing); the answer is still the spec's.
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.header("Content-Type")).as("%s", r).startsWith("application/json");
            assertThat(r.body()).as("%s", r).contains("\"errors\"").containsAnyOf("SIZE_INVALID", "UNSUPPORTED")
                    .contains("Content-Length");
        }
    }

    @Test
    void finalChunkOutOfOrderIs416AndKeepsTheUpload() {
        // Spec: "If the final chunk is uploaded out of order, the registry MUST respond with a 416".
        String repo = A + "/final-out-of-order";
        RegistryClient c = devClient(repo);
        byte[] content = randomBytes(3000, 11);
        String location = c.startUpload(repo);
        assertThat(c.patch(location, slice(content, 0, 1000), "Content-Type", OCTET, "Content-Range", "0-999").status()).isEqualTo(202);

        Resp put = c.put(withDigest(location, sha256(content)), slice(content, 2000, 3000), "Content-Type", OCTET,
                "Content-Range", "2000-2999");
        assertError(put, 416, "BLOB_UPLOAD_INVALID");
        assertThat(put.header("Range")).isEqualTo("0-999");
        assertThat(put.header("Location")).isEqualTo(location);

        Resp status = c.get(location);
        assertThat(status.status()).as("%s", status).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-999");
        Resp resume = c.put(withDigest(location, sha256(content)), slice(content, 1000, 3000), "Content-Type", OCTET,
                "Content-Range", "1000-2999");
        assertThat(resume.status()).as("%s", resume).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/blobs/" + sha256(content)).body()).isEqualTo(content);
    }

    @Test
    void unknownUploadIdsAreBlobUploadUnknown() {
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-session", "x".repeat(65), "a%21b", "%20")) {
            String location = "/v2/" + REPO + "/blobs/uploads/" + id;
            assertError(dev.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
            assertError(dev.patch(location, utf8("abc"), "Content-Type", OCTET), 404, "BLOB_UPLOAD_UNKNOWN");
            assertError(dev.put(withDigest(location, sha256(utf8("abc"))), utf8("abc")), 404, "BLOB_UPLOAD_UNKNOWN");
            assertError(dev.delete(location), 404, "BLOB_UPLOAD_UNKNOWN");
        }
    }

    @Test
    void uploadIdsOfOtherRepositoriesAreUnknown() {
        String one = A + "/upload-one";
        String two = A + "/upload-two";
        RegistryClient c = devClient(one, two);
        byte[] content = randomBytes(1000, 12);
        String location = c.startUpload(one);
        assertThat(c.patch(location, slice(content, 0, 500), "Content-Type", OCTET, "Content-Range", "0-499").status()).isEqualTo(202);
        String id = location.substring(location.lastIndexOf('/') + 1);

        String elsewhere = "/v2/" + two + "/blobs/uploads/" + id;
        assertError(c.get(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(c.patch(elsewhere, slice(content, 500, 1000), "Content-Type", OCTET, "Content-Range", "500-999"), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(c.put(withDigest(elsewhere, sha256(content)), slice(content, 500, 1000)), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(c.delete(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(c.get("/v2/" + two + "/blobs/" + sha256(content)), 404, "BLOB_UNKNOWN");

        // Another organization's upload id, used on one's own repository.
        String foreign = ownerB.startUpload(REPO_B);
        String foreignId = foreign.substring(foreign.lastIndexOf('/') + 1);
        assertError(c.patch("/v2/" + one + "/blobs/uploads/" + foreignId, utf8("evil"), "Content-Type", OCTET), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(c.delete("/v2/" + one + "/blobs/uploads/" + foreignId), 404, "BLOB_UPLOAD_UNKNOWN");
        Resp foreignStatus = ownerB.get(foreign);
        assertThat(foreignStatus.status()).isEqualTo(204);
        assertThat(foreignStatus.header("Range")).isEqualTo("0-0");
        assertThat(ownerB.delete(foreign).status()).isEqualTo(204);

        // The session is unharmed where it belongs.
        Resp status = c.get(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-499");
        Resp put = c.put(withDigest(location, sha256(content)), slice(content, 500, 1000), "Content-Type", OCTET);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + one + "/blobs/" + sha256(content)).body()).isEqualTo(content);
    }

    // ---------------------------------------------------------------- bad manifests

    @Test
    void manifestsOverFourMebibytesAre413() {
        String repo = A + "/big";
        RegistryClient c = devClient(repo);
        c.pushBlob(repo, config);
        String head = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + Desc.of(OCI_CONFIG, config).json() + ",\"layers\":[],\"annotations\":{\"pad\":\"";
        String tail = "\"}}";
        int limit = 4 * 1024 * 1024;
        byte[] exact = utf8(head + "x".repeat(limit - head.length() - tail.length()) + tail);
        byte[] over = utf8(head + "x".repeat(limit + 1 - head.length() - tail.length()) + tail);
        assertThat(exact).hasSize(limit);
        assertThat(over).hasSize(limit + 1);

        // Declared length over the limit (sent with Expect: 100-continue, as a careful client would).
        Resp declared = c.send("PUT", "/v2/" + repo + "/manifests/big", HttpRequest.BodyPublishers.ofByteArray(over), true,
                "Content-Type", OCI_MANIFEST);
        assertError(declared, 413, "MANIFEST_INVALID");
        // Streamed (chunked transfer encoding, no length known up front).
        Resp streamed = c.send("PUT", "/v2/" + repo + "/manifests/big",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over)), "Content-Type", OCI_MANIFEST);
        assertError(streamed, 413, "MANIFEST_INVALID");
        assertError(c.get("/v2/" + repo + "/manifests/big"), 404, "MANIFEST_UNKNOWN");

        // Exactly at the limit is accepted and served whole.
        Resp ok = c.putManifest(repo, "big", OCI_MANIFEST, exact);
        assertThat(ok.status()).as("%s", ok).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/manifests/big").body()).isEqualTo(exact);
    }

    @Test
    void malformedManifestsAreManifestInvalid() {
        Desc cfg = Desc.of(OCI_CONFIG, config);
        Desc lyr = Desc.of(OCI_LAYER, layer);
        String mt = "\"mediaType\":\"" + OCI_MANIFEST + "\"";
        List<String> bodies = List.of(
                "",
                "{",
                "{\"schemaVersion\":2,",
                "[]",
                "null",
                "\"text\"",
                "{\"schemaVersion\":2," + mt + ",\"config\":" + cfg.json() + ",\"layers\":[" + lyr.json() + "]} trailing",
                "{\"schemaVersion\":2," + mt + ",\"layers\":[" + lyr.json() + "]}",                       // no config
                "{\"schemaVersion\":2," + mt + ",\"config\":" + cfg.json() + "}",                          // no layers
                "{\"schemaVersion\":2," + mt + ",\"config\":" + cfg.json() + ",\"layers\":{}}",            // layers not an array
                "{\"schemaVersion\":2," + mt + ",\"config\":\"x\",\"layers\":[]}",                          // config not a descriptor
                "{" + mt + ",\"config\":" + cfg.json() + ",\"layers\":[]}",                                 // no schemaVersion
                "{\"schemaVersion\":1," + mt + ",\"config\":" + cfg.json() + ",\"layers\":[]}",             // schema 1
                "{\"schemaVersion\":\"2\"," + mt + ",\"config\":" + cfg.json() + ",\"layers\":[]}",         // string version
                "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"v1\",\"fsLayers\":[],\"history\":[]}",       // Docker schema 1
                "{\"schemaVersion\":2," + mt + ",\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"size\":" + config.length + "},\"layers\":[]}",
                "{\"schemaVersion\":2," + mt + ",\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"" + cfg.digest() + "\"},\"layers\":[]}",
                "{\"schemaVersion\":2," + mt + ",\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"" + cfg.digest() + "\",\"size\":-1},\"layers\":[]}",
                "{\"schemaVersion\":2," + mt + ",\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"" + cfg.digest() + "\",\"size\":\"39\"},\"layers\":[]}",
                "{\"schemaVersion\":2," + mt + ",\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"sha256:nothex\",\"size\":1},\"layers\":[]}",
                "{\"schemaVersion\":2," + mt + ",\"config\":{\"digest\":\"" + cfg.digest() + "\",\"size\":" + config.length + "},\"layers\":[]}",
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":{}}",              // index without array
                "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\"}",                               // index without manifests
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.unknown+json\",\"config\":" + cfg.json() + ",\"layers\":[]}");
        for (String body : bodies) {
            for (String ref : List.of("v1", sha256(utf8(body)))) {
                Resp r = dev.putManifest(REPO, ref, null, utf8(body));
                assertError(r, 400, "MANIFEST_INVALID");
            }
        }
        // Bytes that are not UTF-8 at all.
        assertError(dev.putManifest(REPO, "v1", OCI_MANIFEST, new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1}), 400, "MANIFEST_INVALID");
        // Schema 1 by media type.
        assertError(dev.putManifest(REPO, "v1", "application/vnd.docker.distribution.manifest.v1+prettyjws",
                utf8("{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"v1\",\"fsLayers\":[]}")), 400, "MANIFEST_INVALID");
    }

    @Test
    void manifestReferencingBlobsOutsideTheRepositoryIsManifestBlobUnknown() {
        String repo = A + "/refs";
        String sibling = A + "/refs-sibling";
        RegistryClient c = devClient(repo, sibling);
        c.pushBlob(repo, config);
        byte[] siblingOnly = randomBytes(777, 13);
        c.pushBlob(sibling, siblingOnly);

        // A blob that exists only in another organization's repository.
        byte[] m1 = Manifests.oci(Desc.of(OCI_CONFIG, config), Desc.of(OCI_LAYER, secretLayer));
        assertError(c.putManifest(repo, "x", OCI_MANIFEST, m1), 400, "MANIFEST_BLOB_UNKNOWN");
        // ...and the same as config.
        byte[] m2 = Manifests.oci(new Desc(OCI_CONFIG, sha256(secretLayer), secretLayer.length));
        assertError(c.putManifest(repo, "x", OCI_MANIFEST, m2), 400, "MANIFEST_BLOB_UNKNOWN");
        // A blob of a sibling repository of the same organization is not linked here either.
        byte[] m3 = Manifests.oci(Desc.of(OCI_CONFIG, config), Desc.of(OCI_LAYER, siblingOnly));
        assertError(c.putManifest(repo, "x", OCI_MANIFEST, m3), 400, "MANIFEST_BLOB_UNKNOWN");
        // Known blob, wrong size.
        byte[] m4 = Manifests.oci(new Desc(OCI_CONFIG, sha256(config), config.length + 1));
        assertError(c.putManifest(repo, "x", OCI_MANIFEST, m4), 400, "MANIFEST_INVALID");
        assertError(c.get("/v2/" + repo + "/manifests/x"), 404, "MANIFEST_UNKNOWN");
        // The foreign blob did not become reachable through the attempt.
        assertError(c.get("/v2/" + repo + "/blobs/" + sha256(secretLayer)), 404, "BLOB_UNKNOWN");
    }

    @Test
    void indexReferencingAnUnknownChildIsManifestBlobUnknown() {
        String repo = A + "/index";
        RegistryClient c = devClient(repo);
        c.pushBlob(repo, config);
        byte[] child = Manifests.oci(Desc.of(OCI_CONFIG, config));
        byte[] index = Manifests.index(Desc.of(OCI_MANIFEST, child));
        assertError(c.putManifest(repo, "multi", OCI_INDEX, index), 400, "MANIFEST_BLOB_UNKNOWN");
        // A child that exists only in another organization's repository.
        byte[] foreignIndex = Manifests.index(new Desc(OCI_MANIFEST, sha256(manifestB), manifestB.length));
        assertError(c.putManifest(repo, "multi", OCI_INDEX, foreignIndex), 400, "MANIFEST_BLOB_UNKNOWN");
        assertError(c.get("/v2/" + repo + "/manifests/multi"), 404, "MANIFEST_UNKNOWN");
        c.pushManifest(repo, "child", OCI_MANIFEST, child);
        assertThat(c.putManifest(repo, "multi", OCI_INDEX, index).status()).isEqualTo(201);
    }

    @Test
    void contentTypeThatContradictsMediaTypeIsManifestInvalid() {
        assertError(dev.putManifest(REPO, "v1", OCI_INDEX, manifest), 400, "MANIFEST_INVALID");
        assertError(dev.putManifest(REPO, "v1", DOCKER_MANIFEST, manifest), 400, "MANIFEST_INVALID");
        assertError(dev.putManifest(REPO, "v1", "application/vnd.example.unknown+json", manifest), 400, "MANIFEST_INVALID");
        // Without a mediaType field, the Content-Type decides, and it must be a manifest type.
        byte[] noMediaType = utf8("{\"schemaVersion\":2,\"config\":" + Desc.of(OCI_CONFIG, config).json() + ",\"layers\":[]}");
        assertError(dev.putManifest(REPO, "v1", "text/plain", noMediaType), 400, "MANIFEST_INVALID");
        assertError(dev.putManifest(REPO, "v1", OCI_INDEX, noMediaType), 400, "MANIFEST_INVALID");
        // Parameters on Content-Type are ignored (spec: the registry SHOULD ignore them).
        Resp withParams = dev.putManifest(REPO, "v1", OCI_MANIFEST + "; charset=utf-8", manifest);
        assertThat(withParams.status()).as("%s", withParams).isEqualTo(201);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentPushesOfTheSameBlobAllSucceed() throws Exception {
        String repo = A + "/concurrent";
        String repo2 = A + "/concurrent-2";
        RegistryClient c = devClient(repo, repo2);
        byte[] content = randomBytes(1_200_000, 14);
        String digest = sha256(content);
        int threads = 8;

        List<Resp> mono = parallel(threads, i -> c.post("/v2/" + (i % 2 == 0 ? repo : repo2) + "/blobs/uploads/?digest=" + digest,
                content, "Content-Type", OCTET));
        for (Resp r : mono) assertThat(r.status()).as("%s", r).isEqualTo(201);

        List<Resp> postPut = parallel(threads, i -> c.put(withDigest(c.startUpload(repo), digest), content, "Content-Type", OCTET));
        for (Resp r : postPut) assertThat(r.status()).as("%s", r).isEqualTo(201);

        List<Resp> chunked = parallel(threads, i -> {
            String location = c.startUpload(repo);
            int cut = 300_000 + i * 50_000;
            Resp p = c.patch(location, slice(content, 0, cut), "Content-Type", OCTET, "Content-Range", "0-" + (cut - 1));
            assertThat(p.status()).as("%s", p).isEqualTo(202);
            Resp p2 = c.patch(p.header("Location"), slice(content, cut, content.length - 1000), "Content-Type", OCTET,
                    "Content-Range", cut + "-" + (content.length - 1001));
            assertThat(p2.status()).as("%s", p2).isEqualTo(202);
            return c.put(withDigest(p2.header("Location"), digest), slice(content, content.length - 1000, content.length),
                    "Content-Type", OCTET);
        });
        for (Resp r : chunked) assertThat(r.status()).as("%s", r).isEqualTo(201);

        // Everything mixed, and the same manifest to the same tag at once.
        c.pushBlob(repo, config);
        byte[] m = Manifests.oci(Desc.of(OCI_CONFIG, config), new Desc(OCI_LAYER, digest, content.length));
        List<Resp> mixed = parallel(threads, i -> switch (i % 3) {
            case 0 -> c.post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, content, "Content-Type", OCTET);
            case 1 -> c.put(withDigest(c.startUpload(repo), digest), content, "Content-Type", OCTET);
            default -> c.putManifest(repo, "same", OCI_MANIFEST, m);
        });
        for (Resp r : mixed) assertThat(r.status()).as("%s", r).isEqualTo(201);

        for (String r : List.of(repo, repo2)) {
            Resp get = c.get("/v2/" + r + "/blobs/" + digest);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(content);
        }
        assertThat(c.get("/v2/" + repo + "/manifests/same").body()).isEqualTo(m);
    }

    @Test
    void concurrentPushesOfDifferentManifestsToOneTagAllSucceed() throws Exception {
        String repo = A + "/tag-race";
        RegistryClient c = devClient(repo);
        c.pushBlob(repo, config);
        int threads = 8;
        List<byte[]> manifests = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            manifests.add(utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                    + Desc.of(OCI_CONFIG, config).json() + ",\"layers\":[],\"annotations\":{\"n\":\"" + i + "\"}}"));
        }
        List<Resp> puts = parallel(threads, i -> c.putManifest(repo, "race", OCI_MANIFEST, manifests.get(i)));
        for (Resp r : puts) assertThat(r.status()).as("%s", r).isEqualTo(201);
        Resp tagged = c.get("/v2/" + repo + "/manifests/race");
        assertThat(tagged.status()).isEqualTo(200);
        assertThat(manifests.stream().map(RegistryClient::sha256)).contains(sha256(tagged.body()));
        for (byte[] m : manifests) assertThat(c.get("/v2/" + repo + "/manifests/" + sha256(m)).body()).isEqualTo(m);
        assertThat(DistributionSpecTest.strings(c.get("/v2/" + repo + "/tags/list").json().get("tags"))).containsExactly("race");
    }

    interface Call {
        Resp call(int i) throws Exception;
    }

    private static List<Resp> parallel(int threads, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<Resp>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit((Callable<Resp>) () -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    return call.call(n);
                }));
            }
            List<Resp> out = new ArrayList<>();
            for (Future<Resp> f : futures) out.add(f.get(120, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
