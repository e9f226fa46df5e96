package dev.drydock.platform.db;

import dev.drydock.testkit.TestPostgres;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A fresh, migrated database private to one test: in-memory H2 in PostgreSQL mode, or, when the tests run on
 * PostgreSQL ({@code -Ddrydock.test.db=postgresql}, the module's second surefire execution), a new database on the
 * JVM's one embedded PostgreSQL server ({@link TestPostgres}). The one place platform tests get a database from.
 */
public final class TestDatabase {
    private TestDatabase() {}

    /** Where a fresh database is, before it is opened. */
    public record Target(String url, String user, String password) {
        /** The same database with sessions in {@code zone} (their time zone setting, whatever the JVM's is). */
        public Target inSessionZone(String zone) {
            return new Target(url.startsWith("jdbc:h2:") ? url + ";TIME ZONE=" + zone
                    : url + "?options=" + URLEncoder.encode("-c TimeZone=" + zone, StandardCharsets.UTF_8), user, password);
        }

        public Database open(int maxConnections) {
            return Database.open(url, user, password, maxConnections);
        }
    }

    public static Database open() {
        return open(4);
    }

    public static Database open(int maxConnections) {
        return fresh().open(maxConnections);
    }

    private static String migratedTemplate;

    /**
     * A new database, not yet opened. On H2 it is empty (migrated on {@link Target#open}); on PostgreSQL a copy of one
     * database the migrations ran on (first call in the JVM), so each test's open only validates them: copying is
     * faster than migrating afresh for every one of the suite's ~100 tests.
     */
    public static Target fresh() {
        if (TestPostgres.selected()) {
            TestPostgres.dropUnused(migratedTemplate()); // the databases of tests that ended (tests run one at a time)
            TestPostgres.Db db = TestPostgres.freshDatabase(migratedTemplate());
            return new Target(db.url(), db.user(), db.password());
        }
        return new Target("jdbc:h2:mem:drydock-test-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "");
    }

    private static synchronized String migratedTemplate() {
        if (migratedTemplate == null) {
            TestPostgres.Db db = TestPostgres.freshDatabase();
            Database.open(db.url(), db.user(), db.password(), 2).close();
            migratedTemplate = db.name();
        }
        return migratedTemplate;
    }

    /** True when this JVM's tests run on PostgreSQL. */
    public static boolean onPostgres() {
        return TestPostgres.selected();
    }
}
