package dev.drydock.image;

/**
 * Which files' contents the single pass over the layers keeps (everything else is indexed, not stored).
 * Paths are image-relative without a leading slash, e.g. {@code var/manifest.json}.
 */
@FunctionalInterface
public interface FileInterest {
    boolean wants(String path);

    static FileInterest paths(String... paths) {
        java.util.Set<String> set = java.util.Set.of(paths);
        return set::contains;
    }

    default FileInterest or(FileInterest other) {
        return path -> wants(path) || other.wants(path);
    }
}
