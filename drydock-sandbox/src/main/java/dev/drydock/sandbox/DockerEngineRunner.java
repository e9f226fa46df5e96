package dev.drydock.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * {@link ContainerRunner} over the Docker Engine API with docker-java (zerodep transport): the same code drives a
 * Docker engine or Podman's Docker-compatible service ({@code podman system service}).
 *
 * @see #connect(String)
 */
public final class DockerEngineRunner implements ContainerRunner {
    private final String endpoint;
    private final DockerClient docker;

    private DockerEngineRunner(String endpoint, DockerClient docker) {
        this.endpoint = endpoint;
        this.docker = docker;
    }

    /**
     * @param endpoint {@code unix:///run/podman/podman.sock}, {@code unix:///var/run/docker.sock} or
     *                 {@code tcp://host:2375}
     */
    public static DockerEngineRunner connect(String endpoint) {
        URI uri = URI.create(endpoint);
        if (!"unix".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme())) {
            throw new IllegalArgumentException("engine endpoint must be unix:///path/to.sock or tcp://host:port, got " + endpoint);
        }
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(endpoint)
                .withDockerTlsVerify(false)
                .build();
        DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return new DockerEngineRunner(endpoint, DockerClientImpl.getInstance(config, http));
    }

    @Override
    public EngineInfo info() {
        try {
            docker.pingCmd().exec();
            Version v = docker.versionCmd().exec();
            Info info = docker.infoCmd().exec();
            boolean podman = v.getComponents() != null && v.getComponents().stream()
                    .anyMatch(c -> c.getName() != null && c.getName().toLowerCase().contains("podman"));
            String runtime = info.getRawValues() == null ? null : String.valueOf(info.getRawValues().get("DefaultRuntime"));
            return new EngineInfo(endpoint, v.getVersion(), v.getApiVersion(), info.getOperatingSystem(), runtime,
                    info.getDriver(), podman);
        } catch (RuntimeException e) {
            throw new EngineException("container engine at " + endpoint + " is not reachable: " + message(e), e);
        }
    }

    @Override
    public String pull(String imageRef, RegistryAuth auth, Duration timeout) {
        String repository = imageRef;
        String tag = null;
        if (!imageRef.contains("@")) {
            int slash = imageRef.lastIndexOf('/');
            int colon = imageRef.lastIndexOf(':');
            if (colon > slash) {
                repository = imageRef.substring(0, colon);
                tag = imageRef.substring(colon + 1);
            } else {
                tag = "latest";
            }
        }
        var cmd = docker.pullImageCmd(repository);
        if (tag != null) cmd.withTag(tag);
        if (auth != null && !auth.anonymous()) {
            cmd.withAuthConfig(new AuthConfig().withUsername(auth.username()).withPassword(auth.password())
                    .withRegistryAddress(auth.serverAddress()));
        }
        // Our own callback: docker-java's PullImageResultCallback throws a NullPointerException on Podman's error items
        // (they have no status) and loses the registry's message.
        AtomicReference<String> failure = new AtomicReference<>();
        ResultCallback.Adapter<PullResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PullResponseItem item) {
                if (item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null) failure.set(item.getErrorDetail().getMessage());
                else if (item.getError() != null) failure.set(item.getError());
            }

            @Override
            public void onError(Throwable throwable) {
                failure.compareAndSet(null, message(throwable));
                super.onError(throwable);
            }
        };
        try {
            boolean done;
            try {
                done = cmd.exec(callback).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, message(e));
                done = true;
            }
            if (!done) {
                callback.close();
                throw new EngineException("pulling " + imageRef + " took longer than " + timeout.toSeconds() + " s");
            }
            if (failure.get() != null) throw new EngineException("could not pull " + imageRef + ": " + failure.get());
        } catch (IOException e) {
            throw new EngineException("could not pull " + imageRef + ": " + message(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while pulling " + imageRef, e);
        } catch (RuntimeException e) {
            if (e instanceof EngineException ee) throw ee;
            throw new EngineException("could not pull " + imageRef + ": " + message(e), e);
        }
        try {
            return docker.inspectImageCmd(imageRef).exec().getId();
        } catch (RuntimeException e) {
            throw new EngineException("pulled " + imageRef + " but the engine does not have it: " + message(e), e);
        }
    }

    @Override
    public RunNetwork createNetwork(String name, boolean internal, String bridgeName, Map<String, String> labels) {
        try {
            docker.createNetworkCmd().withName(name).withDriver("bridge").withInternal(internal).withLabels(labels)
                    .withOptions(Map.of("com.docker.network.bridge.name", bridgeName)).exec();
            Network network = docker.inspectNetworkCmd().withNetworkId(name).exec();
            List<Network.Ipam.Config> configs = network.getIpam() == null ? List.of() : network.getIpam().getConfig();
            if (configs == null || configs.isEmpty() || configs.getFirst().getSubnet() == null || configs.getFirst().getGateway() == null) {
                throw new EngineException("network " + name + " has no IPv4 subnet/gateway");
            }
            String bridge = network.getOptions() != null && network.getOptions().get("com.docker.network.bridge.name") != null
                    ? network.getOptions().get("com.docker.network.bridge.name") : bridgeName;
            return new RunNetwork(name, bridge, configs.getFirst().getSubnet(), configs.getFirst().getGateway());
        } catch (EngineException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EngineException("could not create network " + name + ": " + message(e), e);
        }
    }

    @Override
    public String createContainer(ContainerSpec spec) {
        Limits l = spec.limits();
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(spec.network())
                .withMemory(l.memoryBytes())
                .withMemorySwap(l.memoryBytes())
                .withNanoCPUs(l.nanoCpus())
                .withPidsLimit(l.pids())
                .withPrivileged(false)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(spec.readOnlyRoot())
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,mode=1777,size=" + l.tmpfsBytes()));
        try {
            return docker.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withEnv(spec.env())
                    .withLabels(spec.labels())
                    .withHostConfig(host)
                    .exec().getId();
        } catch (RuntimeException e) {
            throw new EngineException("could not create the container from " + spec.image() + ": " + message(e), e);
        }
    }

    @Override
    public void copyFile(String containerId, String path, byte[] content) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("absolute path expected: " + path);
        try {
            docker.copyArchiveToContainerCmd(containerId)
                    .withRemotePath("/")
                    .withTarInputStream(new ByteArrayInputStream(tar(path.substring(1), content)))
                    .exec();
        } catch (RuntimeException e) {
            throw new EngineException("could not copy " + path + " into the container: " + message(e), e);
        }
    }

    /** A ustar archive holding one regular file (mode 0644, owned by root). */
    static byte[] tar(String name, byte[] content) {
        if (name.length() > 100) throw new IllegalArgumentException("path too long for a plain tar header: " + name);
        byte[] header = new byte[512];
        putAscii(header, 0, name);
        putAscii(header, 100, "0000644");
        putAscii(header, 108, "0000000");
        putAscii(header, 116, "0000000");
        putAscii(header, 124, String.format("%011o", content.length));
        putAscii(header, 136, String.format("%011o", System.currentTimeMillis() / 1000));
        header[156] = '0';
        putAscii(header, 257, "ustar");
        header[262] = 0;
        putAscii(header, 263, "00");
        for (int i = 148; i < 156; i++) header[i] = ' ';
        long sum = 0;
        for (byte b : header) sum += b & 0xff;
        putAscii(header, 148, String.format("%06o", sum));
        header[154] = 0;
        header[155] = ' ';
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + content.length);
        out.writeBytes(header);
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void putAscii(byte[] buf, int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, buf, offset, b.length);
    }

    @Override
    public void start(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (RuntimeException e) {
            throw new EngineException("could not start the container: " + message(e), e);
        }
    }

    @Override
    public LogFollower readLogs(String containerId, Integer tail, BiConsumer<Boolean, byte[]> sink) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                if (frame.getPayload() == null) return;
                sink.accept(frame.getStreamType() != StreamType.STDERR, frame.getPayload());
            }

            @Override
            public void onError(Throwable throwable) {
                ended.complete(null);
            }

            @Override
            public void onComplete() {
                ended.complete(null);
            }
        };
        var cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(false);
        if (tail != null) cmd.withTail(tail);
        cmd.exec(callback);
        return new LogFollower() {
            @Override
            public boolean awaitEnd(Duration timeout) {
                try {
                    ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (Exception e) {
                    return false;
                }
            }

            @Override
            public void close() {
                try {
                    callback.close();
                } catch (IOException ignored) {
                    // closing a finished stream
                }
            }
        };
    }

    @Override
    public OptionalInt awaitExit(String containerId, Duration timeout) {
        try {
            Integer code = docker.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return OptionalInt.of(code);
        } catch (DockerClientException e) {
            if (String.valueOf(e.getMessage()).contains("timeout")) return OptionalInt.empty();
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(containerId).exec().getState();
            if (Boolean.TRUE.equals(state.getRunning())) return OptionalInt.empty();
            return OptionalInt.of(state.getExitCodeLong() == null ? -1 : state.getExitCodeLong().intValue());
        }
    }

    @Override
    public boolean oomKilled(String containerId) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(containerId).exec().getState().getOOMKilled());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public NetCounters netCounters(String containerId) {
        AtomicReference<Statistics> stats = new AtomicReference<>();
        try (ResultCallback.Adapter<Statistics> cb = docker.statsCmd(containerId).withNoStream(true).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Statistics s) {
                stats.set(s);
            }

            @Override
            public void onError(Throwable throwable) {
                // the container stopped between two samples: no statistics, nothing to log
                onComplete();
            }
        })) {
            cb.awaitCompletion(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
        Statistics s = stats.get();
        if (s == null || s.getNetworks() == null) return null;
        long rx = 0;
        long tx = 0;
        for (StatisticNetworksConfig n : s.getNetworks().values()) {
            rx += n.getRxBytes() == null ? 0 : n.getRxBytes();
            tx += n.getTxBytes() == null ? 0 : n.getTxBytes();
        }
        return new NetCounters(rx, tx);
    }

    @Override
    public void kill(String containerId) {
        try {
            docker.killContainerCmd(containerId).exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (RuntimeException e) {
            // not running any more (409); removal forces it anyway
        }
    }

    @Override
    public void removeContainer(String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    @Override
    public void removeImage(String imageRef) {
        try {
            docker.removeImageCmd(imageRef).withForce(false).exec();
        } catch (RuntimeException e) {
            // gone already, or in use by another run (409): that run's cleanup removes it
        }
    }

    @Override
    public void removeNetwork(String name) {
        try {
            docker.removeNetworkCmd(name).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    @Override
    public int cleanupLeftovers() {
        int removed = 0;
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL)).exec()) {
            removeContainer(c.getId());
            removed++;
        }
        for (Network n : docker.listNetworksCmd().withFilter("label", List.of(LABEL)).exec()) {
            removeNetwork(n.getName());
            removed++;
        }
        return removed;
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.strip();
    }
}
