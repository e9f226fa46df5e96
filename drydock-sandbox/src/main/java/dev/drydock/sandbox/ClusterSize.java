package dev.drydock.sandbox;

import java.util.Locale;

/** The manifest's {@code clusterSize}: the memory the adapter gets (small 512 MB, medium 2 GB, large 6 GB). */
public enum ClusterSize {
    small(512L << 20),
    medium(2L << 30),
    large(6L << 30);

    private final long memoryBytes;

    ClusterSize(long memoryBytes) {
        this.memoryBytes = memoryBytes;
    }

    public long memoryBytes() {
        return memoryBytes;
    }

    /** Parses the manifest value ignoring case; an absent value is {@link #small}. */
    public static ClusterSize parse(String value) {
        if (value == null || value.isBlank()) return small;
        try {
            return valueOf(value.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown clusterSize '" + value + "'; expected small, medium or large");
        }
    }
}
