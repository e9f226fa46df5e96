package dev.drydock.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything one sandbox run observed: facts, which drydock-compliance judges ({@code run.*}); the report takes
 * {@code testLog} from {@link #stdout()} and {@code networkUsage} from {@link #networkUsage()}.
 *
 * @param ids         the task's ids as given in the payload (null when the run failed before)
 * @param outcome     how the run ended
 * @param exitCode    the container's exit code ({@link Outcome#EXITED} only), else null
 * @param oomKilled   the engine killed the container for exceeding its memory limit
 * @param error       for {@link Outcome#ERROR}: what went wrong (pull failed, engine unreachable …)
 * @param timeout     the limit that applied
 * @param error       for {@link Outcome#TIMED_OUT} before the container ran: which step ran out of time; else null
 * @param durations   milliseconds per step, in order: pull, network, create, copy, start, run, kill, logs, total (until the
 *                    result), and with {@link Sandbox#run} cleanup (which {@link Sandbox#submit} does after the result)
 * @param notes       deviations from the normal run worth showing as evidence (e.g. the engine cannot bound the root
 *                    filesystem's growth)
 * @param rootBytesWritten bytes the container wrote to its (writable, discarded) root filesystem, as the engine counts
 *                    its writable layer; null when the engine did not say or the container never ran
 * @param engineOutputs every engine result the sandbox API received, in order, however it was delivered
 *                    ({@link EngineOutput}: updateTask output/outputString/taskOutput, uploadEngineResult, createAsset);
 *                    empty for pull/push adapters
 * @param webhook     for a webhook engine (aiWARE Engine Toolkit), what the sandbox saw while playing the toolkit
 *                    ({@link WebhookRun}); null for task engines
 */
public record SandboxResult(String runId, SandboxRequest request, TaskPayloads.Ids ids, Outcome outcome, Integer exitCode, boolean oomKilled,
                            String error, Duration timeout, CapturedOutput stdout, CapturedOutput stderr,
                            List<ApiCall> apiCalls, TaskReport task, List<CreatedObject> created,
                            NetworkUsage networkUsage, Map<String, Long> durations, List<String> notes, Long rootBytesWritten,
                            List<EngineOutput> engineOutputs, WebhookRun webhook) {
    public enum Outcome {
        /** The container ran and exited by itself. */
        EXITED,
        /** The container was still running at the deadline and was killed. */
        TIMED_OUT,
        /** The run could not be done (pull failed, engine unreachable, network setup failed); not the adapter's fault
         *  necessarily: the verdicts are {@code error}. */
        ERROR
    }

    public SandboxResult {
        apiCalls = List.copyOf(apiCalls);
        created = List.copyOf(created);
        notes = List.copyOf(notes);
        engineOutputs = engineOutputs == null ? List.of() : List.copyOf(engineOutputs);
        durations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(durations));
    }

    /** The same result with another {@link #timeout()} (the whole test's limit, where the run had what was left of it). */
    public SandboxResult withTimeout(Duration t) {
        return new SandboxResult(runId, request, ids, outcome, exitCode, oomKilled, error, t, stdout, stderr, apiCalls, task,
                created, networkUsage, durations, notes, rootBytesWritten, engineOutputs, webhook);
    }

    /** The same result with one more step's duration (the cleanup, which ends after the result is handed over). */
    public SandboxResult withDuration(String step, long millis) {
        Map<String, Long> all = new java.util.LinkedHashMap<>(durations);
        all.put(step, millis);
        return new SandboxResult(runId, request, ids, outcome, exitCode, oomKilled, error, timeout, stdout, stderr, apiCalls, task, created,
                networkUsage, all, notes, rootBytesWritten, engineOutputs, webhook);
    }

    /** The report's {@code testLog}: the lines written to stdout, bounded. */
    public List<String> testLog() {
        return stdout.lines();
    }
}
