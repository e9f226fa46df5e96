package dev.drydock.server;

import dev.drydock.oci.Digest;
import dev.drydock.platform.db.ClusterTasks;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.registry.GarbageCollector;
import dev.drydock.registry.Registry;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.storage.BlobStore;
import dev.drydock.registry.storage.FilesystemBlobStore;
import dev.drydock.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class GarbageCollectionTest {
    private static final long ORG = 3131;
    private static final String DEV = "admin@gc.test"; // org admins may delete
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path tmp;

    private static Path blobFile(Path storage, Digest d) {
        return storage.resolve("blobs").resolve(d.algorithm()).resolve(d.hex().substring(0, 2)).resolve(d.hex());
    }

    private static void age(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestDrydock drydock() {
        TestDrydock d = TestDrydock.start();
        d.createOrg(ORG);
        d.addMember(ORG, DEV, "admin");
        return d;
    }

    private static String token(TestDrydock d, String... repositories) {
        String[] scopes = new String[repositories.length];
        for (int i = 0; i < scopes.length; i++) scopes[i] = "repository:" + repositories[i] + ":pull,push,delete";
        return d.token(DEV, TestDrydock.PASSWORD, scopes);
    }

    // ---------------------------------------------------------------- through the running server

    @Test
    void deletesOnlyOldUnreferencedBlobsAndDryRunDeletesNothing() throws IOException {
        try (TestDrydock d = drydock()) {
            Path storage = d.dataDir().resolve("storage");
            String repo = ORG + "/app";
            String token = token(d, repo);
            TestImages.Built kept = TestImages.adapter("kept layer");
            TestImages.push(d, repo, token, kept, "kept");
            byte[] oldOrphan = "old orphan".getBytes(StandardCharsets.UTF_8);
            byte[] freshOrphan = "fresh orphan".getBytes(StandardCharsets.UTF_8);
            for (byte[] orphan : List.of(oldOrphan, freshOrphan)) {
                TestImages.pushBlob(d, repo, token, orphan);
                assertThat(TestImages.delete(d, token, "/v2/" + repo + "/blobs/" + Digest.sha256(orphan))).isEqualTo(202);
            }
            // A deleted manifest (as a deleted build's): its bytes go, its layer stays linked to the repository.
            TestImages.Built dropped = TestImages.adapter("dropped layer");
            TestImages.push(d, repo, token, dropped, "dropped");
            assertThat(TestImages.delete(d, token, "/v2/" + repo + "/manifests/" + dropped.digest())).isEqualTo(202);

            List<Digest> old = List.of(kept.configDigest(), kept.layerDigest(), kept.digest(), Digest.sha256(oldOrphan),
                    dropped.digest(), dropped.layerDigest());
            old.forEach(digest -> age(blobFile(storage, digest)));
            long expectedBytes = oldOrphan.length + dropped.manifest().length;

            GarbageCollector gc = d.server().garbageCollector();
            GarbageCollector.Result dry = gc.collect(GRACE, true);
            assertThat(dry.dryRun()).isTrue();
            // kept's config, layer and manifest, two orphans, dropped's config, layer and manifest (each image's config
            // names its own layer's diff_id, so the two configs differ)
            assertThat(dry.blobs()).isEqualTo(8);
            assertThat(dry.unreferenced()).isEqualTo(3);
            assertThat(dry.tooRecent()).isEqualTo(1);
            assertThat(dry.deleted()).isEqualTo(2);
            assertThat(dry.bytesFreed()).isEqualTo(expectedBytes);
            for (Digest digest : old) assertThat(blobFile(storage, digest)).as("dry run keeps " + digest).exists();

            GarbageCollector.Result real = gc.collect(GRACE, false);
            assertThat(real.deleted()).isEqualTo(2);
            assertThat(real.bytesFreed()).isEqualTo(expectedBytes);
            assertThat(real.tooRecent()).isEqualTo(1);
            assertThat(real.errors()).isZero();
            assertThat(blobFile(storage, Digest.sha256(oldOrphan))).doesNotExist();
            assertThat(blobFile(storage, dropped.digest())).doesNotExist();
            assertThat(blobFile(storage, Digest.sha256(freshOrphan))).as("within the grace period").exists();
            assertThat(blobFile(storage, dropped.layerDigest())).as("still linked to the repository").exists();
            TestImages.pullIntact(d, repo, token, kept, "kept");

            assertThat(gc.collect(GRACE, false).deleted()).isZero();
            assertThat(gc.collect(Duration.ZERO, false).deleted()).as("no grace: the fresh orphan goes too").isEqualTo(1);
            TestImages.pullIntact(d, repo, token, kept, "kept");
        }
    }

    @Test
    void pushesDuringCollectionPullIntactAfterwards() throws Exception {
        try (TestDrydock d = drydock()) {
            Path storage = d.dataDir().resolve("storage");
            String scratch = ORG + "/scratch";
            String target = ORG + "/target";
            String token = token(d, scratch, target);
            GarbageCollector gc = d.server().garbageCollector();
            AtomicBoolean pushing = new AtomicBoolean(true);
            AtomicInteger collections = new AtomicInteger();
            AtomicInteger deleted = new AtomicInteger();
            CompletableFuture<Void> collector = CompletableFuture.runAsync(() -> {
                while (pushing.get()) {
                    deleted.addAndGet(gc.collect(GRACE, false).deleted());
                    collections.incrementAndGet();
                }
            });
            List<TestImages.Built> images = new ArrayList<>();
            for (int round = 0; round < 12; round++) {
                // Bytes that are stored, old and unreferenced: the collector's prey...
                TestImages.Built image = TestImages.adapter("layer " + round + " " + UUID.randomUUID());
                TestImages.push(d, scratch, token, image, "r" + round);
                assertThat(TestImages.delete(d, token, "/v2/" + scratch + "/manifests/" + image.digest())).isEqualTo(202);
                assertThat(TestImages.delete(d, token, "/v2/" + scratch + "/blobs/" + image.layerDigest())).isEqualTo(202);
                age(blobFile(storage, image.layerDigest()));
                age(blobFile(storage, image.digest()));
                // ...pushed again, while the collector sweeps.
                TestImages.push(d, target, token, image, "r" + round);
                images.add(image);
            }
            pushing.set(false);
            collector.get();
            assertThat(collections.get()).isPositive();
            for (int round = 0; round < images.size(); round++) {
                TestImages.pullIntact(d, target, token, images.get(round), "r" + round);
            }
            // After the pushes, nothing the target links is collectable.
            gc.collect(Duration.ZERO, false);
            for (int round = 0; round < images.size(); round++) {
                TestImages.pullIntact(d, target, token, images.get(round), "r" + round);
            }
        }
    }

    @Test
    void commandLineCollectsAStoppedServersData() throws IOException {
        TestDrydock d = drydock();
        try {
            String repo = ORG + "/app";
            String token = token(d, repo);
            byte[] orphan = "orphan for the command line".getBytes(StandardCharsets.UTF_8);
            TestImages.pushBlob(d, repo, token, orphan);
            assertThat(TestImages.delete(d, token, "/v2/" + repo + "/blobs/" + Digest.sha256(orphan))).isEqualTo(202);
            Path file = blobFile(d.dataDir().resolve("storage"), Digest.sha256(orphan));
            age(file);
            d.server().close();

            StringWriter out = new StringWriter();
            int dry = gcCommand(out, "gc", "--data", d.dataDir().toString(), "--dry-run");
            assertThat(dry).isZero();
            assertThat(out.toString()).contains("1 blobs stored, 1 unreferenced")
                    .contains("dry run: would delete 1 blobs, " + orphan.length + " bytes");
            assertThat(file).exists();

            out = new StringWriter();
            assertThat(gcCommand(out, "gc", "--data", d.dataDir().toString())).isZero();
            assertThat(out.toString()).contains("deleted 1 blobs, " + orphan.length + " bytes freed");
            assertThat(file).doesNotExist();

            StringWriter err = new StringWriter();
            CommandLine cmd = new CommandLine(new Main());
            cmd.setErr(new PrintWriter(err));
            assertThat(cmd.execute("gc", "--data", tmp.resolve("nothing-here").toString())).isEqualTo(2);
            assertThat(err.toString()).contains("no Drydock data in");
        } finally {
            d.deleteData();
        }
    }

    @Test
    void theServerCollectsByItselfWhenGivenAnInterval() {
        try (TestDrydock d = TestDrydock.start(java.util.Map.of("gc.interval", "200ms"))) {
            d.createOrg(ORG);
            d.addMember(ORG, DEV, "admin");
            String repo = ORG + "/app";
            String token = token(d, repo);
            TestImages.Built kept = TestImages.adapter("kept by the server");
            TestImages.push(d, repo, token, kept, "kept");
            byte[] orphan = "orphan for the server".getBytes(StandardCharsets.UTF_8);
            TestImages.pushBlob(d, repo, token, orphan);
            assertThat(TestImages.delete(d, token, "/v2/" + repo + "/blobs/" + Digest.sha256(orphan))).isEqualTo(202);
            Path storage = d.dataDir().resolve("storage");
            age(blobFile(storage, Digest.sha256(orphan)));
            age(blobFile(storage, kept.layerDigest()));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> !Files.exists(blobFile(storage, Digest.sha256(orphan))));
            TestImages.pullIntact(d, repo, token, kept, "kept");
        }
    }

    /**
     * On a shared PostgreSQL database the command takes the servers' collection lease: while a server's collection
     * holds it the command deletes nothing and names the holder (a dry run still counts, taking no lease); once the
     * lease is free it collects, and gives the lease back.
     */
    @Test
    void onASharedDatabaseTheCommandNeverCollectsBesideAServer() throws Exception {
        TestPostgres.Db pg = TestPostgres.freshDatabase();
        Path data = tmp.resolve("node");
        Path config = tmp.resolve("drydock.properties");
        Files.writeString(config, "db.url=" + pg.url() + "\ndb.user=" + pg.user() + "\ndb.password=" + pg.password() + "\n");
        String[] gc = {"gc", "--data", data.toString(), "--config", config.toString()};
        byte[] orphan = "orphan on a cluster".getBytes(StandardCharsets.UTF_8);
        FilesystemBlobStore files = new FilesystemBlobStore(data.resolve("storage"), false);
        files.createUpload("u1");
        files.append("u1", 0, new ByteArrayInputStream(orphan), b -> {});
        files.publish("u1", Digest.sha256(orphan));
        Path file = blobFile(data.resolve("storage"), Digest.sha256(orphan));
        age(file);
        try (Database database = Database.open(pg.url(), pg.user(), pg.password(), 2);
             ClusterTasks server = new ClusterTasks(database.jdbi(), InstantSource.system())) {
            CountDownLatch collecting = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            CompletableFuture<Boolean> serverRun = CompletableFuture.supplyAsync(() -> server.runIfDue(
                    ClusterTasks.Task.GARBAGE_COLLECTION, Duration.ofDays(1), () -> {
                        collecting.countDown();
                        try {
                            done.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
            assertThat(collecting.await(30, TimeUnit.SECONDS)).isTrue();

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(gcCommand(out, err, gc)).as(err.toString()).isEqualTo(Main.Gc.BUSY);
            assertThat(err.toString()).contains("drydock: garbage collection is running already, nothing deleted: held by node on ")
                    .contains("its lease expires at ");
            assertThat(out.toString()).isEmpty();
            assertThat(file).as("not collected beside the server").exists();

            out = new StringWriter();
            assertThat(gcCommand(out, new StringWriter(), append(gc, "--dry-run"))).isZero();
            assertThat(out.toString()).contains("note: a collection is running now (node on ")
                    .contains("dry run: would delete 1 blobs");

            done.countDown();
            assertThat(serverRun.get(30, TimeUnit.SECONDS)).isTrue();
            out = new StringWriter();
            assertThat(gcCommand(out, new StringWriter(), gc)).isZero();
            assertThat(out.toString()).contains("deleted 1 blobs, " + orphan.length + " bytes freed");
            assertThat(file).doesNotExist();
            assertThat(server.holder(ClusterTasks.Task.GARBAGE_COLLECTION)).as("the command gave the lease back").isEmpty();
        }
    }

    private static String[] append(String[] args, String arg) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = arg;
        return all;
    }

    private static int gcCommand(StringWriter out, StringWriter err, String... args) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        return cmd.execute(args);
    }

    private static int gcCommand(StringWriter out, String... args) {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out));
        return cmd.execute(args);
    }

    // ---------------------------------------------------------------- exact interleavings, on the library

    /** A registry on its own database and store, with hooks into the store and index to interleave a collection. */
    private final class Fixture implements AutoCloseable {
        final Database database = Database.open(Database.embeddedUrl(tmp.resolve("data")), "sa", "", 4);
        final Path storage = tmp.resolve("data").resolve("storage");
        final FilesystemBlobStore files = new FilesystemBlobStore(storage, false);
        final HookedStore store = new HookedStore(files);
        final JdbcRegistryIndex index = new JdbcRegistryIndex(database.jdbi());
        final Registry registry = new Registry(store, index, EventSink.NONE, InstantSource.system(), Registry.Limits.DEFAULT);
        final GarbageCollector gc = new GarbageCollector(files, index, InstantSource.system(), Duration.ofHours(24));

        Fixture() throws IOException {}

        Digest publish(byte[] content) throws IOException {
            String id = UUID.randomUUID().toString();
            files.createUpload(id);
            files.append(id, 0, new ByteArrayInputStream(content), b -> {});
            Digest digest = Digest.sha256(content);
            files.publish(id, digest);
            return digest;
        }

        @Override
        public void close() {
            database.close();
        }
    }

    @Test
    void aManifestWhoseOldBytesAreCollectedWhileItIsPushedIsStoredAgain() throws IOException {
        try (Fixture f = new Fixture()) {
            String repo = ORG + "/app";
            TestImages.Built image = TestImages.adapter("layer");
            for (TestImages.Blob blob : image.blobs()) {
                f.registry.uploadMonolithic(repo, DEV, blob.digest(), new ByteArrayInputStream(blob.bytes()));
            }
            // The manifest's bytes are stored, old and unlinked (an earlier push deleted since).
            f.publish(image.manifest());
            age(blobFile(f.storage, image.digest()));
            // The push finds the bytes stored and skips writing them; just then the collector deletes them.
            AtomicBoolean once = new AtomicBoolean();
            f.store.onSize = digest -> {
                if (digest.equals(image.digest()) && once.compareAndSet(false, true)) {
                    assertThat(f.gc.collect(GRACE, false).deleted()).isEqualTo(1);
                }
            };
            f.registry.putManifest(repo, "1.0", TestImages.OCI_MANIFEST, new ByteArrayInputStream(image.manifest()), DEV);
            assertThat(once).isTrue();
            assertThat(f.registry.getManifest(repo, "1.0").content()).isEqualTo(image.manifest());
        }
    }

    @Test
    void aManifestWhoseLinkWentMissingKeepsItsBytes() throws IOException {
        try (Fixture f = new Fixture()) {
            String repo = ORG + "/app";
            TestImages.Built image = TestImages.adapter("layer");
            for (TestImages.Blob blob : image.blobs()) {
                f.registry.uploadMonolithic(repo, DEV, blob.digest(), new ByteArrayInputStream(blob.bytes()));
            }
            f.registry.putManifest(repo, "1.0", TestImages.OCI_MANIFEST, new ByteArrayInputStream(image.manifest()), DEV);
            f.index.unlinkBlob(repo, image.digest()); // what a blob DELETE of the manifest's digest does
            age(blobFile(f.storage, image.digest()));
            assertThat(f.gc.collect(GRACE, false).deleted()).isZero();
            assertThat(f.registry.getManifest(repo, "1.0").content()).isEqualTo(image.manifest());
        }
    }

    @Test
    void aBlobLinkedDuringTheSweepIsPutBack() throws IOException {
        try (Fixture f = new Fixture()) {
            byte[] content = "linked during the sweep".getBytes(StandardCharsets.UTF_8);
            Digest digest = f.publish(content);
            age(blobFile(f.storage, digest));
            // The link lands after the collector's snapshot, before its last check.
            JdbcRegistryIndex linking = f.index;
            GarbageCollector gc = new GarbageCollector(f.files, new dev.drydock.registry.RegistryIndex() {
                // Only what the collector uses; the rest is not reached.
                @Override public java.util.Set<Digest> linkedDigests() { return linking.linkedDigests(); }
                @Override public boolean isLinked(Digest d) {
                    linking.linkBlob(ORG + "/app", d, content.length);
                    return linking.isLinked(d);
                }
                @Override public void linkBlob(String r, Digest d, long s) { throw new UnsupportedOperationException(); }
                @Override public Optional<Long> linkedBlob(String r, Digest d) { throw new UnsupportedOperationException(); }
                @Override public boolean unlinkBlob(String r, Digest d) { throw new UnsupportedOperationException(); }
                @Override public void putManifest(String r, ManifestRecord m, String t) { throw new UnsupportedOperationException(); }
                @Override public Optional<ManifestRecord> manifest(String r, Digest d) { throw new UnsupportedOperationException(); }
                @Override public Optional<Digest> resolveTag(String r, String t) { throw new UnsupportedOperationException(); }
                @Override public boolean deleteTag(String r, String t) { throw new UnsupportedOperationException(); }
                @Override public boolean deleteManifest(String r, Digest d) { throw new UnsupportedOperationException(); }
                @Override public List<String> tags(String r, String l, int n) { throw new UnsupportedOperationException(); }
                @Override public boolean repositoryExists(String r) { throw new UnsupportedOperationException(); }
                @Override public List<ManifestRecord> referrers(String r, Digest s, String a) { throw new UnsupportedOperationException(); }
                @Override public List<String> repositories(java.util.Set<Long> o, String l, int n) { throw new UnsupportedOperationException(); }
                @Override public void createUpload(UploadSession s) { throw new UnsupportedOperationException(); }
                @Override public Optional<UploadSession> upload(String id) { throw new UnsupportedOperationException(); }
                @Override public void deleteUpload(String id) { throw new UnsupportedOperationException(); }
                @Override public void touchUpload(String id, Instant at) { throw new UnsupportedOperationException(); }
                @Override public int uploadCountOfPrincipal(String p) { throw new UnsupportedOperationException(); }
                @Override public int uploadCountOfRepository(String r) { throw new UnsupportedOperationException(); }
                @Override public int uploadCount() { throw new UnsupportedOperationException(); }
                @Override public List<UploadSession> uploadsIdleSince(Instant c) { throw new UnsupportedOperationException(); }
            }, InstantSource.system(), Duration.ofHours(24));
            GarbageCollector.Result r = gc.collect(GRACE, false);
            assertThat(r.unreferenced()).isEqualTo(1);
            assertThat(r.relinked()).isEqualTo(1);
            assertThat(r.deleted()).isZero();
            assertThat(f.registry.openBlob(f.registry.statBlob(ORG + "/app", digest), 0, content.length).readAllBytes()).isEqualTo(content);
            assertThat(f.storage.resolve("gc")).isEmptyDirectory();
        }
    }

    @Test
    void publishingRenewsABlobsAgeAndCrashedRemovalsAreRecovered() throws IOException {
        try (Fixture f = new Fixture()) {
            // An upload whose bytes were all written long ago, finished only now: its blob is new.
            byte[] content = "slow chunked upload".getBytes(StandardCharsets.UTF_8);
            String id = UUID.randomUUID().toString();
            f.files.createUpload(id);
            f.files.append(id, 0, new ByteArrayInputStream(content), b -> {});
            age(f.storage.resolve("uploads").resolve(id));
            f.files.publish(id, Digest.sha256(content));
            GarbageCollector.Result r = f.gc.collect(GRACE, false);
            assertThat(r.tooRecent()).isEqualTo(1);
            assertThat(r.deleted()).isZero();

            // A collector that died between taking a blob out and deciding: the store puts it back on start.
            Digest digest = Digest.sha256(content);
            age(blobFile(f.storage, digest));
            BlobStore.Removal removal = f.files.beginRemoval(digest, Instant.now().minus(GRACE)).orElseThrow();
            assertThat(removal.size()).isEqualTo(content.length);
            assertThat(f.files.size(digest)).isEmpty();
            new FilesystemBlobStore(f.storage, false);
            assertThat(f.files.size(digest)).contains((long) content.length);
            assertThat(f.storage.resolve("gc")).isEmptyDirectory();
        }
    }

    @Test
    void uploadAreasNoSessionOwnsAreDeletedOnceIdleWhileSessionsKeepTheirs() throws IOException {
        try (Fixture f = new Fixture()) {
            String repo = ORG + "/app";
            String owned = f.registry.startUpload(repo, DEV).id();
            f.registry.appendChunk(repo, owned, 0L, null, new ByteArrayInputStream(new byte[]{1, 2, 3}));
            // left by a crash between deleting a session and its bytes: one idle for long, one written just now
            String orphan = UUID.randomUUID().toString(), recent = UUID.randomUUID().toString();
            for (String id : List.of(orphan, recent)) {
                f.files.createUpload(id);
                f.files.append(id, 0, new ByteArrayInputStream(new byte[]{4, 5}), b -> {});
            }
            Path uploads = f.storage.resolve("uploads");
            age(uploads.resolve(owned));
            age(uploads.resolve(orphan));
            GarbageCollector gc = new GarbageCollector(f.files, f.index, InstantSource.system(), Duration.ofHours(1));

            assertThat(gc.collect(GRACE, true).orphanedUploads()).as("dry run: counted").isEqualTo(1);
            assertThat(uploads.resolve(orphan)).exists();
            GarbageCollector.Result r = gc.collect(GRACE, false);
            assertThat(r.orphanedUploads()).isEqualTo(1);
            assertThat(r.errors()).isZero();
            assertThat(uploads.resolve(orphan)).doesNotExist();
            assertThat(uploads.resolve(recent)).as("idle less than the upload expiry").exists();
            assertThat(f.registry.uploadOffset(repo, owned)).as("a session's area is the upload expiry's business").isEqualTo(3);
        }
    }

    /** Two nodes write one chunk at once (a client retrying through another node): the second gets 416, not a 500. */
    @Test
    void aChunkWrittenWhileAnotherNodeWritesTheSameUploadIsAnsweredWithItsOffset() throws Exception {
        try (Fixture f = new Fixture()) {
            String repo = ORG + "/app";
            String id = f.registry.startUpload(repo, DEV).id();
            Registry otherNode = new Registry(f.files, f.index, EventSink.NONE, InstantSource.system(), Registry.Limits.DEFAULT);
            java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            InputStream held = new InputStream() { // the first attempt, still streaming
                private int left = 4;

                @Override
                public int read() throws IOException {
                    reading.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    return left-- > 0 ? 'a' : -1;
                }
            };
            CompletableFuture<Long> first = CompletableFuture.supplyAsync(
                    () -> f.registry.appendChunk(repo, id, 0L, null, held));
            assertThat(reading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            try {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> otherNode.appendChunk(repo, id, 0L, null,
                                new ByteArrayInputStream(new byte[]{'a', 'a', 'a', 'a'})))
                        .isInstanceOfSatisfying(dev.drydock.registry.RegistryException.class, e -> {
                            assertThat(e.status()).isEqualTo(416);
                            assertThat(e.getMessage()).contains("send the next chunk from offset 0");
                        });
            } finally {
                release.countDown();
            }
            assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4);
            assertThat(otherNode.uploadOffset(repo, id)).isEqualTo(4);
        }
    }

    /** Delegates everything; {@link #onSize} runs after each {@link #size} answered. */
    private static final class HookedStore implements BlobStore {
        private final BlobStore delegate;
        volatile Consumer<Digest> onSize = d -> {};

        HookedStore(BlobStore delegate) {
            this.delegate = delegate;
        }

        @Override public Optional<Long> size(Digest digest) throws IOException {
            Optional<Long> size = delegate.size(digest);
            onSize.accept(digest);
            return size;
        }
        @Override public InputStream open(Digest digest, long offset, long length) throws IOException { return delegate.open(digest, offset, length); }
        @Override public void createUpload(String uploadId) throws IOException { delegate.createUpload(uploadId); }
        @Override public Optional<Long> uploadSize(String uploadId) throws IOException { return delegate.uploadSize(uploadId); }
        @Override public long append(String uploadId, long expectedOffset, InputStream data, Consumer<ByteBuffer> written) throws IOException {
            return delegate.append(uploadId, expectedOffset, data, written);
        }
        @Override public InputStream openUpload(String uploadId) throws IOException { return delegate.openUpload(uploadId); }
        @Override public void publish(String uploadId, Digest digest) throws IOException { delegate.publish(uploadId, digest); }
        @Override public void deleteUpload(String uploadId) throws IOException { delegate.deleteUpload(uploadId); }
        @Override public void forEachIdleUpload(Instant idleBefore, Consumer<String> visitor) throws IOException {
            delegate.forEachIdleUpload(idleBefore, visitor);
        }
        @Override public boolean delete(Digest digest) throws IOException { return delegate.delete(digest); }
        @Override public void forEach(Consumer<Digest> visitor) throws IOException { delegate.forEach(visitor); }
        @Override public void checkReachable() throws IOException { delegate.checkReachable(); }
        @Override public Optional<Instant> publishedAt(Digest digest) throws IOException { return delegate.publishedAt(digest); }
        @Override public Optional<Removal> beginRemoval(Digest digest, Instant publishedBefore) throws IOException {
            return delegate.beginRemoval(digest, publishedBefore);
        }
        @Override public int recoverRemovals(Instant takenOutBefore) throws IOException {
            return delegate.recoverRemovals(takenOutBefore);
        }
    }
}
