package dev.drydock.scanner.advisory;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Advisories in the database (tables of migration {@code V4__vulndb.sql}). Imports are idempotent: a record is
 * stored once per id, replaced only when its content changes, and a failed import never removes what is there.
 * Matching does not query this store per package: {@link #loadIndex} reads it once into an {@link AdvisoryIndex}.
 */
public final class AdvisoryStore {
    private static final int BATCH = 500;
    private static final int MAX_ERRORS_KEPT = 1000;

    private final DataSource dataSource;
    private final InstantSource clock;

    public AdvisoryStore(DataSource dataSource, InstantSource clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** One import source and its age. */
    public record SourceStatus(String name, String kind, String location, Instant importedAt, int records, int failed,
                               Instant newestRecord, int advisories) {}

    /** Where a feed's records go while it is read: advisories, or errors for records that cannot be used. */
    interface RecordSink {
        void advisory(String location, Advisory advisory);

        void error(String location, String message);
    }

    /** Reads one feed format from a path into a sink. */
    @FunctionalInterface
    interface FeedReader {
        void read(Path path, RecordSink sink) throws IOException;
    }

    /** {@link #importOsv(String, Path, String)} recording the path itself as the location (the CLI, tests). */
    public ImportReport importOsv(String source, Path path) throws IOException, SQLException {
        return importOsv(source, path, path.toAbsolutePath().toString());
    }

    /**
     * Imports OSV data from a {@code .json} file (one record or an array), a directory of them, or an osv.dev
     * {@code all.zip}, under the source name {@code source}. {@code location} is what the source's status shows as
     * its origin (a feed's URL, an upload's name): a temporary file's path would tell the operator nothing.
     */
    public ImportReport importOsv(String source, Path path, String location) throws IOException, SQLException {
        return importFeed(source, "osv", path, location, (p, sink) -> OsvFiles.walk(p, new OsvFiles.Visitor() {
            @Override
            public void record(String location, JsonNode record) {
                try {
                    sink.advisory(location, OsvParser.parse(record));
                } catch (MalformedRecordException e) {
                    sink.error(location, e.getMessage());
                }
            }

            @Override
            public void error(String location, String message) {
                sink.error(location, message);
            }
        }));
    }

    /** Imports one Alpine secdb file ({@code v3.18/main.json}), recording its path as the location. */
    public ImportReport importAlpineSecDb(String source, Path file) throws IOException, SQLException {
        return importAlpineSecDb(source, file, file.toAbsolutePath().toString());
    }

    /** Imports one Alpine secdb file, recording {@code location} as its origin (see {@link #importOsv(String, Path, String)}). */
    public ImportReport importAlpineSecDb(String source, Path file, String location) throws IOException, SQLException {
        return importFeed(source, "alpine-secdb", file, location, DistroFeeds::alpineSecDb);
    }

    /** Imports the Debian security tracker's JSON export, recording its path as the location. */
    public ImportReport importDebianTracker(String source, Path file) throws IOException, SQLException {
        return importDebianTracker(source, file, file.toAbsolutePath().toString());
    }

    /** Imports the Debian tracker's export, recording {@code location} as its origin (see {@link #importOsv(String, Path, String)}). */
    public ImportReport importDebianTracker(String source, Path file, String location) throws IOException, SQLException {
        return importFeed(source, "debian-tracker", file, location, DistroFeeds::debianTracker);
    }

    private ImportReport importFeed(String source, String kind, Path path, String location, FeedReader reader)
            throws IOException, SQLException {
        java.util.Objects.requireNonNull(location, "location");
        Counts counts = new Counts(source);
        Map<String, Prepared> batch = new LinkedHashMap<>();
        SQLException[] failure = {null};
        reader.read(path, new RecordSink() {
            @Override
            public void advisory(String location, Advisory a) {
                counts.read++;
                byte[] stored = OsvParser.write(a);
                if (stored.length > 1_000_000) {
                    counts.error(location, a.id() + ": record too large to store");
                    return;
                }
                batch.put(a.id(), new Prepared(a, new String(stored, StandardCharsets.UTF_8), sha256(stored)));
                if (batch.size() >= BATCH) {
                    if (failure[0] == null) {
                        try {
                            flush(source, batch, counts);
                        } catch (SQLException e) {
                            failure[0] = e;   // reported after the read; what was committed stays
                        }
                    }
                    batch.clear();
                }
            }

            @Override
            public void error(String location, String message) {
                counts.read++;
                counts.error(location, message);
            }
        });
        if (failure[0] != null) throw failure[0];
        flush(source, batch, counts);
        recordSource(source, kind, location, counts);
        return counts.report();
    }

    private record Prepared(Advisory advisory, String json, String sha) {}

    private static final class Counts {
        final String source;
        int read, inserted, updated, unchanged, failed;
        final List<ImportReport.RecordError> errors = new ArrayList<>();

        Counts(String source) { this.source = source; }

        void error(String location, String message) {
            failed++;
            if (errors.size() < MAX_ERRORS_KEPT) errors.add(new ImportReport.RecordError(location, message));
        }

        ImportReport report() {
            return new ImportReport(source, read, inserted, updated, unchanged, failed, errors);
        }
    }

    private void flush(String source, Map<String, Prepared> batch, Counts counts) throws SQLException {
        if (batch.isEmpty()) return;
        // instants are bound with their offset: a java.sql.Timestamp goes through the JVM's zone, and H2 stored one in
        // the hour a DST change repeats an hour off (see the platform's TimeZonesTest)
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, String> existing = existingHashes(c, batch.keySet());
                try (PreparedStatement insert = c.prepareStatement("insert into vuln_advisories (id, source, modified, "
                        + "withdrawn, content_sha256, record, imported_at) values (?, ?, ?, ?, ?, ?, ?)");
                     PreparedStatement update = c.prepareStatement("update vuln_advisories set source = ?, modified = ?, "
                             + "withdrawn = ?, content_sha256 = ?, record = ?, imported_at = ? where id = ?");
                     PreparedStatement deleteAffected = c.prepareStatement("delete from vuln_affected where advisory_id = ?");
                     PreparedStatement insertAffected = c.prepareStatement(
                             "insert into vuln_affected (advisory_id, ecosystem, package) values (?, ?, ?)")) {
                    for (Prepared p : batch.values()) {
                        Advisory a = p.advisory;
                        String old = existing.get(a.id());
                        if (p.sha.equals(old)) {
                            counts.unchanged++;
                            continue;
                        }
                        if (old == null) {
                            insert.setString(1, a.id());
                            insert.setString(2, source);
                            insert.setObject(3, a.modified().atOffset(ZoneOffset.UTC));
                            insert.setBoolean(4, a.withdrawn());
                            insert.setString(5, p.sha);
                            insert.setString(6, p.json);
                            insert.setObject(7, now);
                            insert.addBatch();
                            counts.inserted++;
                        } else {
                            update.setString(1, source);
                            update.setObject(2, a.modified().atOffset(ZoneOffset.UTC));
                            update.setBoolean(3, a.withdrawn());
                            update.setString(4, p.sha);
                            update.setString(5, p.json);
                            update.setObject(6, now);
                            update.setString(7, a.id());
                            update.addBatch();
                            deleteAffected.setString(1, a.id());
                            deleteAffected.addBatch();
                            counts.updated++;
                        }
                        Set<String> seen = new java.util.HashSet<>();
                        for (Advisory.Affected af : a.affected()) {
                            if (!seen.add(af.ecosystem() + "\u0000" + af.name())) continue;
                            insertAffected.setString(1, a.id());
                            insertAffected.setString(2, truncate(af.ecosystem(), 100));
                            insertAffected.setString(3, truncate(af.name(), 500));
                            insertAffected.addBatch();
                        }
                    }
                    insert.executeBatch();
                    update.executeBatch();
                    deleteAffected.executeBatch();
                    insertAffected.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static Map<String, String> existingHashes(Connection c, Set<String> ids) throws SQLException {
        Map<String, String> out = new HashMap<>();
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        try (PreparedStatement ps = c.prepareStatement("select id, content_sha256 from vuln_advisories where id in (" + marks + ")")) {
            int i = 1;
            for (String id : ids) ps.setString(i++, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private void recordSource(String name, String kind, String location, Counts counts) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            OffsetDateTime newest = null;
            try (PreparedStatement ps = c.prepareStatement("select max(modified) from vuln_advisories where source = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) newest = rs.getObject(1, OffsetDateTime.class);
                }
            }
            try (PreparedStatement del = c.prepareStatement("delete from vuln_sources where name = ?")) {
                del.setString(1, name);
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("insert into vuln_sources (name, kind, location, imported_at, "
                    + "records, failed, newest_record) values (?, ?, ?, ?, ?, ?, ?)")) {
                ins.setString(1, name);
                ins.setString(2, kind);
                ins.setString(3, truncate(location, 2000));
                ins.setObject(4, clock.instant().atOffset(ZoneOffset.UTC));
                ins.setInt(5, counts.read);
                ins.setInt(6, counts.failed);
                ins.setObject(7, newest, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
                ins.executeUpdate();
            }
            c.commit();
        }
    }

    /** Every import source with its age and how many advisories it holds now. */
    public List<SourceStatus> status() throws SQLException {
        List<SourceStatus> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select s.name, s.kind, s.location, s.imported_at, s.records, "
                     + "s.failed, s.newest_record, (select count(*) from vuln_advisories a where a.source = s.name) "
                     + "from vuln_sources s order by s.name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp newest = rs.getTimestamp(7);
                out.add(new SourceStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getInt(5), rs.getInt(6), newest == null ? null : newest.toInstant(), rs.getInt(8)));
            }
        }
        return out;
    }

    /** Calls {@code consumer} with every stored advisory (withdrawn ones included). */
    public void forEach(Consumer<Advisory> consumer) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select id, record from vuln_advisories")) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        consumer.accept(OsvParser.parse(rs.getString(2).getBytes(StandardCharsets.UTF_8)));
                    } catch (MalformedRecordException e) {
                        throw new SQLException("stored advisory " + rs.getString(1) + " no longer parses: " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** The matching index over everything stored, named with the data version (sources and their newest record). */
    public AdvisoryIndex loadIndex() throws SQLException {
        AdvisoryIndex.Builder builder = AdvisoryIndex.builder();
        forEach(builder::add);
        List<SourceStatus> sources = status();
        StringBuilder version = new StringBuilder();
        for (SourceStatus s : sources) {
            if (!version.isEmpty()) version.append("; ");
            version.append(s.name()).append(" (").append(s.advisories()).append(" advisories, newest ")
                    .append(s.newestRecord() == null ? "-" : s.newestRecord().atOffset(ZoneOffset.UTC).toLocalDate())
                    .append(", imported ").append(OffsetDateTime.ofInstant(s.importedAt(), ZoneOffset.UTC)
                            .withNano(0)).append(')');
        }
        return builder.build(version.isEmpty() ? "no advisory data imported" : version.toString(),
                sources.stream().map(SourceStatus::importedAt).min(Instant::compareTo).orElse(null));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
