package dev.drydock.compliance;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.scanner.match.Severity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between two reports of one adapter ({@code report.json} as {@link BuildReport} writes it, read as
 * JSON so that reports written by older Drydock versions still compare): checks whose verdict changed, vulnerabilities
 * added and fixed, network destinations added and removed, image size and layers, and test duration.
 *
 * <p>A vulnerability is identified by its CVE ({@code Name}) and package ({@code FeatureName}), not the package's
 * version: upgrading a package that still has the CVE neither fixes it nor adds a new one; "fixed" means the
 * package is no longer reported with that CVE.
 */
@JsonPropertyOrder({"checks", "vulnerabilities", "network", "image", "testDuration"})
public record ReportChanges(List<CheckChange> checks, VulnerabilityChanges vulnerabilities, NetworkChanges network,
                            ImageChange image, DurationChange testDuration) {

    /** A check whose verdict changed; {@code before} or {@code after} is null when the check appeared or disappeared. */
    @JsonPropertyOrder({"id", "before", "after", "message"})
    public record CheckChange(String id, String before, String after, String message) {}

    @JsonPropertyOrder({"added", "fixed"})
    public record VulnerabilityChanges(List<Vulnerability> added, List<Vulnerability> fixed) {}

    /** One CVE in one package, as the report that has it lists it. */
    @JsonPropertyOrder({"name", "severity", "package", "version", "fixedBy", "link"})
    public record Vulnerability(String name, String severity, @JsonProperty("package") String pkg, String version,
                                String fixedBy, String link) {}

    /** Destinations as {@code host:port}. */
    @JsonPropertyOrder({"added", "removed"})
    public record NetworkChanges(List<String> added, List<String> removed) {}

    /** From the reports' {@code inspect}: {@code Size} (bytes) and the count of {@code RootFS.Layers}; null when not examined. */
    @JsonPropertyOrder({"sizeBefore", "sizeAfter", "layersBefore", "layersAfter"})
    public record ImageChange(Long sizeBefore, Long sizeAfter, Integer layersBefore, Integer layersAfter) {}

    /**
     * The test's duration in milliseconds. From two reports alone, the sum of each report's per-check {@code durations};
     * the platform replaces it with the builds' measured test times ({@link #withTestDuration}), as its build lists show.
     */
    @JsonPropertyOrder({"before", "after"})
    public record DurationChange(Long before, Long after) {}

    /**
     * The changes from {@code before} to {@code after}; {@code before} null means there is nothing to compare with:
     * every "before" value is null and no check, vulnerability or destination counts as changed.
     */
    public static ReportChanges between(JsonNode before, JsonNode after) {
        Objects.requireNonNull(after, "after");
        if (before == null) {
            return new ReportChanges(List.of(), new VulnerabilityChanges(List.of(), List.of()),
                    new NetworkChanges(List.of(), List.of()),
                    new ImageChange(null, size(after), null, layers(after)), new DurationChange(null, testDuration(after)));
        }
        return new ReportChanges(checks(before, after), vulnerabilities(before, after), network(before, after),
                new ImageChange(size(before), size(after), layers(before), layers(after)),
                new DurationChange(testDuration(before), testDuration(after)));
    }

    /** These changes with the test durations measured elsewhere (null values: not measured). */
    public ReportChanges withTestDuration(DurationChange measured) {
        return new ReportChanges(checks, vulnerabilities, network, image, measured);
    }

    /** True when no verdict, vulnerability, destination, image size or layer count differs (durations always vary). */
    @JsonIgnore
    public boolean nothingChanged() {
        return checks.isEmpty() && vulnerabilities.added().isEmpty() && vulnerabilities.fixed().isEmpty()
                && network.added().isEmpty() && network.removed().isEmpty()
                && Objects.equals(image.sizeBefore(), image.sizeAfter())
                && Objects.equals(image.layersBefore(), image.layersAfter());
    }

    // ---------------------------------------------------------------- checks

    private static List<CheckChange> checks(JsonNode before, JsonNode after) {
        Map<String, JsonNode> was = checksById(before);
        Map<String, JsonNode> now = checksById(after);
        List<CheckChange> changes = new ArrayList<>();
        for (var e : now.entrySet()) {
            String previous = verdict(was.get(e.getKey()));
            String current = verdict(e.getValue());
            if (!Objects.equals(previous, current)) {
                changes.add(new CheckChange(e.getKey(), previous, current, text(e.getValue(), "message")));
            }
        }
        for (var e : was.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                changes.add(new CheckChange(e.getKey(), verdict(e.getValue()), null, text(e.getValue(), "message")));
            }
        }
        return changes;
    }

    private static Map<String, JsonNode> checksById(JsonNode report) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (JsonNode check : report.path("checks")) {
            String id = text(check, "id");
            if (id != null) byId.putIfAbsent(id, check);
        }
        return byId;
    }

    private static String verdict(JsonNode check) {
        return check == null ? null : text(check, "verdict");
    }

    // ---------------------------------------------------------------- vulnerabilities

    private static VulnerabilityChanges vulnerabilities(JsonNode before, JsonNode after) {
        Map<String, Vulnerability> was = findings(before);
        Map<String, Vulnerability> now = findings(after);
        List<Vulnerability> added = now.entrySet().stream().filter(e -> !was.containsKey(e.getKey())).map(Map.Entry::getValue)
                .sorted(MOST_SEVERE_FIRST).toList();
        List<Vulnerability> fixed = was.entrySet().stream().filter(e -> !now.containsKey(e.getKey())).map(Map.Entry::getValue)
                .sorted(MOST_SEVERE_FIRST).toList();
        return new VulnerabilityChanges(added, fixed);
    }

    private static final Comparator<Vulnerability> MOST_SEVERE_FIRST = Comparator
            .comparing((Vulnerability v) -> severityRank(v.severity())).reversed()
            .thenComparing(Vulnerability::name, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Vulnerability::pkg, Comparator.nullsLast(Comparator.naturalOrder()));

    private static int severityRank(String severity) {
        for (Severity s : Severity.values()) if (s.name().equals(severity)) return s.ordinal();
        return -1;
    }

    /** The report's findings by CVE and package (the first listing of a pair wins; one package may sit in several files). */
    private static Map<String, Vulnerability> findings(JsonNode report) {
        Map<String, Vulnerability> byIdentity = new LinkedHashMap<>();
        for (JsonNode f : report.path("vulnerabilities")) {
            String name = text(f, "Name") != null ? text(f, "Name") : text(f, "Advisory");
            String pkg = text(f, "FeatureName");
            byIdentity.putIfAbsent(name + "\u0000" + pkg, new Vulnerability(name, text(f, "Severity"), pkg,
                    text(f, "FeatureVersion"), text(f, "FixedBy"), text(f, "Link")));
        }
        return byIdentity;
    }

    // ---------------------------------------------------------------- network

    private static NetworkChanges network(JsonNode before, JsonNode after) {
        Set<String> was = destinations(before);
        Set<String> now = destinations(after);
        return new NetworkChanges(now.stream().filter(d -> !was.contains(d)).toList(),
                was.stream().filter(d -> !now.contains(d)).toList());
    }

    private static Set<String> destinations(JsonNode report) {
        Set<String> result = new LinkedHashSet<>();
        for (JsonNode d : report.path("networkUsage").path("destinations")) {
            result.add(text(d, "host") + ":" + d.path("port").asInt());
        }
        return result;
    }

    // ---------------------------------------------------------------- image and duration

    /** {@code inspect} is what {@code docker image inspect} prints: an array of one image. */
    private static JsonNode inspected(JsonNode report) {
        JsonNode inspect = report.path("inspect");
        return inspect.isArray() ? inspect.path(0) : inspect;
    }

    private static Long size(JsonNode report) {
        JsonNode size = inspected(report).path("Size");
        return size.isNumber() ? size.asLong() : null;
    }

    private static Integer layers(JsonNode report) {
        JsonNode layers = inspected(report).path("RootFS").path("Layers");
        return layers.isArray() ? layers.size() : null;
    }

    private static Long testDuration(JsonNode report) {
        JsonNode durations = report.path("durations");
        if (!durations.isObject() || durations.isEmpty()) return null;
        long total = 0;
        for (JsonNode millis : durations) total += millis.asLong();
        return total;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
