package dev.drydock.scanner.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, run on demand ({@code -Dscanner.bench=true}): importing an all.zip of 100,000 Debian-shaped OSV
 * records (the size of osv.dev's Debian export) into H2, then re-importing it unchanged, then loading the index.
 */
class ImportBenchmark {
    @TempDir Path tmp;

    @Test
    void import100kRecords() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("scanner.bench"), "benchmark: run with -Dscanner.bench=true");
        Path zip = tmp.resolve("all.zip");
        Random r = new Random(1);
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os)) {
            for (int i = 0; i < 100_000; i++) {
                String id = "DEBIAN-CVE-2099-" + i;
                String record = "{\"id\":\"" + id + "\",\"modified\":\"2025-01-01T00:00:00Z\",\"aliases\":[\"CVE-2099-" + i
                        + "\"],\"details\":\"generated record " + i + " for the import benchmark\",\"affected\":["
                        + "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"pkg" + r.nextInt(30_000) + "\"},"
                        + "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1." + r.nextInt(50)
                        + "-" + r.nextInt(9) + "+deb12u1\"}]}],\"ecosystem_specific\":{\"urgency\":\"low\"}},"
                        + "{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"pkg" + r.nextInt(30_000) + "\"},"
                        + "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}";
                z.putNextEntry(new ZipEntry(id + ".json"));
                z.write(record.getBytes(StandardCharsets.UTF_8));
            }
        }
        AdvisoryStore store = new AdvisoryStore(TestDatabases.vulnDb("bench"), InstantSource.fixed(Instant.EPOCH));
        long t0 = System.nanoTime();
        ImportReport first = store.importOsv("osv-debian", zip);
        long t1 = System.nanoTime();
        ImportReport again = store.importOsv("osv-debian", zip);
        long t2 = System.nanoTime();
        AdvisoryIndex index = store.loadIndex();
        long t3 = System.nanoTime();
        System.out.printf("import benchmark: %s in %d ms; re-import %s in %d ms; index of %d ranges loaded in %d ms%n",
                first, (t1 - t0) / 1_000_000, again, (t2 - t1) / 1_000_000, index.ranges(), (t3 - t2) / 1_000_000);
        assertThat(first.inserted()).isEqualTo(100_000);
        assertThat(again.unchanged()).isEqualTo(100_000);
    }
}
