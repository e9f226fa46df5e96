package dev.drydock.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.registry.Manifests.Desc;
import dev.drydock.server.registry.RegistryClient.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

import static dev.drydock.server.registry.Manifests.DOCKER_CONFIG;
import static dev.drydock.server.registry.Manifests.DOCKER_LAYER;
import static dev.drydock.server.registry.Manifests.DOCKER_LIST;
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
import static dev.drydock.server.registry.RegistryClient.sha512;
import static dev.drydock.server.registry.RegistryClient.slice;
import static dev.drydock.server.registry.RegistryClient.utf8;
import static dev.drydock.server.registry.RegistryClient.withDigest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OCI distribution spec v1.1 workflows (pull, push, content discovery, content management) over real HTTP,
 * asserting the status codes and headers the spec prescribes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributionSpecTest {
    static final long ORG = 17532;
    static final long OTHER_ORG = 20001;
    static final long CATALOG_ORG = 30003;
    static final String OWNER = "owner@acme.test";
    static final String OTHER_OWNER = "owner@globex.test";
    static final String CATALOGUER = "cat@initech.test";

    TestDrydock d;

    @BeforeAll
    void start() {
        d = TestDrydock.start();
        d.createOrg(ORG);
        d.createOrg(OTHER_ORG);
        d.createOrg(CATALOG_ORG);
        d.addMember(ORG, OWNER, "admin");
        d.addMember(OTHER_ORG, OTHER_OWNER, "admin");
        d.addMember(CATALOG_ORG, CATALOGUER, "admin");
    }

    @AfterAll
    void stop() {
        d.close();
    }

    /** A client with full access (pull, push, delete) to the given repositories of {@link #ORG}. */
    RegistryClient client(String... repos) {
        String[] scopes = new String[repos.length];
        for (int i = 0; i < repos.length; i++) scopes[i] = all(repos[i]);
        return new RegistryClient(d, bearer(d, OWNER, TestDrydock.PASSWORD, scopes));
    }

    // ---------------------------------------------------------------- base

    @Test
    void baseEndpointAnswers200WithApiVersion() {
        RegistryClient c = new RegistryClient(d, bearer(d, OWNER, TestDrydock.PASSWORD));
        Resp get = c.get("/v2/");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json().isObject()).isTrue();
        Resp noSlash = c.get("/v2");
        assertThat(noSlash.status()).isEqualTo(200);
        Resp head = c.head("/v2/");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    // ---------------------------------------------------------------- push + pull blobs

    @Test
    void postThenPutPushesABlobThatGetAndHeadServe() {
        String repo = ORG + "/push-put";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(70_000, 1);
        String digest = sha256(content);

        Resp post = c.post("/v2/" + repo + "/blobs/uploads/", new byte[0]);
        assertThat(post.status()).as("%s", post).isEqualTo(202);
        String location = post.header("Location");
        assertThat(location).startsWith("/v2/" + repo + "/blobs/uploads/");
        String uuid = location.substring(location.lastIndexOf('/') + 1);
        assertThat(uuid).matches("[0-9a-f-]{36}");
        assertThat(post.header("Docker-Upload-UUID")).isEqualTo(uuid);
        assertThat(post.header("Range")).isEqualTo("0-0");
        assertThat(post.header("Content-Length")).isEqualTo("0");

        Resp put = c.put(withDigest(location, digest), content, "Content-Type", OCTET);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Location")).isEqualTo("/v2/" + repo + "/blobs/" + digest);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);

        Resp get = c.get(put.header("Location"));
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
        assertThat(get.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(get.header("Content-Length")).isEqualTo(String.valueOf(content.length));
        assertThat(get.header("Content-Type")).isEqualTo(OCTET);

        Resp head = c.head("/v2/" + repo + "/blobs/" + digest);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(content.length));

        // The finished session is gone.
        Resp status = c.get(location);
        assertThat(status.status()).isEqualTo(404);
        assertThat(status.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void singlePostWithDigestPushesMonolithically() {
        String repo = ORG + "/single-post";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(1_300_000, 2); // larger than the server's buffers and request limits
        String digest = sha256(content);

        Resp post = c.post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, content, "Content-Type", OCTET);
        assertThat(post.status()).as("%s", post).isEqualTo(201);
        assertThat(post.header("Location")).isEqualTo("/v2/" + repo + "/blobs/" + digest);
        assertThat(post.header("Docker-Content-Digest")).isEqualTo(digest);

        Resp get = c.get("/v2/" + repo + "/blobs/" + digest);
        assertThat(get.status()).isEqualTo(200);
        assertThat(sha256(get.body())).isEqualTo(digest);
    }

    @Test
    void emptyBlobCanBePushedAndPulled() {
        String repo = ORG + "/empty-blob";
        RegistryClient c = client(repo);
        String digest = sha256(new byte[0]);
        Resp post = c.post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, new byte[0], "Content-Type", OCTET);
        assertThat(post.status()).as("%s", post).isEqualTo(201);
        Resp get = c.get("/v2/" + repo + "/blobs/" + digest);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEmpty();
        assertThat(get.header("Content-Length")).isEqualTo("0");
        Resp head = c.head("/v2/" + repo + "/blobs/" + digest);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo("0");
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(digest);
    }

    @Test
    void chunkedUploadWithContentRangeThenFinalChunkInPut() {
        String repo = ORG + "/chunked";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(1_700_003, 3);
        String digest = sha256(content);
        int a = 700_001;
        int b = 1_500_000;

        String location = c.startUpload(repo);
        String uuid = location.substring(location.lastIndexOf('/') + 1);

        Resp p1 = c.patch(location, slice(content, 0, a), "Content-Type", OCTET, "Content-Range", "0-" + (a - 1));
        assertThat(p1.status()).as("%s", p1).isEqualTo(202);
        assertThat(p1.header("Location")).isEqualTo(location);
        assertThat(p1.header("Range")).isEqualTo("0-" + (a - 1));
        assertThat(p1.header("Docker-Upload-UUID")).isEqualTo(uuid);
        assertThat(p1.header("Content-Length")).isEqualTo("0");

        Resp status = c.get(p1.header("Location"));
        assertThat(status.status()).as("%s", status).isEqualTo(204);
        assertThat(status.header("Location")).isEqualTo(location);
        assertThat(status.header("Range")).isEqualTo("0-" + (a - 1));
        assertThat(status.header("Docker-Upload-UUID")).isEqualTo(uuid);

        Resp p2 = c.patch(p1.header("Location"), slice(content, a, b), "Content-Type", OCTET,
                "Content-Range", a + "-" + (b - 1));
        assertThat(p2.status()).as("%s", p2).isEqualTo(202);
        assertThat(p2.header("Range")).isEqualTo("0-" + (b - 1));

        // Not visible before the session is closed.
        assertThat(c.head("/v2/" + repo + "/blobs/" + digest).status()).isEqualTo(404);

        Resp put = c.put(withDigest(p2.header("Location"), digest), slice(content, b, content.length),
                "Content-Type", OCTET, "Content-Range", b + "-" + (content.length - 1));
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Location")).isEqualTo("/v2/" + repo + "/blobs/" + digest);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);

        Resp get = c.get(put.header("Location"));
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
    }

    @Test
    void streamedPatchWithoutContentRangeThenEmptyPut() {
        String repo = ORG + "/streamed";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(300_000, 4);
        String digest = sha256(content);
        String location = c.startUpload(repo);

        Resp p1 = c.patch(location, slice(content, 0, 100_000), "Content-Type", OCTET);
        assertThat(p1.status()).as("%s", p1).isEqualTo(202);
        assertThat(p1.header("Range")).isEqualTo("0-99999");
        Resp p2 = c.patch(p1.header("Location"), slice(content, 100_000, content.length), "Content-Type", OCTET);
        assertThat(p2.status()).as("%s", p2).isEqualTo(202);
        assertThat(p2.header("Range")).isEqualTo("0-" + (content.length - 1));

        Resp put = c.put(withDigest(p2.header("Location"), digest), new byte[0]);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void bodiesWithoutContentLengthAreAccepted() {
        // docker streams layers with PATCH in chunked transfer encoding, without Content-Length or Content-Range.
        String repo = ORG + "/chunked-encoding";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(1_100_000, 15);
        String digest = sha256(content);
        String location = c.startUpload(repo);
        Resp patch = c.send("PATCH", location, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content)),
                "Content-Type", OCTET);
        assertThat(patch.status()).as("%s", patch).isEqualTo(202);
        assertThat(patch.header("Range")).isEqualTo("0-" + (content.length - 1));
        Resp put = c.put(withDigest(patch.header("Location"), digest), new byte[0]);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/blobs/" + digest).body()).isEqualTo(content);

        byte[] other = randomBytes(200_000, 16);
        Resp post = c.send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + sha256(other),
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(other)), "Content-Type", OCTET);
        assertThat(post.status()).as("%s", post).isEqualTo(201);
        assertThat(c.get("/v2/" + repo + "/blobs/" + sha256(other)).body()).isEqualTo(other);
    }

    @Test
    void sha512DigestsWorkForBlobsAndManifests() {
        String repo = ORG + "/sha512";
        RegistryClient c = client(repo);
        byte[] config = utf8("{\"sha\":512}");
        String configDigest = sha512(config);
        Resp post = c.post("/v2/" + repo + "/blobs/uploads/?digest=" + configDigest, config, "Content-Type", OCTET);
        assertThat(post.status()).as("%s", post).isEqualTo(201);
        assertThat(post.header("Location")).isEqualTo("/v2/" + repo + "/blobs/" + configDigest);
        assertThat(post.header("Docker-Content-Digest")).isEqualTo(configDigest);
        Resp get = c.get("/v2/" + repo + "/blobs/" + configDigest);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(config);
        assertThat(get.header("Docker-Content-Digest")).isEqualTo(configDigest);

        byte[] layer = randomBytes(700_000, 17);
        String location = c.startUpload(repo);
        assertThat(c.patch(location, slice(layer, 0, 600_000), "Content-Type", OCTET, "Content-Range", "0-599999").status()).isEqualTo(202);
        Resp put = c.put(withDigest(location, sha512(layer)), slice(layer, 600_000, layer.length), "Content-Type", OCTET);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(sha512(layer));
        assertThat(c.get("/v2/" + repo + "/blobs/" + sha512(layer)).body()).isEqualTo(layer);
        Resp wrong = c.post("/v2/" + repo + "/blobs/uploads/?digest=" + sha512(utf8("x")), config, "Content-Type", OCTET);
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.errorCode()).isEqualTo("DIGEST_INVALID");

        // Spec: Docker-Content-Digest on a manifest PUT "MUST be equal to the client provided digest".
        byte[] manifest = Manifests.oci(new Desc(OCI_CONFIG, configDigest, config.length),
                new Desc(OCI_LAYER, sha512(layer), layer.length));
        String digest = sha512(manifest);
        Resp putManifest = c.putManifest(repo, digest, OCI_MANIFEST, manifest);
        assertThat(putManifest.status()).as("%s", putManifest).isEqualTo(201);
        assertThat(putManifest.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(putManifest.header("Location")).isEqualTo("/v2/" + repo + "/manifests/" + digest);
        Resp byDigest = c.get("/v2/" + repo + "/manifests/" + digest);
        assertThat(byDigest.status()).as("%s", byDigest).isEqualTo(200);
        assertThat(byDigest.body()).isEqualTo(manifest);
        assertThat(byDigest.header("Docker-Content-Digest")).isEqualTo(digest);
    }

    @Test
    void cancelledUploadIsGone() {
        String repo = ORG + "/cancel";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(10_000, 5);
        String location = c.startUpload(repo);
        assertThat(c.patch(location, content, "Content-Type", OCTET, "Content-Range", "0-9999").status()).isEqualTo(202);

        Resp cancel = c.delete(location);
        assertThat(cancel.status()).as("%s", cancel).isEqualTo(204);

        Resp status = c.get(location);
        assertThat(status.status()).isEqualTo(404);
        assertThat(status.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        Resp patch = c.patch(location, content, "Content-Type", OCTET, "Content-Range", "0-9999");
        assertThat(patch.status()).isEqualTo(404);
        assertThat(patch.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        Resp put = c.put(withDigest(location, sha256(content)), content);
        assertThat(put.status()).isEqualTo(404);
        assertThat(put.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        Resp again = c.delete(location);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertThat(c.head("/v2/" + repo + "/blobs/" + sha256(content)).status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- mount

    @Test
    void mountFromAnotherRepositoryOfTheSameOrgCreatesTheBlob() {
        String source = ORG + "/mount-src";
        String target = ORG + "/mount-dst";
        RegistryClient c = client(source, target);
        byte[] content = randomBytes(5_000, 6);
        String digest = c.pushBlob(source, content);

        Resp mount = c.post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source, new byte[0]);
        assertThat(mount.status()).as("%s", mount).isEqualTo(201);
        assertThat(mount.header("Location")).isEqualTo("/v2/" + target + "/blobs/" + digest);
        assertThat(mount.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(c.get(mount.header("Location")).body()).isEqualTo(content);
    }

    @Test
    void mountWorksWithBasicCredentialsToo() {
        String source = ORG + "/mount-basic-src";
        String target = ORG + "/mount-basic-dst";
        byte[] content = randomBytes(5_000, 7);
        String digest = client(source).pushBlob(source, content);

        RegistryClient basic = new RegistryClient(d, TestDrydock.basic(OWNER, TestDrydock.PASSWORD));
        Resp mount = basic.post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + source, new byte[0]);
        assertThat(mount.status()).as("%s", mount).isEqualTo(201);
        assertThat(mount.header("Location")).isEqualTo("/v2/" + target + "/blobs/" + digest);
        assertThat(basic.get("/v2/" + target + "/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void mountFromAnotherOrganizationFallsBackToAnUploadSession() {
        String foreign = OTHER_ORG + "/secret";
        String target = ORG + "/mount-foreign";
        byte[] content = randomBytes(5_000, 8);
        RegistryClient otherOwner = new RegistryClient(d, bearer(d, OTHER_OWNER, TestDrydock.PASSWORD, all(foreign)));
        String digest = otherOwner.pushBlob(foreign, content);

        // A member of ORG asks for a token covering the foreign repository too: it grants nothing there.
        RegistryClient c = new RegistryClient(d, bearer(d, OWNER, TestDrydock.PASSWORD, all(target), all(foreign)));
        Resp mount = c.post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + foreign, new byte[0]);
        assertThat(mount.status()).as("%s", mount).isEqualTo(202);
        assertThat(mount.header("Location")).startsWith("/v2/" + target + "/blobs/uploads/");
        assertThat(mount.header("Docker-Upload-UUID")).isNotBlank();
        assertThat(c.head("/v2/" + target + "/blobs/" + digest).status()).isEqualTo(404);

        // Even the platform admin, who may read both, does not mount across organizations.
        RegistryClient admin = new RegistryClient(d, bearer(d, TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD,
                all(target), all(foreign)));
        Resp adminMount = admin.post("/v2/" + target + "/blobs/uploads/?mount=" + digest + "&from=" + foreign, new byte[0]);
        assertThat(adminMount.status()).as("%s", adminMount).isEqualTo(202);
        assertThat(admin.head("/v2/" + target + "/blobs/" + digest).status()).isEqualTo(404);

        // The session it got is a real one: the client pushes the blob through it.
        Resp put = c.put(withDigest(mount.header("Location"), digest), content, "Content-Type", OCTET);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + target + "/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void mountOfAMissingBlobOrRepositoryFallsBackToAnUploadSession() {
        String source = ORG + "/mount-missing-src";
        String target = ORG + "/mount-missing-dst";
        RegistryClient c = client(source, target, ORG + "/nowhere");
        c.pushBlob(source, randomBytes(100, 9));
        String missing = sha256(randomBytes(100, 10));
        for (String query : List.of(
                "mount=" + missing + "&from=" + source,                // blob not in the source
                "mount=" + missing + "&from=" + ORG + "/nowhere",      // source does not exist
                "mount=" + missing + "&from=Not..A..Name")) {          // source is not a name at all
            Resp r = c.post("/v2/" + target + "/blobs/uploads/?" + query, new byte[0]);
            assertThat(r.status()).as("%s", r).isEqualTo(202);
            assertThat(r.header("Location")).startsWith("/v2/" + target + "/blobs/uploads/");
            assertThat(r.header("Docker-Upload-UUID")).isNotBlank();
        }
    }

    // ---------------------------------------------------------------- ranges

    @Test
    void blobRangeRequests() {
        String repo = ORG + "/ranges";
        RegistryClient c = client(repo);
        byte[] content = randomBytes(1000, 11);
        String digest = c.pushBlob(repo, content);
        String url = "/v2/" + repo + "/blobs/" + digest;

        assertRange(c.get(url, "Range", "bytes=0-9"), content, 0, 9);
        assertRange(c.get(url, "Range", "bytes=990-"), content, 990, 999);
        assertRange(c.get(url, "Range", "bytes=-10"), content, 990, 999);      // suffix
        assertRange(c.get(url, "Range", "bytes=-5000"), content, 0, 999);      // suffix longer than the blob
        assertRange(c.get(url, "Range", "bytes=995-2000"), content, 995, 999); // end past the blob is clamped
        assertRange(c.get(url, "Range", "bytes=999-999"), content, 999, 999);

        Resp head = c.head(url, "Range", "bytes=10-19");
        assertThat(head.status()).isEqualTo(206);
        assertThat(head.header("Content-Range")).isEqualTo("bytes 10-19/1000");
        assertThat(head.header("Content-Length")).isEqualTo("10");
        assertThat(head.body()).isEmpty();

        for (String unsatisfiable : List.of("bytes=1000-", "bytes=5000-6000", "bytes=-0")) {
            Resp r = c.get(url, "Range", unsatisfiable);
            assertThat(r.status()).as("%s", r).isEqualTo(416);
            assertThat(r.header("Content-Range")).isEqualTo("bytes */1000");
        }
        Resp whole = c.get(url);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.header("Accept-Ranges")).isEqualTo("bytes");
        // RFC 9110: a Range we cannot use is ignored and the whole blob is served.
        for (String unusable : List.of("bytes=abc", "bytes=5-2", "bytes=0-1,5-6", "items=0-5")) {
            Resp r = c.get(url, "Range", unusable);
            assertThat(r.status()).as("%s", unusable).isEqualTo(200);
            assertThat(r.body()).isEqualTo(content);
        }
    }

    private static void assertRange(Resp r, byte[] content, int start, int end) {
        assertThat(r.status()).as("%s", r).isEqualTo(206);
        assertThat(r.header("Content-Range")).isEqualTo("bytes " + start + "-" + end + "/" + content.length);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(end - start + 1));
        assertThat(r.body()).isEqualTo(slice(content, start, end + 1));
        assertThat(r.header("Docker-Content-Digest")).isEqualTo(sha256(content));
    }

    // ---------------------------------------------------------------- manifests byte for byte

    @Test
    void everyManifestTypeIsStoredAndServedByteForByte() {
        String repo = ORG + "/bytes";
        RegistryClient c = client(repo);
        byte[] ociConfig = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        byte[] ociLayer = randomBytes(2048, 12);
        byte[] dockerConfig = utf8("{\"architecture\":\"arm64\",\"os\":\"linux\"}");
        byte[] dockerLayer = randomBytes(4096, 13);
        Desc oc = Desc.of(OCI_CONFIG, ociConfig);
        Desc ol = Desc.of(OCI_LAYER, ociLayer);
        Desc dc = Desc.of(DOCKER_CONFIG, dockerConfig);
        Desc dl = Desc.of(DOCKER_LAYER, dockerLayer);
        for (byte[] blob : List.of(ociConfig, ociLayer, dockerConfig, dockerLayer)) c.pushBlob(repo, blob);

        // Odd key order, tabs, CRLF, escaped unicode, duplicate-looking whitespace, trailing newlines.
        byte[] ociManifest = utf8("{\n\t\"layers\" :[ {\"size\":" + ol.size() + ",\"digest\":\"" + ol.digest()
                + "\",   \"mediaType\":\"" + OCI_LAYER + "\"} ],\r\n  \"config\":{\"mediaType\":\"" + OCI_CONFIG
                + "\",\"size\":" + oc.size() + ",\"digest\":\"" + oc.digest() + "\"},\"schemaVersion\":2,"
                + "   \"mediaType\":\"" + OCI_MANIFEST + "\",\"annotations\":{\"z\":\"\\u00e9t\\u00e9 \u00e9t\u00e9\",\"a\":\"1\"}}\n\n  ");
        byte[] dockerManifest = utf8("{\r\n   \"schemaVersion\": 2,\r\n   \"mediaType\": \"" + DOCKER_MANIFEST + "\",\r\n"
                + "   \"config\": {\r\n      \"mediaType\": \"" + DOCKER_CONFIG + "\",\r\n      \"size\": " + dc.size()
                + ",\r\n      \"digest\": \"" + dc.digest() + "\"\r\n   },\r\n   \"layers\": [\r\n      {\r\n"
                + "         \"mediaType\": \"" + DOCKER_LAYER + "\",\r\n         \"size\": " + dl.size()
                + ",\r\n         \"digest\": \"" + dl.digest() + "\"\r\n      }\r\n   ]\r\n}");

        String ociDigest = checkRoundTrip(c, repo, "oci", OCI_MANIFEST, ociManifest);
        String dockerDigest = checkRoundTrip(c, repo, "docker", DOCKER_MANIFEST, dockerManifest);

        byte[] ociIndex = utf8("  {\"manifests\":[{\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},\"size\":"
                + ociManifest.length + ",\"digest\":\"" + ociDigest + "\",\"mediaType\":\"" + OCI_MANIFEST + "\"}],"
                + "\"mediaType\":\"" + OCI_INDEX + "\",\t\"schemaVersion\":2}");
        byte[] dockerList = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_LIST + "\",\"manifests\":[\n"
                + "  {\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"size\":" + dockerManifest.length + ",\"digest\":\""
                + dockerDigest + "\",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}\n]}\n");
        checkRoundTrip(c, repo, "oci-index", OCI_INDEX, ociIndex);
        checkRoundTrip(c, repo, "docker-list", DOCKER_LIST, dockerList);
    }

    /** PUTs by tag, then reads it back by tag and digest with GET and HEAD; returns the digest. */
    private static String checkRoundTrip(RegistryClient c, String repo, String tag, String mediaType, byte[] content) {
        String digest = sha256(content);
        Resp put = c.putManifest(repo, tag, mediaType, content);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Location")).isEqualTo("/v2/" + repo + "/manifests/" + digest);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(put.header("OCI-Subject")).isNull();
        for (String ref : List.of(tag, digest)) {
            Resp get = c.get("/v2/" + repo + "/manifests/" + ref, "Accept", mediaType);
            assertThat(get.status()).as("%s", get).isEqualTo(200);
            assertThat(get.body()).as("bytes of %s", ref).isEqualTo(content);
            assertThat(get.header("Content-Type")).isEqualTo(mediaType);
            assertThat(get.header("Docker-Content-Digest")).isEqualTo(digest);
            assertThat(get.header("Content-Length")).isEqualTo(String.valueOf(content.length));
            Resp head = c.head("/v2/" + repo + "/manifests/" + ref, "Accept", mediaType);
            assertThat(head.status()).as("%s", head).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.header("Content-Type")).isEqualTo(mediaType);
            assertThat(head.header("Docker-Content-Digest")).isEqualTo(digest);
            assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(content.length));
        }
        // The manifest's bytes are also reachable as a blob of the repository.
        assertThat(c.get("/v2/" + repo + "/blobs/" + digest).body()).isEqualTo(content);
        return digest;
    }

    @Test
    void manifestPushedByDigestIsPullableByDigestAndTagsMove() {
        String repo = ORG + "/by-digest";
        RegistryClient c = client(repo);
        byte[] config = utf8("{}");
        c.pushBlob(repo, config);
        byte[] m1 = Manifests.oci(Desc.of(OCI_EMPTY, config));
        byte[] m2 = utf8(new String(m1, java.nio.charset.StandardCharsets.UTF_8) + " ");
        String d1 = sha256(m1);

        Resp put = c.putManifest(repo, d1, OCI_MANIFEST, m1);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Location")).isEqualTo("/v2/" + repo + "/manifests/" + d1);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(d1);
        assertThat(c.get("/v2/" + repo + "/manifests/" + d1).body()).isEqualTo(m1);

        // A tag points at whatever was pushed under it last.
        c.pushManifest(repo, "latest", OCI_MANIFEST, m1);
        assertThat(c.get("/v2/" + repo + "/manifests/latest").header("Docker-Content-Digest")).isEqualTo(d1);
        String d2 = c.pushManifest(repo, "latest", OCI_MANIFEST, m2);
        Resp moved = c.get("/v2/" + repo + "/manifests/latest");
        assertThat(moved.header("Docker-Content-Digest")).isEqualTo(d2);
        assertThat(moved.body()).isEqualTo(m2);
        assertThat(c.get("/v2/" + repo + "/manifests/" + d1).status()).isEqualTo(200);
        // some clients percent-encode the digest's ':'
        assertThat(c.get("/v2/" + repo + "/manifests/" + d1.replace(":", "%3A")).body()).isEqualTo(m1);
        assertThat(c.head("/v2/" + repo + "/blobs/" + sha256(config).replace(":", "%3a")).status()).isEqualTo(200);
    }

    @Test
    void unknownManifestsAndBlobsAre404WithTheirCodes() {
        String repo = ORG + "/unknowns";
        RegistryClient c = client(repo);
        String nowhere = sha256(utf8("nowhere"));
        for (String ref : List.of("no-such-tag", nowhere)) {
            Resp get = c.get("/v2/" + repo + "/manifests/" + ref);
            assertThat(get.status()).isEqualTo(404);
            assertThat(get.errorCode()).isEqualTo("MANIFEST_UNKNOWN");
            Resp head = c.head("/v2/" + repo + "/manifests/" + ref);
            assertThat(head.status()).isEqualTo(404);
            assertThat(head.body()).isEmpty();
        }
        Resp blob = c.get("/v2/" + repo + "/blobs/" + nowhere);
        assertThat(blob.status()).isEqualTo(404);
        assertThat(blob.errorCode()).isEqualTo("BLOB_UNKNOWN");
        assertThat(c.head("/v2/" + repo + "/blobs/" + nowhere).status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- content discovery

    @Test
    void tagsListIsSortedAndPaginatesWithLinkHeader() {
        String repo = ORG + "/tags";
        RegistryClient c = client(repo);
        byte[] config = utf8("{}");
        c.pushBlob(repo, config);
        byte[] manifest = Manifests.oci(Desc.of(OCI_EMPTY, config));
        List<String> tags = List.of("v2", "B", "a", "v10", "latest", "1.0");
        for (String t : tags) c.pushManifest(repo, t, OCI_MANIFEST, manifest);
        List<String> sorted = List.of("1.0", "B", "a", "latest", "v10", "v2"); // ASCIIbetical

        Resp whole = c.get("/v2/" + repo + "/tags/list");
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.header("Content-Type")).isEqualTo("application/json");
        assertThat(whole.json().get("name").asText()).isEqualTo(repo);
        assertThat(strings(whole.json().get("tags"))).containsExactlyElementsOf(sorted);
        assertThat(whole.header("Link")).isNull();

        List<String> paged = new ArrayList<>();
        String next = "/v2/" + repo + "/tags/list?n=4";
        int pages = 0;
        while (next != null) {
            Resp page = c.get(next);
            assertThat(page.status()).as("%s", page).isEqualTo(200);
            List<String> got = strings(page.json().get("tags"));
            paged.addAll(got);
            pages++;
            String link = page.header("Link");
            if (link == null) {
                next = null;
            } else {
                assertThat(got).hasSize(4);
                assertThat(link).isEqualTo("</v2/" + repo + "/tags/list?n=4&last=" + got.getLast() + ">; rel=\"next\"");
                next = link.substring(1, link.indexOf('>'));
            }
        }
        assertThat(pages).isEqualTo(2);
        assertThat(paged).containsExactlyElementsOf(sorted);

        Resp afterLast = c.get("/v2/" + repo + "/tags/list?last=a");
        assertThat(strings(afterLast.json().get("tags"))).containsExactly("latest", "v10", "v2");
        Resp nAndLast = c.get("/v2/" + repo + "/tags/list?n=2&last=B");
        assertThat(strings(nAndLast.json().get("tags"))).containsExactly("a", "latest");
        assertThat(nAndLast.header("Link")).isEqualTo("</v2/" + repo + "/tags/list?n=2&last=latest>; rel=\"next\"");
        Resp exact = c.get("/v2/" + repo + "/tags/list?n=6");
        assertThat(strings(exact.json().get("tags"))).hasSize(6);
        assertThat(exact.header("Link")).isNull();
        Resp pastEnd = c.get("/v2/" + repo + "/tags/list?last=v2");
        assertThat(strings(pastEnd.json().get("tags"))).isEmpty();
    }

    @Test
    void nZeroListsNothingAndHasNoLink() {
        // Spec: "When n is zero, this endpoint MUST return an empty list, and MUST NOT include a Link header."
        // (said of tags/list; _catalog follows the same pagination rules)
        String repo = ORG + "/tags-n0";
        RegistryClient c = new RegistryClient(d, bearer(d, OWNER, TestDrydock.PASSWORD, all(repo), "registry:catalog:*"));
        byte[] config = utf8("{}");
        c.pushBlob(repo, config);
        c.pushManifest(repo, "only", OCI_MANIFEST, Manifests.oci(Desc.of(OCI_EMPTY, config)));
        Resp tags = c.get("/v2/" + repo + "/tags/list?n=0");
        assertThat(tags.status()).as("%s", tags).isEqualTo(200);
        assertThat(tags.json().get("name").asText()).isEqualTo(repo);
        assertThat(strings(tags.json().get("tags"))).isEmpty();
        assertThat(tags.header("Link")).isNull();
        Resp catalog = c.get("/v2/_catalog?n=0");
        assertThat(catalog.status()).as("%s", catalog).isEqualTo(200);
        assertThat(strings(catalog.json().get("repositories"))).isEmpty();
        assertThat(catalog.header("Link")).isNull();
    }

    @Test
    void tagsListOfUnknownRepositoryIsNameUnknown() {
        String repo = ORG + "/never-pushed";
        Resp r = client(repo).get("/v2/" + repo + "/tags/list");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void referrersListsManifestsWithSubjectAndFiltersByArtifactType() {
        String repo = ORG + "/referrers";
        RegistryClient c = client(repo);
        byte[] empty = utf8("{}");
        byte[] sigConfig = utf8("{\"sig\":true}");
        byte[] sbomLayer = utf8("{\"spdxVersion\":\"SPDX-2.3\"}");
        c.pushBlob(repo, empty);
        c.pushBlob(repo, sigConfig);
        c.pushBlob(repo, sbomLayer);
        byte[] image = Manifests.oci(Desc.of(OCI_EMPTY, empty));
        String imageDigest = c.pushManifest(repo, "app", OCI_MANIFEST, image);
        Desc subject = new Desc(OCI_MANIFEST, imageDigest, image.length);

        // Before anything refers to it: an empty index, never a 404.
        Resp none = c.get("/v2/" + repo + "/referrers/" + imageDigest);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.header("Content-Type")).isEqualTo(OCI_INDEX);
        assertThat(none.json().get("schemaVersion").asInt()).isEqualTo(2);
        assertThat(none.json().get("mediaType").asText()).isEqualTo(OCI_INDEX);
        assertThat(none.json().get("manifests")).isEmpty();

        String sbomType = "application/vnd.example.sbom.v1";
        byte[] sbom = Manifests.artifact(Desc.of(OCI_EMPTY, empty), subject, sbomType,
                "{\"org.example.sbom.format\":\"json\",\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}",
                Desc.of("application/spdx+json", sbomLayer));
        Resp putSbom = c.putManifest(repo, sha256(sbom), OCI_MANIFEST, sbom);
        assertThat(putSbom.status()).as("%s", putSbom).isEqualTo(201);
        assertThat(putSbom.header("OCI-Subject")).isEqualTo(imageDigest);

        // No artifactType: the config's media type stands in for it.
        String sigConfigType = "application/vnd.example.signature.config.v1+json";
        byte[] sig = Manifests.artifact(Desc.of(sigConfigType, sigConfig), subject, null, "{\"fingerprint\":\"abcd\"}");
        Resp putSig = c.putManifest(repo, sha256(sig), OCI_MANIFEST, sig);
        assertThat(putSig.status()).as("%s", putSig).isEqualTo(201);
        assertThat(putSig.header("OCI-Subject")).isEqualTo(imageDigest);

        // An index referring to the image, with no artifactType: the descriptor has none.
        byte[] refIndex = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[],\"subject\":"
                + subject.json() + ",\"annotations\":{\"kind\":\"bundle\"}}");
        Resp putIndex = c.putManifest(repo, sha256(refIndex), OCI_INDEX, refIndex);
        assertThat(putIndex.status()).as("%s", putIndex).isEqualTo(201);
        assertThat(putIndex.header("OCI-Subject")).isEqualTo(imageDigest);

        Resp all = c.get("/v2/" + repo + "/referrers/" + imageDigest);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.header("Content-Type")).isEqualTo(OCI_INDEX);
        assertThat(all.header("OCI-Filters-Applied")).isNull();
        JsonNode manifests = all.json().get("manifests");
        assertThat(manifests).hasSize(3);
        JsonNode sbomDesc = byDigest(manifests, sha256(sbom));
        assertThat(sbomDesc.get("mediaType").asText()).isEqualTo(OCI_MANIFEST);
        assertThat(sbomDesc.get("size").asLong()).isEqualTo(sbom.length);
        assertThat(sbomDesc.get("artifactType").asText()).isEqualTo(sbomType);
        assertThat(sbomDesc.get("annotations").get("org.example.sbom.format").asText()).isEqualTo("json");
        assertThat(sbomDesc.get("annotations").get("org.opencontainers.image.created").asText()).isEqualTo("2024-01-01T00:00:00Z");
        JsonNode sigDesc = byDigest(manifests, sha256(sig));
        assertThat(sigDesc.get("artifactType").asText()).isEqualTo(sigConfigType);
        assertThat(sigDesc.get("annotations").get("fingerprint").asText()).isEqualTo("abcd");
        JsonNode indexDesc = byDigest(manifests, sha256(refIndex));
        assertThat(indexDesc.get("mediaType").asText()).isEqualTo(OCI_INDEX);
        assertThat(indexDesc.has("artifactType")).isFalse();
        assertThat(indexDesc.get("annotations").get("kind").asText()).isEqualTo("bundle");

        Resp filtered = c.get("/v2/" + repo + "/referrers/" + imageDigest + "?artifactType=" + sbomType);
        assertThat(filtered.status()).isEqualTo(200);
        assertThat(filtered.header("OCI-Filters-Applied")).isEqualTo("artifactType");
        assertThat(filtered.json().get("manifests")).hasSize(1);
        assertThat(filtered.json().get("manifests").get(0).get("digest").asText()).isEqualTo(sha256(sbom));

        Resp noMatch = c.get("/v2/" + repo + "/referrers/" + imageDigest + "?artifactType=application/vnd.none");
        assertThat(noMatch.status()).isEqualTo(200);
        assertThat(noMatch.header("OCI-Filters-Applied")).isEqualTo("artifactType");
        assertThat(noMatch.json().get("manifests")).isEmpty();

        // Unknown subject, and a subject in a repository that has never been pushed to: empty index.
        String unknown = sha256(utf8("unknown subject"));
        Resp unknownSubject = c.get("/v2/" + repo + "/referrers/" + unknown);
        assertThat(unknownSubject.status()).isEqualTo(200);
        assertThat(unknownSubject.header("Content-Type")).isEqualTo(OCI_INDEX);
        assertThat(unknownSubject.json().get("manifests")).isEmpty();
        String emptyRepo = ORG + "/referrers-none";
        Resp unknownRepo = client(emptyRepo).get("/v2/" + emptyRepo + "/referrers/" + unknown);
        assertThat(unknownRepo.status()).isEqualTo(200);
        assertThat(unknownRepo.json().get("manifests")).isEmpty();

        // Deleting a referrer removes it from the list; deleting the subject leaves the referrers listed.
        assertThat(c.delete("/v2/" + repo + "/manifests/" + sha256(sig)).status()).isEqualTo(202);
        JsonNode afterDelete = c.get("/v2/" + repo + "/referrers/" + imageDigest).json().get("manifests");
        assertThat(afterDelete).hasSize(2);
        assertThat(afterDelete.toString()).doesNotContain(sha256(sig));
        assertThat(c.delete("/v2/" + repo + "/manifests/" + imageDigest).status()).isEqualTo(202);
        assertThat(c.get("/v2/" + repo + "/referrers/" + imageDigest).json().get("manifests")).hasSize(2);
    }

    @Test
    void referrerMayBePushedBeforeItsSubject() {
        String repo = ORG + "/referrer-first";
        RegistryClient c = client(repo);
        byte[] empty = utf8("{}");
        c.pushBlob(repo, empty);
        byte[] image = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + Desc.of(OCI_EMPTY, empty).json() + ",\"layers\":[],\"annotations\":{\"later\":\"yes\"}}");
        Desc subject = new Desc(OCI_MANIFEST, sha256(image), image.length);
        byte[] sig = Manifests.artifact(Desc.of(OCI_EMPTY, empty), subject, "application/vnd.example.sig", null);
        Resp put = c.putManifest(repo, sha256(sig), OCI_MANIFEST, sig);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("OCI-Subject")).isEqualTo(subject.digest());
        c.pushManifest(repo, "v1", OCI_MANIFEST, image);
        Resp list = c.get("/v2/" + repo + "/referrers/" + subject.digest());
        assertThat(list.json().get("manifests")).hasSize(1);
        assertThat(list.json().get("manifests").get(0).has("annotations")).isFalse();
    }

    // ---------------------------------------------------------------- content management

    @Test
    void deleteTagThenManifestThenBlob() {
        String repo = ORG + "/deletes";
        RegistryClient c = client(repo);
        byte[] config = utf8("{\"delete\":\"me\"}");
        byte[] layer = randomBytes(3000, 14);
        String configDigest = c.pushBlob(repo, config);
        String layerDigest = c.pushBlob(repo, layer);
        byte[] manifest = Manifests.oci(Desc.of(OCI_CONFIG, config), Desc.of(OCI_LAYER, layer));
        String digest = c.pushManifest(repo, "one", OCI_MANIFEST, manifest);
        c.pushManifest(repo, "two", OCI_MANIFEST, manifest);

        // A manifest's own bytes cannot be deleted as a blob while the manifest exists.
        Resp manifestAsBlob = c.delete("/v2/" + repo + "/blobs/" + digest);
        assertThat(manifestAsBlob.status()).isEqualTo(405);
        assertThat(manifestAsBlob.errorCode()).isEqualTo("UNSUPPORTED");
        assertThat(c.get("/v2/" + repo + "/manifests/" + digest).status()).isEqualTo(200);

        Resp deleteTag = c.delete("/v2/" + repo + "/manifests/one");
        assertThat(deleteTag.status()).as("%s", deleteTag).isEqualTo(202);
        Resp gone = c.get("/v2/" + repo + "/manifests/one");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(c.get("/v2/" + repo + "/manifests/two").status()).isEqualTo(200);
        assertThat(c.get("/v2/" + repo + "/manifests/" + digest).status()).isEqualTo(200);
        assertThat(strings(c.get("/v2/" + repo + "/tags/list").json().get("tags"))).containsExactly("two");
        Resp deleteTagAgain = c.delete("/v2/" + repo + "/manifests/one");
        assertThat(deleteTagAgain.status()).isEqualTo(404);
        assertThat(deleteTagAgain.errorCode()).isEqualTo("MANIFEST_UNKNOWN");

        Resp deleteManifest = c.delete("/v2/" + repo + "/manifests/" + digest);
        assertThat(deleteManifest.status()).as("%s", deleteManifest).isEqualTo(202);
        for (String ref : List.of(digest, "two")) {
            Resp r = c.get("/v2/" + repo + "/manifests/" + ref);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorCode()).isEqualTo("MANIFEST_UNKNOWN");
            assertThat(c.head("/v2/" + repo + "/manifests/" + ref).status()).isEqualTo(404);
        }
        Resp deleteManifestAgain = c.delete("/v2/" + repo + "/manifests/" + digest);
        assertThat(deleteManifestAgain.status()).isEqualTo(404);
        assertThat(deleteManifestAgain.errorCode()).isEqualTo("MANIFEST_UNKNOWN");

        Resp deleteBlob = c.delete("/v2/" + repo + "/blobs/" + layerDigest);
        assertThat(deleteBlob.status()).as("%s", deleteBlob).isEqualTo(202);
        Resp blobGone = c.get("/v2/" + repo + "/blobs/" + layerDigest);
        assertThat(blobGone.status()).isEqualTo(404);
        assertThat(blobGone.errorCode()).isEqualTo("BLOB_UNKNOWN");
        assertThat(c.head("/v2/" + repo + "/blobs/" + layerDigest).status()).isEqualTo(404);
        Resp deleteBlobAgain = c.delete("/v2/" + repo + "/blobs/" + layerDigest);
        assertThat(deleteBlobAgain.status()).isEqualTo(404);
        assertThat(deleteBlobAgain.errorCode()).isEqualTo("BLOB_UNKNOWN");
        // The other blob is untouched.
        assertThat(c.get("/v2/" + repo + "/blobs/" + configDigest).body()).isEqualTo(config);
    }

    @Test
    void deletingInOneRepositoryLeavesTheSameContentInAnotherIntact() {
        String a = ORG + "/shared-a";
        String b = ORG + "/shared-b";
        RegistryClient c = client(a, b);
        byte[] config = utf8("{\"shared\":1}");
        c.pushBlob(a, config);
        c.pushBlob(b, config);
        byte[] manifest = Manifests.oci(Desc.of(OCI_CONFIG, config));
        String digest = c.pushManifest(a, "x", OCI_MANIFEST, manifest);
        c.pushManifest(b, "x", OCI_MANIFEST, manifest);
        assertThat(c.delete("/v2/" + a + "/manifests/" + digest).status()).isEqualTo(202);
        assertThat(c.delete("/v2/" + a + "/blobs/" + sha256(config)).status()).isEqualTo(202);
        assertThat(c.get("/v2/" + b + "/manifests/x").body()).isEqualTo(manifest);
        assertThat(c.get("/v2/" + b + "/blobs/" + sha256(config)).body()).isEqualTo(config);
    }

    // ---------------------------------------------------------------- catalog

    @Test
    void catalogListsRepositoriesWithPagination() {
        List<String> repos = List.of(CATALOG_ORG + "/c", CATALOG_ORG + "/a", CATALOG_ORG + "/b/nested", CATALOG_ORG + "/b");
        String[] scopes = new String[repos.size() + 1];
        for (int i = 0; i < repos.size(); i++) scopes[i] = all(repos.get(i));
        scopes[repos.size()] = "registry:catalog:*";
        RegistryClient c = new RegistryClient(d, bearer(d, CATALOGUER, TestDrydock.PASSWORD, scopes));
        byte[] config = utf8("{}");
        for (String repo : repos) {
            c.pushBlob(repo, config);
            c.pushManifest(repo, "latest", OCI_MANIFEST, Manifests.oci(Desc.of(OCI_EMPTY, config)));
        }
        List<String> sorted = List.of(CATALOG_ORG + "/a", CATALOG_ORG + "/b", CATALOG_ORG + "/b/nested", CATALOG_ORG + "/c");

        Resp whole = c.get("/v2/_catalog");
        assertThat(whole.status()).as("%s", whole).isEqualTo(200);
        assertThat(strings(whole.json().get("repositories"))).containsExactlyElementsOf(sorted);
        assertThat(whole.header("Link")).isNull();

        Resp first = c.get("/v2/_catalog?n=3");
        assertThat(strings(first.json().get("repositories"))).containsExactlyElementsOf(sorted.subList(0, 3));
        assertThat(first.header("Link")).isEqualTo("</v2/_catalog?n=3&last=" + CATALOG_ORG + "/b/nested>; rel=\"next\"");
        String link = first.header("Link");
        Resp second = c.get(link.substring(1, link.indexOf('>')));
        assertThat(strings(second.json().get("repositories"))).containsExactly(CATALOG_ORG + "/c");
        assertThat(second.header("Link")).isNull();

    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode byDigest(JsonNode manifests, String digest) {
        for (JsonNode m : manifests) {
            if (m.get("digest").asText().equals(digest)) return m;
        }
        throw new AssertionError("no descriptor for " + digest + " in " + manifests);
    }
}
