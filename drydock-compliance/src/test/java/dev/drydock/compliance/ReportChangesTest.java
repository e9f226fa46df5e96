package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.compliance.ReportChanges.CheckChange;
import dev.drydock.compliance.ReportChanges.Vulnerability;
import dev.drydock.image.DockerInspect;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;
import dev.drydock.oci.MediaTypes;
import dev.drydock.sandbox.DeploymentModel;
import dev.drydock.sandbox.NetworkUsage;
import dev.drydock.scanner.match.Finding;
import dev.drydock.scanner.match.Severity;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Compares reports as {@link Pipeline#toJson} writes them: real {@link BuildReport}s, inspect JSON from {@link DockerInspect}. */
class ReportChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aCheckThatNowPassesAppearsAndDisappearsWithItsVerdictsAndTheNewMessage() {
        JsonNode before = report(List.of(
                CheckResult.failed("image.platform", "image is linux/arm64: push a linux/amd64 image", Map.of()),
                CheckResult.skipped("image.filesystem", "not checked: image.platform failed", Map.of()),
                CheckResult.passed("manifest.present", "found /var/manifest.json", Map.of())), List.of(), null, 1, Map.of());
        JsonNode after = report(List.of(
                CheckResult.passed("image.platform", "image is linux/amd64", Map.of()),
                CheckResult.passed("image.filesystem", "readable", Map.of()),
                CheckResult.warning("manifest.releaseNotes", "add releaseNotes", Map.of())), List.of(), null, 1, Map.of());

        ReportChanges changes = ReportChanges.between(before, after);

        assertThat(changes.checks()).containsExactly(
                new CheckChange("image.platform", "failed", "passed", "image is linux/amd64"),
                new CheckChange("image.filesystem", "skipped", "passed", "readable"),
                new CheckChange("manifest.releaseNotes", null, "warning", "add releaseNotes"),
                new CheckChange("manifest.present", "passed", null, "found /var/manifest.json"));
        assertThat(changes.nothingChanged()).isFalse();
    }

    @Test
    void aCveIsFixedWhenItsPackageNoLongerHasItNotWhenThePackageWasUpgradedAndStillHasIt() {
        JsonNode before = report(List.of(), List.of(
                finding("CVE-2024-1", Severity.High, "openssl", "3.0.1"),
                finding("CVE-2024-2", Severity.Medium, "zlib", "1.2.11"),
                finding("CVE-2024-3", Severity.Low, "curl", "7.0")), null, 1, Map.of());
        JsonNode after = report(List.of(), List.of(
                finding("CVE-2024-1", Severity.High, "openssl", "3.0.2"), // upgraded, still vulnerable
                finding("CVE-2024-9", Severity.Critical, "libxml2", "2.9"),
                finding("CVE-2024-8", Severity.Low, "zlib", "1.3"),
                finding("CVE-2024-3", Severity.Low, "curl", "7.0")), null, 1, Map.of());

        ReportChanges changes = ReportChanges.between(before, after);

        assertThat(changes.vulnerabilities().added()).extracting(Vulnerability::name, Vulnerability::severity, Vulnerability::pkg,
                        Vulnerability::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CVE-2024-9", "Critical", "libxml2", "2.9"),
                        org.assertj.core.groups.Tuple.tuple("CVE-2024-8", "Low", "zlib", "1.3"));
        assertThat(changes.vulnerabilities().fixed()).extracting(Vulnerability::name, Vulnerability::pkg, Vulnerability::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CVE-2024-2", "zlib", "1.2.11"));
    }

    @Test
    void theSameCveInAnotherPackageIsAdded() {
        JsonNode before = report(List.of(), List.of(finding("CVE-2024-1", Severity.High, "openssl", "3.0.1")), null, 1, Map.of());
        JsonNode after = report(List.of(), List.of(finding("CVE-2024-1", Severity.High, "openssl", "3.0.1"),
                finding("CVE-2024-1", Severity.High, "libssl3", "3.0.1")), null, 1, Map.of());

        assertThat(ReportChanges.between(before, after).vulnerabilities().added()).extracting(Vulnerability::pkg).containsExactly("libssl3");
    }

    @Test
    void networkDestinationsImageSizeLayersAndTestDuration() {
        JsonNode before = report(List.of(), List.of(), network(destination("sandbox-api", 8080), destination("old.example.com", 443)),
                1, Map.of("image.platform", 5L, "vulnerabilities", 200L));
        JsonNode after = report(List.of(), List.of(), network(destination("sandbox-api", 8080), destination("new.example.com", 443)),
                3, Map.of("image.platform", 7L, "vulnerabilities", 300L, "run", 1000L));

        ReportChanges changes = ReportChanges.between(before, after);

        assertThat(changes.network().added()).containsExactly("new.example.com:443");
        assertThat(changes.network().removed()).containsExactly("old.example.com:443");
        assertThat(changes.image()).isEqualTo(new ReportChanges.ImageChange(1000L, 3000L, 1, 3));
        assertThat(changes.testDuration()).isEqualTo(new ReportChanges.DurationChange(205L, 1307L));
        assertThat(changes.nothingChanged()).isFalse();
    }

    @Test
    void identicalReportsChangeNothingEvenWhenTheyTookDifferentTimes() {
        List<CheckResult> checks = List.of(CheckResult.passed("image.platform", "linux/amd64", Map.of()));
        List<Finding> findings = List.of(finding("CVE-2024-1", Severity.High, "openssl", "3.0.1"));
        ReportChanges changes = ReportChanges.between(report(checks, findings, null, 2, Map.of("image.platform", 3L)),
                report(checks, findings, null, 2, Map.of("image.platform", 9L)));

        assertThat(changes.nothingChanged()).isTrue();
        assertThat(changes.testDuration()).isEqualTo(new ReportChanges.DurationChange(3L, 9L));
    }

    @Test
    void withoutAPreviousReportOnlyTheCurrentValuesAreGiven() {
        JsonNode after = report(List.of(CheckResult.failed("image.platform", "arm64", Map.of())),
                List.of(finding("CVE-2024-1", Severity.High, "openssl", "3.0.1")), null, 2, Map.of("image.platform", 4L));

        ReportChanges changes = ReportChanges.between(null, after);

        assertThat(changes.checks()).isEmpty();
        assertThat(changes.vulnerabilities().added()).isEmpty();
        assertThat(changes.image()).isEqualTo(new ReportChanges.ImageChange(null, 2000L, null, 2));
        assertThat(changes.testDuration()).isEqualTo(new ReportChanges.DurationChange(null, 4L));
    }

    @Test
    void aReportOfAnImageThatCouldNotBeReadHasNoSizeOrLayers() {
        JsonNode unread = report(List.of(CheckResult.failed("image.platform", "unreadable", Map.of())), List.of(), null, 0, Map.of());
        ((ObjectNode) unread).putNull("inspect");

        ReportChanges changes = ReportChanges.between(unread, report(List.of(), List.of(), null, 1, Map.of()));

        assertThat(changes.image()).isEqualTo(new ReportChanges.ImageChange(null, 1000L, null, 1));
        assertThat(changes.testDuration().before()).isNull();
    }

    @Test
    void theJsonNamesThePackageField() throws Exception {
        JsonNode json = JSON.valueToTree(new Vulnerability("CVE-1", "High", "openssl", "3.0", "3.1", null));
        assertThat(json.has("package")).isTrue();
        assertThat(json.has("pkg")).isFalse();
    }

    @Test
    void theSummaryCountsBlockingChecksAndKeepsTheVulnerabilityCounts() {
        JsonNode json = report(List.of(CheckResult.failed("image.platform", "arm64", Map.of()),
                        new CheckResult("run.exit", Verdict.error, "crashed", Map.of()),
                        CheckResult.warning("manifest.releaseNotes", "add them", Map.of()),
                        CheckResult.passed("manifest.present", "found", Map.of())),
                List.of(finding("CVE-2024-1", Severity.High, "openssl", "3.0.1"), finding("CVE-2024-2", Severity.Low, "zlib", "1")),
                null, 1, Map.of());

        ReportSummary summary = ReportSummary.of(json);

        assertThat(summary.success()).isFalse();
        assertThat(summary.failingChecks()).isEqualTo(2);
        assertThat(summary.vulnerabilityCounts()).containsExactlyInAnyOrderEntriesOf(Map.of("High", 1, "Low", 1));
    }

    @Test
    void aReportWithoutAScanHasNoCountsRatherThanNone() {
        JsonNode json = report(List.of(CheckResult.failed("image.platform", "arm64", Map.of())), List.of(), null, 1, Map.of());
        ((ObjectNode) json).putNull("vulnerabilityCounts");

        assertThat(ReportSummary.of(json).vulnerabilityCounts()).isNull();
        assertThat(ReportSummary.of(report(List.of(), List.of(), null, 1, Map.of())).vulnerabilityCounts()).isEmpty();
    }

    // ---------------------------------------------------------------- real reports

    /** A report as the pipeline writes it, of an image with {@code layers} layers of 1000 bytes each. */
    private static JsonNode report(List<CheckResult> checks, List<Finding> findings, NetworkUsage network, int layers,
                                   Map<String, Long> durations) {
        List<String> errors = checks.stream().filter(CheckResult::blocksBuild).map(CheckResult::message).toList();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Finding f : findings) counts.merge(f.severity().name(), 1, Integer::sum);
        BuildReport report = new BuildReport("e", "b", 1L, "dev@acme.test", "reg.test/17532/a:1", inspect(layers), findings,
                counts, null, errors.isEmpty(), errors, checks, new LinkedHashMap<>(durations), "linux/amd64", network, null, null);
        try {
            return JSON.readTree(Pipeline.toJson(report));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode inspect(int layers) {
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        var diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        List<Long> sizes = new java.util.ArrayList<>();
        for (int i = 0; i < layers; i++) {
            diffIds.add(Digest.sha256(("layer" + i).getBytes(StandardCharsets.UTF_8)).toString());
            sizes.add(1000L);
        }
        Digest digest = Digest.sha256(config.toString().getBytes(StandardCharsets.UTF_8));
        ResolvedImage image = new ResolvedImage(digest, digest, MediaTypes.OCI_MANIFEST, JSON.createObjectNode(), digest, config,
                List.of(), "linux/amd64");
        return DockerInspect.of(image, sizes, "reg.test/17532/a:1", null);
    }

    private static Finding finding(String cve, Severity severity, String pkg, String version) {
        return new Finding(cve, "debian:12", "a flaw", "https://security-tracker.debian.org/tracker/" + cve, severity, null,
                null, pkg, version, "sha256:abc", "RUN apt-get install " + pkg, "/var/lib/dpkg/status", cve, null);
    }

    private static NetworkUsage network(NetworkUsage.Destination... destinations) {
        return new NetworkUsage(DeploymentModel.FullyNetworkIsolated, List.of(), List.of(destinations), 10, 20);
    }

    private static NetworkUsage.Destination destination(String host, int port) {
        return new NetworkUsage.Destination(host, port, "proxy", 1, 10, 10, true, null);
    }
}
