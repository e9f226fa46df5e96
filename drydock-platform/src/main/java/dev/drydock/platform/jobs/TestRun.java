package dev.drydock.platform.jobs;

import dev.drydock.compliance.BuildReport;
import dev.drydock.compliance.Pipeline;
import dev.drydock.compliance.TestDeadline;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildLifecycle.Move;
import dev.drydock.platform.builds.BuildService;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One attempt at testing a build, from the start of testing to the stored report. It makes the testing moves of the
 * lifecycle table ({@code pending → fetching} when it starts, {@code fetching → available} or {@code invalid} with
 * the typed report when it ends, back to {@code pending} after an internal error), owns the test's one deadline
 * ({@link TestDeadline}: {@code test.timeout} from the start, computed here once and passed down to the pipeline,
 * its checks and the sandbox run), and holds what the pipeline has reported so far, for a worker that gives up on a
 * pipeline that does not stop.
 */
public final class TestRun {
    private final BuildService builds;
    private final Build build;
    private final TestDeadline deadline;
    private volatile Pipeline.ReportSoFar soFar;

    private TestRun(BuildService builds, Build build, TestDeadline deadline) {
        this.builds = builds;
        this.build = build;
        this.deadline = deadline;
    }

    /**
     * Starts testing {@code buildId}: the build moves to fetching ({@code attempt} in its history; again from fetching
     * after a lost lease) and the deadline starts. Empty when the build cannot be tested any more (deleted while
     * queued, or moved on).
     */
    static Optional<TestRun> start(BuildService builds, String buildId, int attempt, Duration limit) {
        if (!builds.systemTransition(buildId, Move.FETCH, "attempt " + attempt, null)) return Optional.empty();
        return builds.find(buildId).map(b -> new TestRun(builds, b, TestDeadline.after(limit)));
    }

    public Build build() {
        return build;
    }

    /** The test's one deadline, passed down to the pipeline. */
    public TestDeadline deadline() {
        return deadline;
    }

    /** Called by the pipeline as it starts: how to ask it for the report so far. */
    public void reportingWith(Pipeline.ReportSoFar soFar) {
        this.soFar = soFar;
    }

    /** When a worker gives up on the pipeline, counted from the start ({@link TestDeadline#giveUpPastLimit()}). */
    Duration giveUpAfter() {
        return deadline.limit().plus(deadline.giveUpPastLimit());
    }

    /** Ends the test with the pipeline's report: available when it succeeded, invalid otherwise. */
    void finish(BuildReport report) {
        builds.systemTransition(build.id(), report.success() ? Move.TEST_PASSED : Move.TEST_FAILED, null, report);
    }

    /**
     * Ends a test whose pipeline did not return {@link #giveUpAfter()}: invalid, with the checks done so far and the
     * timeout (or only the timeout, when the pipeline never started).
     */
    void giveUp() {
        String error = deadline.notStopped();
        Pipeline.ReportSoFar f = soFar;
        builds.systemTransition(build.id(), Move.TEST_FAILED, null, f != null ? f.withError(error) : failureReport(build, error));
    }

    /** The test failed inside Drydock (not the build's fault): the build waits for the job's next attempt. */
    void requeue(Throwable cause) {
        builds.systemTransition(build.id(), Move.REQUEUE, "internal error, will retry: " + cause, null);
    }

    /** Every attempt was used up: the build is invalid with a report naming the last error. */
    static void abandon(BuildService builds, String buildId, int maxAttempts, String lastError) {
        builds.find(buildId).ifPresent(build -> builds.systemTransition(buildId, Move.TEST_GAVE_UP,
                "testing failed " + maxAttempts + " times; " + lastError,
                failureReport(build, "Testing did not finish after " + maxAttempts + " attempts; " + lastError
                        + ". Push again or ask an operator to retest")));
    }

    /**
     * The report of a build whose testing never produced one (gave up after every attempt, or hung before its
     * pipeline started): the report's usual fields, no checks, the reason as its one error, so it reads (and
     * validates) like any other.
     */
    static BuildReport failureReport(Build build, String error) {
        return new BuildReport(build.engineId(), build.id(), build.uploadTime(), build.user(), build.imagePath(), null, null,
                null, null, false, List.of(error), List.of(), Map.of(), null);
    }
}
