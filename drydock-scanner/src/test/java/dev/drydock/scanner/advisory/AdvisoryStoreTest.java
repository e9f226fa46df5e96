package dev.drydock.scanner.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.drydock.testkit.Prerequisites;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdvisoryStoreTest {
    static final Path OSV = Path.of("src/test/resources/osv");
    /** Real OSV records shipped by Debian's golang-golang-x-vuln-dev (Go vulnerability database test data). */
    static final Path GO_VULNDB = Path.of("/usr/share/gocode/src/golang.org/x/vuln");

    @TempDir Path tmp;
    DataSource ds;
    final AtomicLong now = new AtomicLong(Instant.parse("2026-11-25T03:00:00Z").toEpochMilli());
    AdvisoryStore store;

    @BeforeEach
    void setUp() throws Exception {
        ds = TestDatabases.vulnDb("store" + System.nanoTime());
        store = new AdvisoryStore(ds, InstantSource.fixed(Instant.ofEpochMilli(now.get())));
    }

    @Test
    void importIsIdempotentAndReportsChanges() throws Exception {
        ImportReport first = store.importOsv("osv-maven", OSV.resolve("maven"));
        assertThat(first).extracting(ImportReport::read, ImportReport::inserted, ImportReport::updated,
                ImportReport::unchanged, ImportReport::failed).containsExactly(2, 2, 0, 0, 0);
        ImportReport again = store.importOsv("osv-maven", OSV.resolve("maven"));
        assertThat(again).extracting(ImportReport::inserted, ImportReport::updated, ImportReport::unchanged)
                .containsExactly(0, 0, 2);

        Path changed = tmp.resolve("changed.json");
        Files.writeString(changed, Files.readString(OSV.resolve("maven/GHSA-jfh8-c2jp-5v3q.json"))
                .replace("2025-01-14T08:00:00Z", "2025-02-01T00:00:00Z"));
        ImportReport update = store.importOsv("osv-maven", changed);
        assertThat(update).extracting(ImportReport::inserted, ImportReport::updated).containsExactly(0, 1);

        assertThat(store.status()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("osv-maven");
            assertThat(s.advisories()).isEqualTo(2);
            assertThat(s.newestRecord()).isEqualTo(Instant.parse("2025-02-01T00:00:00Z"));
            assertThat(s.importedAt()).isEqualTo(Instant.ofEpochMilli(now.get()));
        });
        AdvisoryIndex index = store.loadIndex();
        assertThat(index.advisories()).isEqualTo(2);
        assertThat(index.dataVersion()).startsWith("osv-maven (2 advisories, newest 2025-02-01, imported 2026-11-25T03:00Z)");
    }

    @Test
    void malformedRecordsAreCountedWithReasonsAndTheRestImported() throws Exception {
        Path dir = tmp.resolve("mixed");
        Files.createDirectories(dir);
        try (Stream<Path> files = Stream.concat(Files.list(OSV.resolve("malformed")), Files.list(OSV.resolve("debian")))) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        ImportReport report = store.importOsv("mixed", dir);
        assertThat(report.inserted()).isEqualTo(2);
        assertThat(report.failed()).isEqualTo(7);   // 4 bad files + an array of 3 numbers
        assertThat(report.errors()).extracting(ImportReport.RecordError::message).anySatisfy(m -> assertThat(m)
                .contains("BROKEN-1: modified is not an RFC 3339 time")).anySatisfy(m -> assertThat(m)
                .contains("BROKEN-2: affected[0]: package.ecosystem and package.name are required")).anySatisfy(m ->
                assertThat(m).contains("BROKEN-3: affected[0]: a range without an introduced event")).anySatisfy(m ->
                assertThat(m).startsWith("not JSON")).anySatisfy(m -> assertThat(m).isEqualTo("not a JSON object"));
    }

    @Test
    void osvDevAllZip() throws Exception {
        Path zip = tmp.resolve("all.zip");
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os);
             Stream<Path> files = Stream.concat(Files.list(OSV.resolve("maven")), Files.list(OSV.resolve("debian")))) {
            for (Path f : files.sorted().toList()) {
                z.putNextEntry(new ZipEntry(f.getFileName().toString()));
                z.write(Files.readAllBytes(f));
            }
            z.putNextEntry(new ZipEntry("broken.json"));
            z.write("{\"id\":".getBytes(StandardCharsets.UTF_8));
        }
        ImportReport report = store.importOsv("osv-all", zip);
        assertThat(report).extracting(ImportReport::read, ImportReport::inserted, ImportReport::failed).containsExactly(5, 4, 1);
        assertThat(report.errors()).singleElement().extracting(ImportReport.RecordError::location).isEqualTo("all.zip!broken.json");
    }

    @Test
    void realGoVulnerabilityDatabaseRecords() throws Exception {
        Prerequisites.require(Files.isDirectory(GO_VULNDB), "the Go vulnerability database test data (" + GO_VULNDB + ")",
                "golang-golang-x-vuln-dev");
        ImportReport report = store.importOsv("go-vulndb-testdata", GO_VULNDB.resolve("client/testdata/vulndb"));
        assertThat(report.inserted()).isGreaterThanOrEqualTo(5);
        // index.json and aliases.json in that tree are not OSV records: reported, not fatal
        assertThat(report.errors()).extracting(ImportReport.RecordError::location)
                .anySatisfy(l -> assertThat(l).endsWith("index.json"));
        AdvisoryIndex index = store.loadIndex();
        // GO-2021-0159: net/http request smuggling in the standard library, fixed in Go 1.4.3
        assertThat(index.affecting("Go", "stdlib", "v1.4.2")).extracting(h -> h.advisory().id()).contains("GO-2021-0159");
        assertThat(index.affecting("Go", "stdlib", "v1.4.2")).filteredOn(h -> h.advisory().id().equals("GO-2021-0159"))
                .extracting(AdvisoryIndex.Hit::fixedBy).containsExactly("1.4.3");
        assertThat(index.affecting("Go", "stdlib", "1.4.3")).extracting(h -> h.advisory().id()).doesNotContain("GO-2021-0159");
    }

    @Test
    void aSourceRecordsTheLocationItsCallerNamesNotTheFileReadFrom() throws Exception {
        Path download = tmp.resolve("vulndb-123.zip");
        Files.copy(OSV.resolve("maven/GHSA-jfh8-c2jp-5v3q.json"), download);
        store.importOsv("osv-maven", download, "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip");
        store.importAlpineSecDb("alpine", DistroFeedsTest.FEEDS.resolve("alpine-v3.18-main.json"), "upload");
        // without one (the CLI), the path the operator gave, made absolute
        store.importDebianTracker("debian", DistroFeedsTest.FEEDS.resolve("debian-tracker.json"));
        assertThat(store.status()).extracting(AdvisoryStore.SourceStatus::name, AdvisoryStore.SourceStatus::location)
                .containsExactlyInAnyOrder(
                        tuple("osv-maven", "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip"),
                        tuple("alpine", "upload"),
                        tuple("debian", DistroFeedsTest.FEEDS.resolve("debian-tracker.json").toAbsolutePath().toString()));
    }

    @Test
    void aFailedImportLeavesTheDataAlone() throws Exception {
        store.importOsv("osv-maven", OSV.resolve("maven"));
        try {
            store.importOsv("osv-maven", tmp.resolve("does-not-exist.json"));
        } catch (IOException expected) {
            // the file is missing: nothing changes
        }
        assertThat(store.loadIndex().advisories()).isEqualTo(2);
        assertThat(List.of(store.status().getFirst().records())).containsExactly(2);
    }
}
