package dev.drydock.scanner.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alpine secdb and Debian security tracker files (excerpts in the feeds' own formats; versions and ids as the
 * feeds list them) imported and matched.
 */
class DistroFeedsTest {
    static final Path FEEDS = Path.of("src/test/resources/feeds");

    @TempDir Path tmp;

    @Test
    void alpineSecDb() throws Exception {
        AdvisoryStore store = new AdvisoryStore(TestDatabases.vulnDb("secdb" + System.nanoTime()), InstantSource.fixed(Instant.EPOCH));
        ImportReport report = store.importAlpineSecDb("alpine-v3.18-main", FEEDS.resolve("alpine-v3.18-main.json"));
        assertThat(report).extracting(ImportReport::inserted, ImportReport::failed).containsExactly(5, 1);
        assertThat(report.errors().getFirst().message()).isEqualTo("package without a name");
        assertThat(store.importAlpineSecDb("alpine-v3.18-main", FEEDS.resolve("alpine-v3.18-main.json")).unchanged()).isEqualTo(5);

        AdvisoryIndex index = store.loadIndex();
        // libssl3 3.1.4-r1 (origin openssl) is fixed for CVE-2023-5363 (r0) and CVE-2023-5678 (r1), not the later ones
        assertThat(index.affecting("Alpine:v3.18", "openssl", "3.1.4-r1")).extracting(h -> h.advisory().aliases().getFirst())
                .containsExactlyInAnyOrder("CVE-2023-6129", "CVE-2023-6237", "CVE-2024-0727");
        assertThat(index.affecting("Alpine:v3.18", "openssl", "3.1.4-r5")).isEmpty();
        assertThat(index.affecting("Alpine:v3.19", "openssl", "3.1.4-r1")).isEmpty();
        assertThat(index.affecting("Alpine:v3.18", "busybox", "1.36.1-r5")).isEmpty();
    }

    @Test
    void debianSecurityTracker() throws Exception {
        AdvisoryStore store = new AdvisoryStore(TestDatabases.vulnDb("tracker" + System.nanoTime()), InstantSource.fixed(Instant.EPOCH));
        ImportReport report = store.importDebianTracker("debian-tracker", FEEDS.resolve("debian-tracker.json"));
        assertThat(report).extracting(ImportReport::inserted, ImportReport::failed).containsExactly(2, 0);
        AdvisoryIndex index = store.loadIndex();

        assertThat(index.affecting("Debian:12", "coreutils", "9.1-1")).singleElement().satisfies(h -> {
            assertThat(h.advisory().aliases()).containsExactly("CVE-2016-2781");
            assertThat(h.affected().severity()).isEqualTo("unimportant");
            assertThat(h.fixedBy()).isNull();
        });
        assertThat(index.affecting("Debian:12", "glibc", "2.36-9+deb12u1")).singleElement()
                .extracting(AdvisoryIndex.Hit::fixedBy).isEqualTo("2.36-9+deb12u3");
        assertThat(index.affecting("Debian:12", "glibc", "2.36-9+deb12u3")).isEmpty();
        assertThat(index.affecting("Debian:10", "glibc", "2.28-10")).isEmpty();   // fixed_version 0: never affected

        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, Files.readString(FEEDS.resolve("debian-tracker.json")).substring(0, 900));
        ImportReport partial = store.importDebianTracker("debian-tracker", broken);
        assertThat(partial.failed()).isEqualTo(1);
        assertThat(partial.errors().getFirst().message()).contains("records before it were imported");
        assertThat(store.loadIndex().advisories()).isEqualTo(2);
    }
}
