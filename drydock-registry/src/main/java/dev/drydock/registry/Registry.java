package dev.drydock.registry;

import dev.drydock.oci.Digest;
import dev.drydock.oci.InvalidManifestException;
import dev.drydock.oci.ManifestParser;
import dev.drydock.registry.RegistryIndex.ManifestRecord;
import dev.drydock.registry.RegistryIndex.UploadSession;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.events.RegistryEvent;
import dev.drydock.registry.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The OCI distribution protocol, independent of HTTP framework and of who the caller is (access was checked
 * before a method here runs). Bytes go to the {@link BlobStore}, metadata to the {@link RegistryIndex}.
 *
 * <p>Uploads are hashed as they stream. The running SHA-256 state of each upload lives in memory; after a
 * restart (or on another node) it is rebuilt by re-reading the upload's bytes, so sessions survive restarts.
 */
public final class Registry {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);

    public record BlobInfo(Digest digest, long size) {}

    public record StoredManifest(ManifestRecord record, byte[] content) {}

    public record PutManifestResult(Digest digest, Digest subject) {}

    /**
     * Bounds on what clients may make the registry hold.
     *
     * @param maxManifestBytes           largest manifest accepted (413 above)
     * @param maxUploadsPerPrincipal     open upload sessions one principal (user or robot) may have (429 above)
     * @param maxUploadsPerRepository    open upload sessions one repository may have (429 above)
     * @param maxUploadBytes             bytes one upload session may hold before it is completed (413 above)
     */
    public record Limits(long maxManifestBytes, int maxUploadsPerPrincipal, int maxUploadsPerRepository,
                         long maxUploadBytes) {
        public static final int DEFAULT_UPLOADS_PER_PRINCIPAL = 64;
        public static final int DEFAULT_UPLOADS_PER_REPOSITORY = 128;
        public static final long DEFAULT_UPLOAD_BYTES = 16L << 30;
        public static final Limits DEFAULT = new Limits(4L * 1024 * 1024);

        public Limits {
            if (maxManifestBytes < 1 || maxUploadsPerPrincipal < 1 || maxUploadsPerRepository < 1 || maxUploadBytes < 1) {
                throw new IllegalArgumentException("registry limits must be positive: " + maxManifestBytes + ", "
                        + maxUploadsPerPrincipal + ", " + maxUploadsPerRepository + ", " + maxUploadBytes);
            }
        }

        /** The given manifest limit and the default upload limits. */
        public Limits(long maxManifestBytes) {
            this(maxManifestBytes, DEFAULT_UPLOADS_PER_PRINCIPAL, DEFAULT_UPLOADS_PER_REPOSITORY, DEFAULT_UPLOAD_BYTES);
        }
    }

    /**
     * What a client at an upload cap is told to wait before it tries again ({@code Retry-After}). A slot frees as
     * soon as one of the caller's (or the repository's) uploads is completed or cancelled, which a running push does
     * within seconds; sessions left idle free theirs only when they expire, which the message explains.
     */
    public static final java.time.Duration UPLOAD_RETRY_AFTER = java.time.Duration.ofSeconds(30);

    /** Activity is recorded at most this often per session, so a storm of tiny chunks is not also a storm of writes. */
    private static final java.time.Duration TOUCH_GRANULARITY = java.time.Duration.ofSeconds(1);

    /**
     * Running hash of one upload, guarded by its own lock (chunks of one upload are serialized), and its session as
     * this node last read or wrote it: a chunk or the final PUT skips the index read (its repository never changes;
     * an upload cancelled or purged elsewhere is caught by its bytes being gone).
     */
    private static final class UploadState {
        final ReentrantLock lock = new ReentrantLock();
        volatile UploadSession session;
        MessageDigest sha256;
        long hashedOffset = -1;

        UploadState(UploadSession session) {
            this.session = session;
        }
    }

    private final BlobStore store;
    private final RegistryIndex index;
    private final EventSink events;
    private final InstantSource clock;
    private final Limits limits;
    private final PushPolicy pushPolicy;
    private final ConcurrentHashMap<String, UploadState> uploads = new ConcurrentHashMap<>();
    /**
     * Serializes the cap check and the insert of a new session on this node, so concurrent POSTs cannot all see
     * room for one more. Across N nodes sharing one index a cap can be overrun by at most N - 1 sessions.
     */
    private final ReentrantLock admission = new ReentrantLock();

    /** A registry that accepts pushes to any repository. */
    public Registry(BlobStore store, RegistryIndex index, EventSink events, InstantSource clock, Limits limits) {
        this(store, index, events, PushPolicy.ALLOW_ALL, clock, limits);
    }

    public Registry(BlobStore store, RegistryIndex index, EventSink events, PushPolicy pushPolicy, InstantSource clock,
                    Limits limits) {
        this.store = store;
        this.index = index;
        this.events = events;
        this.pushPolicy = pushPolicy;
        this.clock = clock;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- blobs

    public BlobInfo statBlob(String repository, Digest digest) {
        long size = index.linkedBlob(repository, digest)
                .orElseThrow(() -> blobUnknown(digest));
        return new BlobInfo(digest, size);
    }

    public InputStream openBlob(BlobInfo blob, long offset, long length) {
        try {
            return store.open(blob.digest(), offset, length);
        } catch (java.nio.file.NoSuchFileException e) {
            throw blobUnknown(blob.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the client may fetch the blob directly instead of through this server (the store's pre-signed URL), or
     * empty to stream it with {@link #openBlob}. The caller has already checked access ({@link #statBlob}).
     */
    public Optional<java.net.URI> blobRedirect(BlobInfo blob) {
        try {
            return store.redirect(blob.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void deleteBlob(String repository, Digest digest) {
        if (index.manifest(repository, digest).isPresent()) {
            // Unlinking a manifest's own bytes would leave a manifest that can no longer be read.
            throw new RegistryException(ErrorCode.UNSUPPORTED, "blob " + digest + " is a manifest of " + repository
                    + ": delete it with DELETE /v2/" + repository + "/manifests/" + digest, Map.of("digest", digest.toString()));
        }
        if (!index.unlinkBlob(repository, digest)) {
            throw blobUnknown(digest);
        }
    }

    /** Links a blob another repository of the same organization already has; empty when it cannot. */
    public Optional<BlobInfo> mount(String repository, String from, Digest digest) {
        pushPolicy.checkPush(repository);
        if (Names.orgOf(repository) != Names.orgOf(from)) {
            return Optional.empty();
        }
        Optional<Long> size = index.linkedBlob(from, digest);
        if (size.isEmpty() || storedSize(digest).isEmpty()) {
            return Optional.empty();
        }
        index.linkBlob(repository, digest, size.get());
        if (storedSize(digest).isEmpty()) {
            // Garbage collection took the bytes between our check and our link (see GarbageCollector): the
            // client uploads the blob instead.
            index.unlinkBlob(repository, digest);
            return Optional.empty();
        }
        return Optional.of(new BlobInfo(digest, size.get()));
    }

    // ---------------------------------------------------------------- uploads

    /**
     * Opens an upload session for {@code principal} (the user or robot pushing; counted against
     * {@link Limits#maxUploadsPerPrincipal()}) in {@code repository} (counted against
     * {@link Limits#maxUploadsPerRepository()}). At either cap: {@link TooManyRequests}.
     */
    public UploadSession startUpload(String repository, String principal) {
        pushPolicy.checkPush(repository);
        Instant now = clock.instant();
        UploadSession session = new UploadSession(UUID.randomUUID().toString(), repository, principal, now, now);
        admission.lock();
        try {
            int[] counts = index.uploadCounts(principal, repository);
            if (principal != null) {
                int open = counts[0];
                if (open >= limits.maxUploadsPerPrincipal()) {
                    throw tooManyUploads(principal + " has " + open + " open uploads, the most one user or robot may have",
                            "upload.max-sessions-per-principal", open, limits.maxUploadsPerPrincipal(), repository);
                }
            }
            int open = counts[1];
            if (open >= limits.maxUploadsPerRepository()) {
                throw tooManyUploads("repository " + repository + " has " + open + " open uploads, the most one repository may have",
                        "upload.max-sessions-per-repository", open, limits.maxUploadsPerRepository(), repository);
            }
            index.createUpload(session);
        } finally {
            admission.unlock();
        }
        try {
            store.createUpload(session.id());
        } catch (IOException e) {
            index.deleteUpload(session.id());
            throw new UncheckedIOException(e);
        }
        uploads.put(session.id(), new UploadState(session));
        return session;
    }

    /** Upload sessions open now, on every node (metrics). */
    public int openUploads() {
        return index.uploadCount();
    }

    /** Throws when the blob store cannot be read and written (the readiness probe). */
    public void checkStorage() throws IOException {
        store.checkReachable();
    }

    /** Bytes received so far for the upload. */
    public long uploadOffset(String repository, String uploadId) {
        touch(session(repository, uploadId));
        try {
            return store.uploadSize(uploadId).orElseThrow(() -> uploadUnknown(uploadId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends a chunk. {@code rangeStart} (from {@code Content-Range}) must equal the current offset, else
     * 416. Returns the new offset.
     */
    public long appendChunk(String repository, String uploadId, Long rangeStart, Long declaredLength, InputStream data) {
        UploadState state = state(repository, uploadId);
        Instant touched = touch(state);
        state.lock.lock();
        try {
            long offset = currentOffset(uploadId);
            if (rangeStart != null && rangeStart != offset) {
                throw outOfOrder(rangeStart, offset);
            }
            if (declaredLength != null && declaredLength > limits.maxUploadBytes() - offset) {
                discard(uploadId);
                throw uploadTooLarge(offset + declaredLength);
            }
            long newOffset = append(uploadId, state, offset, data);
            touchAfter(state, touched);
            if (declaredLength != null && newOffset - offset != declaredLength) {
                throw new RegistryException(ErrorCode.SIZE_INVALID,
                        "received " + (newOffset - offset) + " bytes but Content-Length said " + declaredLength
                                + "; resume from offset " + newOffset,
                        Map.of("offset", newOffset));
            }
            return newOffset;
        } finally {
            state.lock.unlock();
        }
    }

    /** Appends the final chunk (may be empty), verifies the digest and publishes the blob. */
    public BlobInfo completeUpload(String repository, String uploadId, Digest digest, InputStream data) {
        return completeUpload(repository, uploadId, digest, null, data);
    }

    /**
     * As {@link #completeUpload(String, String, Digest, InputStream)}; {@code rangeStart} (from the final chunk's
     * {@code Content-Range}, may be null) must equal the current offset, else 416 and the upload is kept.
     */
    public BlobInfo completeUpload(String repository, String uploadId, Digest digest, Long rangeStart, InputStream data) {
        UploadState state = state(repository, uploadId);
        touch(state);
        state.lock.lock();
        try {
            long offset = currentOffset(uploadId);
            if (rangeStart != null && rangeStart != offset) {
                throw outOfOrder(rangeStart, offset);
            }
            long size = append(uploadId, state, offset, data);
            Digest actual = digestOf(uploadId, state, digest.algorithm());
            if (!actual.equals(digest)) {
                discard(uploadId);
                throw new RegistryException(ErrorCode.DIGEST_INVALID,
                        "the uploaded content has digest " + actual + ", not " + digest
                                + ": the upload was discarded, push the blob again",
                        Map.of("expected", digest.toString(), "actual", actual.toString(), "size", size));
            }
            store.publish(uploadId, digest);
            index.completeUpload(uploadId, repository, digest, size);
            uploads.remove(uploadId);
            return new BlobInfo(digest, size);
        } catch (BlobStore.UploadConflict e) {
            throw conflict(uploadId, state, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            state.lock.unlock();
        }
    }

    /** A whole blob in one request (POST with ?digest=). */
    public BlobInfo uploadMonolithic(String repository, String principal, Digest digest, InputStream data) {
        UploadSession session = startUpload(repository, principal);
        try {
            return completeUpload(repository, session.id(), digest, data);
        } catch (RuntimeException e) {
            discard(session.id());
            throw e;
        }
    }

    public void cancelUpload(String repository, String uploadId) {
        session(repository, uploadId);
        discard(uploadId);
    }

    /**
     * Removes upload sessions (their rows and bytes) that no request has used since before the cutoff (abandoned
     * pushes); returns how many. A session a request on this node is writing to right now is left alone, and each
     * one is checked again just before it goes, so a session used meanwhile survives.
     */
    public int purgeUploads(Instant cutoff) {
        int purged = 0;
        for (UploadSession s : index.uploadsIdleSince(cutoff)) {
            UploadState state = uploads.get(s.id());
            if (state != null && state.lock.isLocked()) continue;
            if (index.upload(s.id()).filter(now -> now.lastActive().isBefore(cutoff)).isEmpty()) continue;
            log.info("purging upload {} in {} of {}: idle since {}", s.id(), s.repository(), s.principal(), s.lastActive());
            discard(s.id());
            purged++;
        }
        // Sessions another node purged (each API node purges) or that moved to another node: this node's state of
        // them would otherwise stay in memory forever. A session used again is read back from the index.
        uploads.values().removeIf(state -> !state.lock.isLocked() && state.session.lastActive().isBefore(cutoff));
        return purged;
    }

    private void discard(String uploadId) {
        uploads.remove(uploadId);
        try {
            store.deleteUpload(uploadId);
        } catch (IOException e) {
            log.warn("could not delete upload {}: {}", uploadId, e.toString());
        }
        index.deleteUpload(uploadId);
    }

    /** Records a request on the session (see {@link #TOUCH_GRANULARITY}); returns the session's last activity now. */
    private Instant touch(UploadSession session) {
        Instant now = clock.instant();
        if (!now.isBefore(session.lastActive().plus(TOUCH_GRANULARITY))) {
            index.touchUpload(session.id(), now);
            return now;
        }
        return session.lastActive();
    }

    private Instant touch(UploadState state) {
        UploadSession s = state.session;
        Instant at = touch(s);
        if (!at.equals(s.lastActive())) state.session = withLastActive(s, at);
        return at;
    }

    /** After a chunk (which may stream for long): records the activity again unless that was just done. */
    private void touchAfter(UploadState state, Instant touched) {
        Instant now = clock.instant();
        if (!now.isBefore(touched.plus(TOUCH_GRANULARITY))) {
            UploadSession s = state.session;
            index.touchUpload(s.id(), now);
            state.session = withLastActive(s, now);
        }
    }

    private static UploadSession withLastActive(UploadSession s, Instant at) {
        return new UploadSession(s.id(), s.repository(), s.principal(), s.started(), at);
    }

    private UploadSession session(String repository, String uploadId) {
        if (uploadId == null || !uploadId.matches("[A-Za-z0-9-]{1,64}")) {
            throw uploadUnknown(uploadId);
        }
        return index.upload(uploadId)
                .filter(s -> s.repository().equals(repository))
                .orElseThrow(() -> uploadUnknown(uploadId));
    }

    /**
     * The upload's state on this node, its session read from the index only when this node does not know it yet
     * (after a restart, or a session opened on another node).
     */
    private UploadState state(String repository, String uploadId) {
        if (uploadId == null) throw uploadUnknown(null);
        UploadState state = uploads.get(uploadId);
        if (state == null) {
            UploadSession session = session(repository, uploadId);
            state = uploads.computeIfAbsent(uploadId, id -> new UploadState(session));
        }
        if (!state.session.repository().equals(repository)) throw uploadUnknown(uploadId);
        return state;
    }

    private long currentOffset(String uploadId) {
        try {
            Optional<Long> size = store.uploadSize(uploadId);
            if (size.isPresent()) return size.get();
            uploads.remove(uploadId); // cancelled or purged on another node: forget its state here too
            throw uploadUnknown(uploadId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends while hashing; the hash state is first brought up to {@code offset} if it is behind. */
    private long append(String uploadId, UploadState state, long offset, InputStream data) {
        try {
            catchUpHash(uploadId, state, offset);
            MessageDigest sha = state.sha256;
            state.hashedOffset = -1; // unknown until the append completes
            long size = store.append(uploadId, offset, new BoundedInput(data, limits.maxUploadBytes() - offset),
                    (ByteBuffer b) -> sha.update(b));
            state.hashedOffset = size;
            return size;
        } catch (UploadTooLarge e) {
            discard(uploadId);
            throw uploadTooLarge(e.reached);
        } catch (BlobStore.UploadConflict e) {
            throw conflict(uploadId, state, e);
        } catch (IOException e) {
            state.sha256 = null; // bytes may be partly written: rehash from disk next time
            throw new UncheckedIOException(e);
        }
    }

    /**
     * 416 for a write that met another request's on the same upload (another node, or a client's retry): the client
     * re-reads the offset and resends from there. What this node hashed is not (all) the upload's any more.
     */
    private RegistryException conflict(String uploadId, UploadState state, BlobStore.UploadConflict e) {
        state.sha256 = null;
        long now = currentOffset(uploadId);
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                "another request wrote to this upload at the same time (" + e.getMessage() + "): the upload has "
                        + now + " bytes, send the next chunk from offset " + now,
                Map.of("offset", now));
    }

    /** Thrown by {@link BoundedInput} when an upload's body would take it past {@link Limits#maxUploadBytes()}. */
    private static final class UploadTooLarge extends IOException {
        final long reached;

        UploadTooLarge(long reached) {
            super("upload exceeds its size limit");
            this.reached = reached;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an answer to a client, not a fault
        }
    }

    /** Passes at most {@code room} bytes through; one byte more fails with {@link UploadTooLarge}. */
    private final class BoundedInput extends InputStream {
        private final InputStream in;
        private final long room;
        private long passed;

        BoundedInput(InputStream in, long room) {
            this.in = in;
            this.room = room;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (passed >= room) {
                if (in.read() < 0) return -1;
                throw new UploadTooLarge(limits.maxUploadBytes() - room + passed + 1);
            }
            int n = in.read(b, off, (int) Math.min(len, room - passed));
            if (n > 0) passed += n;
            return n;
        }
    }

    private void catchUpHash(String uploadId, UploadState state, long offset) throws IOException {
        if (state.sha256 != null && state.hashedOffset == offset) {
            return;
        }
        MessageDigest sha = Digest.newMessageDigest("sha256");
        try (InputStream in = store.openUpload(uploadId)) {
            byte[] buffer = new byte[1 << 16];
            long remaining = offset;
            int n;
            while (remaining > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining))) > 0) {
                sha.update(buffer, 0, n);
                remaining -= n;
            }
        }
        state.sha256 = sha;
        state.hashedOffset = offset;
    }

    private Digest digestOf(String uploadId, UploadState state, String algorithm) throws IOException {
        if (algorithm.equals("sha256")) {
            try {
                return Digest.of("sha256", (MessageDigest) state.sha256.clone());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
        MessageDigest other = Digest.newMessageDigest(algorithm);
        try (InputStream in = store.openUpload(uploadId)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) other.update(buffer, 0, n);
        }
        return Digest.of(algorithm, other);
    }

    // ---------------------------------------------------------------- manifests

    public PutManifestResult putManifest(String repository, String reference, String contentType, InputStream body,
                                         String actor) {
        pushPolicy.checkPush(repository);
        boolean byDigest = Digest.looksLikeDigest(reference);
        Digest expected = byDigest ? Names.digest(reference) : null;
        String tag = byDigest ? null : Names.tag(reference);
        byte[] content = readBounded(body, limits.maxManifestBytes());
        ManifestParser.Parsed parsed;
        try {
            parsed = ManifestParser.parse(content, contentType);
        } catch (InvalidManifestException e) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, e.getMessage());
        }
        Digest digest = expected != null && expected.algorithm().equals("sha512")
                ? Digest.of("sha512", digestBytes("sha512", content))
                : Digest.sha256(content);
        if (expected != null && !expected.equals(digest)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID,
                    "the manifest's digest is " + digest + ", not " + expected + " as in the URL",
                    Map.of("expected", expected.toString(), "actual", digest.toString()));
        }
        for (ManifestParser.Descriptor d : parsed.blobs()) {
            if (d.foreign()) continue;
            Optional<Long> size = index.linkedBlob(repository, d.digest());
            if (size.isEmpty()) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "the manifest references blob " + d.digest() + " (" + d.mediaType()
                                + ") which is not in " + repository + ": push the blob first",
                        detail(d));
            }
            if (size.get() != d.size()) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID,
                        "the manifest says blob " + d.digest() + " has " + d.size() + " bytes, but it has " + size.get(),
                        detail(d));
            }
        }
        for (ManifestParser.Descriptor d : parsed.manifests()) {
            if (index.manifest(repository, d.digest()).isEmpty()) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "the index references manifest " + d.digest() + " which is not in " + repository
                                + ": push the platform manifests first",
                        detail(d));
            }
        }
        storeBytes(digest, content);
        Digest subject = parsed.subject() == null ? null : parsed.subject().digest();
        index.putManifest(repository, new ManifestRecord(digest, parsed.mediaType(), content.length, subject,
                parsed.artifactType(), parsed.annotationsJson(), clock.instant()), tag);
        // Link first, then make sure the bytes are there: storeBytes skips bytes already stored, and garbage
        // collection may have taken them (unlinked, old) before our link; it restores them only if it sees the link.
        storeBytes(digest, content);
        events.publish(new RegistryEvent.ManifestPushed(Names.orgOf(repository), repository, tag, digest,
                parsed.mediaType(), actor));
        return new PutManifestResult(digest, subject);
    }

    private static Map<String, Object> detail(ManifestParser.Descriptor d) {
        return Map.of("digest", d.digest().toString(), "mediaType", d.mediaType());
    }

    public ManifestRecord statManifest(String repository, String reference) {
        Digest digest;
        if (Digest.looksLikeDigest(reference)) {
            digest = Names.digest(reference);
        } else {
            if (!Names.isValidTag(reference)) throw manifestUnknown(reference);
            digest = index.resolveTag(repository, reference).orElseThrow(() -> manifestUnknown(reference));
        }
        return index.manifest(repository, digest).orElseThrow(() -> manifestUnknown(reference));
    }

    public StoredManifest getManifest(String repository, String reference) {
        ManifestRecord record = statManifest(repository, reference);
        try (InputStream in = store.open(record.digest(), 0, record.size())) {
            return new StoredManifest(record, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a tag (reference is a tag) or a manifest with all its tags (reference is a digest). */
    public void deleteManifest(String repository, String reference, String actor) {
        if (Digest.looksLikeDigest(reference)) {
            Digest digest = Names.digest(reference);
            if (!index.deleteManifest(repository, digest)) throw manifestUnknown(reference);
            events.publish(new RegistryEvent.ManifestDeleted(Names.orgOf(repository), repository, digest, actor));
        } else {
            if (!Names.isValidTag(reference) || !index.deleteTag(repository, reference)) throw manifestUnknown(reference);
            events.publish(new RegistryEvent.TagDeleted(Names.orgOf(repository), repository, reference, actor));
        }
    }

    // ---------------------------------------------------------------- listings

    public List<String> tags(String repository, String last, int limit) {
        if (!index.repositoryExists(repository)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + repository + " has no manifests yet",
                    Map.of("name", repository));
        }
        return index.tags(repository, last, limit);
    }

    public List<ManifestRecord> referrers(String repository, Digest subject, String artifactType) {
        return index.referrers(repository, subject, artifactType);
    }

    public List<String> catalog(Set<Long> orgs, String last, int limit) {
        return index.repositories(orgs, last, limit);
    }

    // ---------------------------------------------------------------- helpers

    private Optional<Long> storedSize(Digest digest) {
        try {
            return store.size(digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void storeBytes(Digest digest, byte[] content) {
        try {
            if (storedSize(digest).isPresent()) return;
            String id = UUID.randomUUID().toString();
            store.createUpload(id);
            store.append(id, 0, new java.io.ByteArrayInputStream(content), b -> {});
            store.publish(id, digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readBounded(InputStream body, long max) {
        try {
            byte[] content = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (content.length > max) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID, 413,
                        "manifest is larger than the " + max + "-byte limit: split it or move data into blobs",
                        Map.of("limit", max));
            }
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest digestBytes(String algorithm, byte[] content) {
        MessageDigest md = Digest.newMessageDigest(algorithm);
        md.update(content);
        return md;
    }

    private static RegistryException blobUnknown(Digest digest) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in this repository",
                Map.of("digest", digest.toString()));
    }

    private static RegistryException manifestUnknown(String reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is not in this repository",
                Map.of("reference", reference.length() > 200 ? reference.substring(0, 200) : reference));
    }

    private static RegistryException outOfOrder(long rangeStart, long offset) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                "chunk starts at " + rangeStart + " but the upload has " + offset
                        + " bytes: send the next chunk from offset " + offset,
                Map.of("offset", offset));
    }

    private RegistryException uploadTooLarge(long size) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 413,
                "the upload would hold " + size + " bytes, more than the registry's limit of " + limits.maxUploadBytes()
                        + " bytes per blob (upload.max-bytes): the upload was discarded; ask the registry's operator to"
                        + " raise the limit, or make the layer smaller",
                Map.of("limit", limits.maxUploadBytes()));
    }

    private static TooManyRequests tooManyUploads(String situation, String key, int open, int limit, String repository) {
        return new TooManyRequests(situation + " (" + key + " = " + limit + "): finish open uploads (PUT with ?digest=)"
                + " or cancel them (DELETE /v2/" + repository + "/blobs/uploads/<id>), or wait for idle ones to expire,"
                + " then retry", UPLOAD_RETRY_AFTER, Map.of("open", open, "limit", limit));
    }

    private static RegistryException uploadUnknown(String uploadId) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN,
                "upload " + uploadId + " is unknown, finished or expired: start a new upload with POST /v2/<name>/blobs/uploads/",
                Map.of());
    }
}
