package dev.drydock.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiConsumer;

/**
 * The container engine as the sandbox uses it. {@link DockerEngineRunner} implements it with the Docker Engine API
 * (a Docker engine or Podman's Docker-compatible socket); a Kubernetes runner would implement the same steps with a
 * Job and a NetworkPolicy.
 *
 * <p>Every object a runner creates carries the label {@link #LABEL} with the run id, so
 * {@link #cleanupLeftovers} can remove what a crashed earlier process left behind. Methods throw
 * {@link EngineException} with a message naming the step and the engine's answer.
 */
public interface ContainerRunner extends AutoCloseable {
    String LABEL = "dev.drydock.sandbox";

    /** Engine facts for {@code doctor} and the report: reachable, version, runtime, storage driver, network backend. */
    EngineInfo info();

    /** Throws {@link EngineException} unless the engine answers now (one cheap call: the readiness probe). */
    void ping();

    /** Pulls the image (credentials may be {@link RegistryAuth#NONE}); returns the local image id. */
    String pull(String imageRef, RegistryAuth auth, Duration timeout);

    /**
     * Creates a bridge network for one run with the given subnet and gateway (never left to the engine: Podman's CNI
     * backend gives internal networks no gateway).
     *
     * @param internal   true: containers reach only the subnet, i.e. the gateway (Podman gives them no default route;
     *                   Docker gives one whose traffic it drops)
     * @param bridgeName the host interface name to give the bridge (≤ 15 characters), so host-side rules can name it
     * @throws EngineException naming the engine and the fix when the engine refuses or reports no usable subnet;
     *                         {@link SubnetTakenException} when the subnet overlaps one the engine knows
     */
    RunNetwork createNetwork(String name, boolean internal, String bridgeName, SubnetPool.Subnet subnet, Map<String, String> labels);

    /** The IPv4 subnets (CIDR) of the engine's existing networks, so a new run network avoids them. */
    List<String> networkSubnets();

    /** The pulled image's configuration (entrypoint, cmd, env): how the sandbox recognises a webhook engine. */
    ImageConfig imageConfig(String imageRef);

    /** The container's IPv4 address on {@code network} (it must be running), or null when the engine does not say. */
    String containerAddress(String containerId, String network);

    /**
     * Creates the container. Its root filesystem's growth is bounded by {@link Limits#rootGrowthBytes()} when the
     * engine's storage driver supports a size option; see {@link #boundsRootGrowth()}.
     */
    String createContainer(ContainerSpec spec);

    /** False once the engine refused to bound a container's root filesystem (e.g. vfs, or overlay without quotas). */
    boolean boundsRootGrowth();

    /** Bytes written to the container's root filesystem (the engine's {@code SizeRw}), or null when it does not say. */
    Long rootBytesWritten(String containerId);

    /** Writes one file into the created (not yet started) container by archive upload (works with remote engines). */
    void copyFile(String containerId, String path, byte[] content);

    /** Makes {@code path} a directory with {@code mode} in the created container (archive upload), whether or not the image has it. */
    void ensureDirectory(String containerId, String path, int mode);

    void start(String containerId);

    /**
     * What is at {@code path} in the container's filesystem (created or running), read from the first header of the
     * engine's archive of it (only that header is read); null when nothing is there. Works with remote engines.
     */
    PathEntry pathEntry(String containerId, String path);

    /**
     * Runs {@code command} inside the running container (the engine's exec API) and returns its exit code and the
     * first {@code maxBytes} of its output (stdout and stderr); an exit code of null when it did not end within
     * {@code timeout} (it is left to end with the container).
     */
    ExecResult exec(String containerId, List<String> command, Duration timeout, int maxBytes);

    /** The process id of the container's first process on the engine's host (State.Pid), or null when not running. */
    Long containerPid(String containerId);

    /**
     * Reads the container's stdout and stderr as they are now (no following; call it after the container exited),
     * handing each chunk to {@code sink} with {@code true} for stdout, until the end or {@link LogFollower#close()}.
     *
     * @param tail only the last {@code tail} lines, or all when null
     */
    LogFollower readLogs(String containerId, Integer tail, BiConsumer<Boolean, byte[]> sink);

