package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed blob storage: the one place bytes live. The contract every driver keeps:
 * <ul>
 *   <li>A published blob's bytes never change and are never visible half-written: uploads are written to a
 *       private upload area and become visible only through {@link #publish}, which is atomic.</li>
 *   <li>Nothing is held whole in memory: reads and writes are streams.</li>
 *   <li>The store does not verify digests; callers hash while they write and publish only what matched.</li>
 * </ul>
 * Upload ids are opaque strings chosen by the caller (UUIDs).
 */
public interface BlobStore {

    /** Size of a published blob, or empty when it is not stored. */
    Optional<Long> size(Digest digest) throws IOException;

    /** Reads {@code length} bytes of a published blob starting at {@code offset}. */
    InputStream open(Digest digest, long offset, long length) throws IOException;

    /** Creates an empty upload area. */
    void createUpload(String uploadId) throws IOException;

    /** Current size of an upload, or empty when there is no such upload. */
    Optional<Long> uploadSize(String uploadId) throws IOException;

    /**
     * Appends the stream to the upload; each chunk written is also handed to {@code written} (used to hash
     * while streaming). Returns the new size. Fails with {@link UploadConflict} if the upload's current size is not
     * {@code expectedOffset} or another request (on this node or another) appends to it at the same time; the bytes
     * handed to {@code written} are then not (all) the upload's.
     */
    long append(String uploadId, long expectedOffset, InputStream data, Consumer<java.nio.ByteBuffer> written)
            throws IOException;

    /** Reads an upload's bytes from the start (to recompute its digest after a restart). */
    InputStream openUpload(String uploadId) throws IOException;

    /** Atomically makes the upload's bytes the blob {@code digest}; the upload area is gone afterwards. */
    void publish(String uploadId, Digest digest) throws IOException;

    /** Discards an upload area; no-op when absent. */
    void deleteUpload(String uploadId) throws IOException;

    /**
     * The ids of upload areas nothing has written to since {@code idleBefore} (garbage collection deletes those no
     * upload session owns: left by a crash between deleting a session and its bytes).
     */
    void forEachIdleUpload(Instant idleBefore, Consumer<String> visitor) throws IOException;

    /**
     * An append found the upload elsewhere than it expected: at another offset, or written by another request at the
     * same moment. The upload keeps one consistent sequence of appends; the client re-reads the offset and resends.
     */
    final class UploadConflict extends IOException {
        public UploadConflict(String message) {
            super(message);
        }
    }

    /** Removes a published blob; returns false when it was not stored. */
    boolean delete(Digest digest) throws IOException;

    /** Every published blob (for garbage collection). */
    void forEach(Consumer<Digest> visitor) throws IOException;

    /**
     * Throws when the store cannot serve reads and writes now (its directory gone or read-only, its service
     * unreachable): the readiness probe. The message may name locations, so it is logged, never served.
     */
    void checkReachable() throws IOException;

    /**
     * Where a client may download a published blob directly (a short-lived pre-signed URL of an object store), so its
     * bytes need not stream through this server; empty (the default) when the store serves blobs only through
     * {@link #open}. Called after the caller's access check; does not check that the blob is stored.
     */
    default Optional<java.net.URI> redirect(Digest digest) throws IOException {
        return Optional.empty();
    }

    // ---------------------------------------------------------------- garbage collection

    /** When the blob was (last) published; empty when it is not stored. Publishing again renews it. */
    Optional<Instant> publishedAt(Digest digest) throws IOException;

    /**
     * First half of a garbage-collection delete: takes the blob out of the store, undoably, if it was published
     * before {@code publishedBefore} (judged on the bytes actually taken, so a copy published a moment ago stays).
     * Empty when the blob is not stored or is newer. While taken out, the blob is not stored as far as
     * {@link #size}, {@link #open} and {@link #publish} are concerned; the caller re-checks that nothing links the
     * digest, then commits or restores the removal.
     */
    Optional<Removal> beginRemoval(Digest digest, Instant publishedBefore) throws IOException;

    /** Puts back every blob whose removal was neither committed nor restored (the collector died); returns how many. */
    default int recoverRemovals() throws IOException {
        return recoverRemovals(Instant.MAX);
    }

    /**
     * As {@link #recoverRemovals()}, for blobs taken out before {@code takenOutBefore} only: a collection leaves alone
     * the removals another node's collection is deciding right now.
     */
    int recoverRemovals(Instant takenOutBefore) throws IOException;

    /** A blob taken out by {@link #beginRemoval}. */
    interface Removal {
        long size();

        /** Deletes the bytes for good. */
        void commit() throws IOException;

        /** Puts the blob back (a no-op if the same digest was published again meanwhile: same bytes). */
        void restore() throws IOException;
    }
}
