package dev.drydock.platform.db;

import dev.drydock.oci.Digest;
import dev.drydock.registry.RegistryIndex.ManifestRecord;
import dev.drydock.registry.RegistryIndex.UploadSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.drydock.oci.MediaTypes.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

class JdbcRegistryIndexTest {
    static final String REPO = "17532/app";
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    final Database db = TestDatabase.open();
    final JdbcRegistryIndex index = new JdbcRegistryIndex(db.jdbi());

    @AfterEach
    void close() {
        db.close();
    }

    static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    static ManifestRecord manifest(String seed) {
        return new ManifestRecord(digest(seed), OCI_MANIFEST, 100 + seed.length(), null, null, null, T0);
    }

    static ManifestRecord referrer(String seed, Digest subject, String artifactType) {
        return new ManifestRecord(digest(seed), OCI_MANIFEST, 50, subject, artifactType, "{\"k\":\"v\"}", T0.plusSeconds(1));
    }

    // ---------------------------------------------------------------- blob links

    @Test
    void linkAndUnlinkBlobs() {
        Digest d = digest("layer");
        assertThat(index.linkedBlob(REPO, d)).isEmpty();
        index.linkBlob(REPO, d, 1234);
        assertThat(index.linkedBlob(REPO, d)).contains(1234L);
        assertThat(index.linkedBlob("17532/other", d)).as("links are per repository").isEmpty();

        index.linkBlob(REPO, d, 1234); // idempotent
        assertThat(index.linkedDigests()).containsExactly(d);

        assertThat(index.unlinkBlob(REPO, d)).isTrue();
        assertThat(index.unlinkBlob(REPO, d)).isFalse();
        assertThat(index.linkedBlob(REPO, d)).isEmpty();
        assertThat(index.linkedDigests()).isEmpty();
    }

    @Test
    void linkedDigestsIsTheUnionOverRepositoriesIncludingManifests() {
        index.linkBlob("1/a", digest("x"), 1);
        index.linkBlob("1/b", digest("x"), 1);
        index.linkBlob("1/b", digest("y"), 2);
        index.putManifest("1/c", manifest("m"), null);
        assertThat(index.linkedDigests()).containsExactlyInAnyOrder(digest("x"), digest("y"), digest("m"));
    }

    // ---------------------------------------------------------------- manifests and tags

    @Test
    void putManifestWithoutTag() {
        ManifestRecord m = manifest("one");
        index.putManifest(REPO, m, null);
        assertThat(index.manifest(REPO, m.digest())).contains(m);
        assertThat(index.linkedBlob(REPO, m.digest())).as("manifest bytes are linked as a blob").contains(m.size());
        assertThat(index.tags(REPO, null, 100)).isEmpty();
        assertThat(index.repositoryExists(REPO)).isTrue();
        assertThat(index.repositoryExists("17532/none")).isFalse();
        assertThat(index.manifest("17532/none", m.digest())).isEmpty();
    }

    @Test
    void putManifestWithTag() {
        ManifestRecord m = manifest("one");
        index.putManifest(REPO, m, "latest");
        assertThat(index.resolveTag(REPO, "latest")).contains(m.digest());
        assertThat(index.resolveTag(REPO, "other")).isEmpty();
        assertThat(index.resolveTag("17532/none", "latest")).isEmpty();
        assertThat(index.tags(REPO, null, 100)).containsExactly("latest");
    }

