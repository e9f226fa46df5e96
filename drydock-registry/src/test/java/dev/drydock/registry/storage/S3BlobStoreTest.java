package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;
import dev.drydock.testkit.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The {@link BlobStoreContract} and the S3 driver's own cases, against a real S3 server (s3proxy) in this process. */
class S3BlobStoreTest extends BlobStoreContract {
    private static final long PART = S3BlobStore.MIN_PART_SIZE;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    static S3Server server;
    static S3Client raw;

    private final List<S3BlobStore> opened = new ArrayList<>();
    private String bucket;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        raw = S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (raw != null) raw.close();
        if (server != null) server.close();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(S3BlobStore::close);
    }

    private S3BlobStore.Settings settings(String bucket, String prefix, boolean redirect) {
        return new S3BlobStore.Settings(server.endpoint(), bucket, "us-east-1", S3Server.ACCESS_KEY, S3Server.SECRET_KEY,
                true, prefix, redirect, PART, null);
    }

    /** Another store object on the same bucket: what another node sees. */
    private S3BlobStore node(long maxCopyBytes, boolean redirect) throws IOException {
        S3BlobStore s = maxCopyBytes == S3BlobStore.MAX_PART_SIZE && !redirect
                ? S3BlobStore.open(settings(bucket, "drydock/", false))
                : new S3BlobStore(settings(bucket, "drydock/", redirect), maxCopyBytes);
        opened.add(s);
        return s;
    }

    @Override
    protected BlobStore newStore() throws IOException {
        bucket = "contract-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        return node(S3BlobStore.MAX_PART_SIZE, false);
    }

    @Override
    protected int concurrentPublishRounds() {
        return 4; // each round is a dozen requests to the server
    }

    @Override
    protected long largeStreamSize() {
        return 24L << 20; // still five parts, two appends and a range across them
    }

    private List<String> keys(String under) {
        return raw.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(under)).contents().stream().map(S3Object::key).toList();
    }

    // ---------------------------------------------------------------- the server is S3 enough

    /** The reason uploads keep a short last segment for merging: the server refuses parts below 5 MiB, as S3 does. */
    @Test
    void theServerEnforcesTheMinimumPartSize() {
        String key = "probe";
        String mpu = raw.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            int number = n;
            String etag = raw.uploadPart(b -> b.bucket(bucket).key(key).uploadId(mpu).partNumber(number),
                    RequestBody.fromBytes(random(1 << 20, number))).eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        }
        assertThatThrownBy(() -> raw.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(mpu)
                .multipartUpload(m -> m.parts(parts))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("EntityTooSmall"));
    }

    // ---------------------------------------------------------------- uploads

    @Test
    void manySmallAppendsBelowThePartSizeComposeIntoOneBlob() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        Sink sink = new Sink();
        long offset = 0;
        // 9 chunks of 700 KiB (6.2 MiB): merged into a first segment of at least 5 MiB, then a short last one.
        for (int i = 0; i < 9; i++) {
            offset = store.append(id, offset, new ByteArrayInputStream(random(700 << 10, i)), sink);
        }
        assertThat(store.uploadSize(id)).contains(offset);
        List<String> segments = keys("drydock/uploads/" + id + "/data/");
        assertThat(segments).as("merged into two segments").hasSize(2);
        Digest digest = sink.digest();
        store.publish(id, digest);

        assertThat(store.size(digest)).contains(offset);
        byte[] back = readAll(store.open(digest, 0, offset));
        assertThat(Digest.sha256(back)).isEqualTo(digest);
        assertThat(keys("drydock/uploads/")).as("the upload area is gone").isEmpty();
    }

    @Test
    void anUploadContinuesThroughAnotherNode() throws IOException {
        byte[] first = random(3 << 20, 1), second = random(2 << 20, 2), third = random(700_000, 3);
        String id = newUploadId();
        store.createUpload(id);
        assertThat(store.append(id, 0, new ByteArrayInputStream(first), b -> {})).isEqualTo(first.length);

        S3BlobStore other = node(S3BlobStore.MAX_PART_SIZE, false);
        assertThat(other.uploadSize(id)).contains((long) first.length);
        assertThat(readAll(other.openUpload(id))).isEqualTo(first);
        long offset = other.append(id, first.length, new ByteArrayInputStream(second), b -> {});
        assertThatThrownBy(() -> store.append(id, first.length, new ByteArrayInputStream(third), b -> {}))
                .as("the first node sees the second node's bytes").isInstanceOf(IOException.class);
        offset = store.append(id, offset, new ByteArrayInputStream(third), b -> {});

        byte[] all = concat(first, second, third);
        assertThat(offset).isEqualTo(all.length);
        Digest digest = Digest.sha256(all);
        other.publish(id, digest);
        assertThat(readAll(store.open(digest, 0, all.length))).isEqualTo(all);
        assertThat(store.uploadSize(id)).isEmpty();
    }

    /**
     * Two nodes append to one upload at the same offset at the same moment (a client retrying a chunk through another
     * node), many times over, with chunks that rewrite a short last segment and chunks that cross into a new one.
     * Never may both succeed; the upload always holds exactly the appends that succeeded, in order.
     */
    @Test
    void twoNodesAppendingToOneUploadAtOnceNeverInterleave() throws Exception {
        S3BlobStore a = (S3BlobStore) store, b = node(S3BlobStore.MAX_PART_SIZE, false);
        b.wholeListing = 0; // b checks its segments as in an upload of thousands: only their offset, then the marker
        String id = newUploadId();
        a.createUpload(id);
        java.io.ByteArrayOutputStream accepted = new java.io.ByteArrayOutputStream();
        long offset = 0;
        int won = 0, bothRefused = 0;
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < 12; round++) {
                // short chunks (the last segment is read back and rewritten), and one crossing into a second segment
                int size = round == 9 ? (int) PART : 20_000 + 7_919 * round;
                byte[] fromA = random(size, 2L * round), fromB = random(size, 2L * round + 1);
                long at = offset;
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                var ra = pool.submit(() -> appendOrRefused(a, id, at, fromA, start));
                var rb = pool.submit(() -> appendOrRefused(b, id, at, fromB, start));
                Long endA = ra.get(), endB = rb.get();
                assertThat(endA != null && endB != null).as("both appends at offset %d succeeded", at).isFalse();
                if (endA == null && endB == null) { // both gave way: the client's next try goes through alone
                    bothRefused++;
                    endA = a.append(id, at, new ByteArrayInputStream(fromA), x -> {});
                } else {
                    won++;
                }
                accepted.write(endA != null ? fromA : fromB);
                offset = accepted.size();
                assertThat(endA != null ? endA : endB).isEqualTo(offset);
                assertThat(b.uploadSize(id)).as("round %d", round).contains(offset);
            }
        }
        assertThat(won).as("rounds one node won (%d: both refused)", bothRefused).isPositive();
        byte[] all = accepted.toByteArray();
        Digest digest = Digest.sha256(all);
        b.publish(id, digest);
        assertThat(Digest.sha256(readAll(a.open(digest, 0, all.length)))).isEqualTo(digest);
        assertThat(keys("drydock/uploads/")).as("refused appends left nothing behind").isEmpty();
    }

    /** The new size, or null when the store refused the append as a conflict (any other failure fails the test). */
    private static Long appendOrRefused(S3BlobStore node, String id, long at, byte[] chunk,
                                        java.util.concurrent.CyclicBarrier start) throws Exception {
        start.await();
        try {
            return node.append(id, at, new ByteArrayInputStream(chunk), x -> {});
        } catch (BlobStore.UploadConflict e) {
            return null;
        }
    }

    /** Segments written before they carried their claim ({@code data/<offset>}) still count and are merged on. */
    @Test
    void anUploadWrittenBeforeSegmentsCarriedTheirClaimContinues() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        byte[] old = random(300_000, 21), more = random(200_000, 22);
        raw.putObject(r -> r.bucket(bucket).key("drydock/uploads/" + id + "/data/" + String.format("%020d", 0)),
                RequestBody.fromBytes(old));
        assertThat(store.uploadSize(id)).contains((long) old.length);
        assertThat(store.append(id, old.length, new ByteArrayInputStream(more), x -> {})).isEqualTo(old.length + more.length);
        assertThat(keys("drydock/uploads/" + id + "/data/")).as("the old segment was replaced").hasSize(1);
        assertThat(readAll(store.openUpload(id))).isEqualTo(concat(old, more));
    }

    /** A segment of an append that lost and died before deleting it is off the upload's chain: ignored, then deleted. */
    @Test
    void aSegmentLeftByARefusedAppendIsIgnoredAndDeletedWithTheUpload() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        byte[] content = random(100_000, 23);
        store.append(id, 0, new ByteArrayInputStream(content, 0, 60_000), x -> {});
        store.append(id, 60_000, new ByteArrayInputStream(content, 60_000, 40_000), x -> {}); // the segment's 2nd version
        // a stale append's segment at an offset the upload never reached, and a version older than the current one
        raw.putObject(r -> r.bucket(bucket).key("drydock/uploads/" + id + "/data/" + String.format("%020d/%020d.x", 5000, 5000)),
                RequestBody.fromBytes(random(10, 24)));
        raw.putObject(r -> r.bucket(bucket).key("drydock/uploads/" + id + "/data/" + String.format("%020d/%020d.y", 0, 0)),
                RequestBody.fromBytes(random(10, 25)));
        assertThat(store.uploadSize(id)).contains((long) content.length);
        assertThat(readAll(store.openUpload(id))).isEqualTo(content);
        Digest digest = Digest.sha256(content);
        store.publish(id, digest);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(keys("drydock/uploads/")).isEmpty();
    }

    // ---------------------------------------------------------------- deletes in batches

    @Test
    void manyKeysAreDeletedInBatches() throws Exception {
        List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
        S3BlobStore counted = new S3BlobStore(settings(bucket, "drydock/", false), S3BlobStore.MAX_PART_SIZE,
                List.of(new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
                                                software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                        requests.add(context.request().getClass().getSimpleName());
                    }
                }));
        opened.add(counted);
        counted.deleteBatch = 10; // S3's 1,000, lowered to keep the test short
        String id = newUploadId();
        counted.createUpload(id);
        // 25 leftover segments (what refused appends of a crashed node could leave)
        for (int i = 0; i < 25; i++) {
            String key = "drydock/uploads/" + id + "/data/" + String.format("%020d/%020d.%d", 1_000_000 + i, 0, i);
            raw.putObject(r -> r.bucket(bucket).key(key), RequestBody.empty());
        }
        requests.clear();
        counted.deleteUpload(id);
        assertThat(keys("drydock/uploads/")).isEmpty();
        assertThat(requests).as("three batches, then the marker on its own")
                .filteredOn(r -> r.startsWith("Delete")).containsExactly("DeleteObjectsRequest", "DeleteObjectsRequest",
                        "DeleteObjectsRequest", "DeleteObjectRequest");

        // garbage collection's commit deletes the parked copy and the published marker in one request
        byte[] content = bytes("collected");
        store = counted;
        Digest digest = put(content);
        BlobStore.Removal removal = counted.beginRemoval(digest, counted.publishedAt(digest).orElseThrow().plusSeconds(2))
                .orElseThrow();
        requests.clear();
        removal.commit();
        assertThat(requests).filteredOn(r -> r.startsWith("Delete")).containsExactly("DeleteObjectsRequest");
        assertThat(keys("drydock/gc/")).isEmpty();
        assertThat(keys("drydock/published/")).as("the marker went with the blob").isEmpty();
    }

    @Test
    void aBlobAboveThePartSizeIsReadBackInRangesAcrossItsParts() throws IOException {
        byte[] content = random((int) (PART + PART / 2), 11);
        Digest digest = put(content);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        int from = (int) PART - 10;
        assertThat(readAll(store.open(digest, from, 20))).as("across the two parts")
                .isEqualTo(Arrays.copyOfRange(content, from, from + 20));
        assertThat(readAll(store.open(digest, content.length - 5, 100)))
                .isEqualTo(Arrays.copyOfRange(content, content.length - 5, content.length));
        assertThat(readAll(store.open(digest, content.length, 10))).as("a range at the end is empty").isEmpty();
    }

    @Test
    void blobsLargerThanOneCopyAreMovedWithMultipartCopies() throws IOException {
        // S3 copies at most 5 GiB in one CopyObject; this node's limit is lowered to the part size to exercise the other path.
        S3BlobStore small = node(PART, false);
        store = small;
        byte[] content = random((int) (PART + 77), 12);
        Digest digest = put(content);
        BlobStore.Removal removal = small.beginRemoval(digest, small.publishedAt(digest).orElseThrow().plusSeconds(2))
                .orElseThrow();
        assertThat(keys("drydock/gc/")).hasSize(1);
        removal.restore();
        assertThat(readAll(small.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(keys("drydock/gc/")).isEmpty();
    }

    @Test
    void aPublishBetweenTheCopyAsideAndTheDeleteIsNotLost() throws IOException {
        byte[] content = bytes("pushed again while garbage collection takes it out");
        Digest digest = put(content);
        Instant published = store.publishedAt(digest).orElseThrow();
        // S3 keeps times in whole seconds: let the clock reach the next one, so the second publish is after the cutoff.
        Instant cutoff = published.plusSeconds(1);
        await().atMost(Duration.ofSeconds(3)).until(() -> !Instant.now().isBefore(cutoff));
        S3BlobStore s3 = (S3BlobStore) store;
        s3.whileTakingOut = () -> {
            try {
                put(content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        assertThat(s3.beginRemoval(digest, cutoff)).as("published again: nothing taken").isEmpty();
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(keys("drydock/gc/")).isEmpty();
    }

    /** A collection puts back only blobs parked before its cutoff: younger ones are another node's, being decided. */
    @Test
    void aCollectionLeavesAloneRemovalsAnotherNodeIsDeciding() throws IOException {
        byte[] content = bytes("parked by a collection on another node");
        Digest digest = put(content);
        S3BlobStore other = node(S3BlobStore.MAX_PART_SIZE, false);
        BlobStore.Removal deciding = other.beginRemoval(digest, other.publishedAt(digest).orElseThrow().plusSeconds(2))
                .orElseThrow();
        assertThat(store.recoverRemovals(Instant.now().minusSeconds(3600))).isZero();
        assertThat(keys("drydock/gc/")).hasSize(1);
        assertThat(store.size(digest)).isEmpty();
        // its collector dies before deciding: once the parked copy is older than the cutoff, it goes back
        assertThat(store.recoverRemovals(Instant.now().plusSeconds(5))).isEqualTo(1);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(keys("drydock/gc/")).isEmpty();
        deciding.restore(); // the late collector's restore finds the blob back: nothing to do
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
    }

    @Test
    void everythingLivesUnderThePrefix() throws IOException {
        Digest digest = put(bytes("prefixed"));
        store.createUpload(newUploadId());
        assertThat(raw.listObjectsV2(b -> b.bucket(bucket)).contents())
                .extracting(S3Object::key)
                .allMatch(k -> k.startsWith("drydock/"))
                .contains("drydock/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
    }

    // ---------------------------------------------------------------- downloads

    @Test
    void redirectIsAShortLivedPresignedUrlServingTheBlob() throws Exception {
        assertThat(store.redirect(put(bytes("x")))).as("off unless configured").isEmpty();
        byte[] content = random(100_000, 13);
        Digest digest = put(content);
        URI url = node(S3BlobStore.MAX_PART_SIZE, true).redirect(digest).orElseThrow();
        assertThat(url.toString()).startsWith(server.endpoint().toString()).contains("X-Amz-Expires=300")
                .doesNotContain(S3Server.SECRET_KEY);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(content);
        }
    }

    /** A server that refuses DeleteObjects (its checksum header) gets one DeleteObject per key instead. */
    @Test
    void aServerRefusingDeleteObjectsGetsSingleDeletes() throws Exception {
        try (S3Server strict = S3Server.startRefusingUnknownHeaders()) {
            strict.createBucket("strict");
            S3BlobStore s = S3BlobStore.open(new S3BlobStore.Settings(strict.endpoint(), "strict", "us-east-1",
                    S3Server.ACCESS_KEY, S3Server.SECRET_KEY, true, "", false, PART, null));
            opened.add(s);
            String id = newUploadId();
            s.createUpload(id);
            long offset = s.append(id, 0, new ByteArrayInputStream(random(1000, 31)), x -> {});
            s.append(id, offset, new ByteArrayInputStream(random(1000, 32)), x -> {}); // replaces the first segment
            byte[] content = bytes("deleted one by one");
            store = s;
            Digest digest = put(content);
            assertThat(s.delete(digest)).isTrue();
            assertThat(s.size(digest)).isEmpty();
            s.deleteUpload(id);
            assertThat(s.uploadSize(id)).isEmpty();
        }
    }

    /** storage.s3.public-endpoint: the URL is signed for the address clients use, and a client there can fetch it. */
    @Test
    void redirectUrlsAreSignedForThePublicEndpoint() throws Exception {
        byte[] content = random(50_000, 14);
        Digest digest = put(content);
        URI outside = URI.create("http://localhost:" + server.endpoint().getPort()); // another name of the same server
        S3BlobStore.Settings s = new S3BlobStore.Settings(server.endpoint(), bucket, "us-east-1", S3Server.ACCESS_KEY,
                S3Server.SECRET_KEY, true, "drydock/", true, PART, outside);
        S3BlobStore n = new S3BlobStore(s, S3BlobStore.MAX_PART_SIZE);
        opened.add(n);
        URI url = n.redirect(digest).orElseThrow();
        assertThat(url.getScheme() + "://" + url.getAuthority()).isEqualTo(outside.toString());
        assertThat(s.toString()).contains("publicEndpoint=" + outside).doesNotContain(S3Server.SECRET_KEY);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(content);
        }
        assertThat(n.size(digest)).as("the store itself still talks to storage.s3.endpoint").contains((long) content.length);
    }

    // ---------------------------------------------------------------- start-up errors

    @Test
    void aMissingBucketFailsAtStartWithAClearMessage() {
        assertThatThrownBy(() -> S3BlobStore.open(settings("no-such-bucket", "", false)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bucket 'no-such-bucket'").hasMessageContaining("does not exist");
    }

    @Test
    void wrongCredentialsFailAtStartWithoutShowingTheSecret() {
        S3BlobStore.Settings wrong = new S3BlobStore.Settings(server.endpoint(), bucket, "us-east-1", S3Server.ACCESS_KEY,
                "wrong-secret-value", true, "", false, PART, null);
        assertThat(wrong.toString()).doesNotContain("wrong-secret-value");
        assertThatThrownBy(() -> S3BlobStore.open(wrong))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refused access")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-secret-value"));
    }

    @Test
    void anUnreachableEndpointFailsAtStartWithAClearMessage() throws IOException {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        S3BlobStore.Settings unreachable = new S3BlobStore.Settings(URI.create("http://127.0.0.1:" + closedPort), bucket,
                "us-east-1", S3Server.ACCESS_KEY, S3Server.SECRET_KEY, true, "", false, PART, null);
        assertThatThrownBy(() -> S3BlobStore.open(unreachable))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach bucket '" + bucket + "' at http://127.0.0.1:" + closedPort);
    }

    @Test
    void settingsRefuseAPartSizeS3CannotUse() {
        assertThatThrownBy(() -> new S3BlobStore.Settings(null, "b", null, null, null, false, null, false, PART - 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 MiB");
        assertThat(new S3BlobStore.Settings(null, "b", null, null, null, false, "/a/b/", false, PART, null).prefix()).isEqualTo("a/b/");
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
