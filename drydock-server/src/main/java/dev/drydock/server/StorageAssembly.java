package dev.drydock.server;

import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.registry.storage.BlobStore;
import dev.drydock.server.config.DrydockConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Where everything is kept: the data directory, the database, the blob store and the registry's index over both. */
record StorageAssembly(Database database, BlobStore blobStore, JdbcRegistryIndex registryIndex) {

    /** Creates the data directory and opens the database; the caller closes {@link #database()} on failure or stop. */
    static StorageAssembly open(DrydockConfig config) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        Database database = Database.open(config.effectiveDbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
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
}
