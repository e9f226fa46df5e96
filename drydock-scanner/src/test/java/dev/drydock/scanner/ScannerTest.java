package dev.drydock.scanner;

import static dev.drydock.scanner.TestLayers.copy;
import static dev.drydock.scanner.TestLayers.pomProperties;
import static dev.drydock.scanner.TestLayers.write;
import static dev.drydock.scanner.TestLayers.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.advisory.TestDatabases;
import dev.drydock.scanner.match.Finding;
import dev.drydock.scanner.match.Policy;
import dev.drydock.scanner.match.Severity;
import dev.drydock.scanner.versions.DpkgVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the library API: real packages in a layered test filesystem, real advisory facts imported
 * through the store, Clair-format findings, policy verdicts.
 */
class ScannerTest {
    static final Instant NOW = Instant.parse("2026-11-25T03:00:00Z");
    static final List<String> LAYERS = List.of(
            "sha256:1111111111111111111111111111111111111111111111111111111111111111",
            "sha256:2222222222222222222222222222222222222222222222222222222222222222");
    static Scanner scanner;

    @TempDir Path tmp;

    @BeforeAll
    static void loadAdvisories() throws Exception {
        AdvisoryStore store = new AdvisoryStore(TestDatabases.vulnDb("scanner"), InstantSource.fixed(NOW));
        store.importOsv("drydock-fixtures-maven", Path.of("src/test/resources/osv/maven"));
        store.importOsv("drydock-fixtures-debian", Path.of("src/test/resources/osv/debian"));
        scanner = new Scanner(store.loadIndex());
    }

    private ScanResult scan(Path... layers) {
        List<String> steps = List.of("/bin/sh -c #(nop) ADD file:4b5e in / ", "COPY app.jar /app/app.jar # buildkit");
        try (LayeredDirectoryFilesystem fs = new LayeredDirectoryFilesystem(List.of(layers), steps.subList(0, layers.length),
                Scanner.INTEREST)) {
            return scanner.scan(fs, LAYERS.subList(0, layers.length));
        }
    }

    @Test
    void log4shellInASpringBootJarIsCriticalAndFailsTheDefaultPolicy() throws Exception {
        Path base = tmp.resolve("l0"), app = tmp.resolve("l1");
        write(base, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
        Map<String, byte[]> fat = new LinkedHashMap<>();
        fat.put("META-INF/maven/com.example/app/pom.properties", pomProperties("com.example", "app", "1.0.0"));
        fat.put("BOOT-INF/lib/log4j-core-2.14.1.jar", Files.readAllBytes(InventoriesTest.LOG4J));
        write(app, "app/app.jar", zip(fat, true));

        ScanResult result = scan(base, app);

        assertThat(result.findings()).extracting(Finding::name, Finding::severity, Finding::fixedBy, Finding::featureName,
                Finding::featureVersion, Finding::addedBy, Finding::addedByStep, Finding::path).containsExactly(
                tuple("CVE-2021-44228", Severity.Critical, "2.15.0", "org.apache.logging.log4j:log4j-core", "2.14.1",
                        LAYERS.get(1), "COPY app.jar /app/app.jar # buildkit", "app/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar"),
                tuple("CVE-2021-45046", Severity.Critical, "2.16.0", "org.apache.logging.log4j:log4j-core", "2.14.1",
                        LAYERS.get(1), "COPY app.jar /app/app.jar # buildkit", "app/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar"));
        Finding log4shell = result.findings().getFirst();
        assertThat(log4shell.namespaceName()).isEqualTo("maven");
        assertThat(log4shell.link()).isEqualTo("https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
        assertThat(log4shell.metadata().nvd().cvssV2()).isEqualTo(new Finding.Score(9.3, "AV:N/AC:M/Au:N/C:C/I:C/A:C"));
        assertThat(log4shell.metadata().nvd().cvssV3().score()).isEqualTo(10.0);
        assertThat(result.vulnerabilityCounts()).isEqualTo(Map.of("Critical", 2));
        assertThat(result.dataVersion()).contains("drydock-fixtures-maven (2 advisories");

        Policy.Evaluation verdict = Policy.DEFAULT.evaluate(result.findings(), NOW);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.failing()).hasSize(2);
        assertThat(verdict.message()).isEqualTo("2 vulnerabilities at or above Critical, e.g. CVE-2021-44228 in "
                + "org.apache.logging.log4j:log4j-core 2.14.1 (fixed by 2.15.0): upgrade the package or allowlist the CVE with a reason");
    }

    @Test
    void allowlistedFindingsStayVisibleButDoNotFail() throws Exception {
        Path l0 = tmp.resolve("l0");
        write(l0, "opt/log4j-core-2.14.1.jar", Files.readAllBytes(InventoriesTest.LOG4J));
        List<Finding> findings = scan(l0).findings();
        Policy policy = new Policy(Severity.Critical, List.of(
                new Policy.AllowlistEntry("CVE-2021-44228", LocalDate.parse("2026-12-31"), "JNDI lookups disabled by flag, ticket SEC-12"),
                new Policy.AllowlistEntry("GHSA-7rjr-3q55-vv33", null, "no thread context data from users")));
        Policy.Evaluation verdict = policy.evaluate(findings, NOW);
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.findings()).hasSize(2).allSatisfy(f -> assertThat(f.allowlisted()).isNotNull());
        assertThat(verdict.counts()).isEqualTo(Map.of("Critical", 2));
        assertThat(verdict.message()).isEqualTo("no unallowlisted vulnerability at or above Critical (2 allowlisted)");

        Policy expired = new Policy(Severity.Critical, List.of(
                new Policy.AllowlistEntry("CVE-2021-44228", LocalDate.parse("2026-11-24"), "expired yesterday")));
        assertThat(expired.evaluate(findings, NOW).failing()).extracting(Finding::name).containsExactly("CVE-2021-44228", "CVE-2021-45046");

        Policy lenient = new Policy(Severity.Defcon1, List.of());
        assertThat(lenient.evaluate(findings, NOW).passed()).isTrue();
    }

