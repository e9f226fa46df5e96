package dev.drydock.image;

/**
 * Bounds on reading an image's layers, so a hostile image cannot exhaust the server: bytes captured per file,
 * decompressed bytes over all layers, tar entries over all layers, path length and depth.
 */
public record ExtractionLimits(long maxFileBytes, long maxTotalBytes, long maxEntries, int maxPathLength, int maxPathDepth) {
    public static final ExtractionLimits DEFAULTS =
            new ExtractionLimits(64L * 1024 * 1024, 32L * 1024 * 1024 * 1024, 1_000_000, 4096, 256);
}
