package dev.drydock.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The connection pool, schema migrations and the Jdbi handle every repository class shares. Runs on the embedded H2
 * database (in PostgreSQL mode) or on PostgreSQL; {@link Dialect} is the one place that tells them apart.
 */
public final class Database implements AutoCloseable {
    /** The databases Drydock runs on. */
    public enum Dialect {
        H2("h2"), POSTGRESQL("postgresql");

        /** The folder under {@code db/migration} with this database's own versions of some migrations. */
        final String migrations;

        Dialect(String migrations) {
            this.migrations = migrations;
        }

        /** The dialect of a connection's database; an error naming the database for any other. */
        public static Dialect of(Connection c) throws SQLException {
            String product = c.getMetaData().getDatabaseProductName();
            return switch (product) {
                case "H2" -> H2;
                case "PostgreSQL" -> POSTGRESQL;
                default -> throw new IllegalArgumentException("unsupported database " + product
                        + ": Drydock runs on its embedded H2 database or on PostgreSQL (jdbc:postgresql://host/db)");
            };
        }
    }

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jdbi = Jdbi.create(dataSource);
        // Instants are bound as UTC OffsetDateTime (JDBC 4.2's type for timestamp with time zone), not Jdbi's default
        // java.sql.Timestamp: H2's driver turns a Timestamp into a local date-time in the JVM's zone first, so an
        // instant in the hour a DST change repeats was stored an hour off (a lease ending an hour early, rows out of
        // order). A value with its offset is unambiguous on both databases, whatever the JVM's or session's zone
        // (TimeZonesTest). Read back through the offset too, never through the JVM's zone.
        jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.TIMESTAMP_WITH_TIMEZONE) {
            @Override
            protected Argument build(Instant value, ConfigRegistry config) {
                return (position, statement, ctx) -> statement.setObject(position, value.atOffset(ZoneOffset.UTC));
            }
        });
        jdbi.registerColumnMapper(Instant.class, (rs, column, ctx) -> {
            OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
            return at == null ? null : at.toInstant();
        });
    }

    /** Opens the pool and migrates the schema to the newest version. */
    public static Database open(String jdbcUrl, String user, String password, int maxConnections) {
        H2Recovery.beforeOpen(jdbcUrl, user, password); // commits H2's own start after a kill would drop
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxConnections);
        config.setPoolName("drydock-db");
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Dialect dialect;
            try (Connection c = dataSource.getConnection()) {
                dialect = Dialect.of(c);
            }
            // Most migrations are plain SQL both databases run (common); a few spell a type differently (H2 takes
            // varchar(100000000) for a large text, PostgreSQL caps varchar at 10485760 and has text): those have one
            // version per database, in the database's folder. The H2 files are the originals, byte for byte, so
            // existing H2 databases keep validating (Flyway checks each applied file's checksum).
            Flyway.configure().dataSource(dataSource)
                    .locations("classpath:db/migration/common", "classpath:db/migration/" + dialect.migrations)
                    .load().migrate();
            return new Database(dataSource, dialect);
        } catch (SQLException e) {
            dataSource.close();
            throw new IllegalStateException("cannot use the database: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * JDBC URL of the embedded H2 database under a data directory. {@code WRITE_DELAY=0}: every commit is
     * written to the database file before it returns (H2's default writes commits in the background up to a
     * second later, so a killed process lost transactions it had already acknowledged, e.g. pushed manifests).
     * Written, not synced: a killed process loses nothing that returned (the operating system keeps the write), a
     * power loss or kernel crash may. That a killed process's commits are also found again is {@link #open}'s doing:
     * H2's own start after a kill could miss the newest chunks it had written ({@code H2Recovery},
     * {@code EmbeddedDurabilityTest}, {@code CrashConsistencyTest}).
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

    /** The embedded database file's size before and after {@link #reclaimSpace}. */
    public record Reclaimed(long bytesBefore, long bytesAfter) {}

    /**
     * Gives the space of deleted rows back to the file system, for the embedded H2 database (empty for any other
     * database, which reclaims space its own way, e.g. PostgreSQL's autovacuum).
     *
     * <p>Why this is needed: with {@code WRITE_DELAY=0} (see {@link #embeddedUrl}) every commit writes a new chunk
     * of pages, and H2 keeps replaced chunks for its retention time (45 s) before their space may be reused; H2's
     * background housekeeping, which would compact the file, runs only with a write delay. A burst of writes
     * therefore grows the file by ~20 KiB per commit (5,000 upload sessions opened and cancelled: 88 MB for 2,000
     * rows, measured), the space is reused after 45 s but never returned. H2 offers no SQL statement to compact an
     * open database, so this calls its store's {@code compactFile} (what H2 itself does on close), which moves live
     * chunks to the start of the file and truncates it; it runs concurrently with other sessions. It sets the
     * retention time to 0 while it runs and leaves it there, so the retention time is put back afterwards.
     */
    public java.util.Optional<Reclaimed> reclaimSpace(java.time.Duration maxTime) {
        try (java.sql.Connection c = dataSource.getConnection()) {
            if (dialect != Dialect.H2 || !c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)) return java.util.Optional.empty();
            if (!(c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession() instanceof org.h2.engine.SessionLocal session)) {
                return java.util.Optional.empty(); // H2 over TCP: the server compacts its own file
            }
            org.h2.mvstore.db.Store store = session.getDatabase().getStore();
            org.h2.mvstore.MVStore mv = store == null ? null : store.getMvStore();
            org.h2.mvstore.FileStore<?> file = mv == null ? null : mv.getFileStore();
            if (file == null || file.getFileName() == null || file.isReadOnly()) return java.util.Optional.empty();
            long before = file.size();
            int retention = mv.getRetentionTime();
            try {
                store.compactFile((int) Math.min(Integer.MAX_VALUE, maxTime.toMillis()));
            } finally {
                mv.setRetentionTime(retention);
            }
            return java.util.Optional.of(new Reclaimed(before, file.size()));
        } catch (SQLException e) {
            throw new IllegalStateException("could not reach the database to reclaim space: " + e.getMessage(), e);
        }
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
