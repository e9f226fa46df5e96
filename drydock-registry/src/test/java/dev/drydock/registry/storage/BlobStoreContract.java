package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The {@link BlobStore} contract. Every driver's test extends this class and supplies a fresh, empty store;
 * a driver that passes it may be used by {@link dev.drydock.registry.Registry}.
 */
public abstract class BlobStoreContract {

    /** A new, empty store, private to the calling test. */
    protected abstract BlobStore newStore() throws Exception;

    protected BlobStore store;

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    // ---------------------------------------------------------------- helpers

    protected static String newUploadId() {
        return UUID.randomUUID().toString();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Uploads and publishes {@code content} under its sha256 digest. */
    protected Digest put(byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(content), b -> {});
        store.publish(id, digest);
        return digest;
    }

    protected static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    protected List<Digest> listed() throws IOException {
        List<Digest> all = new ArrayList<>();
        store.forEach(all::add);
        return all;
    }

    /** A hashing sink for the {@code written} callback that also consumes the buffer it is handed. */
    protected static final class Sink implements java.util.function.Consumer<ByteBuffer> {
        final MessageDigest sha = Digest.newMessageDigest("sha256");
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void accept(ByteBuffer buffer) {
            bytes.addAndGet(buffer.remaining());
            sha.update(buffer); // advances the buffer's position: the store must not depend on it
        }

        Digest digest() {
            return Digest.of("sha256", sha);
        }
    }

    /** Deterministic pseudo-random bytes of a given length, generated on the fly (never held in memory). */
    protected static final class GeneratedStream extends InputStream {
        private final long length;
        private final MessageDigest sha = Digest.newMessageDigest("sha256");
        private long position;
        private long state;

        GeneratedStream(long length, long seed) {
            this.length = length;
            this.state = seed;
        }

        private byte next() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return (byte) state;
        }

        @Override
        public int read() {
            if (position >= length) return -1;
            byte b = next();
            sha.update(b);
            position++;
            return b & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (position >= length) return -1;
            // Uneven read sizes, as from a network socket.
            int n = (int) Math.min(Math.min(len, 1 + (position % 100_003)), length - position);
            for (int i = 0; i < n; i++) b[off + i] = next();
            sha.update(b, off, n);
            position += n;
            return n;
        }

