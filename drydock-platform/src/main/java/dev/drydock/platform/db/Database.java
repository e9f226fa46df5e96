package dev.drydock.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.sql.SQLException;

/** The connection pool, schema migrations and the Jdbi handle every repository class shares. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens the pool and migrates the schema to the newest version. */
    public static Database open(String jdbcUrl, String user, String password, int maxConnections) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxConnections);
        config.setPoolName("drydock-db");
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource);
    }

    /**
     * JDBC URL of the embedded H2 database under a data directory. {@code WRITE_DELAY=0}: every commit is
     * written to the database file before it returns (H2's default writes commits in the background up to a
     * second later, so a killed process lost transactions it had already acknowledged, e.g. pushed manifests).
     * {@code async:}: worker threads are interrupted (time limits, lost leases, shutdown), and an interrupt inside a
     * file read or write closes a plain FileChannel, which closed the whole database for every thread. H2's
     * asynchronous file channel is not closed by interrupts (its {@code retry:} file system only reopens, and failed
     * when the reopening thread was still interrupted); {@code InterruptSafetyTest} fails without it.
     * {@code DB_CLOSE_ON_EXIT=FALSE}: Drydock's own shutdown hook closes the pool after the worker and webhook
     * dispatcher have given back their jobs; H2's hook would close the database under them first.
     */
    public static String embeddedUrl(java.nio.file.Path dataDir) {
        return "jdbc:h2:async:" + dataDir.resolve("db").resolve("drydock").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The pool itself, for libraries that take plain JDBC (the scanner's advisory store). */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** True for a unique/primary-key violation, the same SQLState on H2 and PostgreSQL. */
    public static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) return true;
        }
        return false;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
