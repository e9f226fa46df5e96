package dev.drydock.platform.jobs;

import dev.drydock.platform.builds.Build;

/**
 * Runs the compliance pipeline on one build and returns its verdict and report. Implementations must honour
 * thread interruption (the worker interrupts a run that lost its lease or timed out).
 */
@FunctionalInterface
public interface BuildTester {

    /** @param reportJson the build report as JSON, stored and served as is */
    record Outcome(boolean success, String reportJson) {}

    Outcome test(Build build) throws Exception;
}
