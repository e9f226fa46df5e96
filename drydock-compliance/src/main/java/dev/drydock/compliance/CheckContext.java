package dev.drydock.compliance;

import dev.drydock.image.FileInterest;
import dev.drydock.image.ImageSource;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a check sees: the build, its image, facts earlier checks recorded for later ones, the results of the
 * checks that already ran, and a private working directory that the pipeline deletes after the run.
 */
public final class CheckContext {
    private final BuildUnderTest build;
    private final ImageSource image;
    private final Path workDir;
    private final FileInterest fileInterest;
    private final TestDeadline deadline;
    /** Synchronized: whoever gives up on a hung test reads them for the report so far ({@link Pipeline.ReportSoFar}). */
    private final Map<Key<?>, Object> facts = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, CheckResult> results = new HashMap<>();
    private final Deque<AutoCloseable> cleanups = new ArrayDeque<>();
    private final long startNanos = System.nanoTime();

    public CheckContext(BuildUnderTest build, ImageSource image, Path workDir, FileInterest fileInterest, TestDeadline deadline) {
        this.deadline = deadline;
        this.build = build;
        this.image = image;
        this.workDir = workDir;
        this.fileInterest = fileInterest;
    }

    public BuildUnderTest build() { return build; }
    public ImageSource image() { return image; }

    /** This run's own directory for extracted files; deleted with everything in it when the run ends. */
    public Path workDir() { return workDir; }

    /** The union of every check's {@link Check#fileInterest()}: what the single pass over the layers keeps. */
    public FileInterest fileInterest() { return fileInterest; }

    /** The test's one deadline: checks that wait (the sandbox run) get what is left of it. */
    public TestDeadline deadline() { return deadline; }

    /** Time since the run began (checks that wait, like the sandbox run, get what is left of the test's limit). */
    public java.time.Duration elapsed() { return java.time.Duration.ofNanos(System.nanoTime() - startNanos); }

    /**
     * The name of a fact one check records for later checks and the report, with the type of its value: checks
     * declare their facts as {@code Key} constants, so a reader gets the type the writer put.
     */
    public record Key<T>(String name) {
        public static <T> Key<T> of(String name) {
            return new Key<>(name);
        }
    }

    public <T> void put(Key<T> key, T value) { facts.put(key, value); }

    /** The fact, or null when no check recorded it (a check that did not run or pass). */
    @SuppressWarnings("unchecked") // put takes only a value of the key's type
    public <T> T get(Key<T> key) { return (T) facts.get(key); }

    /** Closes the resource when the run ends (after the last check), latest registered first. */
    public void closeAtEnd(AutoCloseable resource) { cleanups.push(resource); }

    void record(CheckResult result) { results.put(result.id(), result); }

    Deque<AutoCloseable> cleanups() { return cleanups; }

    /**
     * Empty when every named check ran and passed (or only warned); otherwise this check's result: skipped,
     * naming the check that did not pass, so the report's errors carry one root cause rather than its echoes.
     * A prerequisite that never ran is a wiring mistake, reported as an error so it can never pass silently.
     */
    Optional<CheckResult> unlessPassed(String checkId, List<String> prerequisites) {
        for (String prerequisite : prerequisites) {
            CheckResult result = results.get(prerequisite);
            if (result == null) {
                return Optional.of(new CheckResult(checkId, Verdict.error, "check " + checkId + " needs " + prerequisite
                        + ", which did not run before it: fix the order of the pipeline's checks", Map.of("needs", prerequisite)));
            }
            if (result.verdict() != Verdict.passed && result.verdict() != Verdict.warning) {
                return Optional.of(CheckResult.skipped(checkId, "not checked: " + prerequisite + " did not pass ("
                        + result.verdict() + ")", Map.of("needs", prerequisite)));
            }
        }
        return Optional.empty();
    }
}
