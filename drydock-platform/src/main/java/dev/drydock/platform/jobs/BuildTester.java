package dev.drydock.platform.jobs;

import dev.drydock.compliance.TestRun;
import dev.drydock.platform.builds.Build;

/**
 * Runs the compliance pipeline on one build and returns its verdict and report. Implementations must honour
 * thread interruption (the worker interrupts a run that lost its lease or never stopped).
 */
@FunctionalInterface
public interface BuildTester {

    /** @param reportJson the build report as JSON, stored and served as is */
    record Outcome(boolean success, String reportJson) {}

    Outcome test(Build build) throws Exception;

    /**
     * Tests within the test's one deadline, reporting progress to {@code run} so that a worker giving up on a hung
     * test can still report the checks done so far ({@link TestRun#reportSoFar}). By default the deadline is left to
     * the worker ({@link #test(Build)}); a decorator must forward this method to keep the deadline.
     */
    default Outcome test(Build build, TestRun run) throws Exception {
        return test(build);
    }
}
