package dev.drydock.server.registry;

import dev.drydock.oci.Digest;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.RegistryIndex.UploadSession;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.storage.FilesystemBlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upload expiry counts from a session's last activity (every PATCH, PUT and status GET), not from its start; the
 * purge removes the row and the bytes, and the embedded database gives the space back. Runs on the real index and
 * store with a clock the test moves.
 */
class UploadExpiryTest {
    static final String REPO = "17532/expiry";
    static final String DEV = "dev@acme.test";
    static final Duration EXPIRY = Duration.ofHours(24);
    static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

    @TempDir
    Path tmp;

    final AtomicReference<Instant> now = new AtomicReference<>(T0);
    Database database;
    Registry registry;
    JdbcRegistryIndex index;

    Registry open() throws IOException {
        database = Database.open(Database.embeddedUrl(tmp.resolve("data")), "sa", "", 4);
        index = new JdbcRegistryIndex(database.jdbi());
        InstantSource clock = now::get;
        registry = new Registry(new FilesystemBlobStore(tmp.resolve("data").resolve("storage"), false), index,
                EventSink.NONE, clock, Registry.Limits.DEFAULT);
        return registry;
    }

    @AfterEach
    void close() {
        if (database != null) database.close();
    }

    private int purge() {
        return registry.purgeUploads(now.get().minus(EXPIRY));
    }

    private Path uploadFile(String id) {
        return tmp.resolve("data").resolve("storage").resolve("uploads").resolve(id);
    }

    @Test
    void expiryCountsFromTheLastActivityNotFromTheStart() throws IOException {
        open();
        UploadSession busy = registry.startUpload(REPO, DEV);
        UploadSession abandoned = registry.startUpload(REPO, DEV);
        assertThat(busy.principal()).isEqualTo(DEV);

        // A slow push: a chunk after 20 h, a status check after 40 h, a chunk after 60 h. Always started more than 24 h
        // ago, never idle for 24 h.
        now.set(T0.plusSeconds(20 * 3600));
        registry.appendChunk(REPO, busy.id(), 0L, 3L, new ByteArrayInputStream(new byte[]{1, 2, 3}));
        now.set(T0.plus(EXPIRY).plusSeconds(1));
        assertThat(purge()).as("only the abandoned one is idle for the expiry").isEqualTo(1);
        assertThat(index.upload(abandoned.id())).isEmpty();
        assertThat(uploadFile(abandoned.id())).doesNotExist();
        assertThat(index.upload(busy.id())).isPresent();

        now.set(T0.plusSeconds(40 * 3600));
        assertThat(registry.uploadOffset(REPO, busy.id())).isEqualTo(3);
        now.set(T0.plusSeconds(60 * 3600));
        assertThat(purge()).isZero();
        registry.appendChunk(REPO, busy.id(), 3L, 2L, new ByteArrayInputStream(new byte[]{4, 5}));
        now.set(T0.plusSeconds(83 * 3600));
        assertThat(purge()).isZero();
        byte[] content = {1, 2, 3, 4, 5, 6};
        registry.completeUpload(REPO, busy.id(), Digest.sha256(content), 5L, new ByteArrayInputStream(new byte[]{6}));
        assertThat(registry.statBlob(REPO, Digest.sha256(content)).size()).isEqualTo(6);
    }

    @Test
    void purgeRemovesRowAndBytesOfAnIdleSessionAndFreesItsSlot() throws IOException {
        open();
        UploadSession s = registry.startUpload(REPO, DEV);
        registry.appendChunk(REPO, s.id(), 0L, 4L, new ByteArrayInputStream(new byte[4]));
        assertThat(uploadFile(s.id())).exists();
        assertThat(index.uploadCountOfPrincipal(DEV)).isEqualTo(1);

        now.set(T0.plus(EXPIRY).plusSeconds(2));
        assertThat(purge()).isEqualTo(1);
        assertThat(index.upload(s.id())).isEmpty();
        assertThat(index.uploadCountOfPrincipal(DEV)).isZero();
        assertThat(index.uploadCountOfRepository(REPO)).isZero();
        assertThat(uploadFile(s.id())).doesNotExist();
        assertThatThrownBy(() -> registry.uploadOffset(REPO, s.id())).isInstanceOf(RegistryException.class)
                .hasMessageContaining("unknown, finished or expired");
    }

