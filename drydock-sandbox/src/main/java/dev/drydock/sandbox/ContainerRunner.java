package dev.drydock.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiConsumer;

/**
 * The container engine as the sandbox uses it. {@link DockerEngineRunner} implements it with the Docker Engine API
 * (a Docker engine or Podman's Docker-compatible socket); a Kubernetes runner would implement the same steps with a
 * Job and a NetworkPolicy.
 *
 * <p>Every object a runner creates carries the label {@link #LABEL} with the run id, so
 * {@link #cleanupLeftovers()} can remove what a crashed earlier process left behind. Methods throw
 * {@link EngineException} with a message naming the step and the engine's answer.
 */
public interface ContainerRunner extends AutoCloseable {
    String LABEL = "dev.drydock.sandbox";

    /** Engine facts for {@code doctor} and the report: reachable, version, runtime, storage driver. */
    EngineInfo info();

    /** Pulls the image (credentials may be {@link RegistryAuth#NONE}); returns the local image id. */
    String pull(String imageRef, RegistryAuth auth, Duration timeout);

    /**
     * Creates a bridge network for one run.
     *
     * @param internal   true: no default route (containers reach only the subnet, i.e. the gateway)
     * @param bridgeName the host interface name to give the bridge (≤ 15 characters), so host-side rules can name it
     */
    RunNetwork createNetwork(String name, boolean internal, String bridgeName, Map<String, String> labels);

    String createContainer(ContainerSpec spec);

    /** Writes one file into the created (not yet started) container by archive upload (works with remote engines). */
    void copyFile(String containerId, String path, byte[] content);

    void start(String containerId);

    /**
     * Reads the container's stdout and stderr as they are now (no following; call it after the container exited),
     * handing each chunk to {@code sink} with {@code true} for stdout, until the end or {@link LogFollower#close()}.
     *
     * @param tail only the last {@code tail} lines, or all when null
     */
    LogFollower readLogs(String containerId, Integer tail, BiConsumer<Boolean, byte[]> sink);

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

    /** Removes every container and network labelled {@link #LABEL}; returns how many objects were removed. */
    int cleanupLeftovers();

    @Override
    void close();

    record EngineInfo(String endpoint, String version, String apiVersion, String os, String runtime, String storageDriver,
                      boolean podman) {
    }

    /** A created network: its name, host bridge interface, subnet (CIDR) and gateway address. */
    record RunNetwork(String name, String bridge, String subnet, String gateway) {
        public int prefixLength() {
            return Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
        }
    }

    record NetCounters(long rxBytes, long txBytes) {
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
}
