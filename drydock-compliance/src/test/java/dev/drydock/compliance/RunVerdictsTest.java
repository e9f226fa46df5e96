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
