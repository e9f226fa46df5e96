package dev.drydock.platform.db;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The applied migrations' checksums, pinned: Flyway refuses to start on a database whose applied migration files
 * changed since (an edited migration locks every existing installation out), so a change to a released migration
 * must be a new migration instead. Also pins that H2 keeps the very files H2 databases were created with.
 */
class MigrationChecksumsTest {
    private static final Map<String, Integer> COMMON = Map.ofEntries(
            Map.entry("1", -1952238333), Map.entry("3", -196793350), Map.entry("4", -50659339),
            Map.entry("7", -1432429825), Map.entry("8", -1540611190), Map.entry("9", 1240344566),
            Map.entry("10", -1023479), Map.entry("11", -583567941), Map.entry("12", 1071807346),
            Map.entry("13", 2084839740), Map.entry("14", -644190080),
            Map.entry("15", 1932968527));
    private static final Map<String, Integer> H2 = Map.of("2", 1560041526, "6", 1598912900);
    private static final Map<String, Integer> POSTGRESQL = Map.of("2", -359574570, "6", -631649847);

    @Test
    void releasedMigrationsAreUnchanged() {
        try (Database db = TestDatabase.open(2)) {
            Map<String, Integer> applied = new LinkedHashMap<>();
            db.jdbi().useHandle(h -> h.createQuery("select version, checksum from flyway_schema_history"
                            + " where version is not null order by installed_rank")
                    .map((rs, ctx) -> applied.put(rs.getString(1), rs.getInt(2))).list());
            Map<String, Integer> expected = new LinkedHashMap<>(COMMON);
            expected.putAll(db.dialect() == Database.Dialect.H2 ? H2 : POSTGRESQL);
            assertThat(applied).containsAllEntriesOf(expected);
        }
    }
}
