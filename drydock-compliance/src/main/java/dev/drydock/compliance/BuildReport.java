package dev.drydock.compliance;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;

/**
 * The downloadable build report. The first eleven fields are the record's, in its order; Drydock's additions
 * follow. Fields no check has produced yet ({@code inspect}, {@code vulnerabilities}, {@code testLog} until
 * their checks exist) are null rather than empty, so "not examined" never reads as "nothing found".
 */
@JsonPropertyOrder({"engineId", "build", "uploadTime", "user", "image", "inspect", "vulnerabilities",
        "vulnerabilityCounts", "testLog", "success", "errors", "checks", "durations", "platform"})
public record BuildReport(
        String engineId,
        String build,
        Long uploadTime,
        String user,
        String image,
        Object inspect,
        List<Object> vulnerabilities,
        Map<String, Integer> vulnerabilityCounts,
        List<String> testLog,
        boolean success,
        List<String> errors,
        List<CheckResult> checks,
        Map<String, Long> durations,
        String platform) {}
