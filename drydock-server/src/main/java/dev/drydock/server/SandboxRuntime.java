package dev.drydock.server;

import dev.drydock.compliance.BuildUnderTest;
import dev.drydock.compliance.SandboxAccess;
import dev.drydock.platform.access.TokenService;
import dev.drydock.sandbox.DockerEngineRunner;
import dev.drydock.sandbox.NetworkFence;
import dev.drydock.sandbox.PodmanService;
import dev.drydock.sandbox.RegistryAuth;
import dev.drydock.sandbox.Sandbox;
import dev.drydock.sandbox.SandboxConfig;
import dev.drydock.server.config.DrydockConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sandbox as the service runs it: finds (or starts) the container engine named by {@code sandbox.engine}, removes
 * what an earlier process left behind, and gives the pipeline each build's pull target — the image by digest at
 * {@code sandbox.registry-host} and a pull ticket for that repository only, valid for what is left of the test.
 */
public final class SandboxRuntime implements SandboxAccess, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxRuntime.class);
    /** Where {@code auto} looks, after {@code DOCKER_HOST}. */
    public static final List<String> WELL_KNOWN = List.of("unix:///run/podman/podman.sock", "unix:///var/run/docker.sock");

    private final DrydockConfig config;
    private final TokenService tokens;
    private volatile Sandbox sandbox;
    private volatile PodmanService podman;
    private volatile String registryHost;
    private volatile String disabledReason = "the sandbox is not started yet";
    private volatile String fenceProblem = "not checked yet: the sandbox has not started";

    public SandboxRuntime(DrydockConfig config, TokenService tokens) {
        this.config = config;
        this.tokens = tokens;
    }

    /** Where the engine reaches this registry: {@code sandbox.registry-host}, else 127.0.0.1 and the bound port. */
    public static String registryHost(DrydockConfig config, int port) {
        return config.sandbox().registryHost() != null ? config.sandbox().registryHost() : "127.0.0.1:" + port;
    }

    /** Resolves the engine, starts Podman when needed, cleans up leftovers. Never throws: a failure becomes run errors. */
    public void start(int port) {
        DrydockConfig.SandboxSettings s = config.sandbox();
        if (s.disabled()) {
            disabledReason = "the sandbox is disabled (sandbox.engine=none), so the adapter was not run; set sandbox.engine"
                    + " (see ./drydock doctor) to test it";
            log.warn("sandbox.engine=none: builds are not run in the sandbox (the run checks are warnings)");
            return;
        }
        registryHost = registryHost(config, port);
        String endpoint;
        try {
            endpoint = resolveEndpoint(s.engine());
        } catch (IOException e) {
            log.error("no usable container engine for the sandbox run: {}; builds fail their run checks until one is"
                    + " configured (./drydock doctor says what to install)", e.getMessage());
            endpoint = WELL_KNOWN.get(0);
        }
        int concurrency = s.concurrency() > 0 ? s.concurrency() : Math.max(1, config.workerConcurrency());
        SandboxConfig sc = config.sandboxConfig(endpoint, concurrency);
        Sandbox opened = Sandbox.open(sc);
        try {
            int removed = opened.cleanupLeftovers();
            if (removed > 0) log.info("removed {} sandbox leftover(s) of an earlier process", removed);
        } catch (RuntimeException e) {
            log.warn("could not clean up sandbox leftovers on {}: {}", endpoint, e.getMessage());
        }
        sandbox = opened;
        log.info("sandbox runs on {} ({} at once), pulling from {}", endpoint, concurrency, registryHost);
        checkHost(s.hostFence());
    }

    /**
     * Says at start what each run would otherwise find out alone: a fence that cannot be installed (every run fails;
     * readiness says so too, see {@link #fenceProblem()}), and a PID namespace of Drydock's own (a container without
     * {@code --pid host}), which hides the runs' processes.
     */
    private void checkHost(boolean hostFence) {
        fenceProblem = hostFence ? NetworkFence.unavailableReason() : null;
        if (fenceProblem != null) {
            log.error("the sandbox cannot fence its runs, so every test fails its run checks: {}; or set sandbox.host-fence=false"
                    + " (development only: host services bound to 0.0.0.0 are then reachable from the adapters)", fenceProblem);
        }
        if (ProcessHandle.current().pid() == 1) {
            log.warn("Drydock is process 1 of a PID namespace of its own (a container without --pid host, a Pod without"
                    + " hostPID): it cannot see the runs' processes, so their memory filesystems' use is not measured and a"
                    + " webhook engine's loopback URLs are not redirected to it");
        }
    }

    /** Why runs cannot be fenced though {@code sandbox.host-fence} is on (checked at start), or null. */
    public String fenceProblem() {
        return fenceProblem;
    }

    private String resolveEndpoint(String engine) throws IOException {
        if (engine.startsWith("unix://") || engine.startsWith("tcp://")) return engine;
        if (engine.equals("auto")) {
            Optional<String> found = probe(candidates());
            if (found.isPresent()) return found.get();
            if (!PodmanService.installed()) {
                throw new IOException("no engine answers at " + String.join(", ", candidates()) + " and podman is not installed"
                        + " (apt-get install -y podman runc iptables iproute2)");
            }
        }
        podman = PodmanService.start(config.dataDir().resolve("podman"), List.of(registryHost), Duration.ofSeconds(60));
        log.info("started Drydock's own Podman service on {} (registries.conf marks {} as plain HTTP)", podman.endpoint(), registryHost);
        return podman.endpoint();
    }

    /** {@code DOCKER_HOST}, then the well-known sockets. */
    public static List<String> candidates() {
        List<String> c = new ArrayList<>();
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) c.add(dockerHost.trim());
        c.addAll(WELL_KNOWN);
        return c;
    }

    /** The first endpoint that answers a ping. */
    public static Optional<String> probe(List<String> endpoints) {
        for (String e : endpoints) {
            if (e.startsWith("unix://") && !Files.exists(Path.of(URI.create(e).getPath()))) continue;
            try (DockerEngineRunner r = DockerEngineRunner.connect(e)) {
                r.info();
                return Optional.of(e);
            } catch (RuntimeException ex) {
                log.debug("no engine at {}: {}", e, ex.getMessage());
            }
        }
        return Optional.empty();
    }

    @Override
    public Sandbox sandbox() {
        return sandbox;
    }

    @Override
    public String disabledReason() {
        return disabledReason;
    }

    @Override
    public PullTarget pullTarget(BuildUnderTest build, Duration validFor) {
        String ticket = tokens.issuePullTicket(build.repository(), validFor, "sandbox run of build " + build.buildId());
        return new PullTarget(registryHost + "/" + build.repository() + "@" + build.digest(),
                new RegistryAuth(TokenService.PULL_TICKET_USER, ticket, registryHost));
    }

    /** For tests: the Podman service Drydock started, if any. */
    public Optional<PodmanService> podman() {
        return Optional.ofNullable(podman);
    }

    @Override
    public void close() {
        Sandbox s = sandbox;
        sandbox = null;
        if (s != null) s.close();
        PodmanService p = podman;
        podman = null;
        if (p != null) p.close();
    }
}
