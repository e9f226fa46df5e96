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
}
