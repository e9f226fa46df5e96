package dev.drydock.sandbox;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ./drydock doctor} says about the sandbox: is there a usable container engine at the configured
 * endpoint, and can runs be fenced. Each finding names the fix. Pure diagnosis: it creates nothing.
 */
public final class SandboxDoctor {
    /** One diagnosis line. */
    public record Finding(String name, boolean ok, String detail, String fix) {
    }

    private SandboxDoctor() {
    }

    public static List<Finding> diagnose(SandboxConfig config) {
        List<Finding> findings = new ArrayList<>();
        String endpoint = config.engineEndpoint();
        String startPodman = "apt-get install -y podman runc; podman --storage-driver vfs system service --time=0 " + endpoint
                + " (with a containers.conf setting runtime=runc, cgroup_manager=cgroupfs and nofile/nproc ulimits where crun"
                + " or systemd are unavailable)";
        if (endpoint.startsWith("unix://")) {
            Path socket = Path.of(URI.create(endpoint).getPath());
            if (!Files.exists(socket)) {
                findings.add(new Finding("engine.socket", false, socket + " does not exist", "start an engine there: " + startPodman
                        + ", or point sandbox.engine at Docker's socket (unix:///var/run/docker.sock)"));
                return findings;
            }
            findings.add(new Finding("engine.socket", true, socket.toString(), null));
        }
        ContainerRunner.EngineInfo info;
        try (DockerEngineRunner runner = DockerEngineRunner.connect(endpoint)) {
            info = runner.info();
        } catch (RuntimeException e) {
            findings.add(new Finding("engine.ping", false, e.getMessage(), "start the engine: " + startPodman));
            return findings;
        }
        findings.add(new Finding("engine.ping", true, (info.podman() ? "Podman " : "Docker ") + info.version() + " (API "
                + info.apiVersion() + ") on " + info.os(), null));
        String runtime = info.runtime() == null || "null".equals(info.runtime()) ? "unknown" : info.runtime();
        boolean crun = runtime.contains("crun");
        findings.add(new Finding("engine.runtime", !crun || !info.podman(), runtime,
                crun && info.podman() ? "crun fails on cgroup v1/hybrid hosts: set runtime = \"runc\" in containers.conf and install runc" : null));
        findings.add(new Finding("engine.storage", info.storageDriver() != null, String.valueOf(info.storageDriver()),
                info.storageDriver() == null ? "the engine reports no storage driver; for Podman without overlay support use --storage-driver vfs" : null));
        String fence = NetworkFence.unavailableReason();
        if (config.hostFence()) {
            findings.add(new Finding("sandbox.fence", fence == null, fence == null ? "iptables and ip usable (runs are fenced)" : fence,
                    fence == null ? null : "run Drydock as root on the engine's host with iptables and iproute2 installed"
                            + " (apt-get install -y iptables iproute2), or set sandbox.host-fence=false for development only"));
        } else {
            findings.add(new Finding("sandbox.fence", true, "disabled (sandbox.host-fence=false): host services bound to 0.0.0.0 are"
                    + " reachable from test containers; development only", null));
        }
        if (!endpoint.startsWith("unix://") && !endpoint.contains("127.0.0.1") && !endpoint.contains("localhost")) {
            findings.add(new Finding("engine.local", false, endpoint + " looks remote",
                    "the sandbox API and proxy listen on the run network's gateway on this host: use an engine on this host"));
        }
        return findings;
    }
}
