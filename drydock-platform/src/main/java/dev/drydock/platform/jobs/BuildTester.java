package dev.drydock.platform.jobs;

import dev.drydock.compliance.BuildReport;
import dev.drydock.platform.builds.Build;

/**
 * Runs the compliance pipeline on one build and returns its typed report, which the worker stores as it is.
 * Implementations must honour thread interruption (the worker interrupts a run that lost its lease or never stopped).
 */
@FunctionalInterface
public interface BuildTester {

    /**
     * Tests within the test's one deadline ({@link TestRun#deadline()}), reporting progress to {@code run} so that a
     * worker giving up on a hung test can still report the checks done so far ({@link TestRun#reportingWith}). A
     * decorator passes {@code run} on, so the test keeps the worker's deadline.
     */
    BuildReport test(Build build, TestRun run) throws Exception;
}
