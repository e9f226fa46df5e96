package dev.drydock.platform.builds;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.compliance.ReportChanges;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.identity.Principal;

import java.util.Map;

/**
 * What changed in a build since another build of its adapter: by default the adapter's previous tested build
 * ({@link BuildService#previousTested}), or one the caller names. The comparison itself is the compliance module's
 * ({@link ReportChanges}); this class picks the two reports and refuses a pair that cannot be compared.
 */
public final class BuildComparison {
    /** The build compared with ({@code null}: the first tested build of its adapter) and what changed. */
    public record Result(Build previous, ReportChanges changes) {}

    private final BuildService builds;

    public BuildComparison(BuildService builds) {
        this.builds = builds;
    }

    /**
     * @param build   a build the principal may see
     * @param sinceId the build to compare with, or null for the adapter's previous tested build; it must be a build of
     *                the same adapter that the principal may see (else 404 BUILD_NOT_FOUND, the same answer for a build
     *                that does not exist) and have a report
     */
    public Result compare(Principal principal, Build build, String sinceId) {
        JsonNode report = builds.reportTree(build.id()).orElseThrow(() -> new ApiException(ApiErrorCode.REPORT_NOT_AVAILABLE,
                "build " + build.id() + " is " + build.state() + " and has no report yet: its changes can be compared once testing finished",
                Map.of("state", build.state().name())));
        Build previous;
        if (sinceId == null) {
            previous = builds.previousTested(build).orElse(null);
        } else {
            previous = builds.get(principal, sinceId);
            if (!previous.engineId().equals(build.engineId())) {
                throw new ApiException(ApiErrorCode.VALIDATION_FAILED, "since must be a build of the same adapter as build "
                        + build.id() + " (" + build.repository() + "); build " + sinceId + " is of " + previous.repository(),
                        Map.of("field", "since"));
            }
        }
        if (previous == null) {
            return new Result(null, ReportChanges.between(null, report).withTestDuration(measured(null, build)));
        }
        JsonNode before = builds.reportTree(previous.id()).orElseThrow(() -> new ApiException(ApiErrorCode.VALIDATION_FAILED,
                "since: build " + previous.id() + " has no report yet (it is " + previous.state()
                        + "); compare with a build whose testing finished", Map.of("field", "since")));
        return new Result(previous, ReportChanges.between(before, report).withTestDuration(measured(previous, build)));
    }

    /** The test times the build lists show (from the move into fetching to the verdict), so both pages agree. */
    private ReportChanges.DurationChange measured(Build previous, Build build) {
        java.util.List<Build> both = previous == null ? java.util.List.of(build) : java.util.List.of(previous, build);
        Map<String, Long> durations = builds.testDurations(both);
        return new ReportChanges.DurationChange(previous == null ? null : durations.get(previous.id()), durations.get(build.id()));
    }

}
