package dev.drydock.sandbox;

import dev.drydock.testkit.Prerequisites;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real container infrastructure for the sandbox tests, all under one temporary directory and all stopped by
 * {@link #close()}:
 * <ul>
 *   <li>a CNCF distribution registry ({@code docker-registry}) on 127.0.0.1 with htpasswd (bcrypt) authentication, so
 *       the runner pulls with credentials as it does from Drydock's registry;
 *   <li>a container engine with a Docker Engine API on a unix socket, chosen by the system property
 *       {@value #ENGINE_PROPERTY} (the sandbox module's test executions run the engine-dependent tests once for each):
 *       {@code podman-netavark} (default) and {@code podman-cni} — the product's own {@link PodmanService} with that
 *       network backend, its own storage, runroot and network configuration — or {@code docker}, a private Docker
 *       daemon ({@link DockerDaemon});
 *   <li>{@link #buildAdapter}: an image built with buildah from Debian's static busybox plus a shell script and a
 *       {@code /var/manifest.json}, pushed to the registry.
 * </ul>
 * The registry (rather than {@code POST /images/load}) is used because it exercises the real pull path, including
 * credentials.
 *
 * <p>{@link #require()} skips the calling test when a tool is missing, except on CI where it fails ({@link Prerequisites}).
 */
final class EngineFixture implements AutoCloseable {
    static final String USER = "sandbox-puller";
    static final String ENGINE_PROPERTY = "drydock.test.engine";

    /** The engines and network backends the sandbox is tested on. */
    enum Engine {
        PODMAN_NETAVARK("netavark"), PODMAN_CNI("cni"), DOCKER(null);

        /** Podman's {@code network_backend}; null for Docker. */
        final String podmanBackend;

        Engine(String podmanBackend) {
            this.podmanBackend = podmanBackend;
        }

        static Engine selected() {
            String name = System.getProperty(ENGINE_PROPERTY, "podman-netavark");
            for (Engine e : values()) {
                if (e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-').equals(name)) return e;
            }
            throw new IllegalArgumentException(ENGINE_PROPERTY + " must be podman-netavark, podman-cni or docker, got " + name);
        }
    }

    final Engine engine = Engine.selected();
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);

    final Path dir;
    final String password;
    final int registryPort;
    final Path socket;
    private final Map<String, String> env;
    private final List<Process> processes = new ArrayList<>();
    private PodmanService podman;
    private DockerDaemon docker;

    /**
     * Skips (fails on CI) unless buildah, docker-registry, runc, iptables, ip, curl, /bin/busybox and the selected engine
     * (podman with netavark or with the CNI plugins, or dockerd) are installed and this process may change firewall rules
     * (root).
     */
    static void require() {
        Engine engine = Engine.selected();
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("buildah", "docker-registry", "runc", "iptables", "ip", "curl")) {
            if (Prerequisites.onPath(tool) == null) missing.add(tool);
        }
        switch (engine) {
            case PODMAN_NETAVARK -> {
                if (Prerequisites.onPath("podman") == null) missing.add("podman");
                if (!Files.isExecutable(Path.of("/usr/lib/podman/netavark"))) missing.add("netavark (Debian package netavark)");
                if (!Files.isExecutable(Path.of("/usr/lib/podman/aardvark-dns"))) missing.add("aardvark-dns");
            }
            case PODMAN_CNI -> {
                if (Prerequisites.onPath("podman") == null) missing.add("podman");
                if (SandboxDoctor.CNI_PLUGIN_DIRS.stream().noneMatch(d -> Files.isExecutable(Path.of(d, "bridge")))) {
                    missing.add("the CNI plugins (Debian package containernetworking-plugins)");
                }
            }
            case DOCKER -> {
                if (Prerequisites.onPath("dockerd") == null) missing.add("dockerd (Debian package docker.io)");
                if (Prerequisites.onPath("containerd") == null) missing.add("containerd");
            }
        }
        if (!Files.isExecutable(Path.of("/bin/busybox"))) missing.add("/bin/busybox (busybox-static)");
        if (missing.isEmpty() && NetworkFence.unavailableReason() != null) missing.add("a usable network fence: " + NetworkFence.unavailableReason());
        Prerequisites.require("not installed for the " + engine + " tests", missing);
    }

    EngineFixture() throws IOException {
        require();
        dir = Files.createTempDirectory("drydock-sandbox-test");
        byte[] pw = new byte[12];
        new SecureRandom().nextBytes(pw);
        password = java.util.HexFormat.of().formatHex(pw);
        registryPort = freePort();
        socket = engine == Engine.DOCKER ? DockerDaemon.socket(dir.resolve("docker")) : PodmanService.socket(dir.resolve("podman"));
        Path conf = dir.resolve("containers.conf");
        try (InputStream in = EngineFixture.class.getResourceAsStream("/podman/containers.conf")) {
            Files.copy(in, conf);
        }
        Path registries = dir.resolve("registries.conf");
        Files.writeString(registries, "[[registry]]\nlocation = \"127.0.0.1:" + registryPort + "\"\ninsecure = true\n");
        env = Map.of("CONTAINERS_CONF", conf.toString(), "CONTAINERS_REGISTRIES_CONF", registries.toString());
        try {
            startRegistry();
            if (engine == Engine.DOCKER) docker = DockerDaemon.start(dir.resolve("docker"), Duration.ofSeconds(60));
            else podman = PodmanService.start(dir.resolve("podman"), List.of("127.0.0.1:" + registryPort), engine.podmanBackend,
                    Duration.ofSeconds(30));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String endpoint() {
        return "unix://" + socket;
    }

    RegistryAuth auth() {
        return new RegistryAuth(USER, password, "127.0.0.1:" + registryPort);
    }

    private void startRegistry() throws IOException {
        Path htpasswd = dir.resolve("htpasswd");
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Files.writeString(htpasswd, USER + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5) + "\n");
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                auth:
                  htpasswd:
                    realm: drydock-sandbox-test
                    path: %s
                """.formatted(dir.resolve("registry-data"), registryPort, htpasswd));
        processes.add(start(List.of("docker-registry", "serve", config.toString()), "registry"));
        awaitPort(registryPort);
    }

    /** The names (repository:tag) of the images the engine holds now, from its API. */
    List<String> engineImages() {
        String json = tool(List.of("curl", "-sS", "--unix-socket", socket.toString(), "http://engine/images/json"));
        List<String> names = new ArrayList<>();
        try {
            for (var image : new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)) {
                image.path("RepoTags").forEach(t -> names.add(t.asText()));
            }
        } catch (IOException e) {
            throw new AssertionError("the engine's image list is not JSON: " + json, e);
        }
        return names;
    }

    /**
     * Builds an adapter image: busybox at /bin/busybox with applet links, {@code script} at /adapter.sh as the
     * exec-form ENTRYPOINT, {@code manifest} at /var/manifest.json; pushes it and returns its reference.
     */
    String buildAdapter(String name, String manifest, String script) {
        try {
            Path root = Files.createTempDirectory(dir, "rootfs-" + name);
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("var"));
            Files.createDirectories(root.resolve("tmp"));
            Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
            for (String applet : List.of("sh", "echo", "cat", "wget", "sleep", "sed", "yes", "head", "printf", "grep", "wc", "ls", "ps", "cut", "tr")) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Files.writeString(root.resolve("var/manifest.json"), manifest);
            Path sh = root.resolve("adapter.sh");
            Files.writeString(sh, script);
            Files.setPosixFilePermissions(sh, PosixFilePermissions.fromString("rwxr-xr-x"));
            return buildRootfs(name, root, "[\"/bin/sh\",\"/adapter.sh\"]");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits {@code root} as an image FROM scratch with the exec-form {@code entrypoint} (JSON array), pushes it. */
    String buildRootfs(String name, Path root, String entrypoint) {
        return buildRootfs(name, root, entrypoint, List.of());
    }

    /** {@link #buildRootfs(String, Path, String)} with more environment variables ({@code NAME=value}) in the config. */
    String buildRootfs(String name, Path root, String entrypoint, List<String> env) {
        List<String> buildah = List.of("buildah", "--storage-driver", "vfs", "--root", dir.resolve("build-storage").toString(),
                "--runroot", dir.resolve("build-run").toString());
        String container = tool(concat(buildah, "from", "scratch")).strip();
        tool(concat(buildah, "copy", container, root + "/", "/"));
        List<String> config = new ArrayList<>(List.of("config", "--entrypoint", entrypoint, "--env", "PATH=/bin"));
        for (String e : env) config.addAll(List.of("--env", e));
        config.add(container);
        tool(concat(buildah, config.toArray(String[]::new)));
        String ref = "127.0.0.1:" + registryPort + "/17532/" + name + ":1";
        tool(concat(buildah, "commit", "-q", "--rm", container, "localhost/" + name + ":1"));
        tool(concat(buildah, "push", "--tls-verify=false", "--creds", USER + ":" + password, "localhost/" + name + ":1", "docker://" + ref));
        return ref;
    }

    /**
     * Builds an image from a Dockerfile with {@code buildah bud} (a copy of {@code context} plus Debian's static busybox
     * as {@code busybox}), pushes it and returns its reference.
     */
    String buildDockerfile(Path context, String name) {
        try {
            Path ctx = Files.createTempDirectory(dir, "context-" + name);
            try (Stream<Path> files = Files.list(context)) {
                for (Path f : files.toList()) Files.copy(f, ctx.resolve(f.getFileName().toString()));
            }
            Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            List<String> buildah = List.of("buildah", "--storage-driver", "vfs", "--root", dir.resolve("build-storage").toString(),
                    "--runroot", dir.resolve("build-run").toString());
            String ref = "127.0.0.1:" + registryPort + "/17532/" + name + ":1";
            tool(concat(buildah, "bud", "-q", "-t", "localhost/" + name + ":1", ctx.toString()));
            tool(concat(buildah, "push", "--tls-verify=false", "--creds", USER + ":" + password, "localhost/" + name + ":1", "docker://" + ref));
            return ref;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    /** Runs a tool to completion and returns its output whatever its exit code. */
    String toolAllowingFailure(List<String> command) {
        return run(command, false);
    }

    /** Runs a tool to completion; fails with its output unless it exits 0. */
    String tool(List<String> command) {
        return run(command, true);
    }

    private String run(List<String> command, boolean mustSucceed) {
        try {
            Path out = Files.createTempFile(dir, "tool", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            String output = Files.readString(out);
            if (mustSucceed && p.exitValue() != 0) throw new AssertionError("failed (" + p.exitValue() + "): " + String.join(" ", command) + "\n" + output);
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process start(List<String> command, String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return pb.start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (podman != null) podman.close();
        if (docker != null) docker.close();
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
