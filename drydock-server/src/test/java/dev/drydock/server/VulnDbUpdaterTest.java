package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.vulns.VulnDbUpdater;
import dev.drydock.platform.vulns.VulnFeeds;
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
        // a mirror's credentials in the URL (user info and a query token): never recorded
        String withSecrets = url("/maven/all.zip?token=t0ken-in-query").replace("http://", "http://reader:s3cret@");
        try (TestDrydock d = TestDrydock.start(Map.of("vulndb.urls", withSecrets + "," + url("/broken/all.zip"),
                "vulndb.update-interval", "1h"))) {
            String admin = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            await().atMost(Duration.ofSeconds(30)).until(() -> d.api("GET", "/api/v1/vulndb", admin, null, 200)
                    .get("advisories").asInt() == 2);
            JsonNode status = d.api("GET", "/api/v1/vulndb", admin, null, 200);
            assertThat(status.get("sources").get(0).get("name").asText()).isEqualTo("127.0.0.1/maven/all.zip");
            // the source shows where the data came from, not the server's temporary download
            String location = status.get("sources").get(0).get("location").asText();
            assertThat(location).isEqualTo(url("/maven/all.zip"))
                    .doesNotContain("s3cret", "reader", "t0ken", d.dataDir().toString(), "vulndb-");

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
            JsonNode upload = null;
            for (JsonNode source : d.api("GET", "/api/v1/vulndb", admin, null, 200).get("sources")) {
                if (source.get("name").asText().equals("osv-debian")) upload = source;
            }
            assertThat(upload).as("the uploaded source is listed").isNotNull();
            assertThat(upload.get("location").asText()).as("an upload records no spool path").isEqualTo("upload");
            assertThat(vulns.index().advisories()).isEqualTo(2);
            vulns.reloadIfChanged();
            assertThat(vulns.index().advisories()).isEqualTo(3);
            String audit = d.api("GET", "/api/v1/audit?limit=50", admin, null, 200).toString();
            assertThat(audit).contains("vulndb.import", "scheduled update");
        }
    }

    /** Real OSV records shipped by Debian's golang-golang-x-vuln-dev (the Go vulnerability database's test data). */
    private static final Path GO_VULNDB = Path.of("/usr/share/gocode/src/golang.org/x/vuln/client/testdata/vulndb/ID");
    private static final String LAST_MODIFIED = "Wed, 02 Dec 2026 03:00:00 GMT";

    /** An osv.dev-style export on the local server: per ecosystem its all.zip, ETag or Last-Modified, answers 304. */
    private final class Mirror {
        final Map<String, byte[]> zips = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Integer> downloads = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Integer> notModified = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Mirror() {
            http.createContext("/mirror/", ex -> {
                String path = ex.getRequestURI().getPath();   // decoded: "/mirror/Rocky Linux/all.zip"
                String ecosystem = path.substring("/mirror/".length(), path.length() - "/all.zip".length());
                byte[] zip = zips.get(ecosystem);
                if (zip == null || failing.contains(ecosystem) || !path.endsWith("/all.zip")) {
                    ex.sendResponseHeaders(zip == null ? 404 : 500, -1);
                    ex.close();
                    return;
                }
                // npm and PyPI as a server with Last-Modified only; the others with an ETag of the content
                boolean byDate = ecosystem.equals("npm") || ecosystem.equals("PyPI");
                String etag = "\"" + java.util.HexFormat.of().formatHex(sha256(zip), 0, 8) + "\"";
                if (byDate ? LAST_MODIFIED.equals(ex.getRequestHeaders().getFirst("If-Modified-Since"))
                        : etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                    notModified.merge(ecosystem, 1, Integer::sum);
                    ex.sendResponseHeaders(304, -1);
                    ex.close();
                    return;
                }
                downloads.merge(ecosystem, 1, Integer::sum);
                ex.getResponseHeaders().set(byDate ? "Last-Modified" : "ETag", byDate ? LAST_MODIFIED : etag);
                ex.sendResponseHeaders(200, zip.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(zip);
                }
            });
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] zipOf(List<Path> records) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (Path p : records) {
                zip.putNextEntry(new java.util.zip.ZipEntry(p.getFileName().toString()));
                zip.write(Files.readAllBytes(p));
            }
        }
        return bytes.toByteArray();
    }

    private static List<Path> files(Path dir, String glob) throws IOException {
        try (var stream = Files.newDirectoryStream(dir, glob)) {
            List<Path> out = new java.util.ArrayList<>();
            stream.forEach(out::add);
            return out.stream().sorted().toList();
        }
    }

    @Test
    void vulndbFeedsOsvFetchesEveryEcosystemFromTheMirrorAndTheNextUpdateCostsA304Each() throws Exception {
        dev.drydock.testkit.Prerequisites.require(Files.isDirectory(GO_VULNDB),
                "the Go vulnerability database test data (" + GO_VULNDB + ")", "golang-golang-x-vuln-dev");
        Mirror mirror = new Mirror();
        Path scannerOsv = Path.of("../drydock-scanner/src/test/resources/osv");
        for (String ecosystem : dev.drydock.scanner.Inventories.OSV_ECOSYSTEMS) {
            mirror.zips.put(ecosystem, zipOf(List.of()));   // an ecosystem with no records: an empty export
        }
        mirror.zips.put("Maven", zipOf(files(scannerOsv.resolve("maven"), "*.json")));
        mirror.zips.put("Debian", zipOf(files(scannerOsv.resolve("debian"), "*.json")));
        mirror.zips.put("Go", zipOf(files(GO_VULNDB, "GO-*.json")));
        mirror.failing.add("Ubuntu");   // one feed down at the first update: the others go on

        try (TestDrydock d = TestDrydock.start(Map.of("vulndb.feeds", "osv", "vulndb.osv-base-url", url("/mirror")))) {
            String admin = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
            // the update runs at start (the interval defaults to daily with vulndb.feeds)
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode feeds = d.api("GET", "/api/v1/vulndb", admin, null, 200).get("feeds");
                for (JsonNode f : feeds) if (f.get("lastChecked").isNull() && f.get("lastFailure").isNull()) return false;
                return feeds.size() == 9;
            });
            assertThat(mirror.downloads.keySet()).containsExactlyInAnyOrderElementsOf(
                    dev.drydock.scanner.Inventories.OSV_ECOSYSTEMS.stream().filter(e -> !e.equals("Ubuntu")).toList());
            assertThat(mirror.downloads.values()).containsOnly(1);
            JsonNode status = d.api("GET", "/api/v1/vulndb", admin, null, 200);
            Map<String, JsonNode> feeds = new java.util.HashMap<>();
            status.get("feeds").forEach(f -> feeds.put(f.get("name").asText(), f));
            assertThat(feeds.keySet()).containsExactlyInAnyOrder("osv/Debian", "osv/Ubuntu", "osv/Alpine", "osv/AlmaLinux",
                    "osv/Rocky Linux", "osv/Maven", "osv/npm", "osv/PyPI", "osv/Go");
            assertThat(feeds.get("osv/Rocky Linux").get("url").asText()).isEqualTo(url("/mirror/Rocky%20Linux/all.zip"));
            assertThat(feeds.get("osv/Maven").get("advisories").asInt()).isEqualTo(2);
            assertThat(feeds.get("osv/Debian").get("advisories").asInt()).isEqualTo(2);
            assertThat(feeds.get("osv/Go").get("advisories").asInt()).isEqualTo(5);
            assertThat(feeds.get("osv/Maven").get("lastChanged").isNull()).isFalse();
            assertThat(feeds.get("osv/Ubuntu").get("error").asText()).isEqualTo("HTTP 500");
            assertThat(feeds.get("osv/Ubuntu").get("lastChecked").isNull()).isTrue();
            assertThat(status.get("advisories").asInt()).isEqualTo(9);
            for (JsonNode source : status.get("sources")) {
                // each feed's source records the export it came from (the URL, encoded as fetched)
                String ecosystem = source.get("name").asText().substring("osv/".length());
                assertThat(source.get("location").asText()).isEqualTo(url("/mirror/" + ecosystem.replace(" ", "%20") + "/all.zip"));
            }

            // the server's scans see the data: log4j-core 2.14.1 and Go 1.4.2's standard library are affected
            var db = d.server().database();
            VulnerabilityService vulns = new VulnerabilityService(db.dataSource(), db.jdbi(), null,
                    new AuditLog(db.jdbi(), InstantSource.system()), InstantSource.system(), Severity.Critical,
                    VulnFeeds.expand(List.of("osv"), URI.create(url("/mirror"))), VulnerabilityService.DataListener.NONE);
            assertThat(vulns.index().affecting("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"))
                    .extracting(h -> h.advisory().id()).contains("GHSA-jfh8-c2jp-5v3q");
            assertThat(vulns.index().affecting("Go", "stdlib", "v1.4.2")).extracting(h -> h.advisory().id())
                    .contains("GO-2021-0159");
            String importedAt = importedAt(d, admin, "osv/Maven");
            int imports = auditCount(d, admin);

            // The next update, by a new updater on the same database (as after a restart): a 304 for each feed
            // imported before, no download, no import; Ubuntu, back up, is fetched and imported.
            mirror.failing.clear();
            VulnDbUpdater next = new VulnDbUpdater(vulns, VulnFeeds.expand(List.of("osv"), URI.create(url("/mirror"))),
                    d.dataDir().resolve("tmp"), Duration.ofSeconds(10));
            List<VulnDbUpdater.Outcome> outcomes = next.updateAll();
            assertThat(outcomes).filteredOn(o -> !o.url().getPath().contains("Ubuntu")).hasSize(8)
                    .allSatisfy(o -> assertThat(o.unchanged()).as(o.url().toString()).isTrue())
                    .extracting(VulnDbUpdater.Outcome::report).containsOnlyNulls();
            assertThat(outcomes).filteredOn(o -> o.url().getPath().contains("Ubuntu")).singleElement()
                    .satisfies(o -> assertThat(o.report()).isNotNull());
            assertThat(mirror.notModified.values()).hasSize(8).containsOnly(1);
            assertThat(mirror.downloads.get("Maven")).isEqualTo(1);
            assertThat(auditCount(d, admin)).as("only Ubuntu imported").isEqualTo(imports + 1);
            assertThat(importedAt(d, admin, "osv/Maven")).as("not re-imported").isEqualTo(importedAt);

            // A changed export is downloaded again; a feed that fails keeps its data and says why.
            mirror.zips.put("Debian", zipOf(files(scannerOsv.resolve("debian"), "DEBIAN-CVE-2016-*.json")));
            mirror.failing.add("Maven");
            outcomes = next.updateAll();
            assertThat(mirror.downloads.get("Debian")).isEqualTo(2);
            assertThat(outcomes).filteredOn(o -> o.url().getPath().contains("Debian")).singleElement()
                    .satisfies(o -> assertThat(o.report().unchanged()).isEqualTo(1));
            assertThat(vulns.feedStatus()).filteredOn(f -> f.feed().name().equals("osv/Maven")).singleElement()
                    .satisfies(f -> {
                        assertThat(f.error()).isEqualTo("HTTP 500");
                        assertThat(f.advisories()).isEqualTo(2);
                        assertThat(f.lastChanged()).isNotNull();
                    });
            vulns.reloadIfChanged();
            assertThat(vulns.index().affecting("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")).isNotEmpty();

            // A source removed from the store by hand is fetched whole again, not answered "not modified" forever.
            db.jdbi().useHandle(h -> h.execute("delete from vuln_sources where name = 'osv/Alpine'"));
            next.updateAll();
            assertThat(mirror.downloads.get("Alpine")).isEqualTo(2);
        }
    }

    private static String importedAt(TestDrydock d, String admin, String source) {
        for (JsonNode s : d.api("GET", "/api/v1/vulndb", admin, null, 200).get("sources")) {
            if (s.get("name").asText().equals(source)) return s.get("importedAt").asText();
        }
        throw new AssertionError("no source " + source);
    }

    private static int auditCount(TestDrydock d, String admin) {
        int n = 0;
        for (JsonNode e : d.api("GET", "/api/v1/audit?limit=1000", admin, null, 200)) {
            if (e.path("action").asText().equals("vulndb.import")) n++;
        }
        return n;
    }
}