    @Test
    void realDebianPackagesMatchedBySourcePackage() throws Exception {
        InventoriesTest.requireDebianHost();
        Path base = InventoriesTest.debianLayer(tmp.resolve("l0"));
        ScanResult result = scan(base);

        // coreutils: CVE-2016-2781 has no fix in Debian 12; Debian's urgency (unimportant) beats CVSS 6.5
        assertThat(result.findings()).filteredOn(f -> f.featureName().equals("coreutils")).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("CVE-2016-2781");
            assertThat(f.namespaceName()).isEqualTo("debian:12");
            assertThat(f.severity()).isEqualTo(Severity.Negligible);
            assertThat(f.fixedBy()).isEmpty();
            assertThat(f.link()).isEqualTo("https://security-tracker.debian.org/tracker/CVE-2016-2781");
            assertThat(f.metadata().nvd().cvssV2().score()).isEqualTo(2.1);
            assertThat(f.addedBy()).isEqualTo(LAYERS.getFirst());
        });
        // glibc: CVE-2023-4911 was fixed in 2.36-9+deb12u3; this host's libc6 is at or past that, so no finding
        String libc = result.packages().stream().filter(p -> p.name().equals("libc6")).findFirst().orElseThrow().version();
        assertThat(DpkgVersion.INSTANCE.compare(libc, "2.36-9+deb12u3")).isNotNegative();
        assertThat(result.findings()).noneMatch(f -> f.name().equals("CVE-2023-4911"));
        assertThat(Policy.DEFAULT.evaluate(result.findings(), NOW).passed()).isTrue();
    }

    @Test
    void olderGlibcFromDebian12ReleaseIsAffectedUntilDeb12u3() throws Exception {
        InventoriesTest.requireDebianHost();
        Path base = InventoriesTest.debianLayer(tmp.resolve("l0"));
        // the same real status file with libc6 at 2.36-9, the version Debian 12.0 shipped
        Path status = base.resolve("var/lib/dpkg/status");
        String text = Files.readString(status, StandardCharsets.UTF_8);
        int start = text.indexOf("Package: libc6\n");
        int version = text.indexOf("\nVersion: ", start) + "\nVersion: ".length();
        int end = text.indexOf('\n', version);
        Files.writeString(status, text.substring(0, version) + "2.36-9" + text.substring(end), StandardCharsets.UTF_8);

        ScanResult result = scan(base);
        assertThat(result.findings()).filteredOn(f -> f.name().equals("CVE-2023-4911")).singleElement().satisfies(f -> {
            assertThat(f.featureName()).isEqualTo("libc6");
            assertThat(f.featureVersion()).isEqualTo("2.36-9");
            assertThat(f.fixedBy()).isEqualTo("2.36-9+deb12u3");
            assertThat(f.severity()).isEqualTo(Severity.High);   // CVSS 7.8, no Debian urgency in the record
        });
    }

    @Test
    void theSameCvesFromOsvAndTheDebianTrackerGiveOneFindingEach() throws Exception {
        // an operator with vulndb.feeds=osv (OSV Debian: DEBIAN-CVE-… records) who also lists the tracker in vulndb.urls
        InventoriesTest.requireDebianHost();
        AdvisoryStore both = new AdvisoryStore(TestDatabases.vulnDb("both" + System.nanoTime()), InstantSource.fixed(NOW));
        both.importOsv("osv/Debian", Path.of("src/test/resources/osv/debian"));
        both.importDebianTracker("debian-tracker", Path.of("src/test/resources/feeds/debian-tracker.json"));
        AdvisoryIndex index = both.loadIndex();
        assertThat(index.advisories()).isEqualTo(4);   // two CVEs, each stored by both sources under its own id
        Path base = InventoriesTest.debianLayer(tmp.resolve("l0"));
        Path status = base.resolve("var/lib/dpkg/status");
        String text = Files.readString(status, StandardCharsets.UTF_8);
        int start = text.indexOf("Package: libc6\n");
        int version = text.indexOf("\nVersion: ", start) + "\nVersion: ".length();
        Files.writeString(status, text.substring(0, version) + "2.36-9" + text.substring(text.indexOf('\n', version)),
                StandardCharsets.UTF_8);
        try (LayeredDirectoryFilesystem fs = LayeredDirectoryFilesystem.of(Scanner.INTEREST, base)) {
            List<Finding> findings = new Scanner(index).scan(fs, LAYERS.subList(0, 1)).findings();
            assertThat(findings).filteredOn(f -> f.name().equals("CVE-2016-2781")).singleElement()
                    .extracting(Finding::featureName).isEqualTo("coreutils");
            assertThat(findings).filteredOn(f -> f.name().equals("CVE-2023-4911")).singleElement()
                    .extracting(Finding::featureName).isEqualTo("libc6");
        }
    }

    @Test
    void clairV2JsonShape() throws Exception {
        Path l0 = tmp.resolve("l0");
        copy(l0, "opt/log4j-core-2.14.1.jar", InventoriesTest.LOG4J);
        Finding f = scan(l0).findings().getFirst();
        JsonNode json = new ObjectMapper().valueToTree(f);
        assertThat(json.fieldNames()).toIterable().containsExactly("Name", "NamespaceName", "Description", "Link", "Severity",
                "Metadata", "FixedBy", "FeatureName", "FeatureVersion", "AddedBy", "AddedByStep", "Path", "Advisory");
        assertThat(json.at("/Metadata/NVD/CVSSv2/Score").asDouble()).isEqualTo(9.3);
        assertThat(json.at("/Metadata/NVD/CVSSv2/Vectors").asText()).isEqualTo("AV:N/AC:M/Au:N/C:C/I:C/A:C");
        assertThat(json.at("/Severity").asText()).isEqualTo("Critical");
    }

    @Test
    void noAdvisoryDataMeansNoFindingsAndSaysSo() throws Exception {
        Path l0 = tmp.resolve("l0");
        copy(l0, "opt/log4j-core-2.14.1.jar", InventoriesTest.LOG4J);
        Scanner empty = new Scanner(AdvisoryIndex.builder().build("no advisory data imported", null));
        try (LayeredDirectoryFilesystem fs = LayeredDirectoryFilesystem.of(Scanner.INTEREST, l0)) {
            ScanResult r = empty.scan(fs, LAYERS.subList(0, 1));
            assertThat(r.packages()).hasSize(1);
            assertThat(r.findings()).isEmpty();
            assertThat(r.dataVersion()).isEqualTo("no advisory data imported");
        }
    }
}
