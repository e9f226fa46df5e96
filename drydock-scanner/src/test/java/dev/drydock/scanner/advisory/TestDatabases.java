package dev.drydock.scanner.advisory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** In-memory H2 databases holding the platform's vulnerability tables, created by the migration's own SQL. */
public final class TestDatabases {
    static final Path MIGRATION = Path.of("../drydock-platform/src/main/resources/db/migration/common/V4__vulndb.sql");

    private TestDatabases() {}

    public static DataSource vulnDb(String name) throws IOException, SQLException {
        JdbcDataSource h2 = new JdbcDataSource();
        // the platform's test mode (PostgreSQL compatibility, lower-case names)
        h2.setURL("jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            String sql = Files.readString(MIGRATION).lines().filter(l -> !l.strip().startsWith("--"))
                    .reduce("", (a, b) -> a + "\n" + b);
            for (String statement : sql.split(";")) {
                if (!statement.isBlank()) s.execute(statement);
            }
        }
        return h2;
    }
}
