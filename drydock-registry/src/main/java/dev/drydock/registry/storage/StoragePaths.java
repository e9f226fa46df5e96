package dev.drydock.registry.storage;

import dev.drydock.registry.Digest;

import java.nio.file.Path;

/**
 * The whole on-disk layout of the filesystem blob store, in one place:
 * <pre>
 * &lt;root&gt;/
 *   blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;   published blob bytes (immutable, content-addressed)
 *   uploads/&lt;upload id&gt;                           bytes of an upload in progress (private until published)
 * </pre>
 * Both trees are on the same filesystem, so publishing is a single atomic rename.
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

    Path uploadsRoot() {
        return root.resolve("uploads");
    }

    Path upload(String uploadId) {
        if (!uploadId.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return uploadsRoot().resolve(uploadId);
    }
}
