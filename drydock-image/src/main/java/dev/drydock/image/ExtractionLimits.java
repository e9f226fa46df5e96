package dev.drydock.image;

/**
 * Bounds on reading an image's layers, so a hostile image cannot exhaust the server: bytes captured per file,
 * decompressed bytes over all layers, tar entries over all layers, path length and depth, and how far one layer
 * may expand beyond its compressed size.
 *
 * @param maxTotalBytes  decompressed bytes of all layers together (the image as the engine unpacks it)
 * @param maxLayerRatio  a layer may expand to at most this many times its compressed size …
 * @param ratioMinBytes  … once it is past this many decompressed bytes: a small layer may compress as well as it
 *                       likes. A layer fails as a decompression bomb when its decompressed bytes pass both
 *                       {@code ratioMinBytes} and {@code maxLayerRatio} times its compressed size; since the
 *                       compressed size is the whole blob's, the ratio so far only grows while reading, so the pass
 *                       stops at that point and never decompresses the rest.
 */
public record ExtractionLimits(long maxFileBytes, long maxTotalBytes, long maxEntries, int maxPathLength, int maxPathDepth,
                               long maxLayerRatio, long ratioMinBytes) {
    /**
     * Measured ratios (docs/image-reading.md): real content expands 1.6x (docs) to 3x (a JDK's lib/modules), 22x (JSON,
     * gzip) and 77x (duplicated JSON, zstd); a layer with a 256 MiB zero-filled file among 43 MiB of Python 23x. Only
     * zeros (or one repeated byte) go further: gzip -1 229x, gzip -6/-9 1030x, zstd 32000x. 200 lies between.
     */
    public static final long DEFAULT_MAX_LAYER_RATIO = 200;
    /** Below 1 GiB a layer may be all zeros: it costs the engine at most about twice that while the run lasts. */
    public static final long DEFAULT_RATIO_MIN_BYTES = 1L << 30;
    /**
     * 32 GiB: a large real engine is a CUDA/PyTorch base of 10 to 20 GiB (NVIDIA's PyTorch container is about 20 GiB)
     * plus several GiB of model weights; beyond that, one build could fill the engine's storage (a vfs engine holds
     * the image twice while it runs).
     */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 32L << 30;
    public static final ExtractionLimits DEFAULTS =
            new ExtractionLimits(64L * 1024 * 1024, DEFAULT_MAX_TOTAL_BYTES, 1_000_000, 4096, 256);

    public ExtractionLimits {
        if (maxTotalBytes <= 0) throw new IllegalArgumentException("maxTotalBytes must be positive: " + maxTotalBytes);
        if (maxLayerRatio <= 0) throw new IllegalArgumentException("maxLayerRatio must be positive: " + maxLayerRatio);
        if (ratioMinBytes < 0) throw new IllegalArgumentException("ratioMinBytes must not be negative: " + ratioMinBytes);
    }

    /** The limits with the default layer ratio bound ({@link #DEFAULT_MAX_LAYER_RATIO} past {@link #DEFAULT_RATIO_MIN_BYTES}). */
    public ExtractionLimits(long maxFileBytes, long maxTotalBytes, long maxEntries, int maxPathLength, int maxPathDepth) {
        this(maxFileBytes, maxTotalBytes, maxEntries, maxPathLength, maxPathDepth, DEFAULT_MAX_LAYER_RATIO, DEFAULT_RATIO_MIN_BYTES);
    }

    public ExtractionLimits withMaxTotalBytes(long bytes) {
        return new ExtractionLimits(maxFileBytes, bytes, maxEntries, maxPathLength, maxPathDepth, maxLayerRatio, ratioMinBytes);
    }

    public ExtractionLimits withLayerRatio(long ratio, long minBytes) {
        return new ExtractionLimits(maxFileBytes, maxTotalBytes, maxEntries, maxPathLength, maxPathDepth, ratio, minBytes);
    }

    /** The decompressed bytes a layer of {@code compressedBytes} may reach before it is a decompression bomb. */
    public long layerBytesAllowed(long compressedBytes) {
        long byRatio = compressedBytes > Long.MAX_VALUE / maxLayerRatio ? Long.MAX_VALUE : compressedBytes * maxLayerRatio;
        return Math.max(ratioMinBytes, byRatio);
    }
}
