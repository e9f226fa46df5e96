package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.sandbox.ApiCall;
import dev.drydock.sandbox.CapturedOutput;
import dev.drydock.sandbox.DeploymentModel;
import dev.drydock.sandbox.NetworkUsage;
import dev.drydock.sandbox.Sandbox;
import dev.drydock.sandbox.SandboxRequest;
import dev.drydock.sandbox.SandboxResult;
import dev.drydock.sandbox.WebhookRun;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The sandbox run: the adapter runs in a container with a task payload for its category ({@code drydock-sandbox}),
 * and {@link RunVerdicts} judges the facts it returns: {@code run.exit}, {@code run.task}, {@code run.output}, {@code run.network}; for a
 * webhook engine (aiWARE Engine Toolkit: ENTRYPOINT {@code /opt/aiware/engine …} or {@code VERITONE_WEBHOOK_PROCESS},
 * recognised by the sandbox from the image it pulled) {@code run.exit}, {@code run.ready}, {@code run.process},
 * {@code run.output}, {@code run.network}. The kind is known from the image's configuration before the run
 * ({@link #webhookEngine}), so a run that did not happen (sandbox disabled, no time left, pull or create failed) lists
 * the checks of its kind; {@link #IDS} is the task engines' list, what {@link #ids()} declares to the pipeline.
 * Needs a valid manifest (the run reads clusterSize, formats and externalCalls from it) and an exec-form entrypoint.
 * The run gets what is left of the test's one deadline ({@link TestDeadline}): the sandbox stops the container at it and
 * hands over the result (exit, output, API calls) before it cleans up, so a timeout is reported by the run (naming
 * what the adapter did) with every earlier check, and the cleanup happens outside the deadline; the message names
 * the whole limit ("Timed out after 10m0s: …").
 *
 * <p>Facts for the report: {@link #TEST_LOG} (stdout lines) and {@link #NETWORK_USAGE}. Stderr, the API calls
 * (secrets redacted by the sandbox API) and the step durations go into evidence; the pull credential never does.
 */
public final class SandboxRunCheck implements Check {
    public static final String ID = "run";
    public static final List<String> IDS = List.of("run.exit", "run.task", "run.output", "run.network");
    /** Fact: the report's {@code testLog}. */
    public static final CheckContext.Key<List<String>> TEST_LOG = CheckContext.Key.of("testLog");
    /** Fact: the report's {@code networkUsage}. */
    public static final CheckContext.Key<NetworkUsage> NETWORK_USAGE = CheckContext.Key.of("networkUsage");
    /** Evidence key of run.output's vtn-standard rule ({@link VtnOutputRule}). */
    static final String VTN_STANDARD = "vtnStandard";
    private static final Duration MIN_RUN = Duration.ofSeconds(1);

    private final SandboxAccess access;

    public SandboxRunCheck(SandboxAccess access) {
        this.access = access;
    }

    /** The run keeps the test's deadline itself: it is stopped at it and reports the timeout with what the adapter did. */
    @Override
    public boolean keepsDeadline() {
        return true;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<String> ids() {
        return IDS;
    }

    /** The checks of the image's kind of engine: {@code run.ready}/{@code run.process} for a webhook engine. */
    @Override
    public List<String> ids(CheckContext context) {
        return RunVerdicts.ids(webhookEngine(context));
    }

    @Override
    public List<String> needs() {
        return List.of(ManifestValidCheck.ID, EntrypointCheck.ID);
    }

    @Override
    public CheckResult run(CheckContext context) throws Exception {
        return runAll(context).get(0);
    }

    @Override
    public List<CheckResult> runAll(CheckContext context) throws Exception {
        Sandbox sandbox = access.sandbox();
        boolean webhookEngine = webhookEngine(context);
        List<String> ids = ids(context);
        if (sandbox == null) {
            String message = "not run: " + access.disabledReason();
            return ids.stream().map(id -> CheckResult.warning(id, message, Map.of())).toList();
        }
        BuildUnderTest build = context.build();
        TestDeadline deadline = context.deadline();
        Duration left = deadline.remaining();
        if (left.compareTo(MIN_RUN) < 0) {
            String message = deadline.timedOut("the checks before the sandbox run took the whole limit");
            return ids.stream().map(id -> id.equals("run.exit") ? CheckResult.failed(id, message, Map.of())
                    : CheckResult.skipped(id, "not checked: the container did not run", Map.of())).toList();
        }
        // the pull ticket outlives the deadline by the grace: the engine may still be pulling when the run is stopped
        SandboxAccess.PullTarget target = access.pullTarget(build, left.plus(deadline.grace()));
        SandboxRequest request = request(build, context.get(ManifestValidCheck.MANIFEST), target, left);
        // completes once the container has stopped and its output is read; the sandbox cleans up after that, on its own
        CompletableFuture<SandboxResult> future = sandbox.submit(request);
        SandboxResult r;
        try {
            r = future.get();
        } catch (InterruptedException e) {
            future.cancel(true); // the run itself goes on to its deadline and cleans up: nothing is cut off
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the sandbox run failed: " + e.getCause(), e.getCause());
        }
        if (r.outcome() == SandboxResult.Outcome.TIMED_OUT) {
            // the run had what was left of the test's limit; the record names the whole limit
            r = r.withTimeout(deadline.limit());
        }
        boolean ran = r.outcome() != SandboxResult.Outcome.ERROR;
        if (ran) {
            context.put(TEST_LOG, r.testLog());
            context.put(NETWORK_USAGE, r.networkUsage());
        }
        List<CheckResult> results = new ArrayList<>();
        List<VtnOutputRule.Output> outputs = r.engineOutputs().stream().filter(o -> o.json() != null)
                .map(o -> new VtnOutputRule.Output(o.via(), o.json())).toList();
        for (CheckResult c : RunVerdicts.judge(r, webhookEngine)) {
            CheckResult result = new CheckResult(c.id(), c.verdict(), c.message(), evidence(c.id(), r));
            results.add(c.id().equals("run.output") ? withVtnStandard(result, outputs, build.category()) : result);
        }
        return results;
    }

    /**
     * Whether the image is a webhook engine, from its configuration as the image checks read it: known before the run,
     * so a run that never starts still lists the checks of its kind.
     */
    static boolean webhookEngine(CheckContext context) {
        JsonNode image = context.get(ImagePlatformCheck.CONFIG);
        if (image == null) return false;
        JsonNode config = image.path("config");
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(v -> entrypoint.add(v.asText()));
        List<String> env = new ArrayList<>();
        config.path("Env").forEach(v -> env.add(v.asText()));
        return WebhookRun.recognises(entrypoint, env);
    }

    /**
     * The run to ask for: the registered category and deployment model, and the manifest as {@code manifest.valid}
     * read it (its {@code externalCalls} reduced to hosts, which the egress proxy compares destinations with).
     */
    static SandboxRequest request(BuildUnderTest build, JsonNode manifest, SandboxAccess.PullTarget target, Duration timeout) {
        DeploymentModel model = build.deploymentModel() == null ? DeploymentModel.FullyNetworkIsolated
                : DeploymentModel.parse(build.deploymentModel());
        return new SandboxRequest(target.imageRef(), target.auth(), manifest, build.category(), model, timeout, null);
    }

    /**
     * Folds {@link VtnOutputRule}'s judgement of the engine's JSON outputs (vtn-standard) into {@code run.output}.
     * A {@code run.output} that did not pass or warn (no output at all, the container did not run) is returned as it
     * is, with a note: its own failure is the root cause. Otherwise the worse verdict wins; a failing or warning rule
     * gives the message (after run.output's own warning, if any), a passing one adds its note; the rule's evidence goes
     * under {@code vtnStandard}.
     */
    static CheckResult withVtnStandard(CheckResult runOutput, List<VtnOutputRule.Output> outputs, String category) {
        Map<String, Object> evidence = new LinkedHashMap<>(runOutput.evidence());
        if (runOutput.verdict() != Verdict.passed && runOutput.verdict() != Verdict.warning) {
            evidence.put(VTN_STANDARD, Map.of("note", "not checked: run.output did not pass"));
            return new CheckResult(runOutput.id(), runOutput.verdict(), runOutput.message(), evidence);
        }
        VtnOutputRule.Judgement j = VtnOutputRule.judge(outputs, category);
        evidence.put(VTN_STANDARD, j.evidence());
        if (j.verdict() == Verdict.passed) {
            String message = j.message() == null ? runOutput.message() : runOutput.message() + "; " + j.message();
            return new CheckResult(runOutput.id(), runOutput.verdict(), message, evidence);
        }
        Verdict verdict = j.verdict() == Verdict.failed || runOutput.verdict() == Verdict.passed ? j.verdict() : runOutput.verdict();
        String message = runOutput.verdict() == Verdict.warning ? runOutput.message() + "; " + j.message() : j.message();
        return new CheckResult(runOutput.id(), verdict, message, evidence);
    }

    /** {@link #withVtnStandard(CheckResult, List, String)} for outputs known only as JSON documents, in order. */
    static CheckResult withVtnStandardJson(CheckResult runOutput, List<JsonNode> outputs, String category) {
        return withVtnStandard(runOutput, VtnOutputRule.numbered(outputs), category);
    }

    static Map<String, Object> evidence(String id, SandboxResult r) {
        Map<String, Object> e = new LinkedHashMap<>();
        switch (id) {
            case "run.exit" -> {
                e.put("runId", r.runId());
                e.put("image", r.request().imageRef());
                e.put("outcome", r.outcome().name());
                e.put("exitCode", r.exitCode());
                e.put("oomKilled", r.oomKilled());
                if (r.error() != null) e.put("error", r.error());
                if (r.webhook() != null && r.webhook().toolkitFile() != null) e.put("toolkitFile", r.webhook().toolkitFile());
                e.put("limits", r.request().limits());
                if (r.rootBytesWritten() != null) e.put("rootBytesWritten", r.rootBytesWritten());
                if (!r.writes().memoryBackedPeakBytes().isEmpty()) e.put("memoryBackedPeakBytes", r.writes().memoryBackedPeakBytes());
                if (r.writes().rootGrowthStopped()) e.put("rootGrowthStopped", true);
                e.put("steps", r.durations());
                if (!r.notes().isEmpty()) e.put("notes", r.notes());
                e.put("stdout", streamSummary(r.stdout(), false));
                e.put("stderr", streamSummary(r.stderr(), true));
            }
            case "run.task" -> {
                Map<String, Object> task = new LinkedHashMap<>();
                task.put("status", r.task().status());
                task.put("history", r.task().history());
                task.put("output", r.task().output());
                task.put("failureReason", r.task().failureReason());
                e.put("task", task);
                e.put("apiCalls", r.apiCalls().stream().map(SandboxRunCheck::call).toList());
            }
            case "run.output" -> e.put("created", r.created());
            case "run.ready" -> {
                WebhookRun w = r.webhook();
                if (w == null) break;
                e.put("toolkit", w.toolkit());
                if (w.toolkitFile() != null) e.put("toolkitFile", w.toolkitFile());
                e.put("command", w.command());
                e.put("readyUrl", w.readyUrl());
                e.put("address", w.address());
                e.put("loopback", w.loopback() == null ? "redirected to the container's loopback interface, as the toolkit inside it connects" : w.loopback());
                e.put("readyTimeout", GoDuration.format(w.readyTimeout()));
                e.put("readyMillis", w.readyMillis());
                e.put("readyPolls", w.readyPolls());
                if (w.readyLast() != null) e.put("readyLast", w.readyLast());
                if (w.exitCode() != null) e.put("exitCode", w.exitCode());
            }
            case "run.process" -> {
                WebhookRun w = r.webhook();
                if (w == null) break;
                e.put("processUrl", w.processUrl());
                e.put("engineMode", w.engineMode());
                e.put("chunks", w.chunks());
                e.put("webhookCalls", r.apiCalls().stream().filter(c -> !c.operation().startsWith("GET ")).map(SandboxRunCheck::call).toList());
            }
            case "run.network" -> {
                if (r.networkUsage() != null) e.put("violations", r.networkUsage().violations());
            }
            default -> { }
        }
        return e;
    }

    private static Map<String, Object> streamSummary(CapturedOutput out, boolean withLines) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (out == null) return m;
        if (withLines) m.put("lines", out.lines());
        m.put("truncated", out.truncated());
        m.put("totalLines", out.totalLines());
        m.put("totalBytes", out.totalBytes());
        m.put("complete", out.complete());
        return m;
    }

    private static Map<String, Object> call(ApiCall c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", c.time() == null ? null : c.time().toString());
        m.put("operation", c.operation());
        m.put("variables", c.variables());
        m.put("status", c.status());
        m.put("requestBytes", c.requestBytes());
        m.put("responseBytes", c.responseBytes());
        m.put("millis", c.millis());
        if (c.error() != null) m.put("error", c.error());
        return m;
    }
}
