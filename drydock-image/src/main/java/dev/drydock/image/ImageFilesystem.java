package dev.drydock.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The image's root filesystem after applying all layers in order (whiteouts and opaque directories included).
 * Paths are image-relative without a leading slash. Closing it deletes the kept file contents.
 */
public interface ImageFilesystem extends AutoCloseable {

    /** The entry at exactly this path, not following a symlink in the last component (like lstat). */
    Optional<FileEntry> lookup(String path);

    /**
     * The entry this path names after following symlinks and hardlinks, always inside the image root (an
     * absolute or {@code ..} target is resolved against the image root, never the host).
     *
     * @throws ImageException on a symlink loop or a chain longer than 40 links
     */
    Optional<FileEntry> resolve(String path) throws ImageException;

    /** When the path existed in an earlier layer and a later layer deleted it: that later layer's index. */
    Optional<Integer> deletedIn(String path);

    /** The children of a directory, sorted by name. */
    List<FileEntry> list(String directory);

    /** All entries, sorted by path. */
    List<FileEntry> entries();

    /** A kept regular file's bytes; hardlinks are followed. */
    InputStream open(FileEntry file) throws IOException;

    /**
     * Why a wanted file's bytes were not kept (it is larger than {@code ExtractionLimits.maxFileBytes}), e.g.
     * {@code "not kept: 70000000 bytes, more than the 64 MiB Drydock keeps of one file"}; empty when it was kept,
     * not wanted, or not a regular file. Its entry has {@code contentAvailable=false}.
     */
    default Optional<String> notKept(String path) {
        return Optional.ofNullable(notKept().get(path));
    }

    /** Every wanted file in the flattened view whose bytes were not kept, by path, with the reason. */
    default Map<String, String> notKept() {
        return Map.of();
    }

    /** Decompressed bytes per layer, in layer order (what {@code docker inspect} adds up as Size). */
    List<Long> layerSizes();

    @Override
    void close();
}
