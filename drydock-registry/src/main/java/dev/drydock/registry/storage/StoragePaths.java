package dev.drydock.registry.storage;

import dev.drydock.oci.Digest;

import java.nio.file.Path;

/**
 * The whole on-disk layout of the filesystem blob store, in one place:
 * <pre>
 * &lt;root&gt;/
 *   blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;   published blob bytes (immutable, content-addressed)
 *   uploads/&lt;upload id&gt;                           bytes of an upload in progress (private until published)
 *   gc/&lt;algorithm&gt;-&lt;hex&gt;.&lt;random&gt;                 a blob garbage collection took out, until it deletes or restores it
 * </pre>
 * All trees are on the same filesystem, so publishing (and taking out, and restoring) is a single atomic rename.
 */
final class StoragePaths {
    private final Path root;

    StoragePaths(Path root) {
        this.root = root;
    }

    Path blobsRoot() {
        return root.resolve("blobs");
    }

    Path blob(Digest digest) {
        return blobsRoot().resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    Path removalsRoot() {
        return root.resolve("gc");
    }

    Path removal(Digest digest) {
        return removalsRoot().resolve(digest.algorithm() + "-" + digest.hex() + "." + java.util.UUID.randomUUID());
    }

    /** The digest a {@link #removal} file holds, or null for a name that is not one. */
    static Digest removedDigest(Path removal) {
        return removedDigest(removal.getFileName().toString());
    }

    /** The digest a removal named {@code name} ({@code <algorithm>-<hex>.<random>}) holds, or null. */
    static Digest removedDigest(String name) {
        int dash = name.indexOf('-');
        int dot = name.indexOf('.');
        if (dash <= 0 || dot <= dash) return null;
        try {
            return new Digest(name.substring(0, dash), name.substring(dash + 1, dot));
        } catch (RuntimeException e) {
            return null;
        }
    }

    Path uploadsRoot() {
        return root.resolve("uploads");
    }

    /** Whether {@code id} is a safe upload id (a path segment or key part: letters, digits and dashes). */
    static boolean isUploadId(String id) {
        return id != null && id.matches("[A-Za-z0-9-]{1,64}");
    }

    Path upload(String uploadId) {
        if (!isUploadId(uploadId)) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return uploadsRoot().resolve(uploadId);
    }
}
