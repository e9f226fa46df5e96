package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.image.TestTar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.drydock.server.TestImages.GOOD_MANIFEST;
import static dev.drydock.server.TestImages.adapterLayer;
import static dev.drydock.server.TestImages.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./drydock scan}, {@code vulndb import} and {@code vulndb status} on real data: an OCI layout holding the
 * real log4j-core 2.14.1 jar, the project's OSV records for it, the embedded database of a data directory, and
 * the clear error while a running server holds that database.
 */
class VulnCliTest {
    private static final Path LOG4J = Path.of("target/test-jars/log4j-core-2.14.1.jar");
    private static final Path OSV = Path.of("../drydock-scanner/src/test/resources/osv/maven");
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    private static Run drydock(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path log4jImage() throws IOException {
        return TestImages.writeLayout(image().layer(adapterLayer(GOOD_MANIFEST, "x"), "COPY . /")
                .layer(new TestTar().dir("app").file("app/app.jar", Files.readAllBytes(LOG4J)), "COPY app.jar /app/")
                .build(), tmp.resolve("image"));
    }

    @Test
    void scanWithAdvisoryFilesFailsOnLog4ShellAndFailOnMovesTheThreshold() throws IOException {
        Path image = log4jImage();
        Run json = drydock("scan", image.toString(), "--format", "json", "--vulndb", OSV.toString(), "--data", tmp.resolve("none").toString());
        assertThat(json.code()).as(json.err()).isEqualTo(1);
        JsonNode result = BuildFixture.parse(json.out());
        assertThat(result.get("vulnerabilities").findValuesAsText("Name")).contains("CVE-2021-44228", "CVE-2021-45046");
        assertThat(result.get("vulnerabilityCounts").get("Critical").asInt()).isPositive();

        Run table = drydock("scan", image.toString(), "--vulndb", OSV.toString(), "--data", tmp.resolve("none").toString());
        assertThat(table.code()).isEqualTo(1);
        assertThat(table.out()).contains("CVE-2021-44228", "org.apache.logging.log4j:log4j-core", "2.15.0", "FAILED");

        assertThat(drydock("scan", image.toString(), "--vulndb", OSV.toString(), "--fail-on", "defcon1",
                "--data", tmp.resolve("none").toString()).code()).isZero();
        Run badSeverity = drydock("scan", image.toString(), "--fail-on", "urgent", "--data", tmp.resolve("none").toString());
        assertThat(badSeverity.code()).isEqualTo(2);
        assertThat(badSeverity.err()).contains("--fail-on", "unknown severity 'urgent'");
        assertThat(drydock("scan", tmp.resolve("missing.tar").toString()).code()).isEqualTo(2);
    }

    @Test
    void vulndbImportFillsTheDataDirectoryDatabaseThatScanThenUses() throws IOException {
        Path data = tmp.resolve("data");
        Run imported = drydock("vulndb", "import", OSV.toString(), "--source", "osv-maven", "--data", data.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("osv-maven: 2 read, 2 new");
        Run again = drydock("vulndb", "import", OSV.toString(), "--source", "osv-maven", "--data", data.toString());
        assertThat(again.out()).contains("2 unchanged");
        Run status = drydock("vulndb", "status", "--data", data.toString());
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("osv-maven", "SOURCE");
        Run scan = drydock("scan", log4jImage().toString(), "--data", data.toString());
        assertThat(scan.code()).isEqualTo(1);
        assertThat(scan.out()).contains("CVE-2021-44228", "osv-maven (2 advisories");
    }

    @Test
    void scanByReferenceReadsAnImagePushedToThisDrydockFromItsDataDirectory() throws IOException {
        String repository = "17532/log4j-app";
        TestImages.Built built = image().layer(adapterLayer(GOOD_MANIFEST, "x"), "COPY . /")
                .layer(new TestTar().dir("app").file("app/app.jar", Files.readAllBytes(LOG4J)), "COPY app.jar /app/").build();
        Path data;
        try (TestDrydock d = TestDrydock.start()) {
            d.createOrg(17532);
            d.addMember(17532, "dev@acme.test", "developer");
            TestImages.push(d, repository, d.token("dev@acme.test", TestDrydock.PASSWORD, "repository:" + repository + ":pull,push"),
                    built, "1.0");
            data = d.dataDir();
            String host = "127.0.0.1:" + d.port();
            d.stop(); // the embedded database is free for the command now

            Run byTag = drydock("scan", host + "/" + repository + ":1.0", "--vulndb", OSV.toString(), "--data", data.toString());
            assertThat(byTag.code()).as(byTag.err()).isEqualTo(1);
            assertThat(byTag.out()).contains("CVE-2021-44228", "org.apache.logging.log4j:log4j-core", "2.15.0", "FAILED");

            Run unknownTag = drydock("scan", repository + ":2.0", "--data", data.toString());
            assertThat(unknownTag.code()).isEqualTo(2);
            assertThat(unknownTag.err()).contains("no image " + repository + ":2.0 in " + data);

            Run notAReference = drydock("scan", "no/such:file:at:all", "--data", data.toString());
            assertThat(notAReference.code()).isEqualTo(2);
            assertThat(notAReference.err()).contains("no such file or directory", "nor a reference");
        }
    }

    /** The server in its own JVM (H2 lets one JVM share its file database; another process is locked out). */
    @Test
    void whileTheServerHoldsTheEmbeddedDatabaseTheCommandsSayToUseTheApi() throws Exception {
        Path data = tmp.resolve("served");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--data", data.toString(),
                "--port", "0", "--bind", "127.0.0.1").redirectErrorStream(true);
        // no sandbox engine: a Podman service this server started would outlive the forced stop below
        builder.environment().put("DRYDOCK_SANDBOX_ENGINE", "none");
        Process server = builder.start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()))) {
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.contains("Drydock listening"));
            assertThat(line).as("the child server started").isNotNull();
            Run imported = drydock("vulndb", "import", OSV.toString(), "--data", data.toString());
            assertThat(imported.code()).isEqualTo(1);
            assertThat(imported.err()).contains("the server is running",
                    "stop the server or use the API (POST /api/v1/vulndb/imports");
            Run status = drydock("vulndb", "status", "--data", data.toString());
            assertThat(status.code()).isEqualTo(1);
            assertThat(status.err()).contains("stop the server or use the API");
            Run scan = drydock("scan", log4jImage().toString(), "--data", data.toString());
            assertThat(scan.code()).isEqualTo(2);
            assertThat(scan.err()).contains("stop the server or use the API", "or pass the advisory files with --vulndb");
        } finally {
            server.destroyForcibly().waitFor();
        }
    }
}
