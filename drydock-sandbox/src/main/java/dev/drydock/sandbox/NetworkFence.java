package dev.drydock.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Host-side firewall rules for one run's bridge, so that the container reaches on this host only the ports it
 * is meant to (the sandbox API, the egress proxy) and nothing else bound to {@code 0.0.0.0}.
 *
 * <p>Why: a container on an internal network has no default route, but the host side of its bridge (the gateway
 * address) answers for every host service listening on all addresses, including Drydock's own port. So for each
 * run we add a chain {@code DDSB-<id>} jumped to from {@code INPUT} for packets arriving on the run's bridge:
 * it accepts TCP to the gateway's sandbox API and proxy ports and replies to connections the host opened, counts
 * and rejects DNS (the isolated models resolve names only through the proxy; {@link DeploymentModel#NonNetworkIsolated}
 * may use the engine's DNS on the gateway) and counts and rejects everything else. For internal networks
 * {@code FORWARD} from the bridge is rejected too (defence in depth: there is no route anyway). The rules name the
 * bridge interface, so they can be added before the bridge exists and apply only to this run.
 *
 * <p>The bridge itself is created here too, with the gateway address, before the container starts: Podman (netavark
 * and CNI alike) creates it only when the first container attaches, and the sandbox API must already listen on the
 * gateway address when the container's first request comes. Podman reuses the existing bridge. Docker creates the
 * bridge, with the gateway address, when the network is created: then it is left alone here, and removed by Docker
 * with the network.
 *
 * <p>Needs root and {@code iptables} and {@code ip} (Debian packages iptables, iproute2) on the engine's host, i.e.
 * a local engine. Commands run with {@code iptables -w} (waiting for the xtables lock, as concurrent runs change
 * rules at the same time).
 */
public final class NetworkFence implements AutoCloseable {
    static final String CHAIN_PREFIX = "DDSB-";
    /** Run bridges are named {@code ddsb<hex run id>}. */
    public static final String BRIDGE_PREFIX = "ddsb";
    private static final String COMMENT_DNS = "drydock-dns";
    private static final String COMMENT_HOST = "drydock-host";

    private final String chain;
    private final ContainerRunner.RunNetwork network;
    private final boolean internal;
    private final List<List<String>> undo = new ArrayList<>();
    private boolean createdBridge;

    private NetworkFence(String chain, ContainerRunner.RunNetwork network, boolean internal) {
        this.chain = chain;
        this.network = network;
        this.internal = internal;
    }

    /** What a container running Drydock as a worker needs for the fence (docs/operations.md, "Container image"). */
    static final String CONTAINER_FLAGS = "in a container: podman/docker run --user 0 --cap-add NET_ADMIN --network host --pid host;"
            + " Kubernetes: hostNetwork, hostPID, runAsUser 0, capabilities NET_ADMIN";

    /** Null when this process can fence runs: root, iptables and ip work. Else the reason, naming what to change. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the network fence needs root (iptables); running as " + System.getProperty("user.name") + " (" + CONTAINER_FLAGS + ")";
        }
        try {
            Result r = exec(List.of("iptables", "-w", "-L", "INPUT", "-n"));
            if (r.code != 0) return "iptables does not work here: " + r.output.strip() + " (" + CONTAINER_FLAGS + ")";
            Result ip = exec(List.of("ip", "-V"));
            if (ip.code != 0) return "ip (iproute2) does not work here: " + ip.output.strip();
        } catch (IOException e) {
            return "iptables or ip is not installed (Debian packages iptables, iproute2): " + e.getMessage();
        }
        return null;
    }

    /**
     * Creates the bridge with its gateway address and fences it.
     *
     * @param runKey      short unique key of the run (hex), used for the chain name
     * @param allowedPorts TCP ports on the gateway the container may reach (sandbox API, proxy); may be added later with
     *                    {@link #allow(int)}
     * @param allowDns    let the container use the engine's DNS on the gateway (NonNetworkIsolated)
     */
    public static NetworkFence install(String runKey, ContainerRunner.RunNetwork network, boolean internal, boolean allowDns) {
        NetworkFence fence = new NetworkFence(CHAIN_PREFIX + runKey, network, internal);
        try {
            fence.createBridge();
            String br = network.bridge();
            fence.run("iptables", "-w", "-N", fence.chain);
            fence.undo.add(List.of("iptables", "-w", "-X", fence.chain));
            fence.undo.add(List.of("iptables", "-w", "-F", fence.chain));
            fence.run("iptables", "-w", "-A", fence.chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
            if (allowDns) {
                fence.run("iptables", "-w", "-A", fence.chain, "-p", "udp", "-d", network.gateway(), "--dport", "53", "-j", "ACCEPT");
                fence.run("iptables", "-w", "-A", fence.chain, "-p", "tcp", "-d", network.gateway(), "--dport", "53", "-j", "ACCEPT");
            }
            fence.run("iptables", "-w", "-A", fence.chain, "-p", "udp", "--dport", "53", "-m", "comment", "--comment", COMMENT_DNS,
                    "-j", "REJECT");
            fence.run("iptables", "-w", "-A", fence.chain, "-p", "tcp", "-m", "comment", "--comment", COMMENT_HOST,
                    "-j", "REJECT", "--reject-with", "tcp-reset");
            fence.run("iptables", "-w", "-A", fence.chain, "-m", "comment", "--comment", COMMENT_HOST, "-j", "REJECT");
            fence.run("iptables", "-w", "-I", "INPUT", "1", "-i", br, "-j", fence.chain);
            fence.undo.add(List.of("iptables", "-w", "-D", "INPUT", "-i", br, "-j", fence.chain));
            if (internal) {
                fence.run("iptables", "-w", "-I", "FORWARD", "1", "-i", br, "-j", "REJECT");
                fence.undo.add(List.of("iptables", "-w", "-D", "FORWARD", "-i", br, "-j", "REJECT"));
            }
            return fence;
        } catch (RuntimeException e) {
            fence.close();
            throw e;
        }
    }

    private void createBridge() {
        String br = network.bridge();
        if (exists(br)) return;
        run("ip", "link", "add", br, "type", "bridge");
        createdBridge = true;
        run("ip", "addr", "add", network.gateway() + "/" + network.prefixLength(), "dev", br);
        run("ip", "link", "set", br, "up");
    }

    /**
     * Null when a container is attached to the run's bridge as this process sees it; else why not. Call it once the
     * container started. A Drydock in a network namespace of its own (a container without {@code --network host})
     * creates, serves and fences a bridge of that name there, while the engine, a service of the host, attaches the
     * container to one in the host's namespace: the adapter would then reach no sandbox API and look broken.
     */
    public String attachmentProblem() {
        return attachmentProblem(network.bridge());
    }

    static String attachmentProblem(String bridge) {
        try (var ports = Files.list(Path.of("/sys/class/net", bridge, "brif"))) {
            if (ports.findAny().isPresent()) return null;
        } catch (IOException e) {
            // no such bridge here
        }
        return "the run's container is not on bridge " + bridge + " in Drydock's network namespace: the engine attached it"
                + " in another one (the host's), where the sandbox API and the fence are not; Drydock must run in the network"
                + " namespace of the engine's host (" + CONTAINER_FLAGS + ")";
    }

    /**
     * Lets the container reach {@code port} on the gateway (inserted before the reject rules), and nobody else: packets
     * to that port arriving on any other interface (other containers' bridges, the LAN) are rejected.
     */
    public void allow(int port) {
        String p = String.valueOf(port);
        run("iptables", "-w", "-I", chain, "1", "-p", "tcp", "-d", network.gateway(), "--dport", p, "-j", "ACCEPT");
        run("iptables", "-w", "-I", "INPUT", "1", "!", "-i", network.bridge(), "-p", "tcp", "-d", network.gateway(), "--dport", p,
                "-j", "REJECT", "--reject-with", "tcp-reset");
        undo.add(List.of("iptables", "-w", "-D", "INPUT", "!", "-i", network.bridge(), "-p", "tcp", "-d", network.gateway(), "--dport", p,
                "-j", "REJECT", "--reject-with", "tcp-reset"));
    }

    /**
     * Sends the container's direct DNS queries (UDP port 53, to any address) to {@code port} on the gateway, where a
     * {@link DnsRecorder} records and refuses them.
     */
    public void redirectDns(int port) {
        String br = network.bridge();
        String p = String.valueOf(port);
        run("iptables", "-w", "-t", "nat", "-I", "PREROUTING", "1", "-i", br, "-p", "udp", "--dport", "53", "-j", "REDIRECT", "--to-ports", p);
        undo.add(List.of("iptables", "-w", "-t", "nat", "-D", "PREROUTING", "-i", br, "-p", "udp", "--dport", "53", "-j", "REDIRECT", "--to-ports", p));
        run("iptables", "-w", "-I", chain, "1", "-p", "udp", "-d", network.gateway(), "--dport", p, "-j", "ACCEPT");
    }

    /** Refused packets: name lookups (DNS) and everything else aimed at host services. */
    public record Refused(long dnsPackets, long hostPackets) {
    }

    public Refused refused() {
        try {
            Result r = exec(List.of("iptables", "-w", "-L", chain, "-v", "-x", "-n"));
            long dns = 0;
            long host = 0;
            for (String line : r.output.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 2 || !f[0].matches("\\d+")) continue;
                long packets = Long.parseLong(f[0]);
                if (line.contains(COMMENT_DNS)) dns += packets;
                else if (line.contains(COMMENT_HOST)) host += packets;
            }
            return new Refused(dns, host);
        } catch (IOException e) {
            return new Refused(0, 0);
        }
    }

    /**
     * Removes the fence: its rules, then every other rule still naming the bridge (Podman's CNI firewall plugin leaves
     * its {@code CNI-ISOLATION-STAGE-*} rules behind when the container goes), then the bridge if it was created here.
     * Call it after the engine removed the run's network, so the engine's own rules (Docker's) are gone first.
     */
    @Override
    public void close() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                exec(undo.get(i));
            } catch (IOException ignored) {
                // best effort; cleanupLeftovers() finds what remains
            }
        }
        undo.clear();
        removeRulesNaming(network.bridge()::equals);
        if (createdBridge && exists(network.bridge())) {
            try {
                exec(List.of("ip", "link", "del", network.bridge()));
            } catch (IOException ignored) {
                // netavark deleted it already, with its last container
            }
        }
    }

    /**
     * Removes the host-side leftovers of crashed processes: every {@code DDSB-<id>} chain, rule naming a {@code ddsb<id>}
     * bridge, and such bridge, of {@code runIds} (the dead runs whose containers and networks the engine still had) and of
     * any other run whose {@link RunLock} nobody holds. Runs of live processes on this host (other workers, tests) hold
     * their locks and are left alone. Returns how many chains and bridges were removed.
     */
    public static int cleanupLeftovers(java.util.Set<String> runIds) {
        if (unavailableReason() != null) return 0;
        java.util.Set<String> dead = new java.util.TreeSet<>();
        for (String id : runIds) if (id.matches("[0-9a-f]+")) dead.add(id);
        try {
            for (String rule : exec(List.of("iptables", "-w", "-S")).output.split("\n")) {
                if (rule.startsWith("-N " + CHAIN_PREFIX)) dead.add(rule.substring(3 + CHAIN_PREFIX.length()).trim());
            }
            try (var links = Files.list(Path.of("/sys/class/net"))) {
                for (Path link : links.toList()) {
                    String name = link.getFileName().toString();
                    if (name.matches(BRIDGE_PREFIX + "[0-9a-f]+")) dead.add(name.substring(BRIDGE_PREFIX.length()));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        dead.removeIf(RunLock::held);
        int removed = 0;
        for (String id : dead) {
            String bridge = BRIDGE_PREFIX + id;
            String chain = CHAIN_PREFIX + id;
            removeRulesNaming(bridge::equals);
            try {
                for (String rule : exec(List.of("iptables", "-w", "-S")).output.split("\n")) {
                    if (rule.startsWith("-A ") && tokens(rule).contains(chain)) {
                        List<String> args = new ArrayList<>(List.of("iptables", "-w", "-D"));
                        args.addAll(tokens(rule.substring(3)));
                        exec(args);
                    }
                }
                if (exec(List.of("iptables", "-w", "-F", chain)).code == 0) {
                    exec(List.of("iptables", "-w", "-X", chain));
                    removed++;
                }
                if (exists(bridge) && exec(List.of("ip", "link", "del", bridge)).code == 0) removed++;
            } catch (IOException ignored) {
                // best effort: the next start tries again
            }
        }
        return removed;
    }

    /** Deletes the rules of any chain of the filter and nat tables with {@code -i} or {@code -o} naming a matching interface. */
    static void removeRulesNaming(java.util.function.Predicate<String> iface) {
        for (String table : List.of("filter", "nat")) {
            try {
                for (String rule : exec(List.of("iptables", "-w", "-t", table, "-S")).output.split("\n")) {
                    if (!rule.startsWith("-A ")) continue;
                    List<String> args = tokens(rule.substring(3));
                    boolean names = false;
                    for (int i = 0; i + 1 < args.size(); i++) {
                        if ((args.get(i).equals("-i") || args.get(i).equals("-o")) && iface.test(args.get(i + 1))) names = true;
                    }
                    if (!names) continue;
                    List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D"));
                    delete.addAll(args);
                    exec(delete);
                }
            } catch (IOException ignored) {
                // best effort: the next start's cleanupLeftovers() tries again
            }
        }
    }

    /** Splits a rule as {@code iptables -S} prints it: words, with double-quoted arguments (comments) kept whole. */
    static List<String> tokens(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : rule.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) out.add(word.toString());
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) out.add(word.toString());
        return out;
    }

    /**
     * Makes TCP connections to {@code address} on {@code ports}, arriving in the network namespace of process
     * {@code pid} (a running container's first process), land on that namespace's loopback address: a webhook engine
     * bound to {@code 127.0.0.1} (or declaring {@code http://localhost:…}) is reached as the Engine Toolkit, which
     * runs inside the engine's container, reaches it. A DNAT rule in the container's own {@code nat} table plus
     * {@code route_localnet} (the kernel otherwise drops packets to 127/8 that arrive on another interface); both live
     * in the container's namespace and go with it. Needs root and {@code nsenter} (util-linux) with a local engine.
     *
     * @throws ContainerRunner.EngineException naming the command that failed
     */
    static void redirectToLoopback(long pid, String address, java.util.Collection<Integer> ports) {
        List<String> ns = List.of("nsenter", "-t", Long.toString(pid), "-n");
        // the process must be the container's: its namespace holds the container's address (never touch another's)
        if (!runIn(ns, "ip", "-o", "-4", "addr", "show").contains(" " + address + "/")) {
            throw new ContainerRunner.EngineException("process " + pid + " is not in the container's network namespace (no " + address + " there)");
        }
        // /proc/sys/net is the opener's namespace's: written from inside it (sh, not procps's sysctl, which may be absent)
        runIn(ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet");
        for (int port : ports) {
            runIn(ns, "iptables", "-w", "-t", "nat", "-A", "PREROUTING", "-d", address, "-p", "tcp", "--dport", Integer.toString(port),
                    "-j", "DNAT", "--to-destination", "127.0.0.1:" + port);
        }
    }

    private static String runIn(List<String> prefix, String... command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(command));
        try {
            Result r = exec(all);
            if (r.code != 0) throw new ContainerRunner.EngineException(String.join(" ", all) + " failed (" + r.code + "): " + r.output.strip());
            return r.output;
        } catch (IOException e) {
            throw new ContainerRunner.EngineException("cannot run " + all.getFirst() + " (Debian package util-linux): " + e.getMessage(), e);
        }
    }

    private static boolean exists(String iface) {
        return Files.exists(Path.of("/sys/class/net", iface));
    }

    private void run(String... command) {
        try {
            Result r = exec(List.of(command));
            if (r.code != 0) {
                throw new ContainerRunner.EngineException("network fence: " + String.join(" ", command) + " failed (" + r.code + "): " + r.output.strip());
            }
        } catch (IOException e) {
            throw new ContainerRunner.EngineException("network fence: cannot run " + command[0] + ": " + e.getMessage(), e);
        }
    }

    private record Result(int code, String output) {
    }

    private static Result exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
