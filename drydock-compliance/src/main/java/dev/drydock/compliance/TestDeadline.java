package dev.drydock.compliance;

import java.time.Duration;

/**
 * A build test's one deadline ({@code test.timeout} from the moment testing starts), computed once by whoever starts
 * the test and passed down: the pipeline keeps it for every check, the sandbox run gets what is left of it (the
 * sandbox stops the container at it), and the worker gives up on a pipeline that has not returned two
 * {@link #grace()}s after it. The rule, kept in one place:
 * <ul>
 *   <li>every check runs within the deadline; the sandbox run gets what is left of it and is stopped at it, and
 *       the run's cleanup (container, network, fence, image) happens after its result, outside the deadline,
 *       in the background if need be, and is never cut off;</li>
 *   <li>a check still running at the deadline has {@link #grace()} more to report its own timeout (the sandbox
 *       run: kill the container, read its output); then the pipeline interrupts it and reports it failed with
 *       {@link #timedOut}; checks after it are skipped;</li>
 *   <li>whoever gives up on a test whose pipeline does not stop even then ({@link #grace()} later still) reports
 *       the checks done so far ({@link Pipeline.ReportSoFar}) and the timeout ({@link #notStopped()}).</li>
 * </ul>
 * A timed-out report therefore always holds every check done before the deadline, plus the timeout.
 */
public final class TestDeadline {
    private static final Duration MIN_GRACE = Duration.ofSeconds(1);
    private static final Duration MAX_GRACE = Duration.ofSeconds(60);

    private final Duration limit;
    private final Duration grace;
    private final long deadlineNanos;

    private TestDeadline(Duration limit, Duration grace) {
        if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("the test's limit must be positive: " + limit);
        this.limit = limit;
        this.grace = grace;
        this.deadlineNanos = System.nanoTime() + limit.toNanos();
    }

    /**
     * {@code limit} from now; the grace is a quarter of it, at least 1 s and at most 60 s (enough for the engine to
     * kill a container and hand over its logs, which on vfs storage can take several seconds).
     */
    public static TestDeadline after(Duration limit) {
        Duration quarter = limit.dividedBy(4);
        Duration grace = quarter.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : quarter.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : quarter;
        return new TestDeadline(limit, grace);
    }

    /** {@code limit} from now with an explicit grace (tests use short ones). */
    public static TestDeadline after(Duration limit, Duration grace) {
        return new TestDeadline(limit, grace);
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

    /** The one timeout message: "Timed out after 1m30s: {@code what}", in Go's duration spelling as the record writes it. */
    public String timedOut(String what) {
        return timedOut(limit, what);
    }

    /** The same message for a run judged after the fact, from the limit it ran under. */
    static String timedOut(Duration limit, String what) {
        return "Timed out after " + GoDuration.format(limit) + ": " + what;
    }

    /**
     * How long past the limit whoever runs the test waits for a pipeline that has not returned: one grace for a check
     * still running to report its own timeout, one for the pipeline to interrupt it and report.
     */
    public Duration giveUpPastLimit() {
        return grace.multipliedBy(2);
    }

    /** The timeout reported by whoever gives up on a pipeline that had not returned two graces after the deadline. */
    public String notStopped() {
        return timedOut("testing must finish within that time (it did not stop "
                + GoDuration.format(giveUpPastLimit()) + " after the limit)");
    }
}
