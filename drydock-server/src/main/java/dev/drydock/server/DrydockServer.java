package dev.drydock.server;

import com.nimbusds.jose.jwk.ECKey;
import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.access.SigningKeys;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.PasswordHasher;
import dev.drydock.registry.Registry;
import dev.drydock.registry.auth.TokenSigner;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.storage.FilesystemBlobStore;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.ApiRoutes;
import dev.drydock.server.http.Challenge;
import dev.drydock.server.http.HomePage;
import dev.drydock.server.http.RegistryRoutes;
import dev.drydock.server.http.TokenRoutes;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Builds every part from the configuration, wires them together and serves HTTP. */
public final class DrydockServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DrydockServer.class);

    private final Database database;
    private final Javalin http;
    private final ScheduledExecutorService maintenance;
    private final Registry registry;

    private DrydockServer(Database database, Javalin http, ScheduledExecutorService maintenance, Registry registry) {
        this.database = database;
        this.http = http;
        this.maintenance = maintenance;
        this.registry = registry;
    }

    public static DrydockServer start(DrydockConfig config) {
        return start(config, EventSink.NONE);
    }

    public static DrydockServer start(DrydockConfig config, EventSink events) {
        InstantSource clock = InstantSource.system();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        Database database = Database.open(config.effectiveDbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
        try {
            AuditLog audit = new AuditLog(database.jdbi(), clock);
            IdentityService identity = new IdentityService(database.jdbi(), PasswordHasher.owaspDefault(), audit, clock);
            if (config.adminEmail() != null) {
                identity.bootstrapAdmin(config.adminEmail(), config.adminPassword());
            }
            ECKey key = SigningKeys.loadOrCreate(database.jdbi(), clock);
            TokenSigner signer = new TokenSigner(key, "drydock", clock);
            TokenService tokens = new TokenService(identity, signer, audit, config.service(), config.tokenTtl());
            Registry registry = new Registry(
                    new FilesystemBlobStore(config.dataDir().resolve("storage"), config.storageFsync()),
                    new JdbcRegistryIndex(database.jdbi()), events, clock,
                    new Registry.Limits(config.manifestMaxBytes()));
            Challenge challenge = new Challenge(config.publicUrl(), config.service());

            Javalin http = Javalin.create(cfg -> {
                cfg.concurrency.useVirtualThreads = true;
                cfg.http.compressionStrategy = CompressionStrategy.NONE;
                cfg.http.generateEtags = false;
                cfg.http.maxRequestSize = 64 * 1024;
                cfg.startup.showJavalinBanner = false;
                cfg.jetty.modifyHttpConfiguration(hc -> {
                    hc.setInputBufferSize(64 * 1024);
                    hc.setOutputBufferSize(64 * 1024);
                    hc.setSendServerVersion(false);
                });
                new RegistryRoutes(registry, tokens, challenge).register(cfg.routes);
                new TokenRoutes(tokens).register(cfg.routes);
                new ApiRoutes(identity, tokens).register(cfg.routes);
                new HomePage(challenge).register(cfg.routes);
                cfg.routes.get("/healthz", ctx -> ctx.result("ok"));
                cfg.routes.get("/readyz", ctx -> {
                    database.jdbi().withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
                    ctx.result("ready");
                });
                cfg.routes.exception(Exception.class, (e, ctx) -> {
                    log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
                    ApiRoutes.error(ctx, ApiErrorCode.INTERNAL_ERROR, "internal error; it has been logged", Map.of());
                });
            });
            http.start(config.bind(), config.port());

            ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "drydock-maintenance");
                t.setDaemon(true);
                return t;
            });
            maintenance.scheduleWithFixedDelay(() -> {
                try {
                    int purged = registry.purgeUploads(clock.instant().minus(config.uploadExpiry()));
                    if (purged > 0) log.info("purged {} abandoned upload(s)", purged);
                } catch (RuntimeException e) {
                    log.warn("upload purge failed: {}", e.toString());
                }
            }, 1, 10, TimeUnit.MINUTES);
            log.info("Drydock listening on {}:{} (data: {})", config.bind(), http.port(), config.dataDir());
            return new DrydockServer(database, http, maintenance, registry);
        } catch (IOException e) {
            database.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public Registry registry() {
        return registry;
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        http.stop();
        database.close();
    }
}
