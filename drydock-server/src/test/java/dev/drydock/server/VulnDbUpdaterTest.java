package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.vulns.VulnDbUpdater;
import dev.drydock.platform.vulns.VulnerabilityService;
import dev.drydock.scanner.match.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduled advisory update against a local HTTP server: an osv.dev-style all.zip (the project's real OSV
 * records for log4j) is imported at start and swapped into the running scans; a URL that answers 500, one that
 * breaks off mid-download and one that serves a truncated zip never empty what was imported before.
 */
class VulnDbUpdaterTest {
    HttpServer http;
    byte[] allZip;

    @BeforeEach
    void serve() throws IOException {
        allZip = VulnerabilityScanE2ETest.osvAllZip();
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/maven/all.zip", ex -> {
            ex.sendResponseHeaders(200, allZip.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(allZip);
            }
        });
        http.createContext("/broken/all.zip", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        http.createContext("/cut/all.zip", ex -> {
            // announces the whole file, sends half, hangs up
            ex.sendResponseHeaders(200, allZip.length);
            OutputStream out = ex.getResponseBody();
            out.write(allZip, 0, allZip.length / 2);
            out.flush();
            out.close(); // "insufficient bytes written": the server drops the connection

        });
        http.createContext("/truncated/all.zip", ex -> {
            byte[] half = java.util.Arrays.copyOf(allZip, allZip.length / 2);
            ex.sendResponseHeaders(200, half.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(half);
            }
        });
        http.start();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void theServerImportsTheConfiguredUrlsAtStartAndFailedUpdatesKeepTheData() throws Exception {
        try (TestDrydock d = TestDrydock.start(Map.of("vulndb.urls", url("/maven/all.zip") + "," + url("/broken/all.zip"),
                "vulndb.update-interval", "1h"))) {
            String admin = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            await().atMost(Duration.ofSeconds(30)).until(() -> d.api("GET", "/api/v1/vulndb", admin, null, 200)
                    .get("advisories").asInt() == 2);
            JsonNode status = d.api("GET", "/api/v1/vulndb", admin, null, 200);
            assertThat(status.get("sources").get(0).get("name").asText()).isEqualTo("127.0.0.1/maven/all.zip");

            // The same service and data, updated from failing URLs: nothing is imported, nothing is lost.
            var db = d.server().database();
            VulnerabilityService vulns = new VulnerabilityService(db.dataSource(), db.jdbi(), null,
                    new AuditLog(db.jdbi(), InstantSource.system()), InstantSource.system(), Severity.Critical);
            assertThat(vulns.index().advisories()).isEqualTo(2);
            VulnDbUpdater updater = VulnDbUpdater.ofUrls(vulns, List.of(URI.create(url("/broken/all.zip")),
                    URI.create(url("/cut/all.zip")), URI.create("http://127.0.0.1:1/nothing-listens.zip")),
                    d.dataDir().resolve("tmp"), Duration.ofSeconds(10));
            List<VulnDbUpdater.Outcome> outcomes = updater.updateAll();
            assertThat(outcomes).extracting(VulnDbUpdater.Outcome::report).containsOnlyNulls();
            assertThat(outcomes.get(0).error()).isEqualTo("HTTP 500");
            assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isNotBlank());
            assertThat(vulns.index().advisories()).isEqualTo(2);
            assertThat(d.api("GET", "/api/v1/vulndb", admin, null, 200).get("advisories").asInt()).isEqualTo(2);

            // A complete download of a truncated zip imports what it can read and deletes nothing.
            VulnDbUpdater truncated = VulnDbUpdater.ofUrls(vulns, List.of(URI.create(url("/truncated/all.zip"))),
                    d.dataDir().resolve("tmp"), Duration.ofSeconds(10));
            truncated.updateAll();
            assertThat(vulns.index().advisories()).isEqualTo(2);
            try (var left = Files.list(d.dataDir().resolve("tmp"))) {
                assertThat(left.toList()).as("downloads are deleted").isEmpty();
            }
            // Another node on the same database (this service) picks up an import made through the API.
            HttpResponse<String> imported = d.send(HttpRequest.newBuilder(URI.create(d.url()
                            + "/api/v1/vulndb/imports?format=osv&source=osv-debian")).header("Authorization", admin)
                    .POST(HttpRequest.BodyPublishers.ofFile(Path.of("../drydock-scanner/src/test/resources/osv/debian/DEBIAN-CVE-2016-2781.json")))
                    .build());
            assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
            assertThat(vulns.index().advisories()).isEqualTo(2);
            vulns.reloadIfChanged();
            assertThat(vulns.index().advisories()).isEqualTo(3);
            String audit = d.api("GET", "/api/v1/audit?limit=50", admin, null, 200).toString();
            assertThat(audit).contains("vulndb.import", "scheduled update");
        }
    }
}
