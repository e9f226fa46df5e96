package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Blob store in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...). Every byte, uploads included, lives in the
 * bucket, so any node sharing the bucket can continue an upload another node started. Layout under the optional
 * prefix:
 * <pre>
 *   blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;        published blobs (immutable, content-addressed)
 *   uploads/&lt;upload id&gt;/started                   marks an upload as existing (empty)
 *   uploads/&lt;upload id&gt;/data/&lt;offset, 20 digits&gt;  the upload's bytes, as consecutive segments
 *   gc/&lt;algorithm&gt;-&lt;hex&gt;.&lt;random&gt;                a blob garbage collection took out, until it deletes or restores it
 *   published/&lt;algorithm&gt;/&lt;hex&gt;                  empty; rewritten just before each publish of that digest
 * </pre>
 *
 * <h2>Uploads</h2>
 * An append streams into segments of at most {@code partSize} bytes (one buffer of that size per append in flight,
 * never more). S3 copies parts of at least {@link #MIN_PART_SIZE} into a multipart upload, so while the last segment
 * is smaller than that, the next append reads it back and rewrites it with the new bytes in front (one overwrite of
 * the same key, atomic in S3): many small PATCHes stay cheap (at most 5 MiB read back per append) and every segment
 * but the last is a valid part. The upload's size is read from the listing, so it is always the bytes durably stored.
 *
 * <h2>Publishing</h2>
 * Publishing composes the segments on the server into the blob's key: one CopyObject for a single segment, otherwise
 * a multipart upload of UploadPartCopy parts (no 5 GiB limit). S3 makes the object visible only when the copy or the
 * multipart upload completes, so a blob is never seen half-written. Bytes never travel through this node again.
 *
 * <h2>Garbage collection</h2>
 * Taking a blob out copies it to {@code gc/} (only the version judged old: copy-if-match on its ETag) and deletes
 * it; restoring copies it back. S3 has no rename, so a publish of the same digest between that copy and that delete
 * would be deleted with it; the {@code published/} marker, written before every publish, shows that this happened
 * (see {@link #beginRemoval}).
 *
 * <h2>Concurrency</h2>
 * Appends and publishes of one upload are serialized within this store (a second one fails fast). Across nodes S3
 * offers no lock; the registry protocol sends one chunk at a time per upload, so only a client retrying a chunk on
 * another node while the first attempt still streams could overlap.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    /** S3's smallest part of a multipart upload (all but the last part). */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** S3's largest part, and largest object a single CopyObject copies. */
    public static final long MAX_PART_SIZE = 5L << 30;
    /** S3's most parts in one multipart upload. */
    static final int MAX_PARTS = 10_000;
    /** Part copies in flight at once while publishing or moving a large blob. */
    private static final int COPY_PARALLELISM = 8;
    /** Lifetime of a pre-signed download URL: long enough to start the download, short enough not to be shared. */
    static final Duration REDIRECT_EXPIRY = Duration.ofMinutes(5);
    private static final int FIRST_BUFFER = 256 << 10;

    /**
     * Where the bucket is and how to reach it.
     *
     * @param endpoint  the S3 API's base URL; null: AWS S3 of {@code region}
     * @param accessKey null or empty (with {@code secretKey}): the SDK's default credentials chain
     * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO, most self-hosted)
     * @param prefix    key prefix for everything this store writes ("" for none)
     * @param redirect  answer blob downloads with pre-signed URLs ({@link #redirect})
     * @param partSize  bytes of each upload segment and multipart part, {@link #MIN_PART_SIZE} to {@link #MAX_PART_SIZE}
     */
    public record Settings(URI endpoint, String bucket, String region, String accessKey, String secretKey,
                           boolean pathStyle, String prefix, boolean redirect, long partSize) {
        public Settings {
            if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("an S3 bucket is required");
            if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
                throw new IllegalArgumentException("the S3 part size must be between 5 MiB and 5 GiB, got " + partSize);
            }
            if (region == null || region.isBlank()) region = "us-east-1";
            prefix = normalizePrefix(prefix);
        }

        @Override
        public String toString() { // never the secret key
            return "S3[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", bucket=" + bucket + ", region=" + region
                    + ", prefix=" + prefix + ", pathStyle=" + pathStyle + ", redirect=" + redirect + ", partSize=" + partSize + "]";
        }
    }

    private final S3Client s3;
    private final S3Presigner presigner;
    private final Settings settings;
    private final String bucket;
    private final String prefix;
    private final long partSize;
    private final long maxCopyBytes;
    /** Tests only: runs between copying a blob aside and deleting it (to publish in that instant). */
    volatile Runnable whileTakingOut = () -> {};
    /** Uploads with an append or publish in progress in this store. */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();

    /**
     * Connects and checks that the bucket is reachable (a clear {@link IOException} otherwise), then puts back blobs
     * of a garbage collection that died mid-delete.
     */
    public static S3BlobStore open(Settings settings) throws IOException {
        S3BlobStore store = new S3BlobStore(settings, MAX_PART_SIZE);
        try {
            store.checkBucket();
            store.recoverRemovals();
            return store;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** {@code maxCopyBytes}: the largest object copied with one CopyObject (S3: 5 GiB; tests lower it). */
    S3BlobStore(Settings settings, long maxCopyBytes) {
        this.settings = settings;
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.partSize = settings.partSize();
        this.maxCopyBytes = maxCopyBytes;
        AwsCredentialsProvider credentials = settings.accessKey() == null || settings.accessKey().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        S3Configuration s3Config = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2))
                        .build())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(s3Config)
                // Checksums only where S3 requires them: most S3-compatible servers reject the SDK's newer defaults.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presign = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(s3Config);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
            presign.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
        this.presigner = presign.build();
    }

    public Settings settings() {
        return settings;
    }

    /** The readiness probe: the bucket answers to this node's credentials (one HeadBucket request). */
    @Override
    public void checkReachable() throws IOException {
        checkBucket();
    }

    private void checkBucket() throws IOException {
        String where = "bucket '" + bucket + "' at " + (settings.endpoint() == null ? "AWS S3 (" + settings.region() + ")"
                : settings.endpoint());
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (S3Exception e) {
            throw switch (e.statusCode()) {
                case 404 -> new IOException(where + " does not exist: create it (e.g. aws s3 mb s3://" + bucket
                        + " or mc mb) or fix the bucket name");
                case 301, 400 -> new IOException(where + " answered " + e.statusCode()
                        + ": check the region and whether the server needs path-style addressing");
                case 401, 403 -> new IOException(where + " refused access (" + e.statusCode()
                        + "): check the access key and secret key, and that they may list, read, write and delete in the bucket");
                default -> new IOException(where + " answered " + e.statusCode() + ": " + errorCode(e));
            };
        } catch (SdkClientException e) {
            throw new IOException("cannot reach " + where + ": " + e.getMessage()
                    + " (check the endpoint URL, the network and the credentials)");
        }
    }

    // ---------------------------------------------------------------- keys

    static String normalizePrefix(String prefix) {
        if (prefix == null) return "";
        String p = prefix.strip();
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? "" : p + "/";
    }

    private String blobKey(Digest d) {
        return prefix + "blobs/" + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
    }

    private String blobsPrefix() {
        return prefix + "blobs/";
    }

    private String uploadPrefix(String uploadId) {
        if (uploadId == null || !uploadId.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return prefix + "uploads/" + uploadId + "/";
    }

    private String markerKey(String uploadId) {
        return uploadPrefix(uploadId) + "started";
    }

    private String segmentKey(String uploadId, long offset) {
        return uploadPrefix(uploadId) + "data/" + String.format("%020d", offset);
    }

    private String publishedMarkerKey(Digest d) {
        return prefix + "published/" + d.algorithm() + "/" + d.hex();
    }

    private String removalsPrefix() {
        return prefix + "gc/";
    }

    // ---------------------------------------------------------------- published blobs

    @Override
    public Optional<Long> size(Digest digest) throws IOException {
        return head(blobKey(digest)).map(HeadObjectResponse::contentLength);
    }

    @Override
    public InputStream open(Digest digest, long offset, long length) throws IOException {
        String key = blobKey(digest);
        if (length <= 0) {
            if (head(key).isEmpty()) throw new NoSuchFileException("blob " + digest);
            return InputStream.nullInputStream();
        }
        long last = offset + length - 1 < 0 ? Long.MAX_VALUE : offset + length - 1;
        try {
            return s3.getObject(b -> b.bucket(bucket).key(key).range("bytes=" + offset + "-" + last));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) throw new NoSuchFileException("blob " + digest);
            if (e.statusCode() == 416) return InputStream.nullInputStream(); // starts at or past the end
            throw io(e, "read blob " + digest);
        } catch (SdkException e) {
            throw io(e, "read blob " + digest);
        }
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        String key = blobKey(digest);
        if (head(key).isEmpty()) return false;
        deleteKey(key);
        return true;
    }

    @Override
    public void forEach(Consumer<Digest> visitor) throws IOException {
        String root = blobsPrefix();
        try { // page by page: a bucket may hold millions of blobs
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(root)).contents()) {
                // <algorithm>/<first two>/<hex>
                String[] parts = o.key().substring(root.length()).split("/");
                if (parts.length != 3) continue;
                Digest d;
                try {
                    d = new Digest(parts[0], parts[2]);
                } catch (RuntimeException e) {
                    continue; // not a blob of ours
                }
                visitor.accept(d);
            }
        } catch (SdkException e) {
            throw io(e, "list the blobs");
        }
    }

    @Override
    public Optional<URI> redirect(Digest digest) throws IOException {
        if (!settings.redirect()) return Optional.empty();
        try {
            return Optional.of(presigner.presignGetObject(p -> p.signatureDuration(REDIRECT_EXPIRY)
                    .getObjectRequest(g -> g.bucket(bucket).key(blobKey(digest)))).url().toURI());
        } catch (java.net.URISyntaxException | SdkException e) {
            throw new IOException("cannot pre-sign a download of " + digest + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- uploads

    /** One stored piece of an upload. */
    private record Segment(long offset, long size, String key) {
        long end() {
            return offset + size;
        }
    }

    /** An upload's segments in order, or empty when the upload does not exist. */
    private Optional<List<Segment>> segments(String uploadId) throws IOException {
        String root = uploadPrefix(uploadId);
        boolean exists = false;
        List<Segment> segments = new ArrayList<>();
        for (S3Object o : list(root)) {
            String name = o.key().substring(root.length());
            if (name.equals("started")) {
                exists = true;
            } else if (name.startsWith("data/")) {
                long offset;
                try {
                    offset = Long.parseLong(name.substring(5));
                } catch (NumberFormatException e) {
                    continue;
                }
                segments.add(new Segment(offset, o.size(), o.key()));
            }
        }
        if (!exists) return Optional.empty();
        long expected = 0;
        for (Segment s : segments) { // listed in key order, which is offset order (zero-padded)
            if (s.offset() != expected) {
                throw new IOException("upload " + uploadId + " is damaged: a segment starts at " + s.offset()
                        + " where " + expected + " was expected; cancel it and push again");
            }
            expected = s.end();
        }
        return Optional.of(segments);
    }

    private static long sizeOf(List<Segment> segments) {
        return segments.isEmpty() ? 0 : segments.getLast().end();
    }

    @Override
    public void createUpload(String uploadId) throws IOException {
        put(markerKey(uploadId), new byte[0], 0);
    }

    @Override
    public Optional<Long> uploadSize(String uploadId) throws IOException {
        return segments(uploadId).map(S3BlobStore::sizeOf);
    }

    @Override
    public long append(String uploadId, long expectedOffset, InputStream data, Consumer<ByteBuffer> written)
            throws IOException {
        uploadPrefix(uploadId); // rejects an unsafe id before anything else
        if (!busy.add(uploadId)) throw busy(uploadId);
        try {
            List<Segment> segments = segments(uploadId).orElseThrow(() -> new NoSuchFileException("upload " + uploadId));
            long size = sizeOf(segments);
            if (size != expectedOffset) {
                throw new IOException("upload " + uploadId + " is at offset " + size + ", not " + expectedOffset);
            }
            byte[] buffer = new byte[(int) Math.min(partSize, FIRST_BUFFER)];
            long segmentStart = size;
            int filled = 0;
            int kept = 0; // bytes of the buffer already stored (a short last segment read back)
            if (!segments.isEmpty() && segments.getLast().size() < MIN_PART_SIZE) {
                Segment tail = segments.getLast();
                buffer = new byte[(int) Math.min(partSize, Math.max(FIRST_BUFFER, tail.size() * 2))];
                try (InputStream in = get(tail.key())) {
                    filled = in.readNBytes(buffer, 0, (int) tail.size());
                }
                if (filled != tail.size()) throw new IOException("upload " + uploadId + ": short read of its last segment");
                segmentStart = tail.offset();
                kept = filled;
            }
            int n;
            while (true) {
                if (filled == buffer.length) {
                    if (buffer.length < partSize) {
                        buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(partSize, buffer.length * 2L));
                    } else {
                        put(segmentKey(uploadId, segmentStart), buffer, filled);
                        segmentStart += filled;
                        filled = 0;
                        kept = 0;
                    }
                }
                n = data.read(buffer, filled, buffer.length - filled);
                if (n < 0) break;
                if (n == 0) continue;
                written.accept(ByteBuffer.wrap(buffer, filled, n)); // array-backed: hashing reads it in place
                filled += n;
            }
            if (filled > kept) put(segmentKey(uploadId, segmentStart), buffer, filled);
            return segmentStart + filled;
        } finally {
            busy.remove(uploadId);
        }
    }

    @Override
    public InputStream openUpload(String uploadId) throws IOException {
        List<Segment> segments = segments(uploadId).orElseThrow(() -> new NoSuchFileException("upload " + uploadId));
        Iterator<Segment> next = segments.iterator();
        // One segment open at a time, each opened only when the previous one is read to its end.
        return new SequenceInputStream(new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                String key = next.next().key();
                try {
                    return get(key);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        };
    }

    @Override
    public void publish(String uploadId, Digest digest) throws IOException {
        uploadPrefix(uploadId);
        if (!busy.add(uploadId)) throw busy(uploadId);
        try {
            List<Segment> segments = segments(uploadId).orElseThrow(() -> new NoSuchFileException("upload " + uploadId));
            String target = blobKey(digest);
            put(publishedMarkerKey(digest), new byte[0], 0); // before the blob: see beginRemoval
            if (segments.isEmpty()) {
                put(target, new byte[0], 0);
            } else if (segments.size() == 1 && segments.getFirst().size() <= maxCopyBytes) {
                copy(segments.getFirst().key(), target, null);
            } else {
                if (segments.size() > MAX_PARTS) {
                    throw new IOException("upload " + uploadId + " has " + segments.size() + " segments, more than the "
                            + MAX_PARTS + " parts S3 composes into one object: use a larger part size");
                }
                List<PartSource> parts = new ArrayList<>();
                for (Segment s : segments) parts.add(new PartSource(s.key(), -1, -1));
                compose(parts, target, null);
            }
            deleteUploadKeys(uploadId, segments);
        } finally {
            busy.remove(uploadId);
        }
    }

    @Override
    public void deleteUpload(String uploadId) throws IOException {
        String root = uploadPrefix(uploadId);
        List<Segment> segments = new ArrayList<>();
        for (S3Object o : list(root + "data/")) segments.add(new Segment(0, o.size(), o.key()));
        deleteUploadKeys(uploadId, segments);
    }

    /** The segments first, then the marker: an interrupted delete leaves an (empty) upload, never orphaned bytes. */
    private void deleteUploadKeys(String uploadId, List<Segment> segments) throws IOException {
        List<String> keys = new ArrayList<>();
        for (Segment s : segments) keys.add(s.key());
        deleteKeys(keys);
        deleteKey(markerKey(uploadId));
    }

    private static IOException busy(String uploadId) {
        return new IOException("upload " + uploadId + " is busy: another request is writing to it");
    }

    // ---------------------------------------------------------------- garbage collection

    @Override
    public Optional<Instant> publishedAt(Digest digest) throws IOException {
        return head(blobKey(digest)).map(HeadObjectResponse::lastModified);
    }

    /**
     * Copies the blob to {@code gc/} and deletes it. The copy is conditional on the ETag that was judged old, so a
     * blob published again before the copy stays (the copy fails and nothing is taken). S3 offers no atomic move: a
     * publish of the same digest between the copy and the delete is deleted with it. Every publish first rewrites the
     * digest's {@code published/} marker, so such a publish left a marker at least as new as the cutoff (the judged
     * version's own marker is older than the cutoff, like the version): then the parked copy (the same bytes) goes
     * straight back and nothing is taken. Like the collector's grace period, this assumes the bucket's clock and
     * this node's differ by less than the grace.
     */
    @Override
    public Optional<Removal> beginRemoval(Digest digest, Instant publishedBefore) throws IOException {
        String key = blobKey(digest);
        Optional<HeadObjectResponse> head = head(key);
        if (head.isEmpty() || !head.get().lastModified().isBefore(publishedBefore)) return Optional.empty();
        String parked = removalsPrefix() + digest.algorithm() + "-" + digest.hex() + "." + UUID.randomUUID();
        try {
            copy(key, parked, head.get().contentLength(), head.get().eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) return Optional.empty(); // published again, or gone
            throw io(e, "take out blob " + digest);
        }
        whileTakingOut.run();
        deleteKey(key);
        Parked removal = new Parked(digest, parked, head.get().contentLength());
        Optional<HeadObjectResponse> marker = head(publishedMarkerKey(digest));
        if (marker.isPresent() && !marker.get().lastModified().isBefore(publishedBefore)) {
            removal.restore(); // published again while we took it out
            return Optional.empty();
        }
        return Optional.of(removal);
    }

    @Override
    public int recoverRemovals() throws IOException {
        String root = removalsPrefix();
        int restored = 0;
        for (S3Object o : list(root)) {
            String name = o.key().substring(root.length());
            int dash = name.indexOf('-');
            int dot = name.indexOf('.');
            if (dash <= 0 || dot <= dash) continue;
            Digest digest;
            try {
                digest = new Digest(name.substring(0, dash), name.substring(dash + 1, dot));
            } catch (RuntimeException e) {
                continue;
            }
            new Parked(digest, o.key(), o.size()).restore();
            restored++;
        }
        return restored;
    }

    /** A blob parked under {@code gc/} by {@link #beginRemoval}. */
    private final class Parked implements Removal {
        private final Digest digest;
        private final String key;
        private final long size;

        Parked(Digest digest, String key, long size) {
            this.digest = digest;
            this.key = key;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void commit() throws IOException {
            deleteKey(key);
            deleteKey(publishedMarkerKey(digest));
        }

        @Override
        public void restore() throws IOException {
            String blob = blobKey(digest);
            if (head(blob).isEmpty()) { // else published again meanwhile: those are the same bytes
                copy(key, blob, size, null);
            }
            deleteKey(key);
        }
    }

    // ---------------------------------------------------------------- S3 calls

    private Optional<HeadObjectResponse> head(String key) throws IOException {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw io(e, "look up " + key);
        } catch (SdkException e) {
            throw io(e, "look up " + key);
        }
    }

    private InputStream get(String key) throws IOException {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) throw new NoSuchFileException(key);
            throw io(e, "read " + key);
        } catch (SdkException e) {
            throw io(e, "read " + key);
        }
    }

    /** Stores {@code length} bytes of {@code content} (not copied: the SDK reads them straight from the array). */
    private void put(String key, byte[] content, int length) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(content, 0, length), length,
                            "application/octet-stream"));
        } catch (SdkException e) {
            throw io(e, "write " + key);
        }
    }

    /** Copies one object on the server; {@code size} (may be null: small) picks CopyObject or a multipart copy. */
    private void copy(String source, String target, Long size, String ifMatch) throws IOException {
        if (size != null && size > maxCopyBytes) {
            List<PartSource> parts = new ArrayList<>();
            long step = Math.max(partSize, Math.min(MAX_PART_SIZE, (size + MAX_PARTS - 1) / MAX_PARTS));
            step = Math.min(step, maxCopyBytes);
            for (long start = 0; start < size; start += step) {
                parts.add(new PartSource(source, start, Math.min(size, start + step) - 1));
            }
            compose(parts, target, ifMatch);
            return;
        }
        try {
            s3.copyObject(b -> {
                b.sourceBucket(bucket).sourceKey(source).destinationBucket(bucket).destinationKey(target);
                if (ifMatch != null) b.copySourceIfMatch(ifMatch);
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) throw e;
            throw io(e, "copy " + source + " to " + target);
        } catch (SdkException e) {
            throw io(e, "copy " + source + " to " + target);
        }
    }

    private void copy(String source, String target, String ifMatch) throws IOException {
        copy(source, target, null, ifMatch);
    }

    /** One part of a multipart copy: a whole object ({@code first} = -1) or a byte range of it. */
    private record PartSource(String key, long first, long last) {}

    /**
     * Builds {@code target} from parts copied on the server, in order (a multipart upload of UploadPartCopy parts);
     * the object appears only when all parts are in. Aborted on any failure.
     */
    private void compose(List<PartSource> parts, String target, String ifMatch) throws IOException {
        String mpu;
        try {
            mpu = s3.createMultipartUpload(b -> b.bucket(bucket).key(target)).uploadId();
        } catch (SdkException e) {
            throw io(e, "start a multipart upload of " + target);
        }
        boolean done = false;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore slots = new Semaphore(COPY_PARALLELISM);
            List<Future<CompletedPart>> futures = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                PartSource part = parts.get(i);
                int number = i + 1;
                futures.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        String etag = s3.uploadPartCopy(b -> {
                            b.sourceBucket(bucket).sourceKey(part.key()).destinationBucket(bucket).destinationKey(target)
                                    .uploadId(mpu).partNumber(number);
                            if (part.first() >= 0) b.copySourceRange("bytes=" + part.first() + "-" + part.last());
                            if (ifMatch != null) b.copySourceIfMatch(ifMatch);
                        }).copyPartResult().eTag();
                        return CompletedPart.builder().partNumber(number).eTag(etag).build();
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (Future<CompletedPart> f : futures) completed.add(f.get());
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(mpu)
                    .multipartUpload(m -> m.parts(completed)));
            done = true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof S3Exception s && (s.statusCode() == 412 || s.statusCode() == 404)) throw s;
            if (e.getCause() instanceof SdkException s) throw io(s, "copy parts into " + target);
            throw new IOException("copy parts into " + target + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while copying parts into " + target);
        } catch (SdkException e) {
            throw io(e, "complete the multipart upload of " + target);
        } finally {
            if (!done) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(mpu));
                } catch (SdkException ignored) {
                    // the bucket's lifecycle rule for incomplete multipart uploads cleans up
                }
            }
        }
    }

    private void deleteKey(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) throw io(e, "delete " + key);
        } catch (SdkException e) {
            throw io(e, "delete " + key);
        }
    }

    /**
     * Deletes keys one request each, several at once. Not DeleteObjects: the SDK sends it with a CRC32 checksum header
     * that several S3-compatible servers refuse, and an upload has few keys.
     */
    private void deleteKeys(List<String> keys) throws IOException {
        if (keys.size() <= 1) {
            for (String k : keys) deleteKey(k);
            return;
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore slots = new Semaphore(COPY_PARALLELISM);
            List<Future<Void>> futures = new ArrayList<>();
            for (String k : keys) {
                futures.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        deleteKey(k);
                        return null;
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<Void> f : futures) f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("delete " + keys.size() + " objects: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while deleting objects");
        }
    }

    /** Every object under {@code keyPrefix}, in key order (for the few keys of one upload or of {@code gc/}). */
    private List<S3Object> list(String keyPrefix) throws IOException {
        try {
            List<S3Object> all = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix)).contents().forEach(all::add);
            return all;
        } catch (SdkException e) {
            throw io(e, "list " + keyPrefix);
        }
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                ? e.awsErrorDetails().errorCode() + " " + e.awsErrorDetails().errorMessage() : e.getMessage();
    }

    private IOException io(SdkException e, String what) {
        String detail = e instanceof S3Exception s ? s.statusCode() + " " + errorCode(s) : e.getMessage();
        return new IOException("S3 bucket " + bucket + ": cannot " + what + ": " + detail, e);
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
