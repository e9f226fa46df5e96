package dev.drydock.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ImageReader;
import dev.drydock.image.LayerPass;
import dev.drydock.image.ResolvedImage;
import dev.drydock.image.TestImage;
import dev.drydock.image.TestTar;
import dev.drydock.oci.Digest;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.advisory.TestDatabases;
import dev.drydock.scanner.match.Finding;
import dev.drydock.scanner.match.Policy;
import dev.drydock.scanner.match.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner on an image read by drydock-image's real layer pass (gzip layers, history, whiteouts): what the
 * compliance pipeline will do, minus the registry.
 */
class RealLayerPassScanTest {
    @TempDir Path tmp;

    @Test
    void scanOfAnImageReadByTheLayerPass() throws Exception {
        InventoriesTest.requireDebianHost();
        TestImage images = new TestImage();
        byte[] base = new TestTar().file("usr/lib/os-release", Files.readString(Path.of("/usr/lib/os-release")))
                .symlink("etc/os-release", "../usr/lib/os-release")
                .file("var/lib/dpkg/status", Files.readAllBytes(Path.of("/var/lib/dpkg/status"))).gzip();
        byte[] app = new TestTar().file("opt/app/lib/log4j-core-2.14.1.jar", Files.readAllBytes(InventoriesTest.LOG4J))
                .file("opt/old/lib/log4j-core-2.14.1.jar", Files.readAllBytes(InventoriesTest.LOG4J)).gzip();
        byte[] cleanup = new TestTar().whiteout("opt/old").gzip();
        Digest pushed = images.image()
                .layer(base, "/bin/sh -c #(nop) ADD file:debian-bookworm in / ")
                .emptyStep("/bin/sh -c #(nop)  CMD [\"bash\"]")
                .layer(app, "COPY lib/ /opt/app/lib/ # buildkit")
                .layer(cleanup, "RUN /bin/sh -c rm -rf /opt/old # buildkit").push();
        ResolvedImage image = ImageReader.resolve(images, pushed);

        AdvisoryStore store = new AdvisoryStore(TestDatabases.vulnDb("pass"), InstantSource.fixed(Instant.EPOCH));
        store.importOsv("fixtures", Path.of("src/test/resources/osv"));
        Scanner scanner = new Scanner(store.loadIndex());
        List<String> digests = image.layers().stream().map(l -> l.digest().toString()).toList();
        ScanResult result;
        try (ImageFilesystem fs = LayerPass.read(images, image, Scanner.INTEREST, Scanner.EXTRACTION_LIMITS, tmp)) {
            result = scanner.scan(fs, digests);
        }

        assertThat(result.distro()).get().extracting(Distro::namespace).isEqualTo("debian:12");
        assertThat(result.packages()).filteredOn(p -> p.ecosystem().equals("Debian:12")).hasSizeGreaterThan(50);
        // the jar deleted by the last layer is not reported; the other one is, attributed to its layer and step
        assertThat(result.findings()).filteredOn(f -> f.severity() == Severity.Critical)
                .extracting(Finding::name, Finding::path, Finding::addedBy, Finding::addedByStep, Finding::fixedBy)
                .containsExactly(
                        org.assertj.core.api.Assertions.tuple("CVE-2021-44228", "opt/app/lib/log4j-core-2.14.1.jar",
                                digests.get(1), "COPY lib/ /opt/app/lib/ # buildkit", "2.15.0"),
                        org.assertj.core.api.Assertions.tuple("CVE-2021-45046", "opt/app/lib/log4j-core-2.14.1.jar",
                                digests.get(1), "COPY lib/ /opt/app/lib/ # buildkit", "2.16.0"));
        assertThat(result.findings()).anySatisfy(f -> {
            assertThat(f.name()).isEqualTo("CVE-2016-2781");
            assertThat(f.addedBy()).isEqualTo(digests.getFirst());
        });
        assertThat(result.vulnerabilityCounts()).containsEntry("Critical", 2).containsEntry("Negligible", 1);
        assertThat(result.problems()).isEmpty();
        assertThat(Policy.DEFAULT.evaluate(result.findings(), Instant.EPOCH).passed()).isFalse();
        assertThat(Map.copyOf(result.vulnerabilityCounts())).doesNotContainKey("Unknown");
    }

    /** A wanted jar over the pass's per-file limit: listed without its bytes, the scan says why and goes on. */
    @Test
    void aJarOverThePerFileLimitIsReportedAsSkippedWithTheReason() throws Exception {
        TestImage images = new TestImage();
        byte[] app = new TestTar().file("opt/app/lib/log4j-core-2.14.1.jar", Files.readAllBytes(InventoriesTest.LOG4J))
                .file("app/node_modules/lodash/package.json", "{\"name\":\"lodash\",\"version\":\"4.17.20\"}").gzip();
        ResolvedImage image = ImageReader.resolve(images, images.image().layer(app, "COPY . /").push());
        dev.drydock.image.ExtractionLimits oneMiB = new dev.drydock.image.ExtractionLimits(1 << 20,
                Scanner.EXTRACTION_LIMITS.maxTotalBytes(), Scanner.EXTRACTION_LIMITS.maxEntries(),
                Scanner.EXTRACTION_LIMITS.maxPathLength(), Scanner.EXTRACTION_LIMITS.maxPathDepth());
        ScanResult result;
        try (ImageFilesystem fs = LayerPass.read(images, image, Scanner.INTEREST, oneMiB, tmp)) {
            result = new Scanner(dev.drydock.scanner.advisory.AdvisoryIndex.builder().build("none", null))
                    .scan(fs, image.layers().stream().map(l -> l.digest().toString()).toList());
        }
        long jarBytes = Files.size(InventoriesTest.LOG4J);
        assertThat(result.problems()).containsExactly(new ScanProblem("opt/app/lib/log4j-core-2.14.1.jar",
                "content was not kept by the layer pass (not kept: " + jarBytes + " bytes, more than the 1 MiB Drydock keeps "
                        + "of one file); archive not read"));
        assertThat(result.packages()).extracting(InstalledPackage::name).containsExactly("lodash");
    }
}
