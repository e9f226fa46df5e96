package dev.drydock.platform.db;

import java.util.UUID;

/** A fresh, migrated in-memory H2 database in PostgreSQL mode, private to one test. */
public final class TestDatabase {
    private TestDatabase() {}

    public static Database open() {
        String name = "drydock-test-" + UUID.randomUUID();
        return Database.open("jdbc:h2:mem:" + name
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1", "sa", "", 4);
    }
}
