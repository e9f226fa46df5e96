package dev.drydock.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SBOM of a real Debian root plus log4j, validated against the CycloneDX 1.6 JSON schema. */
class SbomTest {
    @TempDir Path tmp;

    @Test
    void cycloneDxSbomValidatesAndCarriesPurls() throws Exception {
        InventoriesTest.requireDebianHost();
        Path base = InventoriesTest.debianLayer(tmp.resolve("l0")), app = tmp.resolve("l1");
        TestLayers.copy(app, "opt/app/lib/log4j-core-2.14.1.jar", InventoriesTest.LOG4J);
        Inventories inventories = Inventories.defaults();
        ImageInventory inv = inventories.read(LayeredDirectoryFilesystem.of(inventories.interest(), base, app));
        List<String> layers = List.of("sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64));

        String json = Sbom.cycloneDxJson(inv, "localhost:5000/17532/my-adapter:1.0", "sha256:" + "c".repeat(64), layers,
                Instant.parse("2026-11-25T03:00:00Z"));

        assertThat(new JsonParser().validate(json.getBytes(StandardCharsets.UTF_8), Version.VERSION_16)).isEmpty();
        JsonNode bom = new ObjectMapper().readTree(json);
        assertThat(bom.at("/metadata/component/type").asText()).isEqualTo("container");
        List<String> purls = new ArrayList<>();
        bom.path("components").forEach(c -> purls.add(c.path("purl").asText("")));
        assertThat(purls).contains("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
                .anySatisfy(p -> assertThat(p).startsWith("pkg:deb/debian/libc6@").contains("distro=debian-12")
                        .contains("upstream=glibc"));
        assertThat(bom.path("components")).hasSize(inv.packages().size() + 1);   // + the operating system
        JsonNode log4j = null;
        for (JsonNode c : bom.path("components")) if (c.path("name").asText().endsWith("log4j-core")) log4j = c;
        assertThat(log4j.toString()).contains("\"drydock:layer\"").contains(layers.get(1));
    }

    /**
     * What the service re-matches after an import: the packages read back from a stored SBOM give the same findings
     * as the inventory it was written from (OS packages by their source package and version, language packages by
     * their own), with each package's purl.
     */
    @Test
    void anSbomReadBackMatchesLikeTheInventoryItWasWrittenFrom() throws Exception {
        Distro debian = OsDetector.of("debian", "12", "Debian GNU/Linux 12 (bookworm)", "etc/os-release");
        List<String> layers = List.of("sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64));
        ImageInventory inv = new ImageInventory(java.util.Optional.of(debian), List.of(
                // a binNMU: the binary version differs from the source version advisories name
                new InstalledPackage("Debian:12", "libc6", "2.36-9+deb12u1+b1", "glibc", "2.36-9+deb12u1",
                        "var/lib/dpkg/status", 0, "ADD rootfs.tar.gz /"),
                new InstalledPackage("Debian:12", "coreutils", "9.1-1", null, null, "var/lib/dpkg/status", 0, null),
                new InstalledPackage("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", null, null,
                        "app/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar", 1, "COPY app.jar /app/")), List.of());
        String json = Sbom.cycloneDxJson(inv, "localhost:5000/17532/a:1", "sha256:" + "c".repeat(64), layers,
                Instant.parse("2026-11-25T03:00:00Z"));

        Sbom.Contents back = Sbom.read(new java.io.StringReader(json));

        assertThat(back.inventory().distro()).get().extracting(Distro::namespace, Distro::osvEcosystem)
                .containsExactly("debian:12", "Debian:12");
        assertThat(back.inventory().packages()).extracting(InstalledPackage::ecosystem, InstalledPackage::name,
                        InstalledPackage::version, InstalledPackage::sourceName, InstalledPackage::sourceVersion,
                        InstalledPackage::path, InstalledPackage::createdBy)
                .containsExactlyElementsOf(inv.packages().stream().map(p -> org.assertj.core.groups.Tuple.tuple(p.ecosystem(),
                        p.name(), p.version(), p.sourceName(), p.sourceVersion(), p.path(), p.createdBy())).toList());
        var index = dev.drydock.scanner.advisory.AdvisoryIndex.builder();
        for (String f : List.of("osv/debian/DEBIAN-CVE-2023-4911.json", "osv/maven/GHSA-jfh8-c2jp-5v3q.json")) {
            index.add(dev.drydock.scanner.advisory.OsvParser.parse(java.nio.file.Files.readAllBytes(Path.of("src/test/resources", f))));
        }
        var matcher = new dev.drydock.scanner.match.Matcher(index.build("fixtures", null));
        var direct = matcher.match(inv, layers);
        var again = matcher.match(back.inventory(), back.layerDigests());
        assertThat(again).isEqualTo(direct).extracting(dev.drydock.scanner.match.Finding::name)
                .containsExactly("CVE-2021-44228", "CVE-2023-4911");
        assertThat(again).extracting(back::purl).containsExactly(
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1%2Bb1?distro=debian-12&upstream=glibc");
    }
}