    /** The node that opened a session keeps it in memory (no index read per chunk); a purge elsewhere still ends it. */
    @Test
    void aSessionPurgedOnAnotherNodeIsUnknownOnTheNodeThatOpenedIt() throws IOException {
        open();
        Registry otherNode = new Registry(new FilesystemBlobStore(tmp.resolve("data").resolve("storage"), false), index,
                EventSink.NONE, now::get, Registry.Limits.DEFAULT);
        byte[] content = {1, 2, 3};
        UploadSession s = registry.startUpload(REPO, DEV);
        registry.appendChunk(REPO, s.id(), 0L, 3L, new ByteArrayInputStream(content));

        now.set(T0.plus(EXPIRY).plusSeconds(2));
        assertThat(otherNode.purgeUploads(now.get().minus(EXPIRY))).isEqualTo(1);

        assertThatThrownBy(() -> registry.appendChunk(REPO, s.id(), 3L, 1L, new ByteArrayInputStream(new byte[]{4})))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.drydock.registry.ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThatThrownBy(() -> registry.completeUpload(REPO, s.id(), Digest.sha256(content), new ByteArrayInputStream(new byte[0])))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.drydock.registry.ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThat(index.linkedBlob(REPO, Digest.sha256(content))).isEmpty();
        assertThat(registry.openUploads()).isZero();
    }

    /** A chunk under another repository's name is refused even when this node knows the session. */
    @Test
    void aKnownSessionIsUnknownUnderAnotherRepository() throws IOException {
        open();
        UploadSession s = registry.startUpload(REPO, DEV);
        assertThatThrownBy(() -> registry.appendChunk("17532/other", s.id(), 0L, 1L, new ByteArrayInputStream(new byte[]{4})))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.drydock.registry.ErrorCode.BLOB_UPLOAD_UNKNOWN));
        assertThat(registry.appendChunk(REPO, s.id(), 0L, 1L, new ByteArrayInputStream(new byte[]{4}))).isEqualTo(1);
    }

    @Test
    void purgedSessionsGiveTheirDatabaseSpaceBack() throws IOException {
        open();
        Path file = tmp.resolve("data").resolve("db").resolve("drydock.mv.db");
        long empty = Files.size(file);
        int sessions = 2000;
        for (int i = 0; i < sessions; i++) {
            // one principal and repository per session: the caps are not what this test is about
            registry.startUpload(REPO + i, "robot-" + i);
        }
        long full = Files.size(file);
        now.set(T0.plus(EXPIRY).plusSeconds(1));
        assertThat(purge()).isEqualTo(sessions);
        long purged = Files.size(file);
        Optional<Database.Reclaimed> reclaimed = database.reclaimSpace(Duration.ofSeconds(5));
        long compacted = Files.size(file);
        System.out.printf("H2 file: %d bytes empty, %d after %d sessions, %d after purging them, %d after reclaimSpace%n",
                empty, full, sessions, purged, compacted);
        assertThat(reclaimed).isPresent();
        assertThat(reclaimed.get().bytesAfter()).isEqualTo(compacted);
        assertThat(compacted).as("database file after reclaiming (%d with the sessions, %d after the purge)", full, purged)
                .isLessThan(full / 4);

        // The store keeps its 45 s retention afterwards (compacting sets it to 0 while it runs).
        assertThat(retentionTime()).isEqualTo(45_000);
        // And it stays usable.
        UploadSession s = registry.startUpload(REPO, DEV);
        assertThat(index.upload(s.id())).isPresent();
    }

    private int retentionTime() {
        try (var c = database.dataSource().getConnection()) {
            var session = (org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
            return session.getDatabase().getStore().getMvStore().getRetentionTime();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
