package dev.drydock.compliance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.sandbox.ApiCall;
import dev.drydock.sandbox.CapturedOutput;
import dev.drydock.sandbox.DeploymentModel;
import dev.drydock.sandbox.EngineOutput;
import dev.drydock.sandbox.NetworkUsage;
import dev.drydock.sandbox.SandboxRequest;
import dev.drydock.sandbox.SandboxResult;
import dev.drydock.sandbox.TaskPayloads;
import dev.drydock.sandbox.TaskReport;
import dev.drydock.sandbox.VeritoneSampleEngineRunTest;
import dev.drydock.sandbox.WebhookRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The run.* verdicts judged from facts the sandbox tests assert on real runs (drydock-sandbox's SandboxApiTest,
 * MisbehavingEngineTest, VeritoneSampleEngineRunTest); the real containers judged end to end are this module's
 * engine tests ({@code dev.drydock.sandbox.SandboxRunTest} and others).
 */
class RunVerdictsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNSERVED = "; it called createJob, which the test sandbox does not serve";

    private static SandboxResult result(String manifest, SandboxResult.Outcome outcome, Integer exitCode, String error,
                                        List<ApiCall> calls, TaskReport task, List<EngineOutput> outputs) throws IOException {
        SandboxRequest request = SandboxRequest.of("r/x:1", JSON.readTree(manifest), DeploymentModel.FullyNetworkIsolated);
        NetworkUsage network = new NetworkUsage(DeploymentModel.FullyNetworkIsolated, List.of(),
                List.of(new NetworkUsage.Destination("10.213.0.1", 8080, "sandbox-api", 4, 100, 100, true, null)), 1, 1);
        return new SandboxResult("run", request, TaskPayloads.Ids.random(), outcome, exitCode, false, error, Duration.ofMinutes(1),
                CapturedOutput.EMPTY, CapturedOutput.EMPTY, calls, task, List.of(), network, Map.of(), List.of(), null, outputs, null);
    }

    @Test
    void aRunStoppedForItsRootFilesystemWritesNamesTheLimit() throws IOException {
        SandboxResult r = result(VeritoneSampleEngineRunTest.MANIFEST, SandboxResult.Outcome.EXITED, 137, null, List.of(),
                TaskReport.NEVER_UPDATED, List.of());
        SandboxResult stopped = new SandboxResult(r.runId(), r.request(), r.ids(), r.outcome(), r.exitCode(), false, null, r.timeout(),
                r.stdout(), r.stderr(), r.apiCalls(), r.task(), r.created(), r.networkUsage(), r.durations(), r.notes(), 8_598_323_200L,
                r.engineOutputs(), null, new SandboxResult.Writes(Map.of("/dev", 0L, "/dev/shm", 4096L), true));
        assertThat(RunVerdicts.exit(stopped).message()).isEqualTo("Error running container: exit code 137 (stopped by the sandbox: it"
                + " wrote 8200 MiB to its root filesystem, more than the limit of 8192 MiB: write less to the container's filesystem"
                + " (/, /tmp …), e.g. stream large inputs and results instead of storing them)");
        assertThat(RunVerdicts.exit(r).message()).startsWith("Error running container: exit code 137 (killed with SIGKILL, most likely");
        assertThat(SandboxRunCheck.evidence("run.exit", stopped)).containsEntry("rootGrowthStopped", true)
                .containsEntry("memoryBackedPeakBytes", Map.of("/dev", 0L, "/dev/shm", 4096L));
    }

    private static ApiCall call(String operation, String error, List<String> unserved) {
        return new ApiCall(Instant.EPOCH, operation, null, 200, 10, 10, 1, error, unserved);
    }

    @Test
    void theSampleEnginesFactsPassEveryRunCheck() throws IOException {
        SandboxResult r = result(VeritoneSampleEngineRunTest.MANIFEST, SandboxResult.Outcome.EXITED, 0, null,
                List.of(call("updateTask", null, List.of()), call("createAsset", null, List.of()), call("updateTask", null, List.of())),
                new TaskReport("complete", List.of("running", "complete"), null, null),
                List.of(new EngineOutput("createAsset", "text/plain", null)));
        Map<String, CheckResult> checks = JudgedRun.checks(r);
        assertThat(checks.keySet()).containsExactly("run.exit", "run.task", "run.output", "run.network");
        assertThat(checks.values()).allMatch(c -> c.verdict() == Verdict.passed);
        assertThat(checks.get("run.exit").message()).isEqualTo("exit code 0");
        assertThat(checks.get("run.task").message()).isEqualTo("task complete (running → complete)");
        assertThat(checks.get("run.output").message()).isEqualTo("output text/plain via createAsset");
        assertThat(RunVerdicts.errors(List.copyOf(checks.values()))).isEmpty();
    }

    private static SandboxResult webhookResult(WebhookRun w, List<EngineOutput> outputs) throws IOException {
        SandboxResult r = result(VeritoneSampleEngineRunTest.MANIFEST.replace("\"batch\"", "\"chunk\""), SandboxResult.Outcome.EXITED,
                137, null, List.of(), TaskReport.NEVER_UPDATED, outputs);
        return new SandboxResult(r.runId(), r.request(), r.ids(), r.outcome(), r.exitCode(), false, null, r.timeout(), r.stdout(),
                r.stderr(), r.apiCalls(), r.task(), r.created(), r.networkUsage(), r.durations(), r.notes(), null, outputs, w);
    }

    /**
     * Where the sandbox could not redirect to the container's loopback (a remote engine), run.ready says why an engine
     * bound to 127.0.0.1 is missed; a toolkit file that is not executable fails run.exit.
     */
    @Test
    void aRemoteEnginesReadyFailureNamesTheLoopbackAndABadToolkitFailsRunExit() throws IOException {
        WebhookRun w = new WebhookRun("/opt/aiware/engine", List.of("node", "index.js"), "http://localhost:8080/ready",
                "http://localhost:8080/process", "10.213.0.2", Duration.ofSeconds(60), null, 240, "connection refused", "chunk",
                List.of(), null, new WebhookRun.ToolkitFile("a regular file without execute permission (mode 0644)", false, null),
                "the engine is remote (tcp://engine:2375): the sandbox cannot enter its containers' network");
        Map<String, CheckResult> checks = JudgedRun.checks(webhookResult(w, List.of()));
        assertThat(checks.get("run.ready").message()).isEqualTo("nothing answered GET http://localhost:8080/ready within 1m0s"
                + " (connection refused, 240 tries): listen on the port in VERITONE_WEBHOOK_READY (8080), on all addresses (0.0.0.0):"
                + " the sandbox reached the engine at its address 10.213.0.2, not on its loopback interface as the platform's toolkit"
                + " does (the engine is remote (tcp://engine:2375): the sandbox cannot enter its containers' network)");
        assertThat(checks.get("run.exit").message()).isEqualTo("Error running container: the ENTRYPOINT starts /opt/aiware/engine,"
                + " which in the image is a regular file without execute permission (mode 0644), so the platform could not start the"
                + " engine: copy the Engine Toolkit into the image as an executable file (COPY --from=<the toolkit image>"
                + " /opt/aiware/engine /opt/aiware/engine)");
    }

    /** Every chunk's answer is an output of a chunk engine: an empty 200 answer fails run.output naming the chunk. */
    @Test
    void aChunkAnsweredWithNothingFailsRunOutput() throws IOException {
        WebhookRun.Attempt json = new WebhookRun.Attempt(200, 5, null, "application/json", 40, null);
        WebhookRun.Attempt empty = new WebhookRun.Attempt(200, 5, null, null, 0, null);
        WebhookRun w = new WebhookRun(null, List.of("/engine"), "http://0.0.0.0:8080/ready", "http://0.0.0.0:8080/process",
                "10.213.0.2", Duration.ofSeconds(60), 100L, 1, null, "chunk",
                List.of(new WebhookRun.Chunk(0, "a", "audio/wav", Map.of(), List.of(json), null, 0),
                        new WebhookRun.Chunk(1, "b", "audio/wav", Map.of(), List.of(empty), null, 0)), null, null, null);
        Map<String, CheckResult> checks = JudgedRun.checks(webhookResult(w,
                List.of(new EngineOutput(EngineOutput.PROCESS, "application/json", JSON.readTree("{\"series\":[]}")))));
        assertThat(checks.get("run.process").verdict()).isEqualTo(Verdict.passed);
        assertThat(checks.get("run.output").message()).isEqualTo("chunk 2 (audio/wav) was answered 200 with no content: answer each"
                + " chunk on the process webhook with its vtn-standard JSON (Content-Type application/json)");
    }

    /** A webhook engine whose pull failed has no webhook facts; the image's kind still lists run.ready and run.process. */
    @Test
    void aWebhookEngineThatNeverStartedListsTheWebhookChecksSkipped() throws IOException {
        String why = "pull refused: unauthorized";
        SandboxResult r = result(VeritoneSampleEngineRunTest.MANIFEST, SandboxResult.Outcome.ERROR, null, why, List.of(),
                TaskReport.NEVER_UPDATED, List.of());
        List<CheckResult> checks = RunVerdicts.judge(r, true);
        assertThat(checks).extracting(CheckResult::id).containsExactly("run.exit", "run.ready", "run.process", "run.output", "run.network");
        assertThat(checks.get(0).message()).isEqualTo("Error running container: " + why);
        assertThat(checks.subList(1, 3)).allSatisfy(c -> {
            assertThat(c.verdict()).isEqualTo(Verdict.skipped);
            assertThat(c.message()).isEqualTo("not checked: the container did not run (run.exit)");
        });
        assertThat(RunVerdicts.judge(r, false)).extracting(CheckResult::id).containsExactly("run.exit", "run.task", "run.output", "run.network");
    }

    @Test
    void aRunThatCouldNotBeDoneIsAnErrorNamingWhy() throws IOException {
        String why = "Podman 4.3.1 at tcp://127.0.0.1:1 could not create the run network ddsb-1: failed to find plugin";
        SandboxResult r = result(VeritoneSampleEngineRunTest.MANIFEST, SandboxResult.Outcome.ERROR, null, why, List.of(),
                TaskReport.NEVER_UPDATED, List.of());
        Map<String, CheckResult> checks = JudgedRun.checks(r);
        assertThat(checks.get("run.exit").verdict()).isEqualTo(Verdict.error);
        assertThat(checks.get("run.exit").message()).isEqualTo("Error running container: " + why);
        assertThat(checks.values()).allMatch(c -> c.verdict() == Verdict.error);
        assertThat(List.copyOf(checks.values()).subList(1, 4)).allMatch(c -> c.message().equals("not checked: the container did not run"));
        assertThat(RunVerdicts.errors(List.copyOf(checks.values())))
                .containsExactly("Error running container: " + why, "not checked: the container did not run");
    }

    @Test
    void rejectedUpdateTasksAreNamedInRunTask() throws IOException {
        String rejected = "Validation error (WrongType@[updateTask]): argument 'input' has a field not in 'UpdateTask': 'progress'";
        String manifest = "{\"category\":\"transcription\",\"outputFormats\":[\"application/json\"],\"clusterSize\":\"small\"}";
        SandboxResult r = result(manifest, SandboxResult.Outcome.EXITED, 0, null,
                List.of(call("updateTask", rejected, List.of()), call("updateTask", rejected, List.of()),
                        call("createJob", "createJob is not served by the test sandbox", List.of("createJob"))),
                TaskReport.NEVER_UPDATED, List.of());
        Map<String, CheckResult> checks = JudgedRun.checks(r);
        assertThat(checks.get("run.task").verdict()).isEqualTo(Verdict.failed);
        assertThat(checks.get("run.task").message()).startsWith("called updateTask 2 times, each rejected: ").contains("progress")
                .endsWith(UNSERVED);
        assertThat(checks.get("run.output").message()).endsWith(UNSERVED);
    }
}
