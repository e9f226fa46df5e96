package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox on the engine {@link EngineFixture} selects (Podman with netavark or CNI, or Docker): bounded output,
 * cleanup of crashed runs, queueing and the doctor. Facts only: drydock-compliance's {@code SandboxRunTest} runs real
 * adapters through the judging of their runs.
 */
@Tag("engine")
class SandboxEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AdapterRuns runs = new AdapterRuns();

    @Test
    void fiftyMegabytesOfOutputAreBounded() throws IOException {
        SandboxResult r = runs.run("chatty", Adapters.manifest("pull", null),
                "#!/bin/sh\nyes 0123456789012345678901234567890123456789012345678 | head -n 1028000\necho the end\n");
        assertThat(r.outcome()).as(AdapterRuns.describe(r)).isEqualTo(SandboxResult.Outcome.EXITED);
        CapturedOutput out = r.stdout();
        assertThat(out.truncated()).isTrue();
        assertThat(out.complete()).isFalse();
        assertThat(out.totalBytes()).isGreaterThan(BoundedLog.DEFAULT_MAX_BYTES).isLessThan(1028000L * 51);
        List<String> lines = r.testLog();
        int marker = lines.indexOf(BoundedLog.TRUNCATED_MARKER);
        assertThat(marker).isPositive().isLessThanOrEqualTo(BoundedLog.DEFAULT_MAX_LINES);
        assertThat(lines.subList(0, marker)).allMatch(l -> l.equals("0123456789012345678901234567890123456789012345678"));
        assertThat(lines.subList(0, marker).stream().mapToLong(String::length).sum()).isLessThanOrEqualTo(BoundedLog.DEFAULT_MAX_BYTES);
        // the end of the output is there too (50 MB of 51-byte lines, then one more line)
        assertThat(lines.size() - marker - 1).isBetween(1, 100);
        assertThat(lines).endsWith("the end");
        assertThat(r.stderr().lines()).isEmpty();
        // a coarse bound, not a benchmark: reading all 50 MB through the engine's log API takes minutes; reading the
        // head and each stream's tail (re-read from the second it starts, at most 8 MiB) takes seconds
        assertThat(r.durations().get("logs")).isLessThan(30_000L);
    }

    @Test
    void leftoversOfACrashedRunAreRemoved() throws Exception {
        String ref = runs.engine.buildAdapter("leftover", Adapters.manifest("pull", null), "#!/bin/sh\nsleep 300\n");
        ContainerRunner runner = runs.sandbox.runner();
        runner.pull(ref, runs.engine.auth(), Duration.ofSeconds(60));
        assertThat(runs.engine.engineImages()).anyMatch(name -> name.contains("leftover")); // so the image checks above can fail
        Map<String, String> labels = Map.of(ContainerRunner.LABEL, "0ddba11");
        ContainerRunner.RunNetwork net = runner.createNetwork("ddsb-0ddba11", true, "ddsb0ddba11",
                new SubnetPool(SubnetPool.DEFAULT_POOL).lease(runner.networkSubnets()), labels);
        NetworkFence fence = NetworkFence.install("0ddba11", net, true, false); // never closed: the "crash"
        fence.allow(40999);
        fence.redirectDns(40998);
        assertThat(runs.engine.tool(List.of("iptables", "-w", "-S"))).contains("ddsb0ddba11");
        String id = runner.createContainer(new ContainerSpec("ddsb-0ddba11", ref, List.of(), labels, net.name(),
                Limits.forClusterSize(ClusterSize.small), List.of()));
        runner.start(id);

        // a live run of another process on this host (another worker, another test JVM): its engine is not ours
        ContainerRunner.RunNetwork otherNet = new ContainerRunner.RunNetwork("ddsb-0ddba12", "ddsb0ddba12", "10.213.255.0/24", "10.213.255.1");
        try (RunLock live = RunLock.acquire("0ddba12"); NetworkFence other = NetworkFence.install("0ddba12", otherNet, true, false)) {
            assertThat(runs.sandbox.cleanupLeftovers()).isGreaterThanOrEqualTo(2); // the run, its chain (netavark may have taken the bridge with the container)
            assertThat(runs.engine.tool(List.of("iptables", "-w", "-S"))).contains("DDSB-0ddba12");
            assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/ddsb0ddba12"))).isTrue();
        }
        assertThat(runs.engine.tool(List.of("iptables", "-w", "-S"))).doesNotContain("ddsb0ddba12");
        assertThat(runs.engine.tool(List.of("iptables", "-w", "-S"))).doesNotContain("DDSB-0ddba11").doesNotContain("ddsb0ddba11");
        assertThat(runs.engine.tool(List.of("iptables", "-w", "-t", "nat", "-S"))).doesNotContain("ddsb0ddba11");
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/ddsb0ddba11"))).isFalse();
        try (var docker = DockerEngineRunner.connect(runs.engine.endpoint())) {
            assertThat(docker.cleanupLeftovers(run -> true)).isEmpty();
        }
    }

    @Test
    void runsBeyondTheConcurrencyLimitQueue() throws Exception {
        String ref = runs.engine.buildAdapter("napper", Adapters.manifest("pull", null), "#!/bin/sh\nsleep 2\necho napped\n");
        SandboxRequest request = new SandboxRequest(ref, runs.engine.auth(), JSON.readTree(Adapters.manifest("pull", null)), null,
                DeploymentModel.FullyNetworkIsolated, null, null);
        try (Sandbox two = Sandbox.open(SandboxConfig.defaults(runs.engine.endpoint()).withConcurrency(2))) {
            long started = System.nanoTime();
            List<java.util.concurrent.CompletableFuture<SandboxResult>> futures = List.of(two.submit(request), two.submit(request),
                    two.submit(request));
            int maxRunning = 0;
            int maxQueued = 0;
            while (!futures.stream().allMatch(java.util.concurrent.Future::isDone)) {
                maxRunning = Math.max(maxRunning, two.running());
                maxQueued = Math.max(maxQueued, two.queued());
                Thread.sleep(20);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(futures).allSatisfy(f -> assertThat(f.join().testLog()).as(AdapterRuns.describe(f.join())).containsExactly("napped"));
            assertThat(maxRunning).isEqualTo(2);
            assertThat(maxQueued).isGreaterThanOrEqualTo(1);
            assertThat(millis).isGreaterThanOrEqualTo(4000);
        }
    }

    @Test
    void doctorFindsTheEngineAndTheFence() {
        List<SandboxDoctor.Finding> findings = SandboxDoctor.diagnose(SandboxConfig.defaults(runs.engine.endpoint()));
        assertThat(findings).as(findings.toString()).allMatch(SandboxDoctor.Finding::ok);
        assertThat(findings).extracting(SandboxDoctor.Finding::name)
                .containsExactly("engine.socket", "engine.ping", "engine.runtime", "engine.storage", "engine.network", "sandbox.network",
                        "sandbox.fence");
        Map<String, String> detail = new java.util.HashMap<>();
        findings.forEach(f -> detail.put(f.name(), f.detail()));
        switch (runs.engine.engine) {
            case PODMAN_NETAVARK -> assertThat(detail.get("engine.network")).isEqualTo("Podman with its netavark backend");
            case PODMAN_CNI -> assertThat(detail.get("engine.network")).isEqualTo("Podman with its CNI backend (bridge plugin found)");
            case DOCKER -> assertThat(detail.get("engine.network")).isEqualTo("Docker bridge networks (libnetwork)");
        }
        assertThat(detail.get("engine.ping")).startsWith(runs.engine.engine == EngineFixture.Engine.DOCKER ? "Docker 2" : "Podman 4.");
        assertThat(detail.get("sandbox.network")).matches("an internal run network gets subnet 10\\.213\\.\\d+\\.0/24 and gateway"
                + " 10\\.213\\.\\d+\\.1 \\(from sandbox.subnet-pool 10\\.213\\.0\\.0/16\\)");
        List<SandboxDoctor.Finding> missing = SandboxDoctor.diagnose(SandboxConfig.defaults("unix:///nonexistent/podman.sock"));
        assertThat(missing).singleElement().satisfies(f -> {
            assertThat(f.ok()).isFalse();
            assertThat(f.fix()).contains("apt-get install -y podman runc");
        });
    }
}
