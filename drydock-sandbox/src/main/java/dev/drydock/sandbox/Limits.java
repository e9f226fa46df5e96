package dev.drydock.sandbox;

/**
 * Resource limits of one sandbox container. Memory comes from the manifest's {@code clusterSize}; swap is not
 * granted beyond it.
 *
 * @param memoryBytes memory limit (and memory+swap limit)
 * @param nanoCpus    CPU limit in billionths of a CPU (1_000_000_000 = one core)
 * @param pids        the most processes/threads the container may have (stops fork bombs)
 * @param tmpfsBytes  size of the memory-backed {@code /dev/shm} (counted in the memory limit; 64 MiB, as Docker and
 *                    Kubernetes give). {@code /tmp} is not a tmpfs: it belongs to the root filesystem, as on the platform
 * @param rootGrowthBytes how much the container may write to its root filesystem (writable, as under a plain
 *                    {@code docker run}, and discarded after the run): bounded by the engine's storage driver where it
 *                    has a size option, else by the sandbox, which samples the bytes written and stops the run past it
 */
public record Limits(long memoryBytes, long nanoCpus, long pids, long tmpfsBytes, long rootGrowthBytes) {
    /** What a run may write to its root filesystem by default: enough for an engine that installs its dependencies at start. */
    public static final long DEFAULT_ROOT_GROWTH = 8L << 30;

    public Limits(long memoryBytes, long nanoCpus, long pids, long tmpfsBytes) {
        this(memoryBytes, nanoCpus, pids, tmpfsBytes, DEFAULT_ROOT_GROWTH);
    }

    public Limits {
        if (memoryBytes < (6L << 20)) throw new IllegalArgumentException("memoryBytes must be at least 6 MiB: " + memoryBytes);
        if (nanoCpus <= 0) throw new IllegalArgumentException("nanoCpus must be positive: " + nanoCpus);
        if (pids <= 0) throw new IllegalArgumentException("pids must be positive: " + pids);
        if (tmpfsBytes <= 0) throw new IllegalArgumentException("tmpfsBytes must be positive: " + tmpfsBytes);
        if (rootGrowthBytes <= 0) throw new IllegalArgumentException("rootGrowthBytes must be positive: " + rootGrowthBytes);
    }

    /** One CPU, 256 processes, 64 MiB of /dev/shm, memory by cluster size. */
    public static Limits forClusterSize(ClusterSize size) {
        return new Limits(size.memoryBytes(), 1_000_000_000L, 256, 64L << 20);
    }

    public Limits withPids(long newPids) {
        return new Limits(memoryBytes, nanoCpus, newPids, tmpfsBytes, rootGrowthBytes);
    }

    public Limits withRootGrowthBytes(long bytes) {
        return new Limits(memoryBytes, nanoCpus, pids, tmpfsBytes, bytes);
    }
}
