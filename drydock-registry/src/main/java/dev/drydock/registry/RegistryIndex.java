package dev.drydock.registry;

import dev.drydock.oci.Digest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The registry's metadata: which blobs each repository may reach, its manifests, tags, referrers and upload
 * sessions. Bytes live in the {@link dev.drydock.registry.storage.BlobStore}; this index says who sees them.
 * Implementations must make each method atomic (one transaction), as several nodes may share one index.
 */
public interface RegistryIndex {

    /** A stored manifest's metadata. {@code subject} and {@code artifactType} feed the referrers API. */
    record ManifestRecord(Digest digest, String mediaType, long size, Digest subject, String artifactType,
                          String annotationsJson, Instant created) {}

    /**
     * An upload session: the repository it belongs to, who opened it ({@code principal}: a user or robot name;
     * null for sessions from before sessions had owners), when it started and when a request last used it.
     */
    record UploadSession(String id, String repository, String principal, Instant started, Instant lastActive) {}

    void linkBlob(String repository, Digest digest, long size);

    /** Size of the blob if it is linked into the repository. */
    Optional<Long> linkedBlob(String repository, Digest digest);

    boolean unlinkBlob(String repository, Digest digest);

    /** Stores the manifest (and links its bytes as a blob), and points {@code tag} at it when not null. */
    void putManifest(String repository, ManifestRecord manifest, String tag);

    Optional<ManifestRecord> manifest(String repository, Digest digest);

    Optional<Digest> resolveTag(String repository, String tag);

    boolean deleteTag(String repository, String tag);

    /** Deletes the manifest, every tag pointing at it and its blob link; false when it was not there. */
    boolean deleteManifest(String repository, Digest digest);

    /** Tags in lexical order after {@code last} (exclusive, may be null), at most {@code limit}. */
    List<String> tags(String repository, String last, int limit);

    boolean repositoryExists(String repository);

    /** Manifests in the repository whose subject is {@code subject}, optionally of one artifact type. */
    List<ManifestRecord> referrers(String repository, Digest subject, String artifactType);

    /**
     * Repositories in lexical order after {@code last}, at most {@code limit}, restricted to the given
     * organizations ({@code null} means all).
     */
    List<String> repositories(Set<Long> orgs, String last, int limit);

    void createUpload(UploadSession session);

    Optional<UploadSession> upload(String id);

    void deleteUpload(String id);

    /** Records that a request used the session at {@code at} (idle expiry counts from the last activity). */
    void touchUpload(String id, Instant at);

    /** Open upload sessions of a principal. */
    int uploadCountOfPrincipal(String principal);

    /** Open upload sessions in a repository. */
    int uploadCountOfRepository(String repository);

    /**
     * Open upload sessions of a principal (0 when {@code principal} is null) and of a repository, as
     * {@code {ofPrincipal, ofRepository}}: the admission check of a new session, in one round trip where the
     * index can.
     */
    default int[] uploadCounts(String principal, String repository) {
        return new int[]{principal == null ? 0 : uploadCountOfPrincipal(principal), uploadCountOfRepository(repository)};
    }

    /**
     * A completed upload: links its blob into the repository and deletes its session, in one transaction where the
     * index can (a crash between the two leaves the session, which expires; never a session without its link).
     */
    default void completeUpload(String uploadId, String repository, Digest digest, long size) {
        linkBlob(repository, digest, size);
        deleteUpload(uploadId);
    }

    /** Open upload sessions in all (metrics). */
    int uploadCount();

    /** Sessions no request has used since before {@code cutoff} (abandoned pushes). */
    List<UploadSession> uploadsIdleSince(Instant cutoff);

    /** Every blob digest some repository links, and every stored manifest's digest: the GC's live set. */
    Set<Digest> linkedDigests();

    /** True when some repository links the digest (the GC's last check before it deletes a blob). */
    boolean isLinked(Digest digest);
}
