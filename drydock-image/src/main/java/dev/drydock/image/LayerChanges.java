package dev.drydock.image;

import java.nio.file.Path;
import java.util.List;

/**
 * What one layer does to the filesystem below it, decoded independently of the other layers so layers can be
 * decoded in parallel and merged in order.
 */
record LayerChanges(int layer, List<Change> changes, long decompressedBytes) {

    sealed interface Change {}

    /** {@code .wh.<name>}: the path and everything below it, as left by lower layers, is gone. */
    record Whiteout(String path) implements Change {}

    /** {@code .wh..wh..opq}: the directory's children from lower layers are gone; the directory stays. */
    record Opaque(String directory) implements Change {}

    /**
     * An entry written by this layer; {@code content} is the kept copy of a wanted regular file, else null;
     * {@code notKept} says why a wanted file's bytes were not kept (larger than the per-file limit), else null.
     */
    record Put(FileEntry entry, Path content, String notKept) implements Change {}
}
