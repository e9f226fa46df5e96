package dev.drydock.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ExtractionLimits;
import dev.drydock.image.ImageSource;
import dev.drydock.oci.Digest;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.advisory.OsvParser;
import dev.drydock.scanner.match.Policy;
import dev.drydock.scanner.match.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vulnerabilities check in the pipeline on an npm package (lodash 4.17.20) and the real advisory for
 * CVE-2021-23337 (GHSA-35jh-r3h4-6jhm: command injection in template, fixed in 4.17.21, CVSS 3.1 7.2 High).
 */
class VulnerabilitiesCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-25T03:00:00Z");
    private static final String GHSA = """
            {"schema_version":"1.6.0","id":"GHSA-35jh-r3h4-6jhm","modified":"2024-03-01T00:00:00Z",
             "published":"2021-02-15T00:00:00Z","aliases":["CVE-2021-23337"],
             "summary":"Command injection in lodash's template function",
             "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
             "affected":[{"package":{"ecosystem":"npm","name":"lodash"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}],
             "references":[{"type":"ADVISORY","url":"https://nvd.nist.gov/vuln/detail/CVE-2021-23337"}],
             "database_specific":{"severity":"HIGH"}}""";
    private static final String CONFIG = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/app/adapter\"]}}";

    @TempDir
    Path tmp;

    private static final ImageSource NO_BLOBS = new ImageSource() {
        @Override public Optional<Manifest> manifest(Digest digest) { return Optional.empty(); }
        @Override public Optional<Long> blobSize(Digest digest) { return Optional.empty(); }
        @Override public java.io.InputStream blob(Digest digest) { throw new AssertionError("no blob reads expected"); }
    };

    private static AdvisoryIndex index() throws Exception {
        return AdvisoryIndex.builder().add(OsvParser.parse(GHSA.getBytes(StandardCharsets.UTF_8))).build("test (1 advisory)", NOW);
    }

    private BuildReport run(AdvisoryIndex index, Policy policy, List<String> sboms) throws Exception {
        InMemoryFilesystem fs = new InMemoryFilesystem()
                .file("var/manifest.json", "{}", 0, "ADD rootfs /")
                .file("app/node_modules/lodash/package.json", "{\"name\":\"lodash\",\"version\":\"4.17.20\"}", 0, "ADD rootfs /");
        VulnerabilitiesCheck check = new VulnerabilitiesCheck(() -> index, build -> policy, (build, sbom) -> sboms.add(sbom),
                InstantSource.fixed(NOW));
        Pipeline pipeline = new Pipeline(List.of(new ImageChecksTest.PlatformDouble(CONFIG),
                new ImageFilesystemCheck((source, image, interest, limits, dir) -> {
                    assertThat(interest.wants("app/node_modules/lodash/package.json")).as("the scanner's interest is in the pass").isTrue();
                    return fs;
                }, ExtractionLimits.DEFAULTS), check), tmp);
        BuildReport report = pipeline.run(new BuildUnderTest("e", "b1", 1L, "dev@acme.test", "host/17532/a:1", "17532/a",
                Digest.sha256(new byte[]{1}), "pull", "batch", "FullyNetworkIsolated"), NO_BLOBS);
        assertThat(ShippedSchema.REPORT.violations(Pipeline.toJson(report))).as(Pipeline.toJson(report)).isEmpty();
        return report;
    }

    private static CheckResult result(BuildReport report) {
        return report.checks().stream().filter(c -> c.id().equals(VulnerabilitiesCheck.ID)).findFirst().orElseThrow();
    }

    @Test
    void aFindingAtTheThresholdFailsNamingTheFixAndTheStep() throws Exception {
        List<String> sboms = new ArrayList<>();
        BuildReport report = run(index(), new Policy(Severity.High, List.of()), sboms);
        assertThat(result(report).verdict()).isEqualTo(Verdict.failed);
        assertThat(report.errors()).singleElement().asString().startsWith("CVE-2021-23337 (High) in lodash 4.17.20 at "
                + "/app/node_modules/lodash/package.json: upgrade lodash to 4.17.21 or later (added by ADD rootfs /, layer 1)");
        JsonNode findings = JSON.valueToTree(report.vulnerabilities());
        assertThat(findings.get(0).get("Name").asText()).isEqualTo("CVE-2021-23337");
        assertThat(findings.get(0).get("FixedBy").asText()).isEqualTo("4.17.21");
        assertThat(report.vulnerabilityCounts()).containsEntry("High", 1);
        assertThat(report.vulnerabilityData()).isEqualTo("test (1 advisory)");
        assertThat(report.sbom()).isEqualTo(new BuildReport.Sbom("CycloneDX 1.6 JSON", 1, "/api/v1/builds/b1/sbom"));
        // report.json keeps the shape it had as a map: these fields, in this order
        JsonNode sbom = JSON.readTree(Pipeline.toJson(report)).get("sbom");
        assertThat(sbom.fieldNames()).toIterable().containsExactly("format", "components", "download");
        assertThat(sbom.get("components").isInt()).isTrue();
        assertThat(sboms).singleElement().asString().contains("pkg:npm/lodash@4.17.20");
    }

    @Test
    void belowTheThresholdOrAllowlistedItPassesAndTheFindingStaysMarked() throws Exception {
        assertThat(result(run(index(), Policy.DEFAULT, new ArrayList<>())).verdict()).isEqualTo(Verdict.passed);
        BuildReport allowlisted = run(index(), new Policy(Severity.High, List.of(new Policy.AllowlistEntry("CVE-2021-23337",
                LocalDate.parse("2027-01-31"), "templates never take user input"))), new ArrayList<>());
        assertThat(allowlisted.success()).isTrue();
        assertThat(result(allowlisted).message()).contains("(1 allowlisted)");
        JsonNode marked = JSON.valueToTree(allowlisted.vulnerabilities()).get(0).get("Allowlisted");
        assertThat(marked.get("reason").asText()).isEqualTo("templates never take user input");
        assertThat(marked.get("expires").asText()).isEqualTo("2027-01-31");
    }

    @Test
    void withoutAdvisoryDataItWarnsAndSaysHowToImport() throws Exception {
        BuildReport report = run(AdvisoryIndex.builder().build("no advisory data imported", null), Policy.DEFAULT, new ArrayList<>());
        CheckResult r = result(report);
        assertThat(r.verdict()).isEqualTo(Verdict.warning);
        assertThat(r.message()).startsWith("no vulnerability data imported: 1 package(s)").contains("./drydock vulndb import")
                .contains("vulndb.feeds=osv");
        assertThat(report.success()).isTrue();
        assertThat(report.vulnerabilities()).isEmpty();
        assertThat(report.vulnerabilityData()).isEqualTo("no advisory data imported");
    }
}