    @Test
    void manifestFieldsRoundTrip() {
        ManifestRecord r = referrer("sig", digest("subject"), "application/vnd.example.sig");
        index.putManifest(REPO, r, null);
        ManifestRecord stored = index.manifest(REPO, r.digest()).orElseThrow();
        assertThat(stored).isEqualTo(r);
        assertThat(stored.created()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void putManifestTwiceKeepsTheFirstRecord() {
        ManifestRecord m = manifest("one");
        index.putManifest(REPO, m, "a");
        ManifestRecord again = new ManifestRecord(m.digest(), m.mediaType(), m.size(), null, null, null, T0.plusSeconds(60));
        index.putManifest(REPO, again, "b");
        assertThat(index.manifest(REPO, m.digest()).orElseThrow().created()).isEqualTo(T0);
        assertThat(index.tags(REPO, null, 10)).containsExactly("a", "b");
    }

    @Test
    void tagMovesToTheNewManifest() {
        ManifestRecord first = manifest("first");
        ManifestRecord second = manifest("second");
        index.putManifest(REPO, first, "latest");
        index.putManifest(REPO, second, "latest");
        assertThat(index.resolveTag(REPO, "latest")).contains(second.digest());
        assertThat(index.manifest(REPO, first.digest())).as("the old manifest stays, untagged").isPresent();
        assertThat(index.tags(REPO, null, 10)).containsExactly("latest");
    }

    @Test
    void tagsAreIndependentPerRepository() {
        index.putManifest("1/a", manifest("a"), "latest");
        index.putManifest("1/b", manifest("b"), "latest");
        assertThat(index.resolveTag("1/a", "latest")).contains(digest("a"));
        assertThat(index.resolveTag("1/b", "latest")).contains(digest("b"));
    }

    @Test
    void deleteTag() {
        ManifestRecord m = manifest("one");
        index.putManifest(REPO, m, "v1");
        assertThat(index.deleteTag(REPO, "v1")).isTrue();
        assertThat(index.deleteTag(REPO, "v1")).isFalse();
        assertThat(index.resolveTag(REPO, "v1")).isEmpty();
        assertThat(index.manifest(REPO, m.digest())).as("deleting a tag keeps the manifest").isPresent();
    }

    @Test
    void deleteManifestRemovesItsTagsAndLink() {
        ManifestRecord m = manifest("one");
        ManifestRecord other = manifest("two");
        index.putManifest(REPO, m, "v1");
        index.putManifest(REPO, m, "latest");
        index.putManifest(REPO, other, "v2");

        assertThat(index.deleteManifest(REPO, m.digest())).isTrue();

        assertThat(index.manifest(REPO, m.digest())).isEmpty();
        assertThat(index.resolveTag(REPO, "v1")).isEmpty();
        assertThat(index.resolveTag(REPO, "latest")).isEmpty();
        assertThat(index.linkedBlob(REPO, m.digest())).isEmpty();
        assertThat(index.tags(REPO, null, 10)).containsExactly("v2");
        assertThat(index.resolveTag(REPO, "v2")).contains(other.digest());
        assertThat(index.deleteManifest(REPO, m.digest())).isFalse();
    }

    @Test
    void deleteManifestInOneRepositoryLeavesOthers() {
        ManifestRecord m = manifest("shared");
        index.putManifest("1/a", m, "latest");
        index.putManifest("1/b", m, "latest");
        index.deleteManifest("1/a", m.digest());
        assertThat(index.manifest("1/b", m.digest())).isPresent();
        assertThat(index.resolveTag("1/b", "latest")).contains(m.digest());
        assertThat(index.linkedDigests()).containsExactly(m.digest());
        assertThat(index.repositoryExists("1/a")).isFalse();
    }

    @Test
    void tagsPaginateInLexicalOrder() {
        ManifestRecord m = manifest("one");
        List<String> tags = List.of("v10", "v2", "latest", "V1", "1.0", "_x", "v1.1", "v1", "a-b", "A");
        for (String t : tags) index.putManifest(REPO, m, t);
        List<String> sorted = tags.stream().sorted().toList(); // code-point order
        assertThat(index.tags(REPO, null, 100)).isEqualTo(sorted);

        List<String> paged = new ArrayList<>();
        String last = null;
        while (true) {
            List<String> page = index.tags(REPO, last, 3);
            assertThat(page).hasSizeLessThanOrEqualTo(3);
            if (page.isEmpty()) break;
            paged.addAll(page);
            last = page.getLast();
        }
        assertThat(paged).isEqualTo(sorted);
        assertThat(index.tags(REPO, "v1.1", 100)).isEqualTo(sorted.subList(sorted.indexOf("v1.1") + 1, sorted.size()));
        assertThat(index.tags(REPO, "zzz", 100)).isEmpty();
        assertThat(index.tags(REPO, "b", 2)).isEqualTo(sorted.subList(sorted.indexOf("latest"), sorted.indexOf("latest") + 2));
        assertThat(index.tags(REPO, null, 0)).isEmpty();
    }

    // ---------------------------------------------------------------- referrers

    @Test
    void referrersWithAndWithoutArtifactTypeFilter() {
        ManifestRecord subject = manifest("image");
        index.putManifest(REPO, subject, "latest");
        ManifestRecord sig = referrer("sig", subject.digest(), "application/vnd.example.sig");
        ManifestRecord sbom = referrer("sbom", subject.digest(), "application/spdx+json");
        ManifestRecord sig2 = referrer("sig2", subject.digest(), "application/vnd.example.sig");
        ManifestRecord unrelated = referrer("other", digest("another image"), "application/vnd.example.sig");
        for (ManifestRecord r : List.of(sig, sbom, sig2, unrelated)) index.putManifest(REPO, r, null);
        index.putManifest("17532/elsewhere", referrer("far", subject.digest(), "application/vnd.example.sig"), null);

        assertThat(index.referrers(REPO, subject.digest(), null))
                .containsExactlyInAnyOrder(sig, sbom, sig2);
        assertThat(index.referrers(REPO, subject.digest(), "application/vnd.example.sig"))
                .containsExactlyInAnyOrder(sig, sig2);
        assertThat(index.referrers(REPO, subject.digest(), "application/spdx+json")).containsExactly(sbom);
        assertThat(index.referrers(REPO, subject.digest(), "application/none")).isEmpty();
        assertThat(index.referrers(REPO, digest("nothing refers to this"), null)).isEmpty();

        index.deleteManifest(REPO, sig.digest());
        assertThat(index.referrers(REPO, subject.digest(), null)).containsExactlyInAnyOrder(sbom, sig2);
    }

    @Test
    void referrersMayPrecedeTheirSubject() {
        Digest missing = digest("not pushed yet");
        ManifestRecord sig = referrer("sig", missing, "application/vnd.example.sig");
        index.putManifest(REPO, sig, null);
        assertThat(index.referrers(REPO, missing, null)).containsExactly(sig);
    }

    // ---------------------------------------------------------------- catalog

    @Test
    void repositoriesFilteredByOrganization() {
        for (String repo : List.of("1/a", "1/b/c", "2/a", "12/a", "21/x", "100/z")) {
            index.putManifest(repo, manifest(repo), null);
        }
        index.linkBlob("3/blobs-only", digest("b"), 1);

        assertThat(index.repositories(null, null, 100))
                .containsExactly("1/a", "1/b/c", "100/z", "12/a", "2/a", "21/x");
        assertThat(index.repositories(Set.of(1L), null, 100)).containsExactly("1/a", "1/b/c");
        assertThat(index.repositories(Set.of(2L), null, 100)).containsExactly("2/a");
        assertThat(index.repositories(Set.of(1L, 21L), null, 100)).containsExactly("1/a", "1/b/c", "21/x");
        assertThat(index.repositories(Set.of(3L), null, 100)).as("blob links alone are no repository").isEmpty();
        assertThat(index.repositories(Set.of(), null, 100)).isEmpty();
        assertThat(index.repositories(Set.of(999L), null, 100)).isEmpty();
    }

    @Test
    void repositoriesPaginate() {
        for (String repo : List.of("1/a", "1/b", "1/c", "1/d", "2/a")) index.putManifest(repo, manifest(repo), "t");
        index.putManifest("1/a", manifest("second"), "u"); // a repository with two manifests is listed once
        assertThat(index.repositories(Set.of(1L), null, 2)).containsExactly("1/a", "1/b");
        assertThat(index.repositories(Set.of(1L), "1/b", 2)).containsExactly("1/c", "1/d");
        assertThat(index.repositories(Set.of(1L), "1/d", 2)).isEmpty();
        assertThat(index.repositories(null, "1/d", 10)).containsExactly("2/a");
    }

    // ---------------------------------------------------------------- uploads

    @Test
    void uploadSessions() {
        UploadSession old = new UploadSession("11111111-1111-1111-1111-111111111111", REPO, "dev@acme.test", T0, T0);
        UploadSession fresh = new UploadSession("22222222-2222-2222-2222-222222222222", "17532/other", "17532+ci",
                T0.plusSeconds(3600), T0.plusSeconds(3600));
        index.createUpload(old);
        index.createUpload(fresh);

        assertThat(index.upload(old.id())).contains(old);
        assertThat(index.upload(fresh.id())).contains(fresh);
        assertThat(index.upload("33333333-3333-3333-3333-333333333333")).isEmpty();
        assertThat(index.uploadCountOfPrincipal("dev@acme.test")).isEqualTo(1);
        assertThat(index.uploadCountOfPrincipal("someone@else.test")).isZero();
        assertThat(index.uploadCountOfRepository(REPO)).isEqualTo(1);

        assertThat(index.uploadsIdleSince(T0)).isEmpty();
        assertThat(index.uploadsIdleSince(T0.plusSeconds(1))).containsExactly(old);
        assertThat(index.uploadsIdleSince(T0.plusSeconds(7200))).containsExactlyInAnyOrder(old, fresh);

        index.deleteUpload(old.id());
        assertThat(index.upload(old.id())).isEmpty();
        index.deleteUpload(old.id()); // idempotent
        assertThat(index.uploadsIdleSince(T0.plusSeconds(7200))).containsExactly(fresh);
        assertThat(index.uploadCountOfPrincipal("dev@acme.test")).isZero();
    }

    @Test
    void uploadCountsOfPrincipalAndRepositoryInOneCall() {
        index.createUpload(new UploadSession("11111111-1111-1111-1111-111111111111", REPO, "dev@acme.test", T0, T0));
        index.createUpload(new UploadSession("22222222-2222-2222-2222-222222222222", REPO, "17532+ci", T0, T0));
        index.createUpload(new UploadSession("33333333-3333-3333-3333-333333333333", "17532/other", "dev@acme.test", T0, T0));
        assertThat(index.uploadCounts("dev@acme.test", REPO)).containsExactly(2, 2);
        assertThat(index.uploadCounts("17532+ci", "17532/other")).containsExactly(1, 1);
        assertThat(index.uploadCounts("nobody@acme.test", "17532/none")).containsExactly(0, 0);
        assertThat(index.uploadCounts(null, REPO)).as("a session without owner counts against no principal").containsExactly(0, 2);
    }

    @Test
    void completeUploadLinksTheBlobAndEndsTheSession() {
        UploadSession s = new UploadSession("11111111-1111-1111-1111-111111111111", REPO, "dev@acme.test", T0, T0);
        index.createUpload(s);
        index.completeUpload(s.id(), REPO, digest("layer"), 1234);
        assertThat(index.linkedBlob(REPO, digest("layer"))).contains(1234L);
        assertThat(index.upload(s.id())).isEmpty();

        // The same content completed again (another session, already linked): the session still ends.
        UploadSession again = new UploadSession("22222222-2222-2222-2222-222222222222", REPO, "dev@acme.test", T0, T0);
        index.createUpload(again);
        index.completeUpload(again.id(), REPO, digest("layer"), 1234);
        assertThat(index.upload(again.id())).isEmpty();
        assertThat(index.linkedDigests()).containsExactly(digest("layer"));
    }

    @Test
    void concurrentCompletionsOfOneBlobAllEndTheirSessions() throws Exception {
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 10; round++) {
                Digest d = digest("race-" + round);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<?>> results = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String id = java.util.UUID.randomUUID().toString();
                    ids.add(id);
                    index.createUpload(new UploadSession(id, REPO, "dev@acme.test", T0, T0));
                    results.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        index.completeUpload(id, REPO, d, 77);
                        return null;
                    }));
                }
                for (Future<?> f : results) f.get(60, TimeUnit.SECONDS);
                assertThat(index.linkedBlob(REPO, d)).contains(77L);
                for (String id : ids) assertThat(index.upload(id)).as("session " + id).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idlenessCountsFromTheLastActivityNotTheStart() {
        UploadSession s = new UploadSession("11111111-1111-1111-1111-111111111111", REPO, "dev@acme.test", T0, T0);
        index.createUpload(s);
        index.touchUpload(s.id(), T0.plusSeconds(3600));
        assertThat(index.upload(s.id()).orElseThrow().lastActive()).isEqualTo(T0.plusSeconds(3600));
        assertThat(index.upload(s.id()).orElseThrow().started()).isEqualTo(T0);
        assertThat(index.uploadsIdleSince(T0.plusSeconds(1800))).as("used half an hour ago: not idle since then").isEmpty();
        index.touchUpload(s.id(), T0.plusSeconds(60)); // a late, older touch never moves the activity back
        assertThat(index.upload(s.id()).orElseThrow().lastActive()).isEqualTo(T0.plusSeconds(3600));
        assertThat(index.uploadsIdleSince(T0.plusSeconds(3601))).containsExactly(index.upload(s.id()).orElseThrow());
    }

    @Test
    void reclaimSpaceIsANoOpForAnInMemoryDatabase() {
        assertThat(db.reclaimSpace(java.time.Duration.ofSeconds(1))).isEmpty();
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentPutsOfOneTagEndConsistent() throws Exception {
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 10; round++) {
                String repo = "17532/race" + round;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<ManifestRecord> pushed = new ArrayList<>();
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    // Half the threads push the same manifest, the others distinct ones.
                    ManifestRecord m = manifest(t % 2 == 0 ? "same-" + round : "m-" + round + "-" + t);
                    pushed.add(m);
                    results.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        index.putManifest(repo, m, "latest");
                        return null;
                    }));
                }
                for (Future<?> f : results) f.get(60, TimeUnit.SECONDS);

                Set<Digest> pushedDigests = pushed.stream().map(ManifestRecord::digest).collect(java.util.stream.Collectors.toSet());
                assertThat(index.tags(repo, null, 10)).containsExactly("latest");
                assertThat(index.resolveTag(repo, "latest")).hasValueSatisfying(d -> assertThat(pushedDigests).contains(d));
                for (Digest d : pushedDigests) {
                    assertThat(index.manifest(repo, d)).as("every pushed manifest is stored").isPresent();
                    assertThat(index.linkedBlob(repo, d)).isPresent();
                }
                Integer rows = db.jdbi().withHandle(h -> h.createQuery("select count(*) from manifests where repository = ?")
                        .bind(0, repo).mapTo(Integer.class).one());
                assertThat(rows).isEqualTo(pushedDigests.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
