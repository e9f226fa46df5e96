package dev.drydock.compliance;

import dev.drydock.image.FileInterest;

import java.util.List;

/** One compliance check; runs against the image and what earlier checks learned. */
public interface Check {
    String id();

    CheckResult run(CheckContext context) throws Exception;

    /**
     * The ids of the results this check reports: its own id, or for a check that reports several (the sandbox run:
     * {@code run.exit}, {@code run.task} …) each of them, in order. When skipped, each is skipped.
     */
    default List<String> ids() {
        return List.of(id());
    }

    /**
     * The ids this check reports for the image under test, as far as the checks before it (the {@code context}) tell;
     * by default {@link #ids()}. The pipeline uses it for the results of a check that did not run.
     */
    default List<String> ids(CheckContext context) {
        return ids();
    }

    /** Every result, in the order of {@link #ids()}; by default the one result of {@link #run}. */
    default List<CheckResult> runAll(CheckContext context) throws Exception {
        return List.of(run(context));
    }

    /**
     * The checks that must have passed (or only warned) before this one can look; the pipeline skips this check,
     * naming the first that did not, so the report's errors carry the root cause and not its echoes.
     */
    default List<String> needs() {
        return List.of();
    }

    /**
     * True for a check that keeps the test's deadline itself ({@link CheckContext#deadline()}) and reports its own
     * timeout, as the sandbox run does: the pipeline runs it even when the deadline has passed (it then reports the
     * timeout at once) and gives it {@link TestDeadline#grace()} past the deadline before interrupting it. Other checks
     * are not started after the deadline.
     */
    default boolean keepsDeadline() {
        return false;
    }

    /**
     * The files whose contents this check reads from the image. The pipeline reads the layers once, keeping the
     * union of every check's interest; by default a check reads no file contents.
     */
    default FileInterest fileInterest() {
        return path -> false;
    }
}