        /** Digest of everything read so far. */
        Digest digest() {
            return Digest.of("sha256", sha);
        }
    }

    private static Digest sha256Of(InputStream in) throws IOException {
        MessageDigest sha = Digest.newMessageDigest("sha256");
        try (in) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) sha.update(buffer, 0, n);
        }
        return Digest.of("sha256", sha);
    }

    // ---------------------------------------------------------------- visibility

    @Test
    void contentBecomesVisibleOnlyWhenPublished() throws IOException {
        byte[] content = bytes("hello, blob");
        Digest digest = Digest.sha256(content);
        String id = newUploadId();

        store.createUpload(id);
        assertThat(store.uploadSize(id)).contains(0L);
        assertThat(store.append(id, 0, new ByteArrayInputStream(content), b -> {})).isEqualTo(content.length);

        assertThat(store.size(digest)).isEmpty();
        assertThatThrownBy(() -> store.open(digest, 0, content.length)).isInstanceOf(NoSuchFileException.class);
        assertThat(listed()).isEmpty();
        assertThat(store.uploadSize(id)).contains((long) content.length);
        assertThat(readAll(store.openUpload(id))).isEqualTo(content);

        store.publish(id, digest);

        assertThat(store.size(digest)).contains((long) content.length);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(listed()).containsExactly(digest);
        assertThat(store.uploadSize(id)).as("upload area is gone after publish").isEmpty();
    }

    @Test
    void unknownBlobAndUploadAreAbsent() throws IOException {
        Digest digest = Digest.sha256(bytes("never stored"));
        assertThat(store.size(digest)).isEmpty();
        // Registry maps NoSuchFileException from open to BLOB_UNKNOWN.
        assertThatThrownBy(() -> store.open(digest, 0, 1)).isInstanceOf(NoSuchFileException.class);
        String id = newUploadId();
        assertThat(store.uploadSize(id)).isEmpty();
        assertThatThrownBy(() -> store.append(id, 0, new ByteArrayInputStream(bytes("x")), b -> {}))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store.openUpload(id)).isInstanceOf(IOException.class);
    }

    @Test
    void publishingAnUnknownUploadFailsAndStoresNothing() throws IOException {
        Digest digest = Digest.sha256(bytes("nothing"));
        assertThatThrownBy(() -> store.publish(newUploadId(), digest)).isInstanceOf(IOException.class);
        assertThat(store.size(digest)).isEmpty();
        assertThat(listed()).isEmpty();
    }

    @Test
    void emptyBlobRoundTrips() throws IOException {
        Digest digest = put(new byte[0]);
        assertThat(digest.hex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(store.size(digest)).contains(0L);
        assertThat(readAll(store.open(digest, 0, 0))).isEmpty();
    }

    // ---------------------------------------------------------------- reads

    @Test
    void openReadsTheRequestedRange() throws IOException {
        byte[] content = random(3 * (1 << 20) + 17, 1); // spans several of a driver's internal chunks
        Digest digest = put(content);

        assertThat(store.size(digest)).contains((long) content.length);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(readAll(store.open(digest, 0, 1))).containsExactly(content[0]);
        assertThat(readAll(store.open(digest, content.length - 1, 1))).containsExactly(content[content.length - 1]);
        int offset = (1 << 20) - 5, length = (1 << 20) + 10;
        assertThat(readAll(store.open(digest, offset, length)))
                .isEqualTo(java.util.Arrays.copyOfRange(content, offset, offset + length));
        assertThat(readAll(store.open(digest, 100, 0))).isEmpty();
        assertThat(readAll(store.open(digest, 10, content.length)))
                .as("a range past the end stops at the end")
                .isEqualTo(java.util.Arrays.copyOfRange(content, 10, content.length));
    }

    @Test
    void sha512DigestsAreStoredToo() throws IOException {
        byte[] content = bytes("sha512 content");
        MessageDigest md = Digest.newMessageDigest("sha512");
        md.update(content);
        Digest digest = Digest.of("sha512", md);
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(content), b -> {});
        store.publish(id, digest);
        assertThat(store.size(digest)).contains((long) content.length);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(listed()).containsExactly(digest);
    }

    // ---------------------------------------------------------------- appends

    @Test
    void appendsAccumulateAndReturnTheNewSize() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        assertThat(store.append(id, 0, new ByteArrayInputStream(bytes("abc")), b -> {})).isEqualTo(3);
        assertThat(store.append(id, 3, new ByteArrayInputStream(new byte[0]), b -> {})).isEqualTo(3);
        assertThat(store.append(id, 3, new ByteArrayInputStream(bytes("defg")), b -> {})).isEqualTo(7);
        assertThat(store.uploadSize(id)).contains(7L);
        assertThat(readAll(store.openUpload(id))).isEqualTo(bytes("abcdefg"));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 4, 6, 1000})
    void appendAtTheWrongOffsetFailsAndLeavesContentIntact(long wrongOffset) throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(bytes("hello")), b -> {});

        Sink sink = new Sink();
        assertThatThrownBy(() -> store.append(id, wrongOffset, new ByteArrayInputStream(bytes("XXXXXXXX")), sink))
                .as("a conflict the registry answers with 416").isInstanceOf(BlobStore.UploadConflict.class);

        assertThat(sink.bytes).as("nothing handed to the written callback").hasValue(0);
        assertThat(store.uploadSize(id)).contains(5L);
        assertThat(readAll(store.openUpload(id))).isEqualTo(bytes("hello"));
        // The upload is still usable from the right offset.
        assertThat(store.append(id, 5, new ByteArrayInputStream(bytes("!")), b -> {})).isEqualTo(6);
        assertThat(readAll(store.openUpload(id))).isEqualTo(bytes("hello!"));
    }

    @Test
    void writtenCallbackSeesExactlyTheBytesWritten() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        Sink sink = new Sink();
        long offset = 0;
        // Sizes below, at and above typical internal buffer sizes, an empty append and a trickling stream.
        int[] sizes = {1, 0, 4096, (1 << 20) - 1, 1 << 20, (1 << 19) + 3, 3 * (1 << 20) + 11};
        for (int i = 0; i < sizes.length; i++) {
            byte[] chunk = random(sizes[i], 100 + i);
            offset = store.append(id, offset, new ByteArrayInputStream(chunk), sink);
        }
        GeneratedStream trickle = new GeneratedStream(250_000, 7);
        offset = store.append(id, offset, trickle, sink);

        assertThat(store.uploadSize(id)).contains(offset);
        assertThat(sink.bytes).hasValue(offset);
        Digest onDisk = sha256Of(store.openUpload(id));
        assertThat(sink.digest()).isEqualTo(onDisk);

        store.publish(id, onDisk);
        assertThat(sha256Of(store.open(onDisk, 0, offset))).isEqualTo(onDisk);
    }

    /** Bytes of {@link #largeStreamRoundTripsWithoutBeingHeldInMemory} (a remote store may stream fewer). */
    protected long largeStreamSize() {
        return 64L << 20;
    }

    @Test
    void largeStreamRoundTripsWithoutBeingHeldInMemory() throws IOException {
        long size = largeStreamSize();
        String id = newUploadId();
        store.createUpload(id);
        Sink sink = new Sink();
        GeneratedStream first = new GeneratedStream(size / 2 + 12_345, 42);
        long offset = store.append(id, 0, first, sink);
        GeneratedStream second = new GeneratedStream(size - offset, 43);
        offset = store.append(id, offset, second, sink);
        assertThat(offset).isEqualTo(size);

        Digest digest = sink.digest();
        store.publish(id, digest);

        assertThat(store.size(digest)).contains(size);
        assertThat(sha256Of(store.open(digest, 0, size))).isEqualTo(digest);
        // The second append's bytes, read back as a range.
        assertThat(sha256Of(store.open(digest, size / 2 + 12_345, size))).isEqualTo(second.digest());
    }

    // ---------------------------------------------------------------- deletes

    @Test
    void deleteUploadIsIdempotent() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(bytes("partial")), b -> {});
        store.deleteUpload(id);
        assertThat(store.uploadSize(id)).isEmpty();
        store.deleteUpload(id);
        store.deleteUpload(newUploadId());
        assertThat(listed()).isEmpty();
    }

    @Test
    void idleUploadsAreListedForGarbageCollection() throws IOException {
        String empty = newUploadId(), written = newUploadId();
        store.createUpload(empty);
        store.createUpload(written);
        store.append(written, 0, new ByteArrayInputStream(bytes("partial")), b -> {});
        put(bytes("a published blob is no upload"));
        Set<String> idle = new HashSet<>();
        store.forEachIdleUpload(Instant.now().plusSeconds(3600), idle::add);
        assertThat(idle).containsExactlyInAnyOrder(empty, written);
        idle.clear();
        store.forEachIdleUpload(Instant.now().minusSeconds(3600), idle::add);
        assertThat(idle).as("written within the hour").isEmpty();
    }

    @Test
    void deleteIsIdempotentAndReportsWhetherTheBlobWasStored() throws IOException {
        Digest kept = put(bytes("kept"));
        Digest digest = put(bytes("deleted"));
        assertThat(store.delete(digest)).isTrue();
        assertThat(store.size(digest)).isEmpty();
        assertThatThrownBy(() -> store.open(digest, 0, 1)).isInstanceOf(NoSuchFileException.class);
        assertThat(store.delete(digest)).isFalse();
        assertThat(store.delete(Digest.sha256(bytes("never stored")))).isFalse();
        assertThat(listed()).containsExactly(kept);
        assertThat(readAll(store.open(kept, 0, 4))).isEqualTo(bytes("kept"));
    }

    @Test
    void aDeletedBlobCanBePublishedAgain() throws IOException {
        byte[] content = bytes("again");
        Digest digest = put(content);
        store.delete(digest);
        assertThat(put(content)).isEqualTo(digest);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
    }

    // ---------------------------------------------------------------- listing

    @Test
    void forEachListsEveryPublishedBlobOnce() throws IOException {
        assertThat(listed()).isEmpty();
        Set<Digest> expected = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            expected.add(put(bytes("blob " + i)));
        }
        // Unpublished and discarded uploads are not blobs.
        String pending = newUploadId();
        store.createUpload(pending);
        store.append(pending, 0, new ByteArrayInputStream(bytes("pending")), b -> {});
        String discarded = newUploadId();
        store.createUpload(discarded);
        store.deleteUpload(discarded);

        List<Digest> all = listed();
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    // ---------------------------------------------------------------- concurrency

    /** Rounds of {@link #publishingTheSameDigestConcurrentlyLeavesOneIntactBlob} (a remote store may do fewer). */
    protected int concurrentPublishRounds() {
        return 25;
    }

    @Test
    void publishingTheSameDigestConcurrentlyLeavesOneIntactBlob() throws Exception {
        byte[] content = random(2 * (1 << 20) + 5, 9);
        Digest digest = Digest.sha256(content);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < concurrentPublishRounds(); round++) {
                String a = newUploadId(), b = newUploadId();
                for (String id : List.of(a, b)) {
                    store.createUpload(id);
                    store.append(id, 0, new ByteArrayInputStream(content), x -> {});
                }
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Object>> results = new ArrayList<>();
                for (String id : List.of(a, b)) {
                    Callable<Object> publish = () -> {
                        start.await(30, TimeUnit.SECONDS);
                        store.publish(id, digest);
                        return null;
                    };
                    results.add(pool.submit(publish));
                }
                for (Future<Object> f : results) f.get(60, TimeUnit.SECONDS);

                assertThat(store.size(digest)).contains((long) content.length);
                assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
                assertThat(listed()).containsExactly(digest);
                assertThat(store.uploadSize(a)).isEmpty();
                assertThat(store.uploadSize(b)).isEmpty();
                if (round % 2 == 0) store.delete(digest); // alternate: publish onto nothing / onto an existing blob
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void republishingAnExistingDigestKeepsItReadable() throws IOException {
        byte[] content = bytes("same bytes, two uploads");
        Digest digest = put(content);
        try (InputStream reading = store.open(digest, 0, content.length)) {
            assertThat(reading.read()).isEqualTo(content[0]);
            put(content);
            assertThat(reading.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 1, content.length));
        }
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(listed()).containsExactly(digest);
    }

    /** Serves {@code content}, but its first read waits until the test releases it. */
    protected static final class HeldStream extends InputStream {
        final java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final InputStream content;

        HeldStream(byte[] content) {
            this.content = new ByteArrayInputStream(content);
        }

        private void hold() throws IOException {
            reading.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) throw new IOException("never released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        @Override
        public int read() throws IOException {
            hold();
            return content.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            hold();
            return content.read(b, off, len);
        }
    }

    /**
     * An append or publish that overlaps an append in flight on the same upload (another node handling a
     * retried request) fails fast with an IOException instead of interleaving bytes.
     */
    @Test
    void appendWhileAnotherAppendIsInFlightFailsAndLeavesContentIntact() throws Exception {
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(bytes("base")), b -> {});
        HeldStream held = new HeldStream(bytes("first"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Long> first = pool.submit(() -> store.append(id, 4, held, b -> {}));
            assertThat(held.reading.await(60, TimeUnit.SECONDS)).isTrue();

            Sink sink = new Sink();
            assertThatThrownBy(() -> store.append(id, 4, new ByteArrayInputStream(bytes("SECOND")), sink))
                    .isInstanceOf(BlobStore.UploadConflict.class);
            assertThat(sink.bytes).hasValue(0);

            held.release.countDown();
            assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo(9L);
            assertThat(readAll(store.openUpload(id))).isEqualTo(bytes("basefirst"));
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void publishWhileAnAppendIsInFlightFailsAndPublishesNothing() throws Exception {
        String id = newUploadId();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(bytes("base")), b -> {});
        Digest early = Digest.sha256(bytes("base"));
        HeldStream held = new HeldStream(bytes("-more"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Long> appending = pool.submit(() -> store.append(id, 4, held, b -> {}));
            assertThat(held.reading.await(60, TimeUnit.SECONDS)).isTrue();

            assertThatThrownBy(() -> store.publish(id, early)).isInstanceOf(IOException.class);
            assertThat(store.size(early)).isEmpty();
            assertThat(listed()).isEmpty();

            held.release.countDown();
            assertThat(appending.get(60, TimeUnit.SECONDS)).isEqualTo(9L);
            Digest full = Digest.sha256(bytes("base-more"));
            store.publish(id, full);
            assertThat(readAll(store.open(full, 0, 9))).isEqualTo(bytes("base-more"));
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- garbage collection

    @Test
    void aRemovalTakesOnlyBlobsPublishedBeforeTheCutoffAndCommitDeletesThem() throws IOException {
        byte[] content = bytes("collect me");
        Digest digest = put(content);
        Instant published = store.publishedAt(digest).orElseThrow();

        assertThat(store.beginRemoval(digest, published)).as("not published before its own time").isEmpty();
        assertThat(store.size(digest)).contains((long) content.length);
        assertThat(store.beginRemoval(Digest.sha256(bytes("never stored")), Instant.now().plusSeconds(60))).isEmpty();

        BlobStore.Removal removal = store.beginRemoval(digest, published.plusSeconds(2)).orElseThrow();
        assertThat(removal.size()).isEqualTo(content.length);
        assertThat(store.size(digest)).as("taken out").isEmpty();
        assertThatThrownBy(() -> store.open(digest, 0, 1)).isInstanceOf(NoSuchFileException.class);
        assertThat(listed()).isEmpty();
        removal.commit();
        assertThat(store.size(digest)).isEmpty();
        assertThat(store.recoverRemovals()).as("nothing left to put back").isZero();
    }

    @Test
    void aRestoredRemovalIsReadableAgain() throws IOException {
        byte[] content = random(3 * (1 << 20) + 1, 5);
        Digest digest = put(content);
        BlobStore.Removal removal = store.beginRemoval(digest, store.publishedAt(digest).orElseThrow().plusSeconds(2))
                .orElseThrow();
        removal.restore();
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(listed()).containsExactly(digest);
    }

    @Test
    void publishingAgainWhileTakenOutWinsOverTheRestore() throws IOException {
        byte[] content = bytes("pushed again during gc");
        Digest digest = put(content);
        BlobStore.Removal removal = store.beginRemoval(digest, store.publishedAt(digest).orElseThrow().plusSeconds(2))
                .orElseThrow();
        put(content);
        removal.restore(); // same bytes: nothing to put back
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(store.recoverRemovals()).isZero();
    }

    @Test
    void removalsNeitherCommittedNorRestoredAreRecovered() throws IOException {
        byte[] content = bytes("the collector died");
        Digest digest = put(content);
        assertThat(store.beginRemoval(digest, store.publishedAt(digest).orElseThrow().plusSeconds(2))).isPresent();
        assertThat(store.size(digest)).isEmpty();

        assertThat(store.recoverRemovals()).isEqualTo(1);
        assertThat(readAll(store.open(digest, 0, content.length))).isEqualTo(content);
        assertThat(store.recoverRemovals()).isZero();
    }

    // ---------------------------------------------------------------- upload ids

    @ParameterizedTest
    @ValueSource(strings = {"../x", "..", ".", "../../etc/passwd", "a/b", "a\\b", "/abs", "", "x/../../y", "a b",
            "upload\u0000id"})
    void unsafeUploadIdsAreRejected(String id) throws IOException {
        assertRejected(() -> store.createUpload(id));
        assertRejected(() -> store.uploadSize(id));
        assertRejected(() -> store.append(id, 0, new ByteArrayInputStream(bytes("x")), b -> {}));
        assertRejected(() -> store.openUpload(id));
        assertRejected(() -> store.publish(id, Digest.sha256(bytes("x"))));
        assertRejected(() -> store.deleteUpload(id));
        assertThat(listed()).isEmpty();
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable action) {
        Throwable thrown = catchThrowable(action);
        assertThat(thrown).isNotNull().isInstanceOfAny(IllegalArgumentException.class, IOException.class);
        if (thrown instanceof IOException) {
            // An IOException here must be the rejection, not a "no such upload" from resolving the path.
            assertThat(thrown).isNotInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void uuidUploadIdsAreAccepted() throws IOException {
        String id = newUploadId();
        store.createUpload(id);
        assertThat(store.uploadSize(id)).isEqualTo(Optional.of(0L));
    }
}
