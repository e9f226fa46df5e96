package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
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
 *   uploads/&lt;upload id&gt;/data/&lt;offset&gt;/&lt;claim&gt;.&lt;random&gt;
 *                                                 the upload's bytes, as consecutive segments (numbers: 20 digits)
 *   gc/&lt;algorithm&gt;-&lt;hex&gt;.&lt;random&gt;                a blob garbage collection took out, until it deletes or restores it
 *   published/&lt;algorithm&gt;/&lt;hex&gt;                  empty; rewritten just before each publish of that digest, deleted
 *                                                 with the blob
 * </pre>
 *
 * <h2>Uploads</h2>
 * An append streams into segments of at most {@code partSize} bytes (one buffer of that size per append in flight,
 * never more). S3 copies parts of at least {@link #MIN_PART_SIZE} into a multipart upload, so while the last segment
 * is smaller than that, the next append reads it back and writes it again with the new bytes behind, as a new
 * version of the segment at that offset (the older one is deleted once the new one counts): many small PATCHes stay
 * cheap (at most 5 MiB read back per append) and every segment but the last is a valid part. The upload's size is
 * read from the listing, so it is always the bytes durably stored. Segment keys written before versions existed
 * ({@code data/<offset>}) are still read.
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
 * Appends and publishes of one upload are serialized within this store (a second one fails fast). Across nodes (a
 * client retrying a chunk through another node while the first attempt still streams) S3 offers no lock, and
 * conditional writes ({@code If-None-Match}) are not on every S3-compatible server (nor on the s3proxy the tests
 * use), so appends rely only on listings being strongly consistent: each segment is written under a key no one else
 * writes, named by the offset it starts at and the upload size its append began from (its claim), and counts only
 * if, listed afterwards, no other segment at that offset claims as much (see {@link #claim}). Of two appends at one
 * offset at least one gives way with {@link UploadConflict}, which the registry answers with 416 so the client
 * re-reads the offset; the upload holds one consistent sequence of appends. The one gap: a node that dies in the
 * instant between writing a losing segment and deleting it leaves two segments with one claim; the upload then
 * falls back to before them and refuses every further append (never publishing wrong bytes: the registry checks
 * the digest), so the client has to push that blob again. Conditional writes ({@code If-None-Match: *} on a key
 * named by the claim alone) would close it where the server has them.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);
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
    /** Segments up to which an upload is listed whole after each segment written (one page of a listing). */
    static final int WHOLE_LISTING = 900;
    /** Most keys one DeleteObjects request deletes. */
    static final int MAX_DELETE_BATCH = 1000;

    /**
     * Where the bucket is and how to reach it.
     *
     * @param endpoint  the S3 API's base URL; null: AWS S3 of {@code region}
     * @param accessKey null or empty (with {@code secretKey}): the SDK's default credentials chain
     * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO, most self-hosted)
     * @param prefix    key prefix for everything this store writes ("" for none)
     * @param redirect  answer blob downloads with pre-signed URLs ({@link #redirect})
     * @param partSize  bytes of each upload segment and multipart part, {@link #MIN_PART_SIZE} to {@link #MAX_PART_SIZE}
     * @param publicEndpoint the S3 API's base URL as clients reach it, used only to sign {@link #redirect} URLs;
     *                       null: {@code endpoint}
     */
    public record Settings(URI endpoint, String bucket, String region, String accessKey, String secretKey,
                           boolean pathStyle, String prefix, boolean redirect, long partSize, URI publicEndpoint) {
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
                    + ", prefix=" + prefix + ", pathStyle=" + pathStyle + ", redirect=" + redirect + ", partSize=" + partSize
                    + (publicEndpoint == null ? "" : ", publicEndpoint=" + publicEndpoint) + "]";
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
    /** Segments up to which an upload is listed whole ({@link #WHOLE_LISTING}; tests lower it). */
    volatile int wholeListing = WHOLE_LISTING;
    /** Keys per DeleteObjects request ({@link #MAX_DELETE_BATCH}; tests lower it). */
    volatile int deleteBatch = MAX_DELETE_BATCH;
    /** False once the server refused a DeleteObjects request (see {@link #deleteKeys}). */
    private volatile boolean batchDeletes = true;
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
        this(settings, maxCopyBytes, List.of());
    }

    /** Tests: {@code interceptors} see every request this store sends. */
    S3BlobStore(Settings settings, long maxCopyBytes, List<ExecutionInterceptor> interceptors) {
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
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // DeleteObjects must carry a checksum: Content-MD5 too, which servers without the SDK's newer CRC32
                // header (older MinIO, Ceph) require.
                .addPlugin(LegacyMd5Plugin.create())
                .overrideConfiguration(o -> interceptors.forEach(o::addExecutionInterceptor));
        var presign = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(s3Config);
        if (settings.endpoint() != null) builder.endpointOverride(settings.endpoint());
        // Pre-signed URLs name the host clients use: signing covers the host, so it cannot be rewritten afterwards.
        URI signFor = settings.publicEndpoint() != null ? settings.publicEndpoint() : settings.endpoint();
        if (signFor != null) presign.endpointOverride(signFor);
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
        if (!StoragePaths.isUploadId(uploadId)) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return prefix + "uploads/" + uploadId + "/";
    }

    private String markerKey(String uploadId) {
        return uploadPrefix(uploadId) + "started";
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
        deleteKeys(List.of(key, publishedMarkerKey(digest)));
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

    /**
     * One stored piece of an upload: its bytes start at {@code offset}; {@code claim} is the upload's size when the
     * append that wrote it began writing it (the offset it claimed). Legacy keys {@code data/<offset>} claim their offset.
     */
    private record Segment(long offset, long size, String key, long claim) {
        long end() {
            return offset + size;
        }
    }

    private String dataPrefix(String uploadId) {
        return uploadPrefix(uploadId) + "data/";
    }

    /** A new segment's key: unique (two nodes writing the same claim never overwrite each other), ordered by claim. */
    private String segmentKey(String uploadId, long offset, long claim) {
        return dataPrefix(uploadId) + String.format("%020d/%020d.", offset, claim) + UUID.randomUUID();
    }

    /** The segment an object under {@code data/} is, or null for a key that is none. */
    private static Segment parseSegment(String dataPrefix, S3Object o) {
        String name = o.key().substring(dataPrefix.length());
        try {
            if (name.length() == 20) { // written before segments carried their claim
                long offset = Long.parseLong(name);
                return new Segment(offset, o.size(), o.key(), offset);
            }
            if (name.length() > 42 && name.charAt(20) == '/' && name.charAt(41) == '.') {
                return new Segment(Long.parseLong(name.substring(0, 20)), o.size(), o.key(), Long.parseLong(name.substring(21, 41)));
            }
        } catch (NumberFormatException e) {
            // not ours
        }
        return null;
    }

    /**
     * An upload's segments in order, or empty when the upload does not exist. Of the segments starting at one offset
     * the one with the highest claim counts (a short last segment rewritten with more bytes, whose older version may
     * not be deleted yet); two with the same claim are a race still being decided and count as not written yet.
     */
    private Optional<List<Segment>> segments(String uploadId) throws IOException {
        String root = uploadPrefix(uploadId);
        String data = dataPrefix(uploadId);
        boolean exists = false;
        java.util.TreeMap<Long, List<Segment>> byOffset = new java.util.TreeMap<>();
        for (S3Object o : list(root)) {
            if (o.key().equals(markerKey(uploadId))) {
                exists = true;
            } else if (o.key().startsWith(data)) {
                Segment s = parseSegment(data, o);
                if (s != null) byOffset.computeIfAbsent(s.offset(), k -> new ArrayList<>()).add(s);
            }
        }
        if (!exists) return Optional.empty();
        List<Segment> chain = new ArrayList<>();
        long at = 0;
        while (byOffset.containsKey(at)) { // segments off this chain are leftovers of refused appends
            Segment s = current(byOffset.get(at));
            if (s == null || s.size() == 0) break;
            chain.add(s);
            at = s.end();
        }
        return Optional.of(chain);
    }

    /** The counting version among segments starting at one offset (see {@link #segments}), or null. */
    private static Segment current(List<Segment> versions) {
        versions.sort(java.util.Comparator.comparingLong(Segment::claim).reversed());
        for (int i = 0; i < versions.size(); i++) {
            int j = i;
            while (j + 1 < versions.size() && versions.get(j + 1).claim() == versions.get(i).claim()) j++;
            if (j == i) return versions.get(i);
            i = j;
        }
        return null;
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

    /**
     * Appends in segments of at most {@code partSize} bytes; a short last segment is read back and written again,
     * longer, under a new key. Every segment goes to a key of its own, never overwriting one, and is then checked
     * against the others starting at the same offset (see {@link #claim}), so two nodes appending to one upload at
     * once never interleave: one of them, or both, fail with {@link UploadConflict}.
     */
    @Override
    public long append(String uploadId, long expectedOffset, InputStream data, Consumer<ByteBuffer> written)
            throws IOException {
        uploadPrefix(uploadId); // rejects an unsafe id before anything else
        if (!busy.add(uploadId)) throw busy(uploadId);
        try {
            List<Segment> segments = segments(uploadId).orElseThrow(() -> new NoSuchFileException("upload " + uploadId));
            long size = sizeOf(segments);
            if (size != expectedOffset) {
                throw new UploadConflict("upload " + uploadId + " is at offset " + size + ", not " + expectedOffset);
            }
            byte[] buffer = new byte[(int) Math.min(partSize, FIRST_BUFFER)];
            long segmentStart = size;
            long claim = size;
            int filled = 0;
            int kept = 0; // bytes of the buffer already stored (a short last segment read back)
            String replaced = null; // that short segment's key
            int count = segments.size(); // segments of the upload, for how to list them
            if (!segments.isEmpty() && segments.getLast().size() < MIN_PART_SIZE) {
                Segment tail = segments.getLast();
                buffer = new byte[(int) Math.min(partSize, Math.max(FIRST_BUFFER, tail.size() * 2))];
                try (InputStream in = get(tail.key())) {
                    filled = in.readNBytes(buffer, 0, (int) tail.size());
                } catch (NoSuchFileException e) {
                    throw new UploadConflict("upload " + uploadId + " changed while this append began: its last segment was replaced");
                }
                if (filled != tail.size()) throw new IOException("upload " + uploadId + ": short read of its last segment");
                segmentStart = tail.offset();
                kept = filled;
                replaced = tail.key();
            }
            int n;
            while (true) {
                if (filled == buffer.length) {
                    if (buffer.length < partSize) {
                        buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(partSize, buffer.length * 2L));
                    } else {
                        claim(uploadId, segmentStart, claim, buffer, filled, replaced, ++count);
                        segmentStart += filled;
                        claim = segmentStart;
                        replaced = null;
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
            if (filled > kept) claim(uploadId, segmentStart, claim, buffer, filled, replaced, ++count);
            return segmentStart + filled;
        } finally {
            busy.remove(uploadId);
        }
    }

    /**
     * Writes a segment starting at {@code offset} for an append that found the upload at {@code claim} bytes, then
     * decides whether it counts. S3 keeps no lock, but it lists what was written before (strong read-after-write
     * consistency, which AWS S3, MinIO and Ceph give): anyone else who appended at {@code claim} wrote a segment at the
     * same offset with the same claim, and anyone who appended later a higher claim. So the segment counts only if,
     * listed after it was written, no other segment at its offset has a claim as high: of two racing appends, the
     * one that lists second sees the other's segment and gives way (both may give way; neither may win alone).
     * A loser deletes its segment and fails with {@link UploadConflict}; a winner deletes the older versions it
     * replaces. An append that began before the upload moved on therefore fails instead of adding stale bytes.
     */
    private void claim(String uploadId, long offset, long claim, byte[] buffer, int length, String replaced,
                       int segmentCount) throws IOException {
        String key = segmentKey(uploadId, offset, claim);
        put(key, buffer, length);
        String data = dataPrefix(uploadId);
        String marker = markerKey(uploadId);
        boolean lost = false, exists = false;
        List<String> older = new ArrayList<>();
        if (replaced != null) older.add(replaced);
        // A small upload is listed whole (one request shows the marker too); a large one only at this offset.
        boolean whole = segmentCount < wholeListing;
        for (S3Object o : list(whole ? uploadPrefix(uploadId) : data + String.format("%020d/", offset))) {
            if (o.key().equals(marker)) exists = true;
            Segment s = o.key().startsWith(data) ? parseSegment(data, o) : null;
            if (s == null || s.offset() != offset || o.key().equals(key) || o.key().equals(replaced)) continue;
            if (s.claim() >= claim) {
                lost = true;
            } else {
                older.add(o.key());
            }
        }
        if (!whole && !lost) exists = head(marker).isPresent();
        if (lost || !exists) { // another append won, or the upload was published or cancelled
            deleteKey(key);
            throw new UploadConflict("upload " + uploadId + " was written by another request at offset " + claim
                    + " at the same time; this append was not stored from there on");
        }
        deleteKeys(older);
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
            try {
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
            } catch (S3Exception e) { // a segment replaced meanwhile: an append on another node
                throw new UploadConflict("upload " + uploadId + " changed while it was published: another request"
                        + " wrote to it; nothing was published");
            }
            deleteUploadKeys(uploadId);
        } finally {
            busy.remove(uploadId);
        }
    }

    @Override
    public void deleteUpload(String uploadId) throws IOException {
        deleteUploadKeys(uploadId);
    }

    /**
     * Everything under the upload's prefix (segments, versions a crash left, segments of refused appends), then the
     * marker: an interrupted delete leaves an (empty) upload, never orphaned bytes.
     */
    private void deleteUploadKeys(String uploadId) throws IOException {
        String marker = markerKey(uploadId);
        List<String> keys = new ArrayList<>();
        for (S3Object o : list(uploadPrefix(uploadId))) {
            if (!o.key().equals(marker)) keys.add(o.key());
        }
        deleteKeys(keys);
        deleteKey(marker);
    }

    /** Upload ids under {@code uploads/} whose newest object is older than {@code idleBefore}. */
    @Override
    public void forEachIdleUpload(Instant idleBefore, Consumer<String> visitor) throws IOException {
        String root = prefix + "uploads/";
        String current = null;
        boolean idle = true;
        try { // page by page, in key order: one upload's keys are listed together
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(root)).contents()) {
                String rest = o.key().substring(root.length());
                int slash = rest.indexOf('/');
                if (slash <= 0) continue;
                String id = rest.substring(0, slash);
                if (!id.equals(current)) {
                    if (current != null && idle) visitor.accept(current);
                    current = StoragePaths.isUploadId(id) ? id : null;
                    idle = true;
                }
                if (!o.lastModified().isBefore(idleBefore)) idle = false;
            }
            if (current != null && idle) visitor.accept(current);
        } catch (SdkException e) {
            throw io(e, "list the uploads");
        }
    }

    private static IOException busy(String uploadId) {
        return new UploadConflict("upload " + uploadId + " is busy: another request is writing to it");
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

    /** The parked copy's time is when it was taken out (a copy is a new object). */
    @Override
    public int recoverRemovals(Instant takenOutBefore) throws IOException {
        String root = removalsPrefix();
        int restored = 0;
        for (S3Object o : list(root)) {
            if (!o.lastModified().isBefore(takenOutBefore)) continue;
            Digest digest = StoragePaths.removedDigest(o.key().substring(root.length()));
            if (digest == null) continue;
            if (new Parked(digest, o.key(), o.size()).putBack()) restored++;
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
            deleteKeys(List.of(key, publishedMarkerKey(digest))); // the marker goes with the blob: none accumulate
        }

        @Override
        public void restore() throws IOException {
            if (!putBack()) {
                throw new IOException("S3 bucket " + bucket + ": cannot put back blob " + digest + ": its parked copy "
                        + key + " is gone");
            }
        }

        /**
         * Copies the blob back unless it is there, then deletes the parked copy; false when the parked copy vanished
         * meanwhile and the blob is not there (another node's collector committed its removal).
         */
        boolean putBack() throws IOException {
            String blob = blobKey(digest);
            if (head(blob).isEmpty()) { // else published again meanwhile: those are the same bytes
                try {
                    copy(key, blob, size, null);
                } catch (S3Exception e) {
                    if (e.statusCode() != 404) throw io(e, "put back blob " + digest);
                    return head(blob).isPresent(); // another node's recovery put it back, or its collector deleted it
                }
            }
            deleteKey(key);
            return true;
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
     * Deletes keys with DeleteObjects, up to 1,000 per request (S3's limit). A key already gone is no error; any
     * other key the server could not delete fails the call, naming how many and the first one. A server that refuses
     * DeleteObjects itself (501: some S3-compatible servers reject the SDK's checksum header) gets one DeleteObject
     * per key from then on.
     */
    private void deleteKeys(List<String> keys) throws IOException {
        if (keys.size() == 1 || !batchDeletes) {
            deleteEach(keys);
            return;
        }
        List<String> failed = new ArrayList<>();
        String firstError = null;
        int step = deleteBatch;
        for (int from = 0; from < keys.size(); from += step) {
            List<String> part = keys.subList(from, Math.min(keys.size(), from + step));
            List<ObjectIdentifier> batch = new ArrayList<>();
            for (String k : part) batch.add(ObjectIdentifier.builder().key(k).build());
            DeleteObjectsResponse response;
            try {
                response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
            } catch (S3Exception e) {
                if (e.statusCode() != 501) throw io(e, "delete " + keys.size() + " objects");
                batchDeletes = false;
                log.warn("S3 bucket {} refuses DeleteObjects ({}): deleting one object per request from now on", bucket,
                        errorCode(e));
                deleteEach(keys.subList(from, keys.size()));
                break;
            } catch (SdkException e) {
                throw io(e, "delete " + keys.size() + " objects");
            }
            for (S3Error e : response.errors()) {
                if ("NoSuchKey".equals(e.code())) continue;
                failed.add(e.key());
                if (firstError == null) firstError = e.key() + ": " + e.code() + " " + e.message();
            }
        }
        if (!failed.isEmpty()) {
            throw new IOException("S3 bucket " + bucket + ": could not delete " + failed.size() + " of " + keys.size()
                    + " objects, first " + firstError);
        }
    }

    /** One DeleteObject per key, several at once. */
    private void deleteEach(List<String> keys) throws IOException {
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
