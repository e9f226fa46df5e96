package dev.drydock.scanner.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drydock.scanner.advisory.Advisory.Affected;
import dev.drydock.scanner.advisory.Advisory.Event;
import dev.drydock.scanner.advisory.Advisory.Kind;
import dev.drydock.scanner.advisory.Advisory.Range;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OSV range semantics, and the matching benchmark (10,000 packages against 1,000,000 ranges). */
class AdvisoryIndexTest {

    private static Advisory advisory(String id, Affected... affected) {
        return new Advisory(id, List.of(), "", "", Instant.EPOCH, false, null, null, null, List.of(), List.of(affected));
    }

    private static Range range(String type, Object... kindVersion) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < kindVersion.length; i += 2) events.add(new Event((Kind) kindVersion[i], (String) kindVersion[i + 1]));
        return new Range(type, events);
    }

    @Test
    void rangeEvents() {
        AdvisoryIndex index = AdvisoryIndex.builder()
                .add(advisory("A", new Affected("npm", "lodash", List.of(range("SEMVER", Kind.INTRODUCED, "0",
                        Kind.FIXED, "4.17.21")), List.of(), null)))
                .add(advisory("B", new Affected("PyPI", "Django", List.of(range("ECOSYSTEM", Kind.INTRODUCED, "4.0",
                        Kind.LAST_AFFECTED, "4.1.2")), List.of(), null)))
                .add(advisory("C", new Affected("PyPI", "django", List.of(range("ECOSYSTEM", Kind.INTRODUCED, "1.0",
                        Kind.FIXED, "1.5", Kind.INTRODUCED, "2.0", Kind.FIXED, "2.2.1")), List.of("3.0a1"), null)))
                .add(advisory("D", new Affected("Debian", "openssl", List.of(range("ECOSYSTEM", Kind.INTRODUCED, "0",
                        Kind.FIXED, "3.0.11-1~deb12u1")), List.of(), null)))
                .add(advisory("E", new Affected("Go", "example.com/x", List.of(range("GIT", Kind.INTRODUCED, "abc")),
                        List.of("v1.0.0"), null)))
                .build("test", null);

        assertThat(index.affecting("npm", "lodash", "4.17.20")).singleElement().extracting(AdvisoryIndex.Hit::fixedBy).isEqualTo("4.17.21");
        assertThat(index.affecting("npm", "lodash", "4.17.21")).isEmpty();
        assertThat(index.affecting("PyPI", "django", "4.1.2")).extracting(h -> h.advisory().id()).containsExactly("B");
        assertThat(index.affecting("PyPI", "Django", "4.1.3")).isEmpty();
        assertThat(index.affecting("PyPI", "django", "4.1.2").getFirst().fixedBy()).isNull();
        assertThat(index.affecting("PyPI", "django", "1.4")).singleElement().extracting(AdvisoryIndex.Hit::fixedBy).isEqualTo("1.5");
        assertThat(index.affecting("PyPI", "django", "1.6")).isEmpty();
        assertThat(index.affecting("PyPI", "django", "2.1")).singleElement().extracting(AdvisoryIndex.Hit::fixedBy).isEqualTo("2.2.1");
        assertThat(index.affecting("PyPI", "django", "3.0a1")).extracting(h -> h.advisory().id()).containsExactly("C");
        // an unversioned ecosystem applies to every release
        assertThat(index.affecting("Debian:12", "openssl", "3.0.9-1")).extracting(h -> h.advisory().id()).containsExactly("D");
        assertThat(index.affecting("Debian:12", "openssl", "3.0.11-1~deb12u2")).isEmpty();
        // GIT ranges are not evaluated; the versions list still is
        assertThat(index.affecting("Go", "example.com/x", "v1.0.0")).hasSize(1);
        assertThat(index.affecting("Go", "example.com/x", "v1.0.1")).isEmpty();
    }

    @Test
    void withdrawnAdvisoriesNeverMatch() {
        Advisory withdrawn = new Advisory("W", List.of(), "", "", Instant.EPOCH, true, null, null, null, List.of(),
                List.of(new Affected("npm", "x", List.of(range("SEMVER", Kind.INTRODUCED, "0")), List.of(), null)));
        assertThat(AdvisoryIndex.builder().add(withdrawn).build("t", null).affecting("npm", "x", "1.0.0")).isEmpty();
    }

    /** Benchmark, not a timed test: prints the figure; fails only if it is absurdly slow. */
    @Test
    void matching10kPackagesAgainstAMillionRanges() {
        Random r = new Random(42);
        int packages = 50_000;
        AdvisoryIndex.Builder builder = AdvisoryIndex.builder();
        long start = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            String pkg = "pkg" + r.nextInt(packages);
            String intro = r.nextInt(5) + "." + r.nextInt(20), fix = r.nextInt(10) + "." + r.nextInt(20) + "-" + r.nextInt(5);
            builder.add(advisory("ADV-" + i, new Affected("Debian:12", pkg, List.of(range("ECOSYSTEM",
                    Kind.INTRODUCED, intro, Kind.FIXED, fix)), List.of(), null)));
        }
        AdvisoryIndex index = builder.build("bench", null);
        long built = System.nanoTime();
        int hits = 0;
        for (int i = 0; i < 10_000; i++) {
            hits += index.affecting("Debian:12", "pkg" + r.nextInt(packages), r.nextInt(10) + "." + r.nextInt(20) + "-1").size();
        }
        long matched = System.nanoTime();
        System.out.printf("matching benchmark: index of %d ranges built in %d ms; 10,000 packages matched in %d ms (%d hits)%n",
                index.ranges(), (built - start) / 1_000_000, (matched - built) / 1_000_000, hits);
        assertThat(index.ranges()).isEqualTo(1_000_000);
        assertThat(matched - built).isLessThan(10_000_000_000L);
    }
}
