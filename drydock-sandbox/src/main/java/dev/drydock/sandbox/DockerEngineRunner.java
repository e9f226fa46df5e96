package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String endpoint;
    private final DockerHttpClient http;
    private final DockerClient docker;
    private volatile String product;
    private volatile boolean rootGrowthBounded = true;
    private volatile List<String> storagePaths;
    private final Map<String, Long> pids = new java.util.concurrent.ConcurrentHashMap<>();

    private DockerEngineRunner(String endpoint, DockerHttpClient http, DockerClient docker) {
        this.endpoint = endpoint;
        this.http = http;
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
        return new DockerEngineRunner(endpoint, http, DockerClientImpl.getInstance(config, http));
    }

    /**
     * Waits until an engine {@code process} just started answers on its unix {@code socket}; returns null when it does,
     * else why not (it exited, or the last error when the time ran out).
     */
    public static String awaitStart(Process process, Path socket, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no socket yet";
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.exists(socket)) {
                try (DockerEngineRunner r = connect("unix://" + socket)) {
                    r.info();
                    return null;
                } catch (RuntimeException e) {
                    last = e.getMessage();
                }
            }
            Thread.sleep(100);
        }
        return process.isAlive() ? "no answer on " + socket + " within " + timeout.toSeconds() + "s (" + last + ")" : "it exited";
    }

    @Override
    public void ping() {
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new EngineException("container engine at " + endpoint + " is not reachable: " + message(e), e);
        }
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
            EngineInfo engine = new EngineInfo(endpoint, v.getVersion(), v.getApiVersion(), info.getOperatingSystem(), runtime,
                    info.getDriver(), podman, podman ? podmanNetworkBackend() : "bridge");
            product = engine.product();
            return engine;
        } catch (RuntimeException e) {
            throw new EngineException("container engine at " + endpoint + " is not reachable: " + message(e), e);
        }
    }

    /** Podman's network backend ({@code netavark} or {@code cni}) from its own API; null when it does not say. */
    private String podmanNetworkBackend() {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                .path("/v4.0.0/libpod/info").build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            if (response.getStatusCode() != 200) return null;
            String backend = JSON.readTree(response.getBody()).path("host").path("networkBackend").asText("");
            return backend.isEmpty() ? null : backend.toLowerCase(java.util.Locale.ROOT);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code Podman 4.3.1 at unix:///…} for messages; just the endpoint until {@link #info()} answered once. */
    private String engine() {
        return product == null ? "the container engine at " + endpoint : product + " at " + endpoint;
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
    public RunNetwork createNetwork(String name, boolean internal, String bridgeName, SubnetPool.Subnet subnet, Map<String, String> labels) {
        if (product == null) {
            try {
                info();
            } catch (EngineException ignored) {
                // the create below fails with the engine's own message
            }
        }
        Network.Ipam ipam = new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(subnet.cidr()).withGateway(subnet.gateway()));
        try {
            docker.createNetworkCmd().withName(name).withDriver("bridge").withInternal(internal).withLabels(labels).withIpam(ipam)
                    .withOptions(Map.of("com.docker.network.bridge.name", bridgeName)).exec();
        } catch (RuntimeException e) {
            String why = message(e);
            if (OVERLAP.matcher(why).find()) throw new SubnetTakenException(why);
            throw new EngineException(engine() + " could not create the run network " + name + " (" + subnet.cidr() + "): " + why
                    + "; ./drydock doctor checks the engine's network setup", e);
        }
        Network network;
        try {
            network = docker.inspectNetworkCmd().withNetworkId(name).exec();
        } catch (RuntimeException e) {
            removeQuietly(name);
            throw new EngineException(engine() + " created the run network " + name + " but cannot inspect it: " + message(e), e);
        }
        List<Network.Ipam.Config> configs = network.getIpam() == null || network.getIpam().getConfig() == null
                ? List.of() : network.getIpam().getConfig();
        Network.Ipam.Config v4 = configs.stream().filter(c -> present(c.getSubnet()) && c.getSubnet().contains(".")).findFirst().orElse(null);
        if (v4 == null) {
            removeQuietly(name);
            throw new EngineException(engine() + " created the run network " + name + " without an IPv4 subnet (Drydock asked for "
                    + subnet.cidr() + "), so the sandbox API has no address the container can reach. " + NETWORK_FIX);
        }
        // Podman's CNI backend reports an internal network's gateway as "<nil>": the gateway is then the subnet's first
        // host, which is what Drydock asked for and what the fence puts on the bridge.
        String gateway = present(v4.getGateway()) ? v4.getGateway().replaceFirst("/.*", "") : firstHost(v4.getSubnet());
        String bridge = network.getOptions() != null && present(network.getOptions().get("com.docker.network.bridge.name"))
                ? network.getOptions().get("com.docker.network.bridge.name") : bridgeName;
        return new RunNetwork(name, bridge, v4.getSubnet(), gateway);
    }

    /** What to do when run networks do not work, for every message about them. */
    static final String NETWORK_FIX = "With Podman, install its netavark backend (apt-get install -y netavark aardvark-dns) and set"
            + " network_backend = \"netavark\" in the [network] table of containers.conf, or install the CNI plugins"
            + " (apt-get install -y containernetworking-plugins); with Docker, check that it runs its bridge driver. ./drydock"
            + " doctor tries a run network and says what it got.";

    private static final java.util.regex.Pattern OVERLAP = java.util.regex.Pattern.compile(
            "overlap|already used|already in use|conflicts with", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** Engines print absent values as {@code <nil>}, {@code ""} or nothing. */
    static boolean present(String value) {
        return value != null && !value.isBlank() && !value.strip().equals("<nil>");
    }

    static String firstHost(String cidr) {
        String[] p = cidr.split("/")[0].split("\\.");
        return p[0] + "." + p[1] + "." + p[2] + "." + (Integer.parseInt(p[3]) + 1);
    }

    private void removeQuietly(String network) {
        try {
            docker.removeNetworkCmd(network).exec();
        } catch (RuntimeException ignored) {
            // cleanupLeftovers() finds it by its label
        }
    }

    @Override
    public List<String> networkSubnets() {
        List<String> subnets = new ArrayList<>();
        try {
            for (Network n : docker.listNetworksCmd().exec()) {
                if (n.getIpam() == null || n.getIpam().getConfig() == null) continue;
                for (Network.Ipam.Config c : n.getIpam().getConfig()) {
                    if (present(c.getSubnet())) subnets.add(c.getSubnet());
                }
            }
        } catch (RuntimeException e) {
            throw new EngineException(engine() + " cannot list its networks: " + message(e), e);
        }
        return subnets;
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
                // /tmp is the root filesystem's, as under Docker and Kubernetes; /dev/shm their 64 MiB, said explicitly
                .withShmSize(l.tmpfsBytes())
                .withDns(spec.dns());
        if (rootGrowthBounded) {
            try {
                return create(spec, host.withStorageOpt(Map.of("size", Long.toString(l.rootGrowthBytes()))));
            } catch (EngineException e) {
                // vfs, and overlay without project quotas, have no size option: run unbounded rather than not at all
                if (!SIZE_UNSUPPORTED.matcher(String.valueOf(e.getMessage())).find()) throw e;
                rootGrowthBounded = false;
                host.withStorageOpt(null);
            }
        }
        return create(spec, host);
    }

    private static final java.util.regex.Pattern SIZE_UNSUPPORTED = java.util.regex.Pattern.compile(
            "storage.?opt|quota|not supported|size", java.util.regex.Pattern.CASE_INSENSITIVE);

    private String create(ContainerSpec spec, HostConfig host) {
        try {
            var cmd = docker.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withEnv(spec.env())
                    .withLabels(spec.labels())
                    .withHostConfig(host);
            // an explicit entrypoint and an empty cmd: the image's CMD is not appended to it
            if (spec.entrypoint() != null) cmd.withEntrypoint(spec.entrypoint()).withCmd(List.of());
            return cmd.exec().getId();
        } catch (RuntimeException e) {
            throw new EngineException("could not create the container from " + spec.image() + ": " + message(e), e);
        }
    }

    @Override
    public ImageConfig imageConfig(String imageRef) {
        try {
            var config = docker.inspectImageCmd(imageRef).exec().getConfig();
            if (config == null) return new ImageConfig(null, null, null);
            return new ImageConfig(config.getEntrypoint() == null ? null : List.of(config.getEntrypoint()),
                    config.getCmd() == null ? null : List.of(config.getCmd()),
                    config.getEnv() == null ? null : List.of(config.getEnv()));
        } catch (RuntimeException e) {
            throw new EngineException("could not inspect the image " + imageRef + ": " + message(e), e);
        }
    }

    @Override
    public String containerAddress(String containerId, String network) {
        try {
            var settings = docker.inspectContainerCmd(containerId).exec().getNetworkSettings();
            if (settings == null || settings.getNetworks() == null) return null;
            var n = settings.getNetworks().get(network);
            if (n == null && settings.getNetworks().size() == 1) n = settings.getNetworks().values().iterator().next();
            String ip = n == null ? null : n.getIpAddress();
            return ip == null || ip.isBlank() ? null : ip;
        } catch (RuntimeException e) {
            throw new EngineException("could not inspect the container " + containerId + ": " + message(e), e);
        }
    }

    @Override
    public boolean boundsRootGrowth() {
        return rootGrowthBounded;
    }

    @Override
    public Long rootBytesWritten(String containerId) {
        try {
            return docker.inspectContainerCmd(containerId).withSize(true).exec().getSizeRw();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public Map<String, Long> memoryFilesystemUse(String containerId) {
        Long pid = pids.computeIfAbsent(containerId, this::containerPid);
        if (pid == null) return Map.of();
        Path proc = Path.of("/proc", pid.toString());
        try {
            // the engine may be on another host, or the process gone and its number reused: it must be this container's
            if (!Files.readString(proc.resolve("cgroup")).contains(containerId)) return Map.of();
            return memoryFilesystemUse(proc, Files.readAllLines(proc.resolve("mountinfo")));
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /**
     * The writable tmpfs mounts of {@code mountinfo} (one per filesystem: the engine binds parts of {@code /dev}'s over
     * masked {@code /proc} files), outside {@code /proc} and {@code /sys}, with the bytes in use, read with statvfs
     * through the process's root ({@code /proc/<pid>/root}).
     */
    static Map<String, Long> memoryFilesystemUse(Path proc, List<String> mountinfo) {
        Map<String, Long> use = new java.util.LinkedHashMap<>();
        java.util.Set<String> devices = new java.util.HashSet<>();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash < 6 || dash + 1 >= f.length || !f[dash + 1].equals("tmpfs")) continue;
            String mountPoint = f[4];
            if (!f[5].startsWith("rw") || mountPoint.startsWith("/proc") || mountPoint.startsWith("/sys") || !devices.add(f[2])) continue;
            java.io.File dir = new java.io.File(proc.resolve("root").toString() + mountPoint);
            long total = dir.getTotalSpace();
            if (total > 0) use.put(mountPoint, total - dir.getFreeSpace());
        }
        return use;
    }

    @Override
    public List<String> hostStoragePaths() {
        List<String> paths = storagePaths;
        if (paths != null) return paths;
        java.util.Set<String> found = new java.util.LinkedHashSet<>();
        try {
            Info info = docker.infoCmd().exec();
            if (present(info.getDockerRootDir())) found.add(info.getDockerRootDir());
        } catch (RuntimeException ignored) {
            // nothing to hide that we know of
        }
        // Podman keeps each container's hosts, hostname and .containerenv (bind-mounted into it) under its run root
        DockerHttpClient.Request request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                .path("/v4.0.0/libpod/info").build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            if (response.getStatusCode() == 200) {
                var store = JSON.readTree(response.getBody()).path("store");
                for (String key : List.of("graphRoot", "runRoot", "volumePath")) {
                    if (present(store.path(key).asText(""))) found.add(store.path(key).asText());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Docker: no libpod API
        }
        found.removeIf(p -> p.equals("/") || !p.startsWith("/"));
        paths = found.stream().map(p -> p.endsWith("/") ? p.substring(0, p.length() - 1) : p).toList();
        storagePaths = paths;
        return paths;
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

    @Override
    public PathEntry pathEntry(String containerId, String path) {
        try (java.io.InputStream tar = docker.copyArchiveFromContainerCmd(containerId, path).exec()) {
            return firstEntry(tar);
        } catch (NotFoundException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            throw new EngineException("could not read " + path + " in the container: " + message(e), e);
        }
    }

    /** The first real entry of a tar stream (PAX and GNU long-name headers read for it); reads only its headers. */
    static PathEntry firstEntry(java.io.InputStream tar) throws IOException {
        var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(tar);
        var e = in.getNextEntry();
        if (e == null) return null;
        char type = e.isSymbolicLink() ? '2' : e.isLink() ? '1' : e.isDirectory() ? '5' : e.isFile() ? '0' : (char) e.getLinkFlag();
        return new PathEntry(type, e.getMode() & 07777, e.getSize(), e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null);
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout, int maxBytes) {
        try {
            String execId = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    byte[] p = frame.getPayload();
                    if (p == null) return;
                    synchronized (out) {
                        out.write(p, 0, Math.min(p.length, Math.max(0, maxBytes - out.size())));
                    }
                }
            };
            boolean ended;
            try (callback) {
                docker.execStartCmd(execId).exec(callback);
                ended = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            Long code = ended ? docker.inspectExecCmd(execId).exec().getExitCodeLong() : null;
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            return new ExecResult(code == null ? null : code.intValue(), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExecResult(null, "");
        } catch (IOException | RuntimeException e) {
            throw new EngineException("could not run " + command.getFirst() + " in the container: " + message(e), e);
        }
    }

    @Override
    public Long containerPid(String containerId) {
        try {
            Long pid = docker.inspectContainerCmd(containerId).exec().getState().getPidLong();
            return pid == null || pid <= 0 ? null : pid;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void ensureDirectory(String containerId, String path, int mode) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("absolute path expected: " + path);
        try {
            docker.copyArchiveToContainerCmd(containerId)
                    .withRemotePath("/")
                    .withTarInputStream(new ByteArrayInputStream(tar(path.substring(1) + "/", mode, '5', new byte[0])))
                    .exec();
        } catch (RuntimeException e) {
            throw new EngineException("could not create " + path + " in the container: " + message(e), e);
        }
    }

    /** A ustar archive holding one regular file (mode 0644, owned by root). */
    static byte[] tar(String name, byte[] content) {
        return tar(name, 0644, '0', content);
    }

    /** A ustar archive holding one entry owned by root: {@code type} '0' a regular file, '5' a directory. */
    private static byte[] tar(String name, int mode, char type, byte[] content) {
        if (name.length() > 100) throw new IllegalArgumentException("path too long for a plain tar header: " + name);
        byte[] header = new byte[512];
        putAscii(header, 0, name);
        putAscii(header, 100, String.format("%07o", mode));
        putAscii(header, 108, "0000000");
        putAscii(header, 116, "0000000");
        putAscii(header, 124, String.format("%011o", content.length));
        putAscii(header, 136, String.format("%011o", System.currentTimeMillis() / 1000));
        header[156] = (byte) type;
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
            String why = message(e);
            // A backend without its plugins fails only here (Podman creates a CNI network's config without checking them).
            boolean network = why.contains("plugin") || why.contains("netavark") || why.contains("CNI");
            throw new EngineException(engine() + " could not start the container: " + why + (network ? ". " + NETWORK_FIX : ""), e);
        }
    }

    @Override
    public LogFollower readLogs(String containerId, Integer tail, BiConsumer<Boolean, byte[]> sink) {
        var cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(false);
        if (tail != null) cmd.withTail(tail);
        return readLogs(cmd, sink);
    }

    @Override
    public LogFollower readStream(String containerId, boolean stdout, Integer tail, java.time.Instant since, boolean timestamps,
                                  java.util.function.Consumer<byte[]> sink) {
        var cmd = docker.logContainerCmd(containerId).withStdOut(stdout).withStdErr(!stdout).withFollowStream(false)
                .withTimestamps(timestamps);
        if (tail != null) cmd.withTail(tail);
        if (since != null) cmd.withSince((int) since.getEpochSecond());
        return readLogs(cmd, (out, bytes) -> sink.accept(bytes));
    }

    private LogFollower readLogs(com.github.dockerjava.api.command.LogContainerCmd cmd, BiConsumer<Boolean, byte[]> sink) {
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
        pids.remove(containerId);
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
    public java.util.Set<String> cleanupLeftovers(java.util.function.Predicate<String> dead) {
        java.util.Set<String> runs = new java.util.TreeSet<>();
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL)).exec()) {
            String run = c.getLabels() == null ? null : c.getLabels().get(LABEL);
            if (run != null && !dead.test(run)) continue;
            removeContainer(c.getId());
            if (run != null) runs.add(run);
        }
        for (Network n : docker.listNetworksCmd().withFilter("label", List.of(LABEL)).exec()) {
            String run = n.getLabels() == null ? null : n.getLabels().get(LABEL);
            if (run != null && !dead.test(run)) continue;
            removeNetwork(n.getName());
            if (run != null) runs.add(run);
        }
        return runs;
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
