package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.sandbox.ApiCall;
import dev.drydock.sandbox.BoundedLog;
import dev.drydock.sandbox.CapturedOutput;
import dev.drydock.sandbox.ClusterSize;
import dev.drydock.sandbox.CreatedObject;
import dev.drydock.sandbox.EngineOutput;
import dev.drydock.sandbox.NetworkUsage;
import dev.drydock.sandbox.SandboxApi;
import dev.drydock.sandbox.SandboxResult;
import dev.drydock.sandbox.TaskReport;
import dev.drydock.sandbox.WebhookRun;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The verdicts of a sandbox run, as a pure function of the facts the sandbox observed ({@link SandboxResult}):
 * the sandbox reports what happened, this class judges it; {@code run.exit}, {@code run.task}, {@code run.output}, {@code run.network} for task engines
 * and adapters; {@code run.exit}, {@code run.ready}, {@code run.process}, {@code run.output}, {@code run.network} for
 * webhook engines ({@link SandboxResult#webhook()}: the Engine Toolkit, played by the sandbox, owns their task). Messages name
 * the fix; {@code run.exit} uses the record's wording ("Error running container: exit code N") and a timeout reads
 * "Timed out after 10m0s: …".
 */
public final class RunVerdicts {
    private RunVerdicts() {
    }

    public static List<CheckResult> judge(SandboxResult r) {
        return judge(r, r.webhook() != null);
    }

    /**
     * The checks of a run of a webhook engine or not, as the image's configuration says ({@link WebhookRun#recognises}):
     * a run that never started (the pull or the create failed) has no {@link SandboxResult#webhook()} facts, and still
     * lists the checks of its kind.
     */
    public static List<CheckResult> judge(SandboxResult r, boolean webhookEngine) {
        if (r.webhook() != null) return List.of(exit(r), ready(r), process(r), output(r), network(r));
        if (webhookEngine && r.outcome() == SandboxResult.Outcome.ERROR) {
            CheckResult notRun = result("run.ready", Verdict.skipped, "not checked: the container did not run (run.exit)");
            return List.of(exit(r), notRun, result("run.process", Verdict.skipped, notRun.message()), output(r), network(r));
        }
        return List.of(exit(r), task(r), output(r), network(r));
    }

    /** The checks a run reports, by kind of engine: {@code run.task} for task engines, {@code run.ready}/{@code run.process} for webhook engines. */
    public static List<String> ids(boolean webhookEngine) {
        return webhookEngine ? List.of("run.exit", "run.ready", "run.process", "run.output", "run.network")
                : List.of("run.exit", "run.task", "run.output", "run.network");
    }

    /** The report's {@code errors}: the messages of checks that failed or could not run, in order. */
    public static List<String> errors(List<CheckResult> checks) {
        return checks.stream().filter(c -> c.verdict() == Verdict.failed || c.verdict() == Verdict.error)
                .map(CheckResult::message).distinct().toList();
    }

    static CheckResult exit(SandboxResult r) {
        WebhookRun.ToolkitFile toolkit = r.webhook() == null ? null : r.webhook().toolkitFile();
        if (r.outcome() != SandboxResult.Outcome.ERROR && toolkit != null && !toolkit.usable()) {
            return result("run.exit", Verdict.failed, "Error running container: the ENTRYPOINT starts " + r.webhook().toolkit()
                    + ", which in the image is " + toolkit.found() + ", so the platform could not start the engine: copy the Engine"
                    + " Toolkit into the image as an executable file (COPY --from=<the toolkit image> " + r.webhook().toolkit() + " "
                    + r.webhook().toolkit() + ")");
        }
        return switch (r.outcome()) {
            case ERROR -> result("run.exit", Verdict.error, "Error running container: " + r.error());
            case TIMED_OUT -> result("run.exit", Verdict.failed, timedOut(r));
            case EXITED -> {
                WebhookRun w = r.webhook();
                if (w != null && w.exitCode() == null) {
                    yield result("run.exit", Verdict.passed, "the engine served its webhooks until the sandbox stopped it, as the"
                            + " Engine Toolkit does after the last chunk");
                }
                if (w != null && r.exitCode() != null && r.exitCode() == 0 && !(w.ready() && w.chunks().stream().allMatch(WebhookRun.Chunk::answered))) {
                    yield result("run.exit", Verdict.failed, "Error running container: the engine exited (exit code 0) before "
                            + (w.ready() ? "answering its chunks" : "its ready webhook answered 200")
                            + ": a webhook engine keeps its HTTP server running until the Engine Toolkit stops it");
                }
                if (r.exitCode() == null) yield result("run.exit", Verdict.error, "Error running container: the engine did not say how the container ended");
                if (r.exitCode() == 0) yield result("run.exit", Verdict.passed, "exit code 0");
                String m = "Error running container: exit code " + r.exitCode();
                ClusterSize size = ClusterSize.parse(r.request().adapterManifest().path("clusterSize").asText(null));
                String limit = "memory limit of " + (r.request().limits().memoryBytes() >> 20) + " MiB; the manifest's clusterSize is "
                        + size + ": raise it or use less memory)";
                if (r.writes().rootGrowthStopped()) {
                    yield result("run.exit", Verdict.failed, m + " (stopped by the sandbox: it wrote " + (r.rootBytesWritten() == null ? "more"
                            : (r.rootBytesWritten() >> 20) + " MiB") + " to its root filesystem, more than the limit of "
                            + (r.request().limits().rootGrowthBytes() >> 20) + " MiB: write less to the container's filesystem"
                            + " (/, /tmp …), e.g. stream large inputs and results instead of storing them)");
                }
                if (r.oomKilled()) {
                    m += " (killed for using more than its " + limit;
                } else if (r.exitCode() == 137) {
                    // Podman 4.3 on cgroup v1 does not report OOMKilled; SIGKILL that we did not send is almost always the OOM killer.
                    m += " (killed with SIGKILL, most likely for using more than its " + limit;
                }
                yield result("run.exit", Verdict.failed, m);
            }
        };
    }

    /** "Timed out after 10m0s: …" ({@link TestDeadline#timedOut}) for a run the sandbox killed at its limit. */
    static String timedOut(SandboxResult r) {
        if (r.error() != null) return TestDeadline.timedOut(r.timeout(), r.error());
        WebhookRun w = r.webhook();
        if (w != null) {
            return TestDeadline.timedOut(r.timeout(), "the engine was still "
                    + (!w.ready() ? "starting (its ready webhook never answered 200)"
                    : w.asynchronous() ? "working on its chunk (no heartbeat with status complete)" : "answering its chunk on the process webhook")
                    + " and was killed; each chunk must be answered within " + GoDuration.format(r.timeout()));
        }
        return TestDeadline.timedOut(r.timeout(), "the adapter was still running and was killed; it must finish its task"
                + " (updateTask status complete) and exit within " + GoDuration.format(r.timeout())
                + (r.task().status() == null ? " (it never called updateTask)" : " (last task status: " + r.task().status() + ")"));
    }

    /** {@code run.ready}: the engine's ready webhook answered 200 within {@link WebhookRun#readyTimeout()}. */
    static CheckResult ready(SandboxResult r) {
        if (r.outcome() == SandboxResult.Outcome.ERROR) return result("run.ready", Verdict.error, "not checked: the container did not run");
        WebhookRun w = r.webhook();
        if (w.ready()) {
            return result("run.ready", Verdict.passed, "GET " + w.readyUrl() + " answered 200 after " + w.readyMillis() + " ms");
        }
        if (w.readyUrl() == null) {
            return result("run.ready", Verdict.failed, "the image declares no " + WebhookRun.READY_ENV + ": set it to the URL the"
                    + " engine answers 200 on once it is ready, e.g. ENV " + WebhookRun.READY_ENV + "=\"http://0.0.0.0:8080/ready\"");
        }
        int port = w.readyPort();
        if (port < 0) {
            return result("run.ready", Verdict.failed, WebhookRun.READY_ENV + "=" + w.readyUrl() + " is not an http:// URL:"
                    + " declare it as http://0.0.0.0:<port>/<path>");
        }
        String last = w.readyLast() == null ? "no answer" : w.readyLast();
        if (w.exitCode() != null) {
            return result("run.ready", Verdict.failed, "the engine exited with code " + w.exitCode() + " before GET " + w.readyUrl()
                    + " answered 200 (last: " + last + "); its output is in testLog");
        }
        String within = GoDuration.format(w.readyTimeout());
        if (w.readyLast() != null && w.readyLast().startsWith("HTTP ")) {
            return result("run.ready", Verdict.failed, "GET " + w.readyUrl() + " never answered 200 within " + within + " (last: "
                    + last + ", " + w.readyPolls() + " tries): answer 200 as soon as the engine can process chunks");
        }
        String fix = "listen on the port in " + WebhookRun.READY_ENV + " (" + port + ")";
        if (w.loopback() != null) {
            // the requests went to the container's address: a server bound to 127.0.0.1 only, fine on the platform, is missed
            fix += ", on all addresses (0.0.0.0): the sandbox reached the engine at its address " + w.address() + ", not on its"
                    + " loopback interface as the platform's toolkit does (" + w.loopback() + ")";
        }
        return result("run.ready", Verdict.failed, "nothing answered GET " + w.readyUrl() + " within " + within + " (" + last + ", "
                + w.readyPolls() + " tries): " + fix);
    }

    /**
     * {@code run.process}: every chunk posted to the process webhook was answered 200 (after the toolkit's retries) and,
     * for batch and stream engines, reported complete through its heartbeat webhook.
     */
    static CheckResult process(SandboxResult r) {
        if (r.outcome() == SandboxResult.Outcome.ERROR) return result("run.process", Verdict.error, "not checked: the container did not run");
        WebhookRun w = r.webhook();
        if (!w.ready()) return result("run.process", Verdict.skipped, "not checked: the engine never became ready (run.ready)");
        if (w.processUrl() == null) {
            return result("run.process", Verdict.failed, "the image declares no " + WebhookRun.PROCESS_ENV + ": set it to the URL"
                    + " the engine takes chunks on, e.g. ENV " + WebhookRun.PROCESS_ENV + "=\"http://0.0.0.0:8080/process\"");
        }
        if (w.chunks().isEmpty()) {
            return result("run.process", Verdict.failed, "no chunk was sent: " + WebhookRun.PROCESS_ENV + "=" + w.processUrl()
                    + " is not an http:// URL (declare it as http://0.0.0.0:<port>/<path>)");
        }
        List<String> answered = new ArrayList<>();
        for (WebhookRun.Chunk c : w.chunks()) {
            String name = "chunk " + (c.index() + 1) + " (" + c.mimeType() + ")";
            if (!c.answered()) {
                WebhookRun.Attempt last = c.attempts().isEmpty() ? null : c.attempts().getLast();
                String what = last == null ? "was not sent: the run's time was up"
                        : last.status() == 0 ? "got no answer (" + last.error() + ")"
                        : "was answered HTTP " + last.status() + (last.body() == null || last.body().isEmpty() ? "" : " \"" + last.body() + "\"");
                String tries = c.attempts().size() > 1 ? " after " + c.attempts().size() + " attempts (non-200 answers are retried, as"
                        + " the Engine Toolkit does)" : "";
                return result("run.process", Verdict.failed, "POST " + w.processUrl() + " with " + name + " " + what + tries
                        + ": answer 200 with the chunk's vtn-standard JSON" + (w.exitCode() != null ? "; the engine exited with code "
                        + w.exitCode() : ""));
            }
            if (w.asynchronous() && !"complete".equals(c.heartbeat())) {
                String fix = "a " + w.engineMode() + " engine posts {\"status\": \"complete\"} to the chunk's heartbeatWebhook when done"
                        + " (its results to resultWebhook, or in the answer)";
                return result("run.process", Verdict.failed, c.heartbeat() == null
                        ? name + " was accepted but the engine never reported it complete: " + fix
                        : name + " was reported '" + c.heartbeat() + "' through heartbeatWebhook, not complete: " + fix);
            }
            long ms = c.attempts().getLast().millis();
            answered.add(name + " in " + ms + " ms" + (c.attempts().size() > 1 ? " (attempt " + c.attempts().size() + ")" : ""));
        }
        return result("run.process", Verdict.passed, "answered 200: " + String.join(", ", answered));
    }

    static CheckResult task(SandboxResult r) {
        if (r.outcome() == SandboxResult.Outcome.ERROR) return result("run.task", Verdict.error, "not checked: the container did not run");
        TaskReport t = r.task();
        long refused = r.apiCalls().stream().filter(c -> !c.authorized()).count();
        String authHint = refused == 0 ? "" : " (" + refused + " API call(s) were refused with 401: send the payload's token as"
                + " 'Authorization: Bearer <token>')";
        String unserved = unservedNote(r);
        List<ApiCall> updates = r.apiCalls().stream().filter(c -> c.authorized() && c.calls("updateTask")).toList();
        List<ApiCall> rejected = updates.stream().filter(c -> c.error() != null).toList();
        if (t.status() == null) {
            if (!rejected.isEmpty()) {
                return result("run.task", Verdict.failed, "called updateTask " + times(rejected.size()) + ", "
                        + (rejected.size() == 1 ? "rejected: " : "each rejected: ") + errorsOf(rejected) + authHint + unserved);
            }
            return result("run.task", Verdict.failed, "the adapter never called updateTask: set the task's status to running,"
                    + " then complete (or failed), with POST " + SandboxApi.GRAPHQL_PATH + " at veritoneApiBaseUrl" + authHint + unserved);
        }
        String rejections = rejected.isEmpty() ? "" : "; called updateTask " + times(rejected.size()) + " more, "
                + (rejected.size() == 1 ? "rejected: " : "each rejected: ") + errorsOf(rejected);
        return switch (t.status()) {
            case "complete" -> result("run.task", Verdict.passed, "task complete (" + String.join(" → ", t.history()) + ")");
            case "failed" -> {
                String why = t.failureReason() != null ? t.failureReason()
                        : t.output() != null ? t.output().toString()
                        : lastLines(r.stderr(), 3);
                yield result("run.task", Verdict.failed, "the adapter reported the task as failed: " + (why.isBlank() ? "(no reason given)" : why)
                        + unserved);
            }
            default -> result("run.task", Verdict.failed, "the task ended as '" + t.status() + "', not complete: call updateTask"
                    + " with status complete when done" + rejections + authHint + unserved);
        };
    }

    /** A run.* result; its evidence is added by {@link SandboxRunCheck}, which knows what the report shows. */
    private static CheckResult result(String id, Verdict verdict, String message) {
        return new CheckResult(id, verdict, message, Map.of());
    }

    private static String times(int n) {
        return n == 1 ? "1 time" : n + " times";
    }

    /** The distinct errors of these calls, in order. */
    private static String errorsOf(List<ApiCall> calls) {
        return String.join(" | ", new LinkedHashSet<>(calls.stream().map(ApiCall::error).toList()));
    }

    /** "; called X and Y, which the test sandbox does not serve", or "". */
    static String unservedNote(SandboxResult r) {
        Set<String> names = new LinkedHashSet<>();
        r.apiCalls().forEach(c -> names.addAll(c.unserved()));
        if (names.isEmpty()) return "";
        List<String> list = List.copyOf(names);
        String joined = list.size() == 1 ? list.getFirst()
                : String.join(", ", list.subList(0, list.size() - 1)) + " and " + list.getLast();
        return "; it called " + joined + ", which the test sandbox does not serve";
    }

    static CheckResult output(SandboxResult r) {
        if (r.outcome() == SandboxResult.Outcome.ERROR) return result("run.output", Verdict.error, "not checked: the container did not run");
        if (r.webhook() != null && !r.webhook().ready()) {
            return result("run.output", Verdict.skipped, "not checked: the engine never became ready (run.ready)");
        }
        CheckResult c = r.request().adapter() ? ingestOutput(r) : engineOutput(r);
        return c.verdict() == Verdict.failed ? result(c.id(), c.verdict(), c.message() + unservedNote(r)) : c;
    }

    private static CheckResult ingestOutput(SandboxResult r) {
        Set<String> tdos = new HashSet<>();
        if (r.ids() != null) tdos.add(r.ids().recordingId());
        r.created().stream().filter(c -> c.kind() == CreatedObject.Kind.tdo).forEach(c -> tdos.add(c.id()));
        List<CreatedObject> assets = r.created().stream()
                .filter(c -> c.kind() == CreatedObject.Kind.asset && tdos.contains(c.parentId())).toList();
        if (assets.isEmpty()) {
            return result("run.output", Verdict.failed, "no asset was created: an ingest adapter creates a TDO (createTDO) and"
                    + " adds the ingested media to it (createAsset)");
        }
        JsonNode out = r.task().output();
        String recordingId = out == null ? null : out.path("recordingId").asText(null);
        if (recordingId == null || recordingId.isBlank()) {
            return result("run.output", Verdict.failed, "the task output has no recordingId: finish with updateTask(input:"
                    + " {status: complete, output: {recordingId: \"<the TDO id>\"}})");
        }
        if (!tdos.contains(recordingId)) {
            return result("run.output", Verdict.failed, "the task output's recordingId '" + recordingId
                    + "' is not a TDO of this run (created: " + tdos + ")");
        }
        return result("run.output", Verdict.passed, assets.size() + " asset(s) created; task output recordingId " + recordingId);
    }

    /**
     * An engine passes with one result in one of its {@code outputFormats} (any format when it declares none), delivered
     * any documented way ({@link EngineOutput#VIAS}); a result declared JSON must parse as JSON.
     */
    private static CheckResult engineOutput(SandboxResult r) {
        List<String> formats = new ArrayList<>();
        r.request().adapterManifest().path("outputFormats").forEach(n -> formats.add(n.asText("").toLowerCase(Locale.ROOT)));
        List<String> seen = new ArrayList<>();
        List<EngineOutput> outputs = new ArrayList<>(r.engineOutputs());
        if (outputs.isEmpty()) {
            // a result built without engine outputs (older callers): its engine results and assets
            for (CreatedObject c : r.created()) {
                if (c.kind() != CreatedObject.Kind.engineResult && c.kind() != CreatedObject.Kind.asset) continue;
                boolean valid = c.details() == null || !c.details().has("valid") || c.details().get("valid").asBoolean();
                outputs.add(new EngineOutput(c.kind() == CreatedObject.Kind.asset ? EngineOutput.CREATE_ASSET : EngineOutput.UPLOAD_ENGINE_RESULT,
                        c.contentType(), valid ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : null));
            }
            JsonNode out = r.task().output();
            if (out != null && !out.isNull()) outputs.add(new EngineOutput(EngineOutput.UPDATE_TASK_OUTPUT, "application/json", out));
        }
        WebhookRun w = r.webhook();
        if (w != null && !w.asynchronous()) {
            // every chunk's answer is its output: each must carry one
            for (WebhookRun.Chunk c : w.chunks()) {
                if (c.answered() && c.attempts().getLast().bytes() == 0) {
                    return result("run.output", Verdict.failed, "chunk " + (c.index() + 1) + " (" + c.mimeType() + ") was answered 200"
                            + " with no content: answer each chunk on the process webhook with its vtn-standard JSON (Content-Type"
                            + " application/json)");
                }
            }
        }
        EngineOutput invalid = null;
        if (w != null) {
            invalid = outputs.stream().filter(o -> o.contentType() != null && o.contentType().toLowerCase(Locale.ROOT).contains("json")
                    && o.json() == null).findFirst().orElse(null);
            if (invalid != null) {
                return result("run.output", Verdict.failed, "an answer (" + invalid.via() + ") is declared " + invalid.contentType()
                        + " but is not valid JSON: answer each chunk with its vtn-standard JSON");
            }
        }
        for (EngineOutput o : outputs) {
            String type = o.contentType() == null ? "" : o.contentType().toLowerCase(Locale.ROOT);
            seen.add((type.isEmpty() ? "(no contentType)" : type) + " via " + o.via());
            if (!formats.isEmpty() && formats.stream().noneMatch(type::startsWith)) continue;
            if (type.contains("json") && o.json() == null) {
                if (invalid == null) invalid = o;
                continue;
            }
            return result("run.output", Verdict.passed, "output " + (type.isEmpty() ? "(no contentType)" : type) + " via " + o.via());
        }
        if (invalid != null) {
            return result("run.output", Verdict.failed, "the engine result (" + invalid.via() + ") is declared "
                    + invalid.contentType() + " but is not valid JSON");
        }
        return result("run.output", Verdict.failed, "no output in one of the manifest's outputFormats " + formats
                + (seen.isEmpty() ? "" : " (got " + seen + ")") + (r.webhook() != null
                ? ": answer each chunk on the process webhook with its vtn-standard JSON (Content-Type application/json)"
                : ": deliver the result with updateTask (output or outputString), uploadEngineResult or createAsset on the recording"));
    }

    static CheckResult network(SandboxResult r) {
        if (r.outcome() == SandboxResult.Outcome.ERROR) return result("run.network", Verdict.error, "not checked: the container did not run");
        NetworkUsage u = r.networkUsage();
        List<NetworkUsage.Destination> violations = u.violations();
        if (violations.isEmpty()) {
            return result("run.network", Verdict.passed, u.destinations().size() + " destination(s), all allowed for "
                    + u.deploymentModel() + "; received " + u.rxBytes() + " B, sent " + u.txBytes() + " B");
        }
        List<String> parts = new ArrayList<>();
        for (NetworkUsage.Destination d : violations) {
            String what = switch (d.via()) {
                case "proxy" -> d.host() + ":" + d.port() + " (through the proxy, " + d.connections() + " attempt(s))";
                case "dns" -> d.host().startsWith("(") ? "host names directly (" + d.connections() + " DNS packet(s) refused)"
                        : d.host() + " (a direct DNS lookup, " + d.connections() + " time(s))";
                default -> "host services on " + d.host() + " (" + d.connections() + " packet(s) refused)";
            };
            parts.add(what);
        }
        String fix = switch (u.deploymentModel()) {
            case FullyNetworkIsolated -> "a FullyNetworkIsolated adapter may reach only veritoneApiBaseUrl: if it needs other domains,"
                    + " list them in the manifest's externalCalls and register it as MostlyNetworkIsolated";
            case MostlyNetworkIsolated, HumanReview -> "add the domains it needs to the manifest's externalCalls (currently "
                    + u.allowedDomains() + ") and reach them through HTTPS_PROXY/HTTP_PROXY";
            case NonNetworkIsolated -> "adapters may not connect to the test host's services; use veritoneApiBaseUrl";
        };
        return result("run.network", Verdict.failed, "the adapter tried to reach " + String.join(", ", parts) + ": " + fix);
    }

    private static String lastLines(CapturedOutput out, int n) {
        List<String> lines = out.lines().stream().filter(l -> !l.equals(BoundedLog.TRUNCATED_MARKER)).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
