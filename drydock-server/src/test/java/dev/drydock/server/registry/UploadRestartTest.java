package dev.drydock.server.registry;

import dev.drydock.server.TestDrydock;
import dev.drydock.server.registry.Manifests.Desc;
import dev.drydock.server.registry.RegistryClient.Resp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static dev.drydock.server.registry.Manifests.OCI_CONFIG;
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
 * Upload sessions survive a server restart (the running hash is rebuilt from the bytes on disk), and an upload
 * cut off by a crash never becomes a visible blob.
 */
class UploadRestartTest {
    static final long ORG = 17532;
    static final String DEV = "dev@acme.test";
    static final String REPO = ORG + "/restart";

    TestDrydock d;
    RegistryClient c;

    @BeforeEach
    void start() {
        d = TestDrydock.start();
        d.createOrg(ORG);
        d.addMember(ORG, DEV, "developer");
        c = new RegistryClient(d, bearer(d, DEV, TestDrydock.PASSWORD, all(REPO)));
    }

    @AfterEach
    void stop() {
        d.close();
    }

    @Test
    void chunkedUploadContinuesAfterRestart() {
        byte[] content = randomBytes(2_500_003, 1);
        String digest = sha256(content);
        int a = 700_001;
        int b = 1_600_000;
        String location = c.startUpload(REPO);
        Resp p1 = c.patch(location, slice(content, 0, a), "Content-Type", OCTET, "Content-Range", "0-" + (a - 1));
        assertThat(p1.status()).as("%s", p1).isEqualTo(202);
        assertThat(c.head("/v2/" + REPO + "/blobs/" + digest).status()).isEqualTo(404);

        d.restart();

        // The same token still works (the signing key lives in the database), and the session is still there.
        Resp status = c.get(location);
        assertThat(status.status()).as("%s", status).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-" + (a - 1));
        assertThat(status.header("Location")).isEqualTo(location);
        assertThat(c.head("/v2/" + REPO + "/blobs/" + digest).status()).isEqualTo(404);

        // Out of order after the restart is still a 416 saying where to resume.
        Resp wrong = c.patch(location, slice(content, b, content.length), "Content-Type", OCTET,
                "Content-Range", b + "-" + (content.length - 1));
        assertThat(wrong.status()).as("%s", wrong).isEqualTo(416);
        assertThat(wrong.header("Range")).isEqualTo("0-" + (a - 1));

        Resp p2 = c.patch(location, slice(content, a, b), "Content-Type", OCTET, "Content-Range", a + "-" + (b - 1));
        assertThat(p2.status()).as("%s", p2).isEqualTo(202);
        assertThat(p2.header("Range")).isEqualTo("0-" + (b - 1));

        d.restart();

        Resp put = c.put(withDigest(p2.header("Location"), digest), slice(content, b, content.length), "Content-Type", OCTET,
                "Content-Range", b + "-" + (content.length - 1));
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(c.get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(content);
        assertThat(c.get(location).status()).isEqualTo(404);

        // And it survives a restart as a blob, usable by a manifest.
        d.restart();
        byte[] config = utf8("{}");
        c.pushBlob(REPO, config);
        byte[] manifest = Manifests.oci(Desc.of(OCI_CONFIG, config), new Desc(OCI_LAYER, digest, content.length));
        c.pushManifest(REPO, "v1", OCI_MANIFEST, manifest);
        d.restart();
        assertThat(c.get("/v2/" + REPO + "/manifests/v1").body()).isEqualTo(manifest);
        assertThat(c.get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void wrongDigestAfterRestartIsStillDetected() {
        byte[] content = randomBytes(900_000, 2);
        String location = c.startUpload(REPO);
        assertThat(c.patch(location, slice(content, 0, 600_000), "Content-Type", OCTET, "Content-Range", "0-599999").status())
                .isEqualTo(202);
        d.restart();
        byte[] other = content.clone();
        other[10] ^= 1; // what the client claims differs from what was uploaded before the restart
        Resp put = c.put(withDigest(location, sha256(other)), slice(content, 600_000, content.length), "Content-Type", OCTET);
        assertThat(put.status()).as("%s", put).isEqualTo(400);
        assertThat(put.errorCode()).isEqualTo("DIGEST_INVALID");
        assertThat(c.head("/v2/" + REPO + "/blobs/" + sha256(other)).status()).isEqualTo(404);
        assertThat(c.head("/v2/" + REPO + "/blobs/" + sha256(content)).status()).isEqualTo(404);
    }

    @Test
    void uploadCutOffByARestartLeavesNoBlobAndResumes() throws Exception {
        byte[] content = randomBytes(3_000_000, 3);
        String digest = sha256(content);
        String location = c.startUpload(REPO);
        int sent = 1_800_000;

        // A PATCH is mid-body when the server goes down: the connection dies with the process.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", d.port()), 10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: " + d.host() + "\r\nAuthorization: " + c.authorization
                    + "\r\nContent-Type: " + OCTET + "\r\nContent-Range: 0-" + (content.length - 1)
                    + "\r\nContent-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(content, 0, sent);
            out.flush();
            Thread.sleep(300); // let the server take in what was sent
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(2000);
                    socket.close(); // in case a graceful stop waits for the request
                } catch (Exception ignored) {
                    // closed already
                }
            });
            d.restart();
            closer.join();
        }

        assertThat(c.head("/v2/" + REPO + "/blobs/" + digest).status()).isEqualTo(404);
        Resp get = c.get("/v2/" + REPO + "/blobs/" + digest);
        assertThat(get.status()).isEqualTo(404);
        assertThat(get.errorCode()).isEqualTo("BLOB_UNKNOWN");
        byte[] config = utf8("{}");
        c.pushBlob(REPO, config);
        Resp manifest = c.putManifest(REPO, "v1", OCI_MANIFEST,
                Manifests.oci(Desc.of(OCI_CONFIG, config), new Desc(OCI_LAYER, digest, content.length)));
        assertThat(manifest.status()).isEqualTo(400);
        assertThat(manifest.errorCode()).isEqualTo("MANIFEST_BLOB_UNKNOWN");

        Resp status = c.get(location);
        assertThat(status.status()).as("%s", status).isEqualTo(204);
        long offset = status.header("Range").equals("0-0") ? 0 : BadInputTest.rangeEnd(status.header("Range")) + 1;
        assertThat(offset).isBetween(0L, (long) sent);

        Resp rest = c.patch(location, slice(content, (int) offset, content.length), "Content-Type", OCTET,
                "Content-Range", offset + "-" + (content.length - 1));
        assertThat(rest.status()).as("%s", rest).isEqualTo(202);
        Resp put = c.put(withDigest(location, digest), new byte[0]);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(c.get("/v2/" + REPO + "/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void uploadCanBeCancelledAfterRestart() {
        String location = c.startUpload(REPO);
        byte[] content = randomBytes(1000, 4);
        assertThat(c.patch(location, content, "Content-Type", OCTET).status()).isEqualTo(202);
        d.restart();
        assertThat(c.delete(location).status()).isEqualTo(204);
        Resp gone = c.get(location);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        Resp put = c.put(withDigest(location, sha256(content)), new byte[0]);
        assertThat(put.status()).isEqualTo(404);
        assertThat(c.head("/v2/" + REPO + "/blobs/" + sha256(content)).status()).isEqualTo(404);
    }
}
