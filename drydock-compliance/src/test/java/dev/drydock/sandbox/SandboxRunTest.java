package dev.drydock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.compliance.CheckResult;
import dev.drydock.compliance.RunVerdicts;
import dev.drydock.compliance.Verdict;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.drydock.compliance.JudgedRun.checks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real adapters (busybox + shell) run through the engine {@link EngineFixture} selects (Podman with netavark or CNI, or
 * Docker): each ends in the right verdicts and messages ({@link RunVerdicts} judging what the sandbox observed). Kept in
 * drydock-compliance, which judges; the sandbox's own engine tests ({@code SandboxEngineTest}) assert facts only.
 */
@Tag("engine")
class SandboxRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AdapterRuns runs = new AdapterRuns();

    private static String describe(SandboxResult r) {
        return AdapterRuns.describe(r) + "\nchecks=" + RunVerdicts.judge(r);
    }

    @Test
    @Tag("engine-matrix")
    void goodPullAdapterPassesEveryCheck() throws IOException {
        SandboxResult r = runs.run("good-pull", Adapters.manifest("pull", null), Adapters.GOOD_PULL);
        Map<String, CheckResult> c = checks(r);
        assertThat(r.outcome()).as(describe(r)).isEqualTo(SandboxResult.Outcome.EXITED);
        assertThat(c.values()).as(describe(r)).allMatch(x -> x.verdict() == Verdict.passed);
        assertThat(c.get("run.exit").message()).isEqualTo("exit code 0");
        assertThat(c.get("run.task").message()).isEqualTo("task complete (running → complete)");
        assertThat(r.testLog()).anyMatch(l -> l.startsWith("starting ingest of http://")).contains("Processing complete");
        assertThat(r.apiCalls()).extracting(ApiCall::operation)
                .containsExactly("updateTask", "createTDO", "createAsset", "updateTask");
        assertThat(r.apiCalls()).allMatch(ApiCall::authorized);
        assertThat(r.created()).extracting(CreatedObject::kind).containsExactly(CreatedObject.Kind.tdo, CreatedObject.Kind.asset);
        assertThat(r.task().output().path("recordingId").asText()).isEqualTo(r.created().getFirst().id());
        assertThat(r.networkUsage().destinations()).singleElement().satisfies(d -> {
            assertThat(d.via()).isEqualTo("sandbox-api");
            assertThat(d.connections()).isEqualTo(4);
            assertThat(d.bytesOut()).isPositive();
        });
        assertThat(r.durations()).containsKeys("pull", "network", "create", "copy", "start", "run", "cleanup", "total");
        // the run removed the image it pulled
        assertThat(runs.engine.engineImages()).noneMatch(name -> name.contains("good-pull"));
        // the token never appears in what was recorded
        String token = r.apiCalls().toString();
        assertThat(token).doesNotContain("Bearer");
    }

    @Test
    void exitCodeOneFailsWithTheRecordsWording() throws IOException {
        SandboxResult r = runs.run("exit-one", Adapters.manifest("pull", null), Adapters.PRELUDE + "echo 'about to fail'\necho 'bad input' >&2\nexit 1\n");
        Map<String, CheckResult> c = checks(r);
        assertThat(c.get("run.exit").verdict()).as(describe(r)).isEqualTo(Verdict.failed);
        assertThat(c.get("run.exit").message()).isEqualTo("Error running container: exit code 1");
        assertThat(r.testLog()).containsExactly("about to fail");
        assertThat(r.stderr().lines()).containsExactly("bad input");
        assertThat(RunVerdicts.errors(RunVerdicts.judge(r))).first().isEqualTo("Error running container: exit code 1");
    }

    @Test
    void adapterThatNeverCallsUpdateTaskFailsRunTask() throws IOException {
        SandboxResult r = runs.run("no-update", Adapters.manifest("pull", null), Adapters.PRELUDE
                + "gql '{\"query\":\"mutation { createTDO(input: {name: \\\"x\\\"}) { id } }\"}'\necho done\n");
        Map<String, CheckResult> c = checks(r);
        assertThat(c.get("run.exit").verdict()).as(describe(r)).isEqualTo(Verdict.passed);
        assertThat(c.get("run.task").verdict()).isEqualTo(Verdict.failed);
        assertThat(c.get("run.task").message()).startsWith("the adapter never called updateTask");
        assertThat(c.get("run.output").message()).startsWith("no asset was created");
        assertThat(r.apiCalls()).extracting(ApiCall::operation).containsExactly("createTDO");
    }

    @Test
    void wrongTokenIsRefusedAndRecorded() throws IOException {
        SandboxResult r = runs.run("bad-token", Adapters.manifest("pull", null), Adapters.PRELUDE + "TOKEN=not-the-token\nupdate running || echo refused\n");
        assertThat(r.apiCalls()).as(describe(r)).singleElement().satisfies(call -> {
            assertThat(call.status()).isEqualTo(401);
            assertThat(call.operation()).isEqualTo("unauthorized");
        });
        assertThat(r.testLog()).contains("refused");
        assertThat(checks(r).get("run.task").message()).contains("1 API call(s) were refused with 401");
    }

    @Test
    @Tag("engine-matrix")
    void sleepingPastTheTimeoutIsKilled() throws IOException {
        SandboxResult r = runs.run("sleeper", Adapters.manifest("pull", null), Adapters.PRELUDE + "update running\necho sleeping\nsleep 300\n",
                DeploymentModel.FullyNetworkIsolated, Duration.ofSeconds(20), null);
        assertThat(r.outcome()).as(describe(r)).isEqualTo(SandboxResult.Outcome.TIMED_OUT);
        // nothing unusual but, on storage drivers without a size option (Docker on vfs), the unbounded root filesystem
        assertThat(r.notes()).allMatch(n -> n.startsWith("the engine's storage driver cannot bound the root filesystem's growth"));
        assertThat(checks(r).get("run.exit").message()).startsWith("Timed out after 20s: the adapter was still running and was killed")
                .endsWith("(last task status: running)");
        assertThat(r.testLog()).contains("sleeping");
        // killed at the deadline: the run (pull to logs; the cleanup follows) ends soon after the 20 s
        assertThat(r.durations().get("total")).isLessThan(30_000L);
    }

    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void isolatedAdapterReachesNeitherHostServicesNorNames() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            AtomicInteger accepted = acceptCounting(listener);
            String script = Adapters.PRELUDE + """
                    update running
                    GW=$(echo "$API" | sed 's#http://\\([^:]*\\):.*#\\1#')
                    wget -q -O - http://$GW:%d/ && echo REACHED-HOST || echo host-refused
                    wget -q -O - http://forbidden.example/ && echo REACHED-NAME || echo name-refused
                    update complete '{"recordingId":"x"}'
                    """.formatted(listener.getLocalPort());
            SandboxResult r = runs.run("reach-host", Adapters.manifest("pull", null), script);
            assertThat(r.testLog()).as(describe(r)).contains("host-refused", "name-refused").doesNotContain("REACHED-HOST", "REACHED-NAME");
            assertThat(accepted.get()).isZero();
            CheckResult network = checks(r).get("run.network");
            assertThat(network.verdict()).isEqualTo(Verdict.failed);
            assertThat(network.message()).contains("host services on " + r.networkUsage().destinations().getFirst().host())
                    .contains("forbidden.example (a direct DNS lookup, ")
                    .contains("a FullyNetworkIsolated adapter may reach only veritoneApiBaseUrl")
                    .contains("externalCalls");
        }
    }

    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void proxyLetsDeclaredDomainsThroughAndRecordsForbiddenOnes() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!upstream.isClosed()) {
                    try (Socket s = upstream.accept()) {
                        accepted.incrementAndGet();
                        s.getInputStream().read(new byte[4096]);
                        OutputStream out = s.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String script = Adapters.PRELUDE + """
                    update running
                    wget -q -O - http://127.0.0.1:%d/allowed && echo got-allowed
                    wget -q -O - http://forbidden.example/secret && echo REACHED-FORBIDDEN || echo forbidden-refused
                    update complete '{"recordingId":"x"}'
                    """.formatted(upstream.getLocalPort());
            SandboxResult r = runs.run("proxied", Adapters.manifest("pull", "\"externalCalls\":[\"127.0.0.1\"]"), script,
                    DeploymentModel.MostlyNetworkIsolated, null, null);
            assertThat(r.testLog()).as(describe(r)).contains("hello", "got-allowed", "forbidden-refused");
            assertThat(accepted.get()).isEqualTo(1);
            List<NetworkUsage.Destination> proxied = r.networkUsage().destinations().stream().filter(d -> d.via().equals("proxy")).toList();
            assertThat(proxied).anySatisfy(d -> {
                assertThat(d.host()).isEqualTo("127.0.0.1");
                assertThat(d.allowed()).isTrue();
                assertThat(d.bytesIn()).isPositive();
            });
            assertThat(proxied).anySatisfy(d -> {
                assertThat(d.host()).isEqualTo("forbidden.example");
                assertThat(d.port()).isEqualTo(80);
                assertThat(d.allowed()).isFalse();
            });
            CheckResult network = checks(r).get("run.network");
            assertThat(network.verdict()).isEqualTo(Verdict.failed);
            assertThat(network.message()).isEqualTo("the adapter tried to reach forbidden.example:80 (through the proxy, 1 attempt(s)):"
                    + " add the domains it needs to the manifest's externalCalls (currently [127.0.0.1]) and reach them through"
                    + " HTTPS_PROXY/HTTP_PROXY");
        }
    }

    @Test
    @Tag("engine-matrix")
    void forkBombHitsThePidsLimit() throws IOException {
        SandboxResult r = runs.run("fork-bomb", Adapters.manifest("pull", null),
                "#!/bin/sh\nbomb() { bomb | bomb & }\nbomb\nsleep 3\necho still-here\n",
                DeploymentModel.FullyNetworkIsolated, Duration.ofSeconds(15), Limits.forClusterSize(ClusterSize.small).withPids(64));
        assertThat(r.outcome()).as(describe(r)).isIn(SandboxResult.Outcome.EXITED, SandboxResult.Outcome.TIMED_OUT);
        assertThat(String.join("\n", r.stderr().lines())).as(describe(r)).containsIgnoringCase("can't fork");
        assertThat(checks(r).get("run.task").verdict()).isEqualTo(Verdict.failed);
    }

    /**
     * As under a plain {@code docker run}: engines install things under / when they start (Veritone's sample engine
     * builds a virtualenv), /tmp included (no tmpfs there, as under Docker and Kubernetes), counted in rootBytesWritten;
     * /dev and /dev/shm are the platform's memory-backed 64 MiB, writable as there, and what they held is reported. The
     * mount table the container prints names the engine's directories on this host: the report shows a neutral name.
     */
    @Test
    @Tag("engine-matrix")
    void rootFilesystemIsWritableAndWhatIsWrittenIsReported() throws IOException {
        SandboxResult r = runs.run("writer", Adapters.manifest("pull", null), """
                #!/bin/sh
                head -c 2000000 /dev/zero > /tmp/scratch && echo tmp-writable
                busybox mkdir -p /var/venv/lib && head -c 3000000 /dev/zero > /var/venv/lib/big.so && echo root-writable
                echo x > /etc/engine.conf && echo etc-writable
                head -c 3000000 /dev/zero > /dev/big && head -c 2000000 /dev/zero > /dev/shm/big && echo memory-written
                cat /proc/self/mountinfo
                sleep 2
                """);
        assertThat(r.testLog()).as(describe(r)).startsWith("tmp-writable", "root-writable", "etc-writable", "memory-written");
        assertThat(checks(r).get("run.exit").message()).isEqualTo("exit code 0");
        assertThat(r.rootBytesWritten()).as(describe(r)).isGreaterThanOrEqualTo(5_000_000L);
        Map<String, Long> peaks = r.writes().memoryBackedPeakBytes();
        assertThat(peaks.get("/dev")).as(describe(r) + "\n" + peaks).isBetween(3_000_000L, 4_000_000L);
        assertThat(peaks.get("/dev/shm")).as(describe(r) + "\n" + peaks).isBetween(2_000_000L, 3_000_000L);
        assertThat(peaks).as("no tmpfs at /tmp").doesNotContainKey("/tmp");
        assertThat(dev.drydock.compliance.JudgedRun.exitEvidence(r).get("memoryBackedPeakBytes")).isEqualTo(peaks);
        String log = String.join("\n", r.testLog());
        assertThat(log).as("the mount table").contains(" / rw", " /etc/hosts ", Sandbox.STORAGE_NAME)
                .doesNotContain(runs.engine.dir.toString()).doesNotContain(runs.engine.dir.getFileName().toString());
    }

    @Test
    void cognitiveEngineGetsASampleAndUploadsJson() throws IOException {
        String manifest = """
                {"engineId":"e1","category":"transcription","preferredInputFormat":"audio/wav","supportedInputFormats":["audio/wav"],
                 "outputFormats":["application/json"],"clusterSize":"small"}
                """;
        String script = Adapters.PRELUDE + """
                update running
                wget -Y off -q -O /tmp/in "$SIGNED_URI" || exit 20
                echo "input bytes $(wc -c < /tmp/in)"
                gql "$(printf '{"query":"mutation($t: ID!, $j: JSONData) { uploadEngineResult(input: {taskId: $t, contentType: \\\\"application/json\\\\", output: $j, completeTask: true}) { id } }","variables":{"t":"%s","j":{"series":[{"words":[{"word":"hello"}]}]}}}' "$TASK")"
                """;
        SandboxResult r = runs.run("engine", manifest, script);
        Map<String, CheckResult> c = checks(r);
        assertThat(c.values()).as(describe(r)).allMatch(x -> x.verdict() == Verdict.passed);
        assertThat(r.testLog()).contains("input bytes " + SampleMedia.forFormat("audio/wav").bytes().length);
        assertThat(c.get("run.output").message()).startsWith("output application/json");
        JsonNode content = r.created().getLast().details().get("content");
        assertThat(content.path("series").path(0).path("words").path(0).path("word").asText()).isEqualTo("hello");
    }

    @Test
    @Tag("engine-matrix")
    void pullWithWrongCredentialsIsAnError() throws IOException {
        String ref = runs.engine.buildAdapter("creds", Adapters.manifest("pull", null), "#!/bin/sh\nexit 0\n");
        SandboxRequest request = new SandboxRequest(ref, new RegistryAuth(EngineFixture.USER, "wrong", "127.0.0.1:" + runs.engine.registryPort),
                JSON.readTree(Adapters.manifest("pull", null)), null, DeploymentModel.FullyNetworkIsolated, null, null);
        SandboxResult r = runs.sandbox.run(request);
        assertThat(r.outcome()).as(describe(r)).isEqualTo(SandboxResult.Outcome.ERROR);
        assertThat(checks(r).get("run.exit").verdict()).isEqualTo(Verdict.error);
        assertThat(checks(r).get("run.exit").message()).startsWith("Error running container: could not pull " + ref + ": ")
                .containsIgnoringCase("unauthorized");
    }

    @Test
    @Tag("engine-matrix")
    @Tag("engine-network")
    void nonIsolatedAdapterStillCannotReachHostServices() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            AtomicInteger accepted = acceptCounting(listener);
            String script = Adapters.GOOD_PULL + """
                    GW=$(echo "$API" | sed 's#http://\\([^:]*\\):.*#\\1#')
                    wget -q -O - http://$GW:%d/ && echo REACHED-HOST || echo host-refused
                    """.formatted(listener.getLocalPort());
            SandboxResult r = runs.run("open-net", Adapters.manifest("pull", null), script, DeploymentModel.NonNetworkIsolated, null, null);
            Map<String, CheckResult> c = checks(r);
            assertThat(r.testLog()).as(describe(r)).contains("Processing complete", "host-refused");
            assertThat(accepted.get()).isZero();
            assertThat(c.get("run.task").verdict()).isEqualTo(Verdict.passed);
            assertThat(c.get("run.network").message()).isEqualTo("the adapter tried to reach host services on "
                    + r.networkUsage().destinations().getFirst().host() + " (1 packet(s) refused): adapters may not connect to the"
                    + " test host's services; use veritoneApiBaseUrl");
        }
    }

    @Test
    @Tag("engine-matrix")
    void exceedingTheMemoryLimitIsNamed() throws IOException {
        // conmon creates an empty "oom" file in Podman's working directory on every OOM kill: it must not be ours
        Path stray = Path.of("oom").toAbsolutePath();
        boolean strayBefore = Files.exists(stray);
        SandboxResult r = runs.run("memory-hog", Adapters.manifest("pull", null),
                "#!/bin/sh\nx=$(head -c 200000000 /dev/zero | tr '\\0' a)\necho survived ${#x}\n",
                DeploymentModel.FullyNetworkIsolated, null, new Limits(32L << 20, 1_000_000_000L, 256, 16L << 20));
        assertThat(r.exitCode()).as(describe(r)).isEqualTo(137);
        // Docker reports OOMKilled; Podman 4.3 on cgroup v1 does not, and the message says "most likely"
        assertThat(checks(r).get("run.exit").message()).startsWith("Error running container: exit code 137 (killed ")
                .endsWith("more than its memory limit of 32 MiB; the manifest's clusterSize is small: raise it or use less memory)");
        assertThat(strayBefore).as("%s is left from an earlier run: delete it", stray).isFalse();
        assertThat(stray).as("conmon's oom file in the test's working directory").doesNotExist();
        if (runs.engine.engine != EngineFixture.Engine.DOCKER) {
            assertThat(runs.engine.dir.resolve("podman/oom")).as("conmon's oom file, in the Podman service's own directory").exists();
        }
    }

    /** vfs (CI, Drydock's own Podman) cannot bound the root filesystem: the sandbox samples what was written and stops the run. */
    @Test
    void writingPastTheRootGrowthLimitStopsTheRun() throws IOException {
        SandboxResult r = runs.run("filler", Adapters.manifest("pull", null), """
                #!/bin/sh
                i=0
                while [ $i -lt 40 ]; do head -c 5000000 /dev/zero > /var/fill$i; i=$((i+1)); sleep 0.2; done
                echo survived
                """, DeploymentModel.FullyNetworkIsolated, Duration.ofSeconds(40),
                Limits.forClusterSize(ClusterSize.small).withRootGrowthBytes(20L << 20));
        // a storage driver with a size option (overlay on xfs with quotas, btrfs) bounds it itself; CI's engines use vfs
        org.junit.jupiter.api.Assumptions.assumeFalse(runs.sandbox.runner().boundsRootGrowth(), "the storage driver bounds the root");
        assertThat(r.writes().rootGrowthStopped()).as(describe(r)).isTrue();
        assertThat(r.testLog()).doesNotContain("survived");
        assertThat(r.rootBytesWritten()).isGreaterThan(20L << 20).isLessThan(200_000_000L);
        assertThat(checks(r).get("run.exit").message()).startsWith("Error running container: exit code 137 (stopped by the sandbox: it wrote ")
                .endsWith(" MiB to its root filesystem, more than the limit of 20 MiB: write less to the container's filesystem (/, /tmp …),"
                        + " e.g. stream large inputs and results instead of storing them)");
    }

    /** Past the limits, the last 100 lines of each stream follow the marker, whatever the other stream and the line lengths. */
    @Test
    void truncatedOutputKeepsTheLastHundredLinesOfEachStream() throws IOException {
        String filler = "0123456789".repeat(5);
        SandboxResult r = runs.run("long-tail", Adapters.manifest("pull", null), """
                #!/bin/sh
                yes %1$s | head -n 25000
                yes %1$s | head -n 25000 >&2
                L=$(head -c 1500 /dev/zero | tr '\\0' a)
                busybox seq 1 150 | sed "s/^/out /; s/$/ $L/"
                busybox seq 1 300 | sed 's/^/err /' >&2
                """.formatted(filler));
        assertThat(r.outcome()).as(describe(r)).isEqualTo(SandboxResult.Outcome.EXITED);
        assertThat(r.stdout().complete()).isFalse();
        List<String> out = r.testLog();
        List<String> outTail = out.subList(out.indexOf(BoundedLog.TRUNCATED_MARKER) + 1, out.size());
        assertThat(outTail).hasSize(100);
        assertThat(outTail.getFirst()).isEqualTo("out 51 " + "a".repeat(1500));
        assertThat(outTail.getLast()).isEqualTo("out 150 " + "a".repeat(1500));
        List<String> err = r.stderr().lines();
        assertThat(err.subList(err.indexOf(BoundedLog.TRUNCATED_MARKER) + 1, err.size()))
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(201, 300).mapToObj(i -> "err " + i).toList());
    }

    private static AtomicInteger acceptCounting(ServerSocket listener) {
        AtomicInteger n = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    n.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return n;
    }
}
