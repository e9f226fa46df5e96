package dev.drydock.platform.db;

import org.h2.util.DateTimeUtils;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instants mean the same whatever the time zone of the JVM or the session that wrote or reads them (columns are
 * timestamp with time zone; Database binds instants with their offset). Runs on H2 and, in the PostgreSQL execution,
 * on PostgreSQL.
 */
class TimeZonesTest {
    // 2026-10-25 01:00Z Berlin turns its clocks back from 03:00 to 02:00: 00:30Z and 01:30Z are both 02:30 there.
    private static final Instant BEFORE = Instant.parse("2026-10-25T00:30:00Z");
    private static final Instant TURN = Instant.parse("2026-10-25T01:00:00Z");
    private static final Instant REPEATED = Instant.parse("2026-10-25T01:30:00Z");

    @Test
    void anInstantWrittenInOneZoneReadsBackEqualInAnotherAndComparesRight() {
        TestDatabase.Target target = TestDatabase.fresh();
        // the writer is a JVM in Berlin (H2 caches the JVM's zone: told to look again)
        TimeZone jvm = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
        DateTimeUtils.resetCalendar();
        try (Database berlin = target.inSessionZone("Europe/Berlin").open(2)) {
            berlin.jdbi().useHandle(h -> {
                for (Object[] row : List.of(new Object[]{"a", BEFORE}, new Object[]{"b", REPEATED}, new Object[]{"c", TURN})) {
                    h.execute("insert into uploads (id, repository, started_at, last_active_at) values (?, 'r', ?, ?)",
                            row[0], row[1], row[1]);
                }
            });
        } finally {
            TimeZone.setDefault(jvm);
            DateTimeUtils.resetCalendar();
        }
        try (Database tokyo = target.inSessionZone("Asia/Tokyo").open(2)) {
            Instant read = tokyo.jdbi().withHandle(h -> h.createQuery("select started_at from uploads where id = 'b'")
                    .mapTo(Instant.class).one());
            assertThat(read).isEqualTo(REPEATED);
            // the way the repository classes read them
            Instant legacy = tokyo.jdbi().withHandle(h -> h.createQuery("select last_active_at from uploads where id = 'a'")
                    .map((rs, ctx) -> rs.getTimestamp(1).toInstant()).one());
            assertThat(legacy).isEqualTo(BEFORE);
            List<String> order = tokyo.jdbi().withHandle(h -> h.createQuery("select id from uploads order by started_at")
                    .mapTo(String.class).list());
            assertThat(order).containsExactly("a", "c", "b");
            // a lease check: compared with a bound instant from a session in a third zone
            try (Database newYork = target.inSessionZone("America/New_York").open(2)) {
                assertThat(due(newYork, REPEATED.minusSeconds(1))).containsExactly("a", "c");
                assertThat(due(newYork, REPEATED.plusSeconds(1))).containsExactly("a", "c", "b");
                assertThat(due(newYork, TURN)).containsExactly("a");
            }
        }
    }

    private static List<String> due(Database db, Instant now) {
        return db.jdbi().withHandle(h -> h.createQuery("select id from uploads where started_at < ? order by started_at")
                .bind(0, now).mapTo(String.class).list());
    }
}