    /**
     * Reads one stream (stdout when {@code stdout}, else stderr) after the container stopped, handing each log entry
     * (a line, or a part of a long line: engines store a long line as several entries) to {@code sink}.
     *
     * @param tail       only the last {@code tail} entries, or all when null
     * @param since      only entries written at or after this second, or all when null
     * @param timestamps each entry starts with its RFC 3339 time and a space
     */
    LogFollower readStream(String containerId, boolean stdout, Integer tail, java.time.Instant since, boolean timestamps,
                           java.util.function.Consumer<byte[]> sink);

    /**
     * Bytes in use now on each writable memory-backed filesystem (tmpfs) of the running container, by its mount point
     * inside the container ({@code /dev}, {@code /dev/shm} …); empty when the container is not running or the engine's
     * containers cannot be seen from this host. Read from the host side, so it needs no tool in the image.
     */
    Map<String, Long> memoryFilesystemUse(String containerId);

    /**
     * The engine's own directories on this host (image and container storage, run state): container-visible
     * facts such as {@code /proc/self/mountinfo} name them, and reports must not show the server's layout.
     */
    List<String> hostStoragePaths();

    /** Waits for the container to exit; empty when it is still running after {@code timeout}. */
    OptionalInt awaitExit(String containerId, Duration timeout);

    /** The exit state after {@link #awaitExit}: was it killed for memory? */
    boolean oomKilled(String containerId);

    /** Network byte counters of a running container, or null when the engine has none (stopped, unsupported). */
    NetCounters netCounters(String containerId);

    void kill(String containerId);

    /** Removes the container (forced) if it exists. */
    void removeContainer(String containerId);

    /** Removes the image if no container uses it (a concurrent run of the same image keeps it); never fails. */
    void removeImage(String imageRef);

    /** Removes the network if it exists. */
    void removeNetwork(String name);

    /**
     * Removes the containers and networks labelled {@link #LABEL} in this engine whose run id (the label's value) is
     * {@code dead}; returns those run ids, so the host-side leftovers of exactly those runs can be removed too.
     */
    java.util.Set<String> cleanupLeftovers(java.util.function.Predicate<String> dead);

    @Override
    void close();

    /**
     * @param networkBackend Podman's {@code netavark} or {@code cni}; {@code bridge} for Docker's libnetwork; null when the
     *                       engine does not say
     */
    record EngineInfo(String endpoint, String version, String apiVersion, String os, String runtime, String storageDriver,
                      boolean podman, String networkBackend) {
        /** {@code Podman 4.3.1} or {@code Docker 20.10.24}. */
        public String product() {
            return (podman ? "Podman " : "Docker ") + version;
        }
    }

    /** A created network: its name, host bridge interface, subnet (CIDR) and gateway address. */
    record RunNetwork(String name, String bridge, String subnet, String gateway) {
        public int prefixLength() {
            return Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
        }
    }

    record NetCounters(long rxBytes, long txBytes) {
    }

    /**
     * One entry of a container's filesystem: its tar type flag ({@code '0'} regular file, {@code '5'} directory,
     * {@code '2'} symbolic link …), permission bits, size and link target (symbolic links, else null).
     */
    record PathEntry(char type, int mode, long size, String linkTarget) {
    }

    /** What a command run by {@link #exec} did: its exit code (null when it did not end in time) and its output. */
    record ExecResult(Integer exitCode, String output) {
    }

    /** An image's {@code Config.Entrypoint}, {@code Config.Cmd} and {@code Config.Env} (empty lists when unset). */
    record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env) {
        public ImageConfig {
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            env = env == null ? List.of() : List.copyOf(env);
        }

        /** The value of {@code name} in {@link #env()}, or null. */
        public String envValue(String name) {
            for (String e : env) {
                if (e.startsWith(name + "=")) return e.substring(name.length() + 1);
            }
            return null;
        }
    }

    interface LogFollower extends AutoCloseable {
        /** Waits until the log stream ended or the time is up; true when it ended. */
        boolean awaitEnd(Duration timeout);

        @Override
        void close();
    }

    /** A step against the engine failed. */
    final class EngineException extends RuntimeException {
        public EngineException(String message, Throwable cause) {
            super(message, cause);
        }

        public EngineException(String message) {
            super(message);
        }
    }

    /** The engine refused a run network because its subnet overlaps another network: lease another and retry. */
    final class SubnetTakenException extends RuntimeException {
        public SubnetTakenException(String message) {
            super(message);
        }
    }
}
