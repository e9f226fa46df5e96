package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs adapters in sandboxes: for each {@link SandboxRequest} it pulls the image, creates a per-run network (internal
 * for the isolated deployment models) fenced on the host, serves the {@link SandboxApi} (and for
 * {@link DeploymentModel#MostlyNetworkIsolated} the {@link EgressProxy}) on the network's gateway, creates the
 * container with its limits, copies the task payload in, starts it, captures its output (bounded), waits for it with
 * the run's deadline (killing it on expiry), and always removes the container, the network and the fence.
 *
 * <p>At most {@link SandboxConfig#concurrency()} runs go at once; {@link #submit} queues the rest. Call
 * {@link #cleanupLeftovers()} once at start-up to remove what a crashed earlier process left behind.
 *
 * <p>The sandbox API and the proxy listen on the gateway of a bridge on this host, so the engine must be local
 * (a unix socket, or tcp to this host).
 */
public final class Sandbox implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration STATS_INTERVAL = Duration.ofMillis(500);
    private static final int LOG_READ_CAP_FACTOR = 8;
    private static final int TAIL_LINES = 100;
    /** Log entries asked for to find the last {@link #TAIL_LINES} lines: engines store a long line as several entries. */
    private static final int TAIL_ENTRIES = 1000;
    private static final int TAIL_LINE_BYTES = 4096;
    /** How often, at least, the bytes written to the root filesystem are sampled where the storage driver cannot bound them. */
    private static final Duration ROOT_SAMPLE_INTERVAL = Duration.ofSeconds(1);
    /** Replaces the engine's host directories in what the run reports. */
    static final String STORAGE_NAME = "<engine-storage>";
    private static final Duration LOG_READ_TIME = Duration.ofSeconds(30);

    private final SandboxConfig config;
    private final ContainerRunner runner;
    private final Semaphore slots;
    private final SubnetPool subnets;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final EngineImages images = new EngineImages();
    /** Cleanups of runs whose result is handed over: {@link #close()} lets them finish rather than cut them off. */
    private final java.util.Set<CompletableFuture<Long>> cleaning = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Duration CLOSE_WAITS_FOR_CLEANUP = Duration.ofSeconds(60);

    public Sandbox(SandboxConfig config, ContainerRunner runner) {
        this.config = config;
        this.runner = runner;
        this.slots = new Semaphore(config.concurrency(), true);
        this.subnets = new SubnetPool(config.subnetPool());
    }

    /** A sandbox on a Docker Engine API endpoint ({@link SandboxConfig#engineEndpoint()}). */
    public static Sandbox open(SandboxConfig config) {
        return new Sandbox(config, DockerEngineRunner.connect(config.engineEndpoint()));
    }

    public ContainerRunner runner() {
        return runner;
    }

    /** Removes labelled containers and networks and {@code DDSB-*} firewall chains of an earlier process. */
    public int cleanupLeftovers() {
        java.util.Set<String> runs = runner.cleanupLeftovers(run -> !RunLock.held(run));
        int n = runs.size();
        if (config.hostFence()) n += NetworkFence.cleanupLeftovers(runs);
        RunLock.removeStale();
        return n;
    }

    /**
     * Runs now if a slot is free, else queues. The future completes with the result as soon as the container has
     * stopped (exited, or killed at the deadline) and its output is read; the run then cleans up (container, API, proxy,
     * network, fence, image) on its own, outside the deadline, and holds its slot until that is done. The future never
     * fails (errors are {@link SandboxResult.Outcome#ERROR}); cancelling it does not cut the run or its cleanup short.
     */
    public CompletableFuture<SandboxResult> submit(SandboxRequest request) {
        return start(request).result();
    }

    /** A submitted run: its result, and its cleanup, which completes after the result with the cleanup's milliseconds. */
    public record Submission(CompletableFuture<SandboxResult> result, CompletableFuture<Long> cleanedUp) {
    }

    /** {@link #submit}, also telling when the run's cleanup is done. */
    public Submission start(SandboxRequest request) {
        CompletableFuture<SandboxResult> result = new CompletableFuture<>();
        CompletableFuture<Long> cleanedUp = new CompletableFuture<>();
        long submitted = System.nanoTime(); // the deadline counts from here: waiting for a slot spends the run's time
        waiting.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    slots.acquire();
                } catch (InterruptedException e) {
                    waiting.decrementAndGet();
                    result.completeExceptionally(new IllegalStateException("interrupted while queued", e));
                    cleanedUp.complete(0L);
                    return;
                }
                waiting.decrementAndGet();
                running.incrementAndGet();
                try {
                    runNow(request, submitted, result, cleanedUp);
                } finally {
                    running.decrementAndGet();
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            waiting.decrementAndGet();
            result.completeExceptionally(e);
            cleanedUp.complete(0L);
        }
        return new Submission(result, cleanedUp);
    }

    /** {@link #submit} and wait, also for the cleanup (whose duration the result then includes). */
    public SandboxResult run(SandboxRequest request) {
        Submission submission = start(request);
        SandboxResult result = submission.result().join();
        return result.withDuration("cleanup", submission.cleanedUp().join());
    }

    public int running() {
        return running.get();
    }

    public int queued() {
        return waiting.get();
    }

    /** Lets cleanups under way finish (up to a minute), then stops the runs still going and closes the runner. */
    @Override
    public void close() {
        try {
            CompletableFuture.allOf(cleaning.toArray(CompletableFuture[]::new))
                    .get(CLOSE_WAITS_FOR_CLEANUP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // what is left is removed by cleanupLeftovers() at the next start
        }
        executor.shutdownNow();
        runner.close();
    }

    // ---------------------------------------------------------------- one run

    /** Runs, hands over the result, then cleans up: the result never waits for the cleanup, the cleanup always runs. */
    private void runNow(SandboxRequest request, long submitted, CompletableFuture<SandboxResult> result,
                        CompletableFuture<Long> cleanedUp) {
        Run run = new Run(request, submitted);
        try {
            Ending ending = run.execute();
            cleaning.add(cleanedUp);
            result.complete(run.result(ending, run.networkUsage()));
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
            throw e;
        } finally {
            long millis = 0;
            try {
                millis = run.cleanup();
            } finally {
                cleanedUp.complete(millis);
                cleaning.remove(cleanedUp);
            }
        }
    }

    private final class Run {
        final SandboxRequest request;
        final String runId = HexFormat.of().formatHex(randomBytes(5));
        final Duration timeout;
        final long deadlineNanos;
        final long startNanos = System.nanoTime();
        final Map<String, Long> durations = new LinkedHashMap<>();
        final BoundedLog stdout = new BoundedLog(config.logMaxLines(), config.logMaxBytes());
        final BoundedLog stderr = new BoundedLog(config.logMaxLines(), config.logMaxBytes());
        final AtomicReference<ContainerRunner.NetCounters> counters = new AtomicReference<>();
        final List<String> notes = new ArrayList<>();
        boolean pulled;
        TaskPayloads.Ids ids;
        ContainerRunner.RunNetwork network;
        SubnetPool.Subnet subnet;
        RunLock lock;
        NetworkFence fence;
        SandboxApi api;
        EgressProxy proxy;
        DnsRecorder dns;
        String containerId;
        Long rootBytesWritten;
        WebhookRun webhook;
        WebhookRun.ToolkitFile toolkitFile;
        volatile boolean exited;
        volatile boolean rootGrowthStopped;
        final Map<String, Long> memoryPeaks = new java.util.concurrent.ConcurrentSkipListMap<>();

        Run(SandboxRequest request, long submittedNanos) {
            this.request = request;
            this.timeout = request.timeout() != null ? request.timeout() : config.timeout();
            this.deadlineNanos = submittedNanos + timeout.toNanos();
        }

        Duration remaining() {
            return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        }

        Ending execute() {
            long t = System.nanoTime();
            try {
                try {
                    images.acquire(request.imageRef());
                    pulled = true;
                    images.pull(() -> runner.pull(request.imageRef(), request.registryAuth(), remaining()));
                } catch (ContainerRunner.EngineException e) {
                    if (remaining().isZero()) {
                        return new Ending(SandboxResult.Outcome.TIMED_OUT, null, false, "pulling the image did not finish");
                    }
                    throw e;
                }
                ContainerRunner.ImageConfig image = runner.imageConfig(request.imageRef());
                WebhookEngine webhookEngine = WebhookEngine.recognises(image) ? new WebhookEngine(image) : null;
                t = step("pull", t);
                if (remaining().isZero()) return new Ending(SandboxResult.Outcome.TIMED_OUT, null, false, "pulling the image took all the time");

                DeploymentModel model = request.deploymentModel();
                Map<String, String> labels = Map.of(ContainerRunner.LABEL, runId);
                lock = RunLock.acquire(runId); // before anything is created that another process's cleanup could take
                network = createNetwork(model.internalNetwork(), labels);
                InetAddress bindAddress;
                if (config.hostFence()) {
                    // checked per run: a fence that cannot be installed must not silently become an open network
                    String reason = NetworkFence.unavailableReason();
                    if (reason != null) throw new ContainerRunner.EngineException(reason + " (set sandbox.host-fence=false only for development)");
                    fence = NetworkFence.install(runId, network, model.internalNetwork(), !model.internalNetwork());
                    bindAddress = InetAddress.getByName(network.gateway());
                } else {
                    bindAddress = InetAddress.getByName("0.0.0.0");
                    notes.add("sandbox.host-fence=false: host services bound to 0.0.0.0 were reachable from the container");
                }
                ids = TaskPayloads.Ids.random();
                String token = HexFormat.of().formatHex(randomBytes(24));
                api = new SandboxApi(new InetSocketAddress(bindAddress, 0), token, ids, TaskRecording.forRequest(request));
                if (fence != null) fence.allow(api.port());
                String apiBase = "http://" + network.gateway() + ":" + api.port();
                api.advertise(apiBase);
                if (fence != null && model.internalNetwork()) {
                    dns = new DnsRecorder(new InetSocketAddress(bindAddress, 0));
                    fence.redirectDns(dns.port());
                }
                if (model.proxyAllowed()) {
                    proxy = new EgressProxy(new InetSocketAddress(bindAddress, 0), request.externalCalls(), config.allowPrivateDestinations(),
                            network.gateway() + ":" + api.port());
                    if (fence != null) fence.allow(proxy.port());
                }
                t = step("network", t);

                ObjectNode payload = TaskPayloads.build(request, ids, token, apiBase, api);
                String payloadJson = payload.toString();
                List<String> env = new ArrayList<>(List.of("PAYLOAD_FILE=" + TaskPayloads.PAYLOAD_PATH, "PAYLOAD_JSON=" + payloadJson));
                if (proxy != null) {
                    String url = "http://" + network.gateway() + ":" + proxy.port();
                    for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) env.add(k + "=" + url);
                    String noProxy = network.gateway();
                    env.add("NO_PROXY=" + noProxy);
                    env.add("no_proxy=" + noProxy);
                }
                List<String> dnsServers = dns != null ? List.of(network.gateway()) : List.of();
                ContainerSpec spec = new ContainerSpec("ddsb-" + runId, request.imageRef(), env, labels, network.name(), request.limits(),
                        dnsServers, webhookEngine == null ? null : webhookEngine.command());
                containerId = runner.createContainer(spec);
                if (!runner.boundsRootGrowth()) {
                    notes.add("the engine's storage driver cannot bound the root filesystem's growth, so the sandbox sampled the"
                            + " bytes written (rootBytesWritten) every second or so while the container ran, to stop it past the limit");
                }
                t = step("create", t);
                runner.copyFile(containerId, TaskPayloads.PAYLOAD_PATH, payloadJson.getBytes(StandardCharsets.UTF_8));
                // the toolkit the ENTRYPOINT names must be in the image: the platform starts it, the sandbox does not
                if (webhookEngine != null && webhookEngine.toolkitFirst()) toolkitFile = WebhookEngine.inspectToolkit(runner, containerId);
                // /tmp is the root filesystem's; an image without it (FROM scratch) could not create it, as the platform's
                // root can, without the capabilities the sandbox drops (its root filesystem's own / is often 0555)
                runner.ensureDirectory(containerId, "/tmp", 01777);
                t = step("copy", t);
                runner.start(containerId);
                String detached = fence == null ? null : fence.attachmentProblem();
                if (detached != null) {
                    runner.kill(containerId);
                    throw new ContainerRunner.EngineException(detached);
                }
                Thread sampler = Thread.ofVirtual().name("sandbox-stats-" + runId).start(this::sampleStats);
                t = step("start", t);
                if (webhookEngine != null) return runWebhookEngine(webhookEngine, sampler, apiBase, token, payload, t);
                OptionalInt exit = runner.awaitExit(containerId, remaining());
                exited = true;
                sampler.interrupt();
                t = step("run", t);
                if (exit.isEmpty()) {
                    runner.kill(containerId);
                    runner.awaitExit(containerId, Duration.ofSeconds(10));
                    t = step("kill", t);
                    collectLogs();
                    rootBytesWritten = runner.rootBytesWritten(containerId);
                    step("logs", t);
                    return new Ending(SandboxResult.Outcome.TIMED_OUT, null, false, null);
                }
                collectLogs();
                t = step("logs", t);
                rootBytesWritten = runner.rootBytesWritten(containerId);
                boolean oom = runner.oomKilled(containerId);
                return new Ending(SandboxResult.Outcome.EXITED, exit.getAsInt(), oom, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Ending(SandboxResult.Outcome.ERROR, null, false, "interrupted");
            } catch (IOException | RuntimeException e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                return new Ending(SandboxResult.Outcome.ERROR, null, false, message);
            }
        }

        /**
         * A webhook engine's run ({@link WebhookEngine}): the sandbox plays the Engine Toolkit against the running
         * container, then stops it (a webhook engine serves until it is stopped). A run that reaches the deadline is
         * {@code TIMED_OUT}; otherwise {@code EXITED} with the container's exit code, and {@link WebhookRun#exitCode()}
         * says whether it exited by itself.
         */
        private Ending runWebhookEngine(WebhookEngine engine, Thread sampler, String apiBase, String token, ObjectNode payload, long t)
                throws InterruptedException {
            String mode = request.adapterManifest().path("engineMode").asText("chunk").trim().toLowerCase(java.util.Locale.ROOT);
            webhook = engine.drive(new WebhookEngine.Context(runner, containerId, network.name(), api, apiBase, token,
                    payload.get("taskPayload"), mode.isEmpty() ? "chunk" : mode, config.readyTimeout(), this::remaining, toolkitFile,
                    this::redirectToLoopback));
            t = step("run", t);
            boolean timedOut = remaining().isZero() && webhook.exitCode() == null;
            if (!timedOut && webhook.exitCode() == null && toolkitFile != null && toolkitFile.usable()) {
                webhook = webhook.withToolkitVersion(WebhookEngine.toolkitVersion(runner, containerId, remaining()));
            }
            OptionalInt exit = webhook.exitCode() == null ? OptionalInt.empty() : OptionalInt.of(webhook.exitCode());
            if (exit.isEmpty()) {
                runner.kill(containerId);
                exit = runner.awaitExit(containerId, Duration.ofSeconds(10));
                t = step("kill", t);
            }
            exited = true;
            sampler.interrupt();
            collectLogs();
            step("logs", t);
            rootBytesWritten = runner.rootBytesWritten(containerId);
            if (timedOut) return new Ending(SandboxResult.Outcome.TIMED_OUT, null, false, null);
            return new Ending(SandboxResult.Outcome.EXITED, exit.isPresent() ? exit.getAsInt() : null, runner.oomKilled(containerId), null);
        }

        /**
         * Makes the toolkit's requests to the container's {@code ports} arrive on its loopback interface, as from the
         * real toolkit inside it ({@link NetworkFence#redirectToLoopback}); null when done, else why not. Possible
         * where the fence is: a local engine, root, iptables.
         */
        private String redirectToLoopback(String address, List<Integer> ports) {
            if (!config.engineEndpoint().startsWith("unix://")) {
                return "the engine is remote (" + config.engineEndpoint() + "): the sandbox cannot enter its containers' network";
            }
            if (fence == null) return "sandbox.host-fence=false: the sandbox changes no network rules";
            Long pid = runner.containerPid(containerId);
            if (pid == null) return "the engine gave no process id for the container (it is not running)";
            try {
                NetworkFence.redirectToLoopback(pid, address, ports);
                return null;
            } catch (ContainerRunner.EngineException e) {
                return "could not redirect to the container's loopback: " + e.getMessage();
            }
        }

        /**
         * Reads the output after the container stopped (Podman 4.3 ends a followed log stream early when the container
         * exits, so we read once, without following). Reading stops once both streams are full or
         * {@link #LOG_READ_CAP_FACTOR} times the byte limit was read — a container that printed gigabytes costs the
         * engine and us no more than that — and then the last {@link #TAIL_LINES} lines are read separately.
         */
        private void collectLogs() {
            long cap = LOG_READ_CAP_FACTOR * config.logMaxBytes();
            AtomicLong read = new AtomicLong();
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicReference<ContainerRunner.LogFollower> reader = new AtomicReference<>();
            ContainerRunner.LogFollower head = runner.readLogs(containerId, null, (out, bytes) -> {
                if (stopped.get()) return;
                (out ? stdout : stderr).write(bytes, 0, bytes.length);
                if ((stdout.full() && stderr.full()) || read.addAndGet(bytes.length) > cap) {
                    stopped.set(true);
                    ContainerRunner.LogFollower r = reader.get();
                    if (r != null) r.close();
                }
            });
            reader.set(head);
            if (stopped.get()) head.close();
            boolean ended = head.awaitEnd(LOG_READ_TIME);
            head.close();
            if (!stopped.get() && ended) return;
            stdout.stoppedEarly(lastLines(true));
            stderr.stoppedEarly(lastLines(false));
        }

        /**
         * The last {@link #TAIL_LINES} lines of one stream. Each stream is asked for on its own (an engine counts a tail
         * over every stream it sends), and not as the engine's tail: Podman 4.3 joins a long line's first part to the line
         * before it there. The tail only tells from which second to read the stream onward, up to
         * {@link #LOG_READ_CAP_FACTOR} times the byte limit; past that, the engine's tail is what there is.
         */
        private List<String> lastLines(boolean out) {
            BoundedLog.LastLines fromTail = new BoundedLog.LastLines(TAIL_LINES, TAIL_LINE_BYTES);
            AtomicReference<java.time.Instant> first = new AtomicReference<>();
            try (ContainerRunner.LogFollower tail = runner.readStream(containerId, out, TAIL_ENTRIES, null, true, entry -> {
                String text = new String(entry, StandardCharsets.UTF_8);
                int space = text.indexOf(' ');
                if (first.get() == null && space > 0) {
                    try {
                        first.set(java.time.OffsetDateTime.parse(text.substring(0, space)).toInstant());
                    } catch (java.time.format.DateTimeParseException e) {
                        // no time: the tail as it is
                    }
                }
                fromTail.write(text.substring(space + 1).getBytes(StandardCharsets.UTF_8));
            })) {
                tail.awaitEnd(Duration.ofSeconds(10));
            }
            if (first.get() == null) return fromTail.lines();
            BoundedLog.LastLines onward = new BoundedLog.LastLines(TAIL_LINES, TAIL_LINE_BYTES);
            long cap = LOG_READ_CAP_FACTOR * config.logMaxBytes();
            AtomicLong read = new AtomicLong();
            AtomicBoolean cut = new AtomicBoolean();
            AtomicReference<ContainerRunner.LogFollower> reader = new AtomicReference<>();
            ContainerRunner.LogFollower rest = runner.readStream(containerId, out, null, first.get(), false, entry -> {
                if (cut.get()) return;
                if (read.addAndGet(entry.length) > cap) {
                    cut.set(true);
                    ContainerRunner.LogFollower r = reader.get();
                    if (r != null) r.close();
                    return;
                }
                onward.write(entry);
            });
            reader.set(rest);
            boolean ended = rest.awaitEnd(Duration.ofSeconds(10));
            rest.close();
            return ended && !cut.get() ? onward.lines() : fromTail.lines();
        }

        /**
         * Every 0.5 s: the network counters and what the memory-backed filesystems hold (their peaks are reported); where
         * the storage driver cannot bound the root filesystem, its bytes written too, at most as often as that costs
         * (on vfs the engine compares the whole tree), killing the container once they pass the limit.
         */
        private void sampleStats() {
            boolean sampleRoot = !runner.boundsRootGrowth();
            long rootEvery = ROOT_SAMPLE_INTERVAL.toNanos();
            long rootNext = System.nanoTime();
            while (!exited) {
                // first the local, cheap reading: the engine's statistics call can take a second on a loaded host
                runner.memoryFilesystemUse(containerId).forEach((mount, bytes) -> memoryPeaks.merge(mount, bytes, Math::max));
                ContainerRunner.NetCounters c = runner.netCounters(containerId);
                if (c != null) counters.set(c);
                if (sampleRoot && System.nanoTime() - rootNext >= 0) {
                    long t = System.nanoTime();
                    Long written = runner.rootBytesWritten(containerId);
                    long took = System.nanoTime() - t;
                    rootNext = System.nanoTime() + Math.max(rootEvery, 4 * took);
                    if (written != null && written > request.limits().rootGrowthBytes() && !exited) {
                        rootGrowthStopped = true;
                        runner.kill(containerId);
                        return;
                    }
                }
                try {
                    Thread.sleep(STATS_INTERVAL);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /**
         * Creates the run network on a subnet leased from the pool; a subnet the engine refuses as overlapping (another
         * process on this host took it meanwhile) is marked taken and another one is tried.
         */
        ContainerRunner.RunNetwork createNetwork(boolean internal, Map<String, String> labels) {
            List<String> taken = new ArrayList<>(runner.networkSubnets());
            for (int attempt = 1; ; attempt++) {
                SubnetPool.Subnet lease = subnets.lease(taken);
                try {
                    ContainerRunner.RunNetwork created = runner.createNetwork("ddsb-" + runId, internal, NetworkFence.BRIDGE_PREFIX + runId,
                            lease, labels);
                    subnet = lease;
                    return created;
                } catch (ContainerRunner.SubnetTakenException e) {
                    subnets.release(lease);
                    taken.add(lease.cidr());
                    if (attempt == 5) {
                        throw new ContainerRunner.EngineException("the engine refused 5 subnets of sandbox.subnet-pool as overlapping"
                                + " other networks (last: " + e.getMessage() + "): choose another private range for sandbox.subnet-pool");
                    }
                } catch (RuntimeException e) {
                    subnets.release(lease);
                    throw e;
                }
            }
        }

        long step(String name, long since) {
            long now = System.nanoTime();
            durations.merge(name, (now - since) / 1_000_000, Long::sum);
            return now;
        }

        NetworkUsage networkUsage() {
            List<NetworkUsage.Destination> destinations = new ArrayList<>();
            if (api != null) destinations.add(api.destination());
            if (proxy != null) destinations.addAll(proxy.destinations());
            if (dns != null) {
                for (Map.Entry<String, Long> lookup : dns.lookups()) {
                    destinations.add(new NetworkUsage.Destination(lookup.getKey(), 53, "dns", lookup.getValue(), 0, 0, false,
                            "direct name lookups are refused; " + (request.deploymentModel().proxyAllowed()
                                    ? "reach the externalCalls domains through HTTPS_PROXY/HTTP_PROXY"
                                    : "only veritoneApiBaseUrl is reachable")));
                }
            }
            if (fence != null) {
                NetworkFence.Refused refused = fence.refused();
                if (refused.dnsPackets() > 0) {
                    destinations.add(new NetworkUsage.Destination("(name lookup)", 53, "dns", refused.dnsPackets(), 0, 0, false,
                            "direct DNS lookups are refused; " + (request.deploymentModel().proxyAllowed()
                                    ? "reach the externalCalls domains through HTTPS_PROXY/HTTP_PROXY"
                                    : "only veritoneApiBaseUrl is reachable")));
                }
                if (refused.hostPackets() > 0) {
                    destinations.add(new NetworkUsage.Destination(network.gateway(), 0, "host", refused.hostPackets(), 0, 0, false,
                            "connections to host services other than the sandbox API"
                                    + (proxy != null ? " and the proxy" : "") + " are refused"));
                }
            }
            ContainerRunner.NetCounters c = counters.get();
            return new NetworkUsage(request.deploymentModel(),
                    request.deploymentModel().proxyAllowed() ? request.externalCalls() : List.of(), destinations,
                    c == null ? 0 : c.rxBytes(), c == null ? 0 : c.txBytes());
        }

        SandboxResult result(Ending e, NetworkUsage usage) {
            durations.put("total", (System.nanoTime() - startNanos) / 1_000_000);
            // the container can read its mount table, which names the engine's directories on this host: not in the report
            List<String> hidden = containerId == null ? List.of() : hostPathForms(runner.hostStoragePaths());
            return new SandboxResult(runId, request, ids, e.outcome(), e.exitCode(), e.oom(), hideHostPaths(e.error(), hidden), timeout,
                    hideHostPaths(stdout.snapshot(), hidden), hideHostPaths(stderr.snapshot(), hidden),
                    api == null ? List.of() : api.calls(), api == null ? TaskReport.NEVER_UPDATED : api.task(),
                    api == null ? List.of() : api.created(), usage, durations, notes, rootBytesWritten,
                    api == null ? List.of() : api.engineOutputs(), webhook, new SandboxResult.Writes(memoryPeaks, rootGrowthStopped));
        }

        /** Removes everything the run created; returns how long that took in milliseconds. */
        long cleanup() {
            long t = System.nanoTime();
            exited = true;
            if (containerId != null) {
                try {
                    runner.removeContainer(containerId);
                } catch (RuntimeException ignored) {
                    // cleanupLeftovers() finds it by its label
                }
            }
            if (api != null) api.close();
            if (proxy != null) proxy.close();
            if (dns != null) dns.close();
            if (network != null) {
                try {
                    runner.removeNetwork(network.name());
                } catch (RuntimeException ignored) {
                    // cleanupLeftovers() finds it by its label
                }
            }
            // after the network: the engine removes its own rules first, the fence then sweeps what CNI leaves
            if (fence != null) fence.close();
            if (subnet != null) subnets.release(subnet);
            if (pulled) images.release(request.imageRef(), !config.keepImages(), () -> runner.removeImage(request.imageRef()));
            if (lock != null) lock.close();
            return (System.nanoTime() - t) / 1_000_000;
        }
    }

    static CapturedOutput hideHostPaths(CapturedOutput out, List<String> forms) {
        if (forms.isEmpty()) return out;
        return new CapturedOutput(out.lines().stream().map(l -> hideHostPaths(l, forms)).toList(), out.truncated(), out.totalLines(),
                out.totalBytes(), out.complete());
    }

    /**
     * The forms in which the engine's host directories can appear: each directory, and each tail of one at least two
     * directories deep (a mount table names paths from the root of their own filesystem: {@code /podman/storage/…} when
     * the data directory is a mount point); longest first, so a longer form is replaced before a shorter one inside it.
     */
    static List<String> hostPathForms(List<String> paths) {
        List<String> forms = new ArrayList<>();
        for (String p : paths) {
            for (int i = 0; i >= 0 && i < p.length(); i = p.indexOf('/', i + 1)) {
                String tail = p.substring(i);
                if (tail.chars().filter(ch -> ch == '/').count() >= 2) forms.add(tail);
            }
        }
        forms.sort(java.util.Comparator.comparingInt(String::length).reversed());
        return forms;
    }

    /** {@code text} with each of {@link #hostPathForms} replaced by {@link #STORAGE_NAME}. */
    static String hideHostPaths(String text, List<String> forms) {
        if (text == null || forms.isEmpty()) return text;
        String result = text;
        for (String form : forms) {
            if (result.contains(form)) result = result.replace(form, STORAGE_NAME);
        }
        return result;
    }

    private record Ending(SandboxResult.Outcome outcome, Integer exitCode, boolean oom, String error) {
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
