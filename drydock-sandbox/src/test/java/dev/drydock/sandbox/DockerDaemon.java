package dev.drydock.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private Docker daemon (Debian's {@code docker.io}) for the sandbox tests: its data root, exec root, socket, pid
 * file and log under one directory, {@code vfs} storage (no overlay inside containers and CI machines).
 *
 * <p>Docker changes the host more than Podman does: it creates its own iptables chains ({@code DOCKER},
 * {@code DOCKER-USER}, {@code DOCKER-ISOLATION-STAGE-*}) with jumps from the built-in chains, and may set the
 * {@code FORWARD} policy to {@code DROP} (the default {@code docker0} bridge is not created: {@code --bridge none}).
 * {@link #close()} stops the daemon and undoes all of that, so the Podman tests that run after it see the host as it
 * was — unless another Docker daemon still runs on the host (another test JVM, a system Docker), which needs them.
 */
final class DockerDaemon implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String forwardPolicy;

    private DockerDaemon(Path dir, Process process, String forwardPolicy) {
        this.dir = dir;
        this.process = process;
        this.forwardPolicy = forwardPolicy;
    }

    static Path socket(Path dir) {
        return dir.resolve("docker.sock");
    }

    static DockerDaemon start(Path dir, Duration startTimeout) throws IOException {
        Files.createDirectories(dir);
        String policy = forwardPolicy();
        Path socket = socket(dir);
        Process p = new ProcessBuilder("dockerd", "--data-root", dir.resolve("root").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--host", "unix://" + socket, "--pidfile", dir.resolve("docker.pid").toString(), "--storage-driver", "vfs",
                "--bridge", "none") // no docker0: runs use their own networks
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("dockerd.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        DockerDaemon daemon = new DockerDaemon(dir, p, policy);
        String failure;
        try {
            failure = DockerEngineRunner.awaitStart(p, socket, startTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (failure == null) return daemon;
        daemon.close();
        throw new IOException("dockerd: " + failure + "; its log: "
                + Files.readString(dir.resolve("dockerd.log")).lines().reduce((a, b) -> b).orElse("(empty)"));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // dockerd's containerd and shims end with it; any left (a killed daemon) must not hold the exec root
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        // Docker's chains are shared by every daemon on the host: the last one to stop removes them
        boolean anotherDaemon = ProcessHandle.allProcesses().anyMatch(p -> p.pid() != process.pid()
                && p.info().command().map(c -> c.endsWith("/dockerd")).orElse(false));
        if (!anotherDaemon) undoHostChanges();
    }

    /** Removes what the daemon added to the host: rules and chains named DOCKER*, the docker0 bridge, the FORWARD policy. */
    private void undoHostChanges() {
        for (String table : List.of("filter", "nat")) {
            List<String> rules = exec("iptables", "-w", "-t", table, "-S");
            for (String rule : rules) {
                if (rule.startsWith("-A ") && (rule.contains("DOCKER") || rule.contains("docker0"))) {
                    String chain = rule.split(" ")[1];
                    if (chain.startsWith("DOCKER")) continue; // flushed with its chain below
                    List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D"));
                    delete.addAll(List.of(rule.substring(3).split(" ")));
                    exec(delete.toArray(String[]::new));
                }
            }
            List<String> chains = rules.stream().filter(r -> r.startsWith("-N DOCKER")).map(r -> r.substring(3).trim()).toList();
            for (String chain : chains) exec("iptables", "-w", "-t", table, "-F", chain);
            for (String chain : chains) exec("iptables", "-w", "-t", table, "-X", chain);
        }
        if (forwardPolicy != null) exec("iptables", "-w", "-P", "FORWARD", forwardPolicy);
        if (Files.exists(Path.of("/sys/class/net/docker0"))) exec("ip", "link", "del", "docker0");
    }

    /** ACCEPT or DROP, as the FORWARD chain's policy is before Docker starts. */
    private static String forwardPolicy() {
        for (String line : exec("iptables", "-w", "-S", "FORWARD")) {
            if (line.startsWith("-P FORWARD ")) return line.substring("-P FORWARD ".length()).trim();
        }
        return null;
    }

    private static List<String> exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out.lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    @Override
    public String toString() {
        return "dockerd in " + dir;
    }
}
