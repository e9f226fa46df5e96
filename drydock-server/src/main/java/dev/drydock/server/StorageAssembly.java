package dev.drydock.server;

import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.registry.storage.BlobStore;
import dev.drydock.server.config.DrydockConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.SQLException;

/** Where everything is kept: the data directory, the database, the blob store and the registry's index over both. */
record StorageAssembly(Database database, BlobStore blobStore, JdbcRegistryIndex registryIndex) {

    /** Creates the data directory and opens the database; the caller closes {@link #database()} on failure or stop. */
    static StorageAssembly open(DrydockConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        Database database = openDatabase(config, config.dbPoolSize());
        try {
            return new StorageAssembly(database, DrydockServer.blobStore(config), new JdbcRegistryIndex(database.jdbi()));
        } catch (IOException e) {
            database.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Opens (and migrates) the configured database. An external database that cannot be used fails with
     * {@link DrydockConfig.InvalidConfig} naming the keys to fix; the password is never in the message (nor in the URL
     * shown, should the URL carry one).
     */
    static Database openDatabase(DrydockConfig config, int maxConnections) {
        try {
            return Database.open(config.effectiveDbUrl(), config.dbUser(), config.dbPassword(), maxConnections);
        } catch (RuntimeException e) {
            if (config.dbUrl() == null) throw e; // the embedded database: the callers explain its own failures
            SQLException sql = null;
            String cause = String.valueOf(e.getMessage());
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t.getMessage() != null) cause = t.getMessage();
                if (t instanceof SQLException s) {
                    sql = s; // the driver's own words, e.g. "password authentication failed for user ..."
                    break;
                }
            }
            cause = cause.lines().findFirst().orElse(cause);
            String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
            String fix = state.startsWith("28") || state.equals("08004") ? "check db.user and db.password"
                    : state.startsWith("08") ? "check db.url: its host and port, and that PostgreSQL accepts TCP connections there"
                    : state.equals("3D000") ? "check db.url: the database it names must exist (CREATE DATABASE)"
                    : state.startsWith("42") ? "db.user needs to own the database (or have CREATE on its schema) to run the migrations"
                    : "check db.url, db.user and db.password";
            String message = "cannot use the database db.url=" + redact(config.dbUrl()) + " as db.user=" + config.dbUser()
                    + ": " + cause + " (" + fix + ")";
            String password = config.dbPassword();
            if (password != null && !password.isEmpty()) message = message.replace(password, "****");
            throw new DrydockConfig.InvalidConfig(message);
        }
    }

    /** The URL with any password parameter masked. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }
}
