package dev.drydock.compliance;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A report at a glance, for lists such as the review queue: its verdict, how many checks block the build
 * ({@link CheckResult#blocksBuild}: failed or error), and its {@code vulnerabilityCounts} by severity (null when the
 * vulnerability scan did not run, so "not scanned" never reads as "none found").
 */
@JsonPropertyOrder({"success", "failingChecks", "vulnerabilityCounts"})
public record ReportSummary(boolean success, int failingChecks, Map<String, Integer> vulnerabilityCounts) {

    /** The summary of a {@code report.json} (read as JSON, so that reports of older versions summarise too). */
    public static ReportSummary of(JsonNode report) {
        int failing = 0;
        for (JsonNode check : report.path("checks")) {
            String verdict = check.path("verdict").asText();
            if (verdict.equals(Verdict.failed.name()) || verdict.equals(Verdict.error.name())) failing++;
        }
        Map<String, Integer> counts = null;
        if (report.path("vulnerabilityCounts").isObject()) {
            counts = new LinkedHashMap<>();
            for (var e : report.get("vulnerabilityCounts").properties()) counts.put(e.getKey(), e.getValue().asInt());
        }
        return new ReportSummary(report.path("success").asBoolean(false), failing, counts);
    }
}
