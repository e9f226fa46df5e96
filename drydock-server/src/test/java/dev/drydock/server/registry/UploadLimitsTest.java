package dev.drydock.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.TestDrydock;
import dev.drydock.server.registry.RegistryClient.Resp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.drydock.server.registry.RegistryClient.OCTET;
import static dev.drydock.server.registry.RegistryClient.bearer;
import static dev.drydock.server.registry.RegistryClient.randomBytes;
import static dev.drydock.server.registry.RegistryClient.sha256;
import static dev.drydock.server.registry.RegistryClient.withDigest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upload sessions are bounded: open sessions per principal and per repository (429 TOOMANYREQUESTS with
 * Retry-After beyond), bytes per session (413 beyond), and idle sessions are purged by last activity, with their
 * bytes, rows and the database space they took.
 */
class UploadLimitsTest {
    static final long ORG = 17532;
    static final String DEV = "dev@acme.test";
    static final String OTHER_DEV = "other@acme.test";
    static final String REPO = ORG + "/limits";
    static final String REPO2 = ORG + "/limits-two";

    TestDrydock d;

    @AfterEach
    void stop() {
        if (d != null) d.close();
    }

    private RegistryClient start(Map<String, String> settings) {
        d = TestDrydock.start(settings);
        d.createOrg(ORG);
        d.addMember(ORG, DEV, "developer");
        d.addMember(ORG, OTHER_DEV, "developer");
        return client(DEV);
    }

    private RegistryClient client(String user) {
        return new RegistryClient(d, bearer(d, user, TestDrydock.PASSWORD,
                RegistryClient.all(REPO), RegistryClient.all(REPO2)));
    }

