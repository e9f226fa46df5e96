package dev.drydock.server;

import dev.drydock.sandbox.PodmanService;
import dev.drydock.sandbox.SandboxConfig;
import dev.drydock.sandbox.SandboxDoctor;
import dev.drydock.server.config.DrydockConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code drydock doctor}: is there a usable container runtime for the sandbox run, as {@code sandbox.engine} would
 * find it? Prints each finding with its fix; exit 0 when a usable runtime was found, 1 otherwise, 2 on a bad
 * configuration. With {@code sandbox.engine=auto} and no engine answering, it starts a Podman service in a temporary
 * directory the way {@code serve} would, examines it and stops it.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, description =
        "Check that a container runtime usable for the sandbox run is there (sandbox.engine) and say what to install or"
        + " configure if not. Exit 0: usable; 1: not usable; 2: invalid configuration.")
final class DoctorCommand implements Callable<Integer> {
    @Mixin
    Main.ConfigOptions options;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DrydockConfig cfg = options.load(new HashMap<>(), err);
        if (cfg == null) return 2;
        String engine = cfg.sandbox().engine();
        out.println("sandbox.engine = " + engine);
        if (cfg.sandbox().disabled()) {
            out.println("[!!] sandbox: disabled (sandbox.engine=none): builds are not run in a container; their run checks are"
                    + " warnings");
            out.println("     fix: set sandbox.engine=auto (or an endpoint) and run ./drydock doctor again");
            out.flush();
            return 1;
        }
        String endpoint;
        PodmanService started = null;
        Path temp = null;
        if (engine.equals("auto") || engine.equals("podman")) {
            Optional<String> found = engine.equals("auto") ? SandboxRuntime.probe(SandboxRuntime.candidates()) : Optional.empty();
            if (found.isPresent()) {
                endpoint = found.get();
                out.println("[ok] engine found at " + endpoint);
            } else if (!PodmanService.installed()) {
                out.println("[!!] engine: none answers at " + String.join(", ", SandboxRuntime.candidates())
                        + " and podman is not installed");
                out.println("     fix: apt-get install -y podman runc iptables iproute2 (Drydock then starts its own Podman"
                        + " service), or start Docker/Podman and set sandbox.engine to its socket");
                out.flush();
                return 1;
            } else {
                out.println("[ok] " + (engine.equals("auto") ? "no engine answers at " + String.join(", ", SandboxRuntime.candidates())
                        + "; " : "") + "serve starts its own Podman service under " + cfg.dataDir().resolve("podman")
                        + " (trying one now)");
                temp = Files.createTempDirectory("drydock-doctor");
                try {
                    started = PodmanService.start(temp.resolve("podman"), List.of(SandboxRuntime.registryHost(cfg, cfg.port())),
                            Duration.ofSeconds(60));
                } catch (Exception e) {
                    out.println("[!!] podman system service: " + e.getMessage());
                    out.println("     fix: podman 4.x needs runc, cgroupfs and --storage-driver vfs on hosts without systemd;"
                            + " see docs/sandbox.md (What to install)");
                    out.flush();
                    return 1;
                }
                endpoint = started.endpoint();
            }
        } else {
            endpoint = engine;
        }
        try {
            SandboxConfig sc = cfg.sandboxConfig(endpoint, 1);
            List<SandboxDoctor.Finding> findings = SandboxDoctor.diagnose(sc);
            boolean ok = !findings.isEmpty();
            for (SandboxDoctor.Finding f : findings) {
                out.println((f.ok() ? "[ok] " : "[!!] ") + f.name() + ": " + f.detail());
                if (f.fix() != null) out.println("     fix: " + f.fix());
                ok &= f.ok();
            }
            out.println("registry: the engine pulls build images from " + SandboxRuntime.registryHost(cfg, cfg.port())
                    + (cfg.tls().enabled() ? " over HTTPS without checking the certificate, as an insecure registry"
                    : " over plain HTTP") + " (sandbox.registry-host); " + (started != null ? "Drydock's own Podman is told so in its"
                    + " registries.conf" : "make the engine accept it: Podman: [[registry]] location=\"HOST:PORT\" insecure=true in"
                    + " registries.conf; Docker: \"insecure-registries\" in /etc/docker/daemon.json (127.0.0.0/8 is allowed by default)"));
            out.println(ok ? "usable: builds will be run in the sandbox" : "not usable: fix the findings marked [!!]");
            out.flush();
            return ok ? 0 : 1;
        } finally {
            if (started != null) started.close();
            if (temp != null) deleteTree(temp);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // best effort
        }
    }
}
