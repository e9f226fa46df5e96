package dev.drydock.compliance;


import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * One build's test against its one deadline ({@code test.timeout} from the moment testing starts), and what the
 * test has reported so far. The rule, kept in one place:
 * <ul>
 *   <li>every check runs within the deadline; the sandbox run gets what is left of it and is stopped at it, and
 *       the run's cleanup (container, network, fence, image) happens after its result, outside the deadline,
 *       in the background if need be, and is never cut off;</li>
 *   <li>a check still running at the deadline has {@link #grace()} more to report its own timeout (the sandbox
 *       run: kill the container, read its output); then the pipeline interrupts it and reports it failed with
 *       "Timed out after …"; checks after it are skipped;</li>
 *   <li>whoever gives up on a test whose pipeline does not stop even then (the worker, {@link #grace()} later
 *       still) reports {@link #reportSoFar}: the checks done so far and the timeout.</li>
 * </ul>
 * A timed-out report therefore always holds every check done before the deadline, plus the timeout.
 */
public final class TestRun {
    private static final Duration MIN_GRACE = Duration.ofSeconds(1);
    private static final Duration MAX_GRACE = Duration.ofSeconds(60);

    private final Duration limit;
    private final Duration grace;
    private final long deadlineNanos;
    private volatile Function<String, BuildReport> soFar;

    private TestRun(Duration limit, Duration grace) {
        if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("the test's limit must be positive: " + limit);
        this.limit = limit;
        this.grace = grace;
        this.deadlineNanos = System.nanoTime() + limit.toNanos();
    }

    /**
     * A test starting now with {@code limit}; the grace is a quarter of it, at least 1 s and at most 60 s (enough for
     * the engine to kill a container and hand over its logs, which on vfs storage can take several seconds).
     */
    public static TestRun start(Duration limit) {
        Duration quarter = limit.dividedBy(4);
        Duration grace = quarter.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : quarter.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : quarter;
        return new TestRun(limit, grace);
    }

    /** A test starting now with {@code limit} and an explicit grace (tests use short ones). */
    public static TestRun start(Duration limit, Duration grace) {
        return new TestRun(limit, grace);
    }

    /** The whole test's limit ({@code test.timeout}), which timeout messages name. */
    public Duration limit() {
        return limit;
    }

    /** How long a check still running at the deadline has to report its own timeout before it is interrupted. */
    public Duration grace() {
        return grace;
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    public boolean expired() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** Nanos ({@link System#nanoTime()}) of the deadline. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** "Timed out after 1m30s: {@code what}", in Go's duration spelling as the record writes it. */
    public String timedOut(String what) {
        return "Timed out after " + GoDuration.format(limit) + ": " + what;
    }

    /** How long after the limit whoever runs the test waits for a pipeline that does not stop: two graces. */
    public Duration giveUpAfter() {
        return grace.multipliedBy(2);
    }

    /** The error of a test given up on {@link #giveUpAfter()} past its limit, for {@link #reportSoFar}. */
    public String gaveUp() {
        return timedOut("testing must finish within that time (it did not stop " + GoDuration.format(giveUpAfter())
                + " after the limit)");
    }

    /**
     * The report of the test as far as it got: every check done so far, the check that was running failed with
     * {@code error}, and {@code error} among the errors. Empty before the pipeline started.
     */
    public Optional<BuildReport> reportSoFar(String error) {
        Function<String, BuildReport> f = soFar;
        return f == null ? Optional.empty() : Optional.of(f.apply(error));
    }

    void reportingWith(Function<String, BuildReport> soFar) {
        this.soFar = soFar;
    }
}
