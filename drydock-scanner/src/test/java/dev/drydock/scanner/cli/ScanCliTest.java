package dev.drydock.scanner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drydock.image.ImageSource;
import dev.drydock.image.TestImage;
import dev.drydock.image.TestTar;
import dev.drydock.oci.Digest;
import dev.drydock.scanner.ScanResult;
import dev.drydock.scanner.Scanner;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.advisory.TestDatabases;
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

class ScanCliTest {
    static final Path LOG4J = Path.of("target/test-jars/log4j-core-2.14.1.jar");

    @TempDir Path tmp;

    /** Writes an OCI image layout directory holding the test image's blobs and its manifest. */
    static Path ociLayout(TestImage images, Digest manifest, Path dir) throws Exception {
        for (Map.Entry<Digest, byte[]> b : images.blobs.entrySet()) {
            Path p = dir.resolve("blobs/" + b.getKey().algorithm() + "/" + b.getKey().hex());
            Files.createDirectories(p.getParent());
            Files.write(p, b.getValue());
        }
        ImageSource.Manifest m = images.manifests.get(manifest);
        Files.write(dir.resolve("blobs/" + manifest.algorithm() + "/" + manifest.hex()), m.content());
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + m.mediaType()
                + "\",\"digest\":\"" + manifest + "\",\"size\":" + m.content().length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"1.0\"}}]}");
        return dir;
    }

    @Test
    void scanAnOciLayoutAndPrintTableAndJson() throws Exception {
        TestImage images = new TestImage();
        Digest pushed = images.image()
                .layer(new TestTar().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").gzip(), "ADD rootfs /")
                .layer(new TestTar().file("app/lib/log4j-core-2.14.1.jar", Files.readAllBytes(LOG4J)).gzip(), "COPY lib /app/lib")
                .push();
        Path layout = ociLayout(images, pushed, tmp.resolve("layout"));
        AdvisoryStore store = new AdvisoryStore(TestDatabases.vulnDb("cli"), InstantSource.fixed(Instant.parse("2026-11-25T00:00:00Z")));
        store.importOsv("fixtures", Path.of("src/test/resources/osv/maven"));
        Scanner scanner = new Scanner(store.loadIndex());

        ScanResult result = ScanCli.scanLocal(layout, scanner, tmp);
        Policy.Evaluation verdict = new Policy(Severity.parse("critical"), List.of()).evaluate(result.findings(), Instant.EPOCH);

        String table = ScanCli.table(result, verdict);
        assertThat(table).contains("OS: Debian GNU/Linux 12 (bookworm)").contains("CVE-2021-44228")
                .contains("org.apache.logging.log4j:log4j-core").contains("2.15.0").contains("FAILED: 2 vulnerabilities");
        JsonNode json = new ObjectMapper().readTree(ScanCli.json(result, verdict));
        assertThat(json.at("/vulnerabilities/0/Name").asText()).isEqualTo("CVE-2021-44228");
        assertThat(json.at("/vulnerabilityCounts/Critical").asInt()).isEqualTo(2);
        assertThat(json.at("/success").asBoolean()).isFalse();
        assertThat(json.at("/namespace").asText()).isEqualTo("debian:12");

        assertThat(ScanCli.status(store.status(), Instant.parse("2026-11-26T01:00:00Z")))
                .contains("fixtures").contains("osv").contains("(1d ago)");
        assertThatThrownBy(() -> Severity.parse("severe")).hasMessageContaining("Unknown, Negligible, Low");
    }
}
