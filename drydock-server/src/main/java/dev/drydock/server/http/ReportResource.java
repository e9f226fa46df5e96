package dev.drydock.server.http;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.builds.Build;
import dev.drydock.platform.builds.BuildLifecycle;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.vulns.VulnerabilityService;
import io.javalin.http.Context;

import java.util.Map;

/**
 * A build's test results as downloads, once testing finished: its report ({@code /api/v1/builds/{buildId}/report})
 * and its SBOM ({@code /api/v1/builds/{buildId}/sbom}).
 */
final class ReportResource {
    private final BuildService builds;
    private final VulnerabilityService vulns;

    ReportResource(BuildService builds, VulnerabilityService vulns) {
        this.builds = builds;
        this.vulns = vulns;
    }

    void report(Context ctx, Caller caller) {
        Build build = caller.build();
        String report = builds.report(build.id()).orElse(null);
        if (report == null || !BuildLifecycle.reportDownloadable(build.state())) {
            throw new ApiException(ApiErrorCode.REPORT_NOT_AVAILABLE, "build " + build.id() + " is " + build.state()
                    + ": a report can be downloaded once testing finished (available, invalid, submitted, approved, deployed, paused)",
                    Map.of("state", build.state().name()));
        }
        ctx.header("Content-Disposition", "attachment; filename=build-" + build.id() + "-report.json");
        ctx.status(200).contentType("application/json").result(report);
    }

    void sbom(Context ctx, Caller caller) {
        Build build = caller.build();
        String sbom = vulns.sbom(build.id()).filter(s -> BuildLifecycle.reportDownloadable(build.state()))
                .orElseThrow(() -> new ApiException(ApiErrorCode.REPORT_NOT_AVAILABLE, "build " + build.id() + " is "
                        + build.state() + ": its SBOM can be downloaded, like its report, once testing finished "
                        + "(available, invalid, submitted, approved, deployed, paused)", Map.of("state", build.state().name())));
        ctx.header("Content-Disposition", "attachment; filename=build-" + build.id() + "-sbom.cdx.json");
        ctx.status(200).contentType("application/vnd.cyclonedx+json").result(sbom);
    }
}
