package dev.drydock.compliance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageSource;
import dev.drydock.image.LayerPass;
import dev.drydock.scanner.Scanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs the checks in order and writes the report. A build succeeds only when at least one check ran and none
 * failed or errored: an empty pipeline never passes. Each run gets its own working directory (for the files
 * extracted from the image), deleted with whatever checks registered to close when the run ends.
 */
public final class Pipeline {
    /** Fact: the {@code docker image inspect} JSON of the tested image, which becomes the report's {@code inspect}. */
    public static final CheckContext.Key<JsonNode> INSPECT = CheckContext.Key.of("inspect");
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<Check> checks;
    private final Path workRoot;
    private final FileInterest fileInterest;

    /** The report of a running test as far as it got, for a caller that gives up on it. */
    @FunctionalInterface
    public interface ReportSoFar {
        /**
         * Every check done so far, the check that is running failed with {@code error}, and {@code error} among the
         * errors.
         */
        BuildReport withError(String error);
    }

    /** A pipeline whose runs work in the system's temporary directory. */
    public Pipeline(List<Check> checks) {
        this(checks, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** @param workRoot where each run creates (and then deletes) its working directory */
    public Pipeline(List<Check> checks, Path workRoot) {
        this.checks = List.copyOf(checks);
        this.workRoot = workRoot;
        FileInterest union = path -> false;
        for (Check check : this.checks) union = union.or(check.fileInterest());
        this.fileInterest = union;
    }

    /**
     * Every check Drydock runs, in order: platform, one pass over the layers, the vulnerability scan, the manifest (present, valid,
     * matching the adapter), the entrypoint. The service and {@code ./drydock check} both use this list.
     */
    public static Pipeline standard() {
        return standard(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * {@link #standard()} with each run's working directory under {@code workRoot}: no advisory data, and no sandbox
     * run (what {@code ./drydock check} does).
     */
    public static Pipeline standard(Path workRoot) {
        return standard(workRoot, VulnerabilitiesCheck.withoutData(), SandboxAccess.disabled(
                "./drydock check does not run the adapter; push it to Drydock for the test run"), ExtractionLimits.DEFAULT_MAX_TOTAL_BYTES);
    }

    /**
     * Every check the service runs: the image checks, the vulnerability scan (its advisory data, policy and SBOM
     * store), and last the sandbox run ({@code run.exit}, {@code run.task}, {@code run.output}, {@code run.network})
     * through {@code sandbox}, within what is left of the test's limit ({@link #run(BuildUnderTest, ImageSource, TestDeadline)}).
     * {@code imageMaxBytes} bounds the image's
     * uncompressed size ({@code image.max-bytes}); each layer's expansion is bounded by {@link ExtractionLimits}' ratio.
     */
    public static Pipeline standard(Path workRoot, VulnerabilitiesCheck vulnerabilities, SandboxAccess sandbox,
                                    long imageMaxBytes) {
        return new Pipeline(List.of(
                new ImagePlatformCheck(),
                new ImageFilesystemCheck(LayerPass::read, Scanner.EXTRACTION_LIMITS.withMaxTotalBytes(imageMaxBytes)),
                vulnerabilities,
                new ManifestPresentCheck(),
                new ManifestValidCheck(),
                new ManifestMatchesCheck(),
                new EntrypointCheck(),
                new SandboxRunCheck(sandbox)), workRoot);
    }

    public List<Check> checks() {
        return checks;
    }

    /** {@link #run(BuildUnderTest, ImageSource, TestDeadline)} within {@link SandboxAccess#DEFAULT_TIMEOUT} from now. */
    public BuildReport run(BuildUnderTest build, ImageSource image) throws InterruptedException {
        return run(build, image, TestDeadline.after(SandboxAccess.DEFAULT_TIMEOUT));
    }

    /** {@link #run(BuildUnderTest, ImageSource, TestDeadline, Consumer)} for a caller that never gives up on it. */
    public BuildReport run(BuildUnderTest build, ImageSource image, TestDeadline deadline) throws InterruptedException {
        return run(build, image, deadline, soFar -> {});
    }

    /**
     * Runs every check within the test's deadline, which the caller computed once: a check still running
     * {@link TestDeadline#grace()} after it is interrupted and reported failed with "Timed out after …", checks not
     * started by then are skipped, and the report keeps every check done before. As it starts, {@code started} gets
     * the report as far as it got, for a caller that gives up on it.
     *
     * @throws InterruptedException when interrupted by anything but the deadline (the worker stopping)
     */
    public BuildReport run(BuildUnderTest build, ImageSource image, TestDeadline deadline, Consumer<ReportSoFar> started)
            throws InterruptedException {
        Path workDir;
        try {
            Files.createDirectories(workRoot);
            workDir = Files.createTempDirectory(workRoot, "drydock-check-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working directory in " + workRoot
                    + ": make it writable or point the pipeline elsewhere", e);
        }
        CheckContext context = new CheckContext(build, image, workDir, fileInterest, deadline);
        Progress progress = new Progress(build, context);
        started.accept(progress::report);
        Thread pipeline = Thread.currentThread();
        Thread watchdog = Thread.ofVirtual().name("pipeline-deadline-" + build.buildId()).start(() -> {
            try {
                long wait = deadline.deadlineNanos() + deadline.grace().toNanos() - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                progress.stopRunningCheck(pipeline);
            } catch (InterruptedException e) {
                // the checks ended first
            }
        });
        try {
            return runChecks(build, context, progress);
        } finally {
            progress.finish();
            watchdog.interrupt();
            if (progress.stopped) Thread.interrupted(); // the deadline's interrupt, if it came as the last check ended
            cleanUp(context, workDir);
        }
    }

    private BuildReport runChecks(BuildUnderTest build, CheckContext context, Progress progress) throws InterruptedException {
        TestDeadline deadline = context.deadline();
        boolean timeoutReported = false;
        for (Check check : checks) {
            if (Thread.interrupted() && !progress.stopped) throw new InterruptedException("testing was stopped");
            long start = System.nanoTime();
            List<CheckResult> produced;
            if (deadline.expired() && (timeoutReported || !check.keepsDeadline())) {
                // not started after the deadline: the first such check carries the timeout, so the build cannot pass
                String message = deadline.timedOut(check.id() + " and the checks after it did not run: testing must finish within"
                        + " that time");
                produced = timeoutReported ? skippedForTime(check, context, deadline) : timedOut(check, context, message);
                timeoutReported = true;
            } else {
                progress.starting(check);
                try {
                    CheckResult skipped = context.unlessPassed(check.id(), check.needs()).orElse(null);
                    produced = skipped == null ? check.runAll(context) : check.ids(context).stream()
                            .map(id -> new CheckResult(id, skipped.verdict(), skipped.message(), skipped.evidence())).toList();
                } catch (InterruptedException e) {
                    if (!progress.stopped) throw e;
                    produced = timedOut(check, context, deadline.timedOut(check.id() + " was still running "
                            + GoDuration.format(deadline.grace()) + " after the limit and was stopped: testing must finish"
                            + " within that time"));
                } catch (Exception e) {
                    log.warn("check {} threw", check.id(), e);
                    produced = check.ids(context).stream().map(id -> new CheckResult(id, Verdict.error, "check " + id + " could not run: "
                            + e.getMessage(), Map.<String, Object>of("exception", e.getClass().getSimpleName()))).toList();
                }
                if (deadline.expired() && produced.stream().anyMatch(CheckResult::blocksBuild)) timeoutReported = true;
            }
            progress.done(check, produced, (System.nanoTime() - start) / 1_000_000);
        }
        return progress.report(null);
    }

    /** The check's first result failed with the timeout, the others skipped. */
    private static List<CheckResult> timedOut(Check check, CheckContext context, String message) {
        List<CheckResult> results = new ArrayList<>();
        List<String> ids = check.ids(context);
        for (String id : ids) {
            results.add(results.isEmpty() ? CheckResult.failed(id, message, Map.of())
                    : CheckResult.skipped(id, "not checked: " + ids.get(0) + " ran out of time", Map.of()));
        }
        return results;
    }

    private static List<CheckResult> skippedForTime(Check check, CheckContext context, TestDeadline deadline) {
        return check.ids(context).stream().map(id -> CheckResult.skipped(id, "not checked: the test's limit of "
                + GoDuration.format(deadline.limit()) + " had passed", Map.of())).toList();
    }

    /**
     * What the pipeline has done so far, shared with the deadline's watchdog and with {@link ReportSoFar}
     * (called from another thread by a caller giving up), hence synchronized.
     */
    private static final class Progress {
        private final BuildUnderTest build;
        private final CheckContext context;
        private final List<CheckResult> results = new ArrayList<>();
        private final Map<String, Long> durations = new LinkedHashMap<>();
        private Check running;
        private boolean finished;
        volatile boolean stopped;

        Progress(BuildUnderTest build, CheckContext context) {
            this.build = build;
            this.context = context;
        }

        synchronized void starting(Check check) {
            running = check;
        }

        synchronized void done(Check check, List<CheckResult> produced, long millis) {
            running = null;
            durations.put(check.id(), millis);
            for (CheckResult result : produced) {
                context.record(result);
                results.add(result);
            }
        }

        synchronized void finish() {
            finished = true;
            running = null;
        }

        /** At the deadline plus grace: interrupts the pipeline if a check is still running. */
        synchronized void stopRunningCheck(Thread pipeline) {
            if (finished || running == null) return;
            log.warn("check {} of build {} was still running {} after the test's limit: stopping it", running.id(),
                    build.buildId(), context.deadline().grace());
            stopped = true;
            pipeline.interrupt();
        }

        /**
         * The report from the results so far; with {@code error} (a caller giving up), the check running now is
         * reported failed with it, or, when none is, the error is added to the report's errors.
         */
        synchronized BuildReport report(String error) {
            List<CheckResult> all = new ArrayList<>(results);
            if (error != null && running != null) all.addAll(timedOut(running, context, error));
            List<String> errors = new ArrayList<>();
            for (CheckResult r : all) {
                if (r.blocksBuild()) errors.add(r.message());
            }
            if (error != null && !errors.contains(error)) errors.add(error);
            if (all.isEmpty() && error == null) errors.add("No compliance checks ran: the build cannot be marked available");
            boolean success = errors.isEmpty();
            return new BuildReport(build.engineId(), build.buildId(), build.uploadTime(), build.user(), build.image(),
                    context.get(INSPECT), context.get(VulnerabilitiesCheck.FINDINGS), context.get(VulnerabilitiesCheck.COUNTS),
                    context.get(SandboxRunCheck.TEST_LOG), success, errors, all, new LinkedHashMap<>(durations),
                    context.get(ImagePlatformCheck.PLATFORM), context.get(SandboxRunCheck.NETWORK_USAGE),
                    context.get(VulnerabilitiesCheck.SBOM), context.get(VulnerabilitiesCheck.DATA_VERSION));
        }
    }

    private static void cleanUp(CheckContext context, Path workDir) {
        while (!context.cleanups().isEmpty()) {
            try {
                context.cleanups().pop().close();
            } catch (Exception e) {
                log.warn("could not release a resource of the run in {}", workDir, e);
            }
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete the working directory {}", workDir, e);
        }
    }

    public static String toJson(BuildReport report) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
