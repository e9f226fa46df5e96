package dev.drydock.sandbox;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code ./drydock doctor} says about the sandbox: is there a usable container engine at the configured
 * endpoint, which network backend it uses, does a run network get a subnet and gateway, and can runs be fenced. Each
 * finding names the fix. It creates one labelled probe network and removes it; nothing else.
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
        findings.add(new Finding("engine.ping", true, info.product() + " (API " + info.apiVersion() + ") on " + info.os(), null));
        String runtime = info.runtime() == null || "null".equals(info.runtime()) ? "unknown" : info.runtime();
        boolean crun = runtime.contains("crun");
        findings.add(new Finding("engine.runtime", !crun || !info.podman(), runtime,
                crun && info.podman() ? "crun fails on cgroup v1/hybrid hosts: set runtime = \"runc\" in containers.conf and install runc" : null));
        findings.add(new Finding("engine.storage", info.storageDriver() != null, String.valueOf(info.storageDriver()),
                info.storageDriver() == null ? "the engine reports no storage driver; for Podman without overlay support use --storage-driver vfs" : null));
        findings.add(networkBackend(info));
        findings.add(probeNetwork(config, endpoint));
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

    /** Podman's backend (netavark or CNI, with the CNI plugins it needs) or Docker's bridge driver. */
    static Finding networkBackend(ContainerRunner.EngineInfo info) {
        String backend = info.networkBackend();
        if (!info.podman()) return new Finding("engine.network", true, "Docker bridge networks (libnetwork)", null);
        if (backend == null) {
            return new Finding("engine.network", true, "Podman does not say which network backend it uses (netavark or CNI)", null);
        }
        if (backend.equals("cni")) {
            boolean plugins = CNI_PLUGIN_DIRS.stream().anyMatch(d -> Files.isExecutable(Path.of(d, "bridge")));
            return new Finding("engine.network", plugins, "Podman with its CNI backend" + (plugins ? " (bridge plugin found)"
                    : "; no CNI bridge plugin in " + String.join(" or ", CNI_PLUGIN_DIRS)),
                    plugins ? null : "install the CNI plugins (apt-get install -y containernetworking-plugins), or better netavark"
                            + " (apt-get install -y netavark aardvark-dns) with network_backend = \"netavark\" in containers.conf");
        }
        return new Finding("engine.network", true, "Podman with its " + backend + " backend", null);
    }

    static final List<String> CNI_PLUGIN_DIRS = List.of("/usr/lib/cni", "/opt/cni/bin", "/usr/libexec/cni");

    /** Creates an internal network the way a run does and checks it has an IPv4 subnet and gateway; removes it. */
    static Finding probeNetwork(SandboxConfig config, String endpoint) {
        SubnetPool pool = new SubnetPool(config.subnetPool());
        String name = "ddsb-doctor" + Long.toHexString(ProcessHandle.current().pid());
        try (DockerEngineRunner runner = DockerEngineRunner.connect(endpoint)) {
            runner.info();
            SubnetPool.Subnet subnet = pool.lease(runner.networkSubnets());
            try {
                ContainerRunner.RunNetwork net = runner.createNetwork(name, true, "ddsbdoctor", subnet, Map.of(ContainerRunner.LABEL, "doctor"));
                return new Finding("sandbox.network", true, "an internal run network gets subnet " + net.subnet() + " and gateway "
                        + net.gateway() + " (from sandbox.subnet-pool " + config.subnetPool() + ")", null);
            } finally {
                runner.removeNetwork(name);
            }
        } catch (ContainerRunner.SubnetTakenException e) {
            return new Finding("sandbox.network", false, "the engine refused a subnet of sandbox.subnet-pool " + config.subnetPool()
                    + ": " + e.getMessage(), "set sandbox.subnet-pool to a private range no other network uses");
        } catch (RuntimeException e) {
            // the fix goes on its own line, not twice
            String detail = String.valueOf(e.getMessage()).replace(" " + DockerEngineRunner.NETWORK_FIX, "");
            return new Finding("sandbox.network", false, detail, DockerEngineRunner.NETWORK_FIX);
        }
    }
}
