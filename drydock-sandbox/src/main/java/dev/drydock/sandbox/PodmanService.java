package dev.drydock.sandbox;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Podman service (Docker-compatible API) started and stopped by Drydock, with everything under one directory: its
 * {@code containers.conf} (runc, cgroupfs, explicit ulimits), a {@code registries.conf} marking the given registries as
 * plain-HTTP (insecure), its own storage ({@code --storage-driver vfs}), runroot and temp directory, the socket
 * {@code podman.sock}, the log {@code podman.log}, a pid file, its network configurations ({@code networks/}) and its
 * working directory (conmon leaves an empty {@code oom} file there after a container hit its memory limit). It
 * shares nothing with other Podman users of the machine. A service an earlier process left running (a crash) is stopped first, so its containers can be cleaned up
 * through the new one.
 */
public final class PodmanService implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private PodmanService(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** True when a {@code podman} executable is on the PATH. */
    public static boolean installed() {
        return find("podman").isPresent();
    }

    /**
     * Starts {@code podman --storage-driver vfs system service --time=0 unix://<dir>/podman.sock} and waits until it
     * answers.
     *
     * @param insecureRegistries host:port of registries the engine may pull from over plain HTTP (Drydock's own)
     */
    public static PodmanService start(Path dir, List<String> insecureRegistries, Duration startTimeout) throws IOException {
        return start(dir, insecureRegistries, null, startTimeout);
    }

    /**
     * @param networkBackend {@code netavark} or {@code cni}; null lets Podman choose (netavark when installed, else CNI).
     *                       The sandbox works on both; the tests run on each.
     */
    public static PodmanService start(Path dir, List<String> insecureRegistries, String networkBackend, Duration startTimeout)
            throws IOException {
        dir = dir.toAbsolutePath(); // podman runs in dir: a relative path would be resolved twice
        Files.createDirectories(dir);
        stopEarlier(dir);
        Path conf = dir.resolve("containers.conf");
        try (InputStream in = PodmanService.class.getResourceAsStream("containers.conf")) {
            Files.copy(in, conf, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // Network configurations under dir, not /etc: Drydock's run networks are nobody else's business.
        Path networks = Files.createDirectories(dir.resolve("networks"));
        Files.writeString(conf, "\n[network]\nnetwork_config_dir = \"" + networks + "\"\n"
                + (networkBackend == null ? "" : "network_backend = \"" + networkBackend + "\"\n"), java.nio.file.StandardOpenOption.APPEND);
        StringBuilder registries = new StringBuilder("# Written by Drydock: registries this Podman service pulls from over plain HTTP\n");
        for (String r : insecureRegistries) registries.append("[[registry]]\nlocation = \"").append(r).append("\"\ninsecure = true\n\n");
        Path registriesConf = dir.resolve("registries.conf");
        Files.writeString(registriesConf, registries);
        Path socket = socket(dir);
        Files.deleteIfExists(socket);
        ProcessBuilder pb = new ProcessBuilder("podman", "--storage-driver", "vfs", "--root", dir.resolve("storage").toString(),
                "--runroot", runroot(dir).toString(), "--tmpdir", dir.resolve("tmp").toString(),
                "system", "service", "--time=0", "unix://" + socket)
                // conmon (2.1) creates an empty file "oom" in its working directory, which is Podman's, whenever a
                // container hits its memory limit: in dir, not in whatever directory Drydock was started from
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("podman.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(Map.of("CONTAINERS_CONF", conf.toString(), "CONTAINERS_REGISTRIES_CONF", registriesConf.toString()));
        Process process = pb.start();
        Files.writeString(dir.resolve("podman.pid"), Long.toString(process.pid()));
        PodmanService service = new PodmanService(dir, process);
        String failure;
        try {
            failure = DockerEngineRunner.awaitStart(process, socket, startTimeout);
        } catch (InterruptedException e) {
            service.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting podman", e);
        }
        if (failure == null) return service;
        service.close();
        if (!process.isAlive()) {
            List<String> log = Files.readAllLines(dir.resolve("podman.log"));
            throw new IOException("podman system service exited: " + (log.isEmpty() ? "(no output)" : log.getLast())
                    + "; see " + dir.resolve("podman.log"));
        }
        throw new IOException("podman system service: " + failure + "; see " + dir.resolve("podman.log"));
    }

    /** Stops a service that an earlier process started in {@code dir} and left running. */
    private static void stopEarlier(Path dir) {
        Path pidFile = dir.resolve("podman.pid");
        try {
            if (!Files.exists(pidFile)) return;
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).filter(p -> p.info().command().map(c -> c.endsWith("podman")).orElse(false)).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            // nothing to stop
        }
    }

    public String endpoint() {
        return "unix://" + socket(dir);
    }

    /**
     * Podman refuses a runroot longer than 50 characters, and a unix socket path must stay under 108 bytes: for a data
     * directory deep in the file system both move to a short directory in the system's temporary directory, named
     * after a hash of {@code dir} (so a restart finds the same one).
     */
    static Path runroot(Path dir) {
        Path run = dir.resolve("run");
        return run.toString().length() <= 50 ? run : shortDir(dir).resolve("run");
    }

    static Path socket(Path dir) {
        Path socket = dir.resolve("podman.sock");
        return socket.toString().length() <= 100 ? socket : shortDir(dir).resolve("podman.sock");
    }

    private static Path shortDir(Path dir) {
        String hash = Integer.toHexString(dir.toAbsolutePath().normalize().toString().hashCode());
        Path p = Path.of("/tmp", "ddpm-" + hash);
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + p, e);
        }
        return p;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(dir.resolve("podman.pid"));
        } catch (IOException ignored) {
            // best effort
        }
    }

    static Optional<Path> find(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String d : path.split(File.pathSeparator)) {
            Path c = Path.of(d, tool);
            if (Files.isRegularFile(c) && Files.isExecutable(c)) return Optional.of(c);
        }
        return Optional.empty();
    }
}
