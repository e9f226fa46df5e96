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
 * @param writes      what the run wrote to its memory-backed filesystems, and whether the sandbox stopped it for writing
 *                    more than {@link Limits#rootGrowthBytes()} to its root filesystem ({@link Writes})
 */
public record SandboxResult(String runId, SandboxRequest request, TaskPayloads.Ids ids, Outcome outcome, Integer exitCode, boolean oomKilled,
                            String error, Duration timeout, CapturedOutput stdout, CapturedOutput stderr,
                            List<ApiCall> apiCalls, TaskReport task, List<CreatedObject> created,
                            NetworkUsage networkUsage, Map<String, Long> durations, List<String> notes, Long rootBytesWritten,
                            List<EngineOutput> engineOutputs, WebhookRun webhook, Writes writes) {
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
        if (writes == null) writes = Writes.NONE;
    }

    /** A result without {@link Writes} facts (the container did not run, or a judged stand-in). */
    public SandboxResult(String runId, SandboxRequest request, TaskPayloads.Ids ids, Outcome outcome, Integer exitCode, boolean oomKilled,
                         String error, Duration timeout, CapturedOutput stdout, CapturedOutput stderr,
                         List<ApiCall> apiCalls, TaskReport task, List<CreatedObject> created,
                         NetworkUsage networkUsage, Map<String, Long> durations, List<String> notes, Long rootBytesWritten,
                         List<EngineOutput> engineOutputs, WebhookRun webhook) {
        this(runId, request, ids, outcome, exitCode, oomKilled, error, timeout, stdout, stderr, apiCalls, task, created, networkUsage,
                durations, notes, rootBytesWritten, engineOutputs, webhook, Writes.NONE);
    }

    /** The same result with another {@link #timeout()} (the whole test's limit, where the run had what was left of it). */
    public SandboxResult withTimeout(Duration t) {
        return new SandboxResult(runId, request, ids, outcome, exitCode, oomKilled, error, t, stdout, stderr, apiCalls, task,
                created, networkUsage, durations, notes, rootBytesWritten, engineOutputs, webhook, writes);
    }

    /** The same result with one more step's duration (the cleanup, which ends after the result is handed over). */
    public SandboxResult withDuration(String step, long millis) {
        Map<String, Long> all = new java.util.LinkedHashMap<>(durations);
        all.put(step, millis);
        return new SandboxResult(runId, request, ids, outcome, exitCode, oomKilled, error, timeout, stdout, stderr, apiCalls, task, created,
                networkUsage, all, notes, rootBytesWritten, engineOutputs, webhook, writes);
    }

    /** The report's {@code testLog}: the lines written to stdout, bounded. */
    public List<String> testLog() {
        return stdout.lines();
    }

    /**
     * What the run wrote besides its root filesystem ({@link #rootBytesWritten()}), and whether its writes stopped it.
     *
     * @param memoryBackedPeakBytes the most bytes seen in use on each writable memory-backed filesystem (tmpfs), by its
     *                    mount point in the container ({@code /dev}, {@code /dev/shm}: 64 MiB each, counted in the memory
     *                    limit), sampled every 0.5 s while it ran, from the host side; empty when the engine's containers
     *                    cannot be seen from this host
     * @param rootGrowthStopped the sandbox killed the container because {@link #rootBytesWritten()} passed
     *                    {@link Limits#rootGrowthBytes()} (sampled while it ran, where the storage driver cannot bound it)
     */
    public record Writes(Map<String, Long> memoryBackedPeakBytes, boolean rootGrowthStopped) {
        public static final Writes NONE = new Writes(Map.of(), false);

        public Writes {
            memoryBackedPeakBytes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(memoryBackedPeakBytes));
        }
    }
}