    private static void assertTooManyRequests(Resp r, String... messageParts) {
        assertThat(r.status()).as("%s", r).isEqualTo(429);
        assertThat(r.header("Retry-After")).as("%s", r).isEqualTo("30");
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("code").asText()).isEqualTo("TOOMANYREQUESTS");
        assertThat(error.get("message").asText()).as("the message names the fix")
                .contains("finish open uploads", "cancel them (DELETE /v2/", "wait for idle ones to expire");
        for (String part : messageParts) assertThat(error.get("message").asText()).contains(part);
        assertThat(error.get("detail").get("limit").asInt()).isPositive();
    }

    @Test
    void aPrincipalBeyondItsCapGets429WithRetryAfterAndTheFix() {
        RegistryClient dev = start(Map.of("upload.max-sessions-per-principal", "3"));
        // The cap counts the principal's sessions in every repository.
        List<String> open = new ArrayList<>(List.of(dev.startUpload(REPO), dev.startUpload(REPO2), dev.startUpload(REPO)));

        Resp refused = dev.post("/v2/" + REPO2 + "/blobs/uploads/", new byte[0]);
        assertTooManyRequests(refused, DEV + " has 3 open uploads", "upload.max-sessions-per-principal = 3");
        assertThat(refused.json().get("errors").get(0).get("detail").get("open").asInt()).isEqualTo(3);
        // A monolithic push opens a session too.
        byte[] blob = randomBytes(1000, 1);
        Resp monolithic = dev.post("/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob), blob, "Content-Type", OCTET);
        assertTooManyRequests(monolithic, DEV + " has 3 open uploads");
        assertThat(dev.head("/v2/" + REPO + "/blobs/" + sha256(blob)).status()).isEqualTo(404);

        // Another member of the same organization is not held back by this one's sessions.
        assertThat(client(OTHER_DEV).startUpload(REPO)).isNotNull();

        // A cancelled session frees a slot; so does a completed one.
        assertThat(dev.delete(open.removeFirst()).status()).isEqualTo(204);
        String again = dev.startUpload(REPO);
        assertTooManyRequests(dev.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]));
        Resp put = dev.put(withDigest(again, sha256(blob)), blob, "Content-Type", OCTET);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        Resp monolithicNow = dev.post("/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob), blob, "Content-Type", OCTET);
        assertThat(monolithicNow.status()).as("%s", monolithicNow).isEqualTo(201);
        assertThat(dev.startUpload(REPO2)).isNotNull();
        assertTooManyRequests(dev.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]));
    }

    @Test
    void aRepositoryBeyondItsCapGets429() {
        RegistryClient dev = start(Map.of("upload.max-sessions-per-repository", "4"));
        RegistryClient other = client(OTHER_DEV);
        String first = dev.startUpload(REPO);
        dev.startUpload(REPO);
        other.startUpload(REPO);
        other.startUpload(REPO);

        assertTooManyRequests(other.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]),
                "repository " + REPO + " has 4 open uploads", "upload.max-sessions-per-repository = 4");
        assertTooManyRequests(dev.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]), "repository " + REPO);
        // Other repositories are not affected.
        assertThat(dev.startUpload(REPO2)).isNotNull();

        byte[] blob = randomBytes(70_000, 2);
        Resp patch = dev.patch(first, blob, "Content-Type", OCTET, "Content-Range", "0-69999");
        assertThat(patch.status()).as("%s", patch).isEqualTo(202);
        assertThat(dev.put(withDigest(patch.header("Location"), sha256(blob)), new byte[0]).status()).isEqualTo(201);
        assertThat(other.startUpload(REPO)).isNotNull();
        assertTooManyRequests(other.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]), "repository " + REPO);
    }

    @Test
    void anUploadBeyondTheByteLimitIs413AndDiscarded() {
        RegistryClient dev = start(Map.of("upload.max-bytes", String.valueOf(1024 * 1024), "upload.max-sessions-per-principal", "2"));
        byte[] limit = randomBytes(1024 * 1024, 3);
        byte[] over = randomBytes(1024 * 1024 + 1, 4);

        // Exactly the limit is fine.
        String ok = dev.startUpload(REPO);
        assertThat(dev.put(withDigest(ok, sha256(limit)), limit, "Content-Type", OCTET).status()).isEqualTo(201);

        // A chunk that would pass it is refused before it is read, and the session is gone (its slot too).
        String chunked = dev.startUpload(REPO);
        Resp first = dev.patch(chunked, RegistryClient.slice(over, 0, 600_000), "Content-Type", OCTET, "Content-Range", "0-599999");
        assertThat(first.status()).as("%s", first).isEqualTo(202);
        Resp second = dev.patch(chunked, RegistryClient.slice(over, 600_000, over.length), "Content-Type", OCTET,
                "Content-Range", "600000-" + (over.length - 1));
        assertThat(second.status()).as("%s", second).isEqualTo(413);
        assertThat(second.errorCode()).isEqualTo("BLOB_UPLOAD_INVALID");
        assertThat(second.json().get("errors").get(0).get("message").asText()).contains("upload.max-bytes", "1048576");
        assertThat(dev.get(chunked).status()).isEqualTo(404);

        // Whole bodies are cut off at the limit too: monolithic, and a final PUT.
        Resp monolithic = dev.post("/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(over), over, "Content-Type", OCTET);
        assertThat(monolithic.status()).as("%s", monolithic).isEqualTo(413);
        String put = dev.startUpload(REPO);
        assertThat(dev.put(withDigest(put, sha256(over)), over, "Content-Type", OCTET).status()).isEqualTo(413);
        assertThat(dev.head("/v2/" + REPO + "/blobs/" + sha256(over)).status()).isEqualTo(404);
        assertThat(uploadFiles()).as("no bytes of refused uploads are kept").isEmpty();
        // The refused sessions are gone: both of this principal's slots are free.
        dev.startUpload(REPO);
        dev.startUpload(REPO);
    }

    @Test
    void idleSessionsArePurgedByLastActivityWithTheirBytesRowsAndDatabaseSpace() throws Exception {
        // Expiry 8 s: the purge runs every 2 s. Caps raised so many idle sessions can pile up.
        RegistryClient dev = start(Map.of("upload.expiry", "8s", "upload.max-sessions-per-principal", "1000",
                "upload.max-sessions-per-repository", "1000"));
        byte[] content = randomBytes(13 * 64 * 1024, 5);
        String active = dev.startUpload(REPO);
        List<String> idle = new ArrayList<>();
        long creating = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            String location = dev.startUpload(REPO2);
            idle.add(location);
            if (i % 20 == 0) {
                assertThat(dev.patch(location, new byte[1000], "Content-Type", OCTET).status()).isEqualTo(202);
                assertThat(dev.get(active).status()).as("a status check is activity").isEqualTo(204);
            }
        }
        Path db = d.dataDir().resolve("db").resolve("drydock.mv.db");
        long peak = Files.size(db);
        System.out.printf("200 idle sessions opened in %d ms%n", (System.nanoTime() - creating) / 1_000_000);

        // The active session gets a chunk every second for 12 s, longer than the expiry counted from its start.
        long startedAt = System.nanoTime();
        int offset = 0;
        for (int i = 0; i < 12; i++) {
            Thread.sleep(1000);
            Resp r = dev.patch(active, RegistryClient.slice(content, offset, offset + 64 * 1024), "Content-Type", OCTET,
                    "Content-Range", offset + "-" + (offset + 64 * 1024 - 1));
            assertThat(r.status()).as("chunk %d, %d ms after the start: %s", i, (System.nanoTime() - startedAt) / 1_000_000, r)
                    .isEqualTo(202);
            offset += 64 * 1024;
        }
        Resp status = dev.get(active);
        assertThat(status.status()).as("%s", status).isEqualTo(204);

        // The idle ones are gone: rows (unknown to the API), bytes (no upload files), and the database shrank.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (uploadFiles().size() > 1 && System.nanoTime() < deadline) Thread.sleep(200);
        assertThat(uploadFiles()).as("only the active session's bytes are left").hasSize(1);
        for (String location : List.of(idle.getFirst(), idle.get(40), idle.getLast())) {
            Resp gone = dev.get(location);
            assertThat(gone.status()).as("%s", gone).isEqualTo(404);
            assertThat(gone.errorCode()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }
        long after = Files.size(db);
        while (after > peak / 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            after = Files.size(db);
        }
        System.out.printf("database file: %d bytes with 201 open sessions, %d bytes after the purge%n", peak, after);
        assertThat(after).as("database file after the purge (was %d with the sessions)", peak).isLessThan(peak / 2);

        // And the active session completes.
        Resp last = dev.put(withDigest(active, sha256(content)), RegistryClient.slice(content, offset, content.length),
                "Content-Type", OCTET, "Content-Range", offset + "-" + (content.length - 1));
        assertThat(last.status()).as("%s", last).isEqualTo(201);
        assertThat(dev.get("/v2/" + REPO + "/blobs/" + sha256(content)).body()).isEqualTo(content);
    }

    private List<Path> uploadFiles() {
        Path uploads = d.dataDir().resolve("storage").resolve("uploads");
        try (var files = Files.list(uploads)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
