package dev.drydock.compliance;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.sandbox.NetworkUsage;
import dev.drydock.scanner.match.Finding;

import java.util.List;
import java.util.Map;

/**
 * The downloadable build report. The first eleven fields are the record's, in its order; Drydock's additions
 * follow. Fields no check has produced yet ({@code inspect}, {@code vulnerabilities}, {@code testLog} until
 * their checks exist) are null rather than empty, so "not examined" never reads as "nothing found".
 * {@code testLog} and {@code networkUsage} come from the sandbox run ({@link SandboxRunCheck});
 * {@code vulnerabilities}, {@code vulnerabilityCounts}, {@code sbom} (a summary: format, component count, download
 * path) and {@code vulnerabilityData} (the advisory data version) come from {@link VulnerabilitiesCheck}.
 */
@JsonPropertyOrder({"engineId", "build", "uploadTime", "user", "image", "inspect", "vulnerabilities",
        "vulnerabilityCounts", "testLog", "success", "errors", "checks", "durations", "platform",
        "networkUsage", "sbom", "vulnerabilityData"})
public record BuildReport(
        String engineId,
        String build,
        Long uploadTime,
        String user,
        String image,
        JsonNode inspect,
        List<Finding> vulnerabilities,
        Map<String, Integer> vulnerabilityCounts,
        List<String> testLog,
        boolean success,
        List<String> errors,
        List<CheckResult> checks,
        Map<String, Long> durations,
        String platform,
        NetworkUsage networkUsage,
        Sbom sbom,
        String vulnerabilityData) {

    /** A report without a sandbox run or vulnerability scan ({@code networkUsage}, {@code sbom}, {@code vulnerabilityData} null). */
    public BuildReport(String engineId, String build, Long uploadTime, String user, String image, JsonNode inspect,
                       List<Finding> vulnerabilities, Map<String, Integer> vulnerabilityCounts, List<String> testLog,
                       boolean success, List<String> errors, List<CheckResult> checks, Map<String, Long> durations,
                       String platform) {
        this(engineId, build, uploadTime, user, image, inspect, vulnerabilities, vulnerabilityCounts, testLog, success,
                errors, checks, durations, platform, null, null, null);
    }

    /**
     * The report's {@code sbom}: a summary of the build's CycloneDX SBOM.
     *
     * @param format     {@code CycloneDX 1.6 JSON}
     * @param components how many components (packages) it lists
     * @param download   where the SBOM itself is served, or null outside a stored build ({@code ./drydock check})
     */
    @JsonPropertyOrder({"format", "components", "download"})
    public record Sbom(String format, int components, String download) {
    }
}
