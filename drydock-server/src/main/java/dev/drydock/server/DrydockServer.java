package dev.drydock.server;

import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.platform.vulns.VulnDbUpdater;
import dev.drydock.platform.webhooks.WebhookDispatcher;
import dev.drydock.registry.GarbageCollector;
import dev.drydock.registry.storage.BlobStore;
import dev.drydock.platform.access.TokenService;
import dev.drydock.platform.db.ClusterTasks;
import dev.drydock.platform.db.Database;
import dev.drydock.registry.Registry;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.storage.FilesystemBlobStore;
import dev.drydock.registry.storage.S3BlobStore;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.BuildEventRoutes;
import dev.drydock.server.http.Route;
import dev.drydock.server.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Builds every part from the configuration, in dependency order and without setters: {@link StorageAssembly},
 * {@link IdentityAssembly}, {@link BuildAssembly}, then {@link HttpAssembly}; then starts what the node's role runs
 * ({@code role}): the maintenance tasks, the sandbox and the worker, the webhook dispatcher, the feed of other nodes'
 * build changes.
 */
public final class DrydockServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DrydockServer.class);

    private final Database database;
    private final HttpAssembly web;
    private final ScheduledExecutorService maintenance;
    private final BuildAssembly flow;
    private final TokenService tokens;
    private final Metrics metrics;
    private final BlobStore blobStore;
    private final ClusterTasks tasks;

    private DrydockServer(Database database, HttpAssembly web, ScheduledExecutorService maintenance, BuildAssembly flow,
                          TokenService tokens, Metrics metrics, BlobStore blobStore, ClusterTasks tasks) {
        this.tasks = tasks;
        this.metrics = metrics;
        this.blobStore = blobStore;
        this.database = database;
        this.web = web;
        this.maintenance = maintenance;
        this.flow = flow;
        this.tokens = tokens;
    }

    /**
     * The configured blob store (shared with {@code drydock gc}): a directory ({@code storage.path}, by default the data
     * directory's {@code storage/}) or an S3 bucket, checked to be reachable now rather than at the first push.
     */
    public static BlobStore blobStore(DrydockConfig config) throws IOException {
        DrydockConfig.Storage storage = config.storage();
        if (!storage.isS3()) return new FilesystemBlobStore(storage.path(), config.storageFsync());
        try {
            S3BlobStore store = S3BlobStore.open(storage.s3());
            log.info("blobs in {}", storage.s3());
            return store;
        } catch (IOException e) {
            throw new IOException("storage.type=s3: " + e.getMessage()
                    + " (storage.s3.endpoint, storage.s3.bucket, storage.s3.region, storage.s3.path-style, storage.s3.access-key)", e);
        }
    }

    public static DrydockServer start(DrydockConfig config) {
        return start(config, EventSink.NONE);
    }

    public static DrydockServer start(DrydockConfig config, EventSink events) {
        return start(config, events, UnaryOperator.identity());
    }

    /**
     * Starts with the build tester wrapped by {@code testerDecorator} (tests use it to slow down or block the
     * compliance pipeline, e.g. to stop the server while a test is in flight).
     */
    public static DrydockServer start(DrydockConfig config, EventSink events, UnaryOperator<BuildTester> testerDecorator) {
        InstantSource clock = InstantSource.system();
        if (config.node().role() != DrydockConfig.Role.all && config.dbUrl() == null) {
            log.warn("role={} with the embedded database, which no other node can share: {} (set db.url to a PostgreSQL"
                    + " database shared with the other nodes)", config.node().role(), config.node().role() == DrydockConfig.Role.api
                    ? "no build will be tested" : "nobody can push a build to test");
        }
        ServerTls tls = ServerTls.load(config.tls()); // before anything opens: a bad certificate or key stops the start
        StorageAssembly storage = StorageAssembly.open(config);
        Database database = storage.database();
        BuildAssembly flow = null;
        HttpAssembly web = null;
        ClusterTasks tasks = null;
        Metrics metrics = new Metrics();
        try {
            IdentityAssembly identities = IdentityAssembly.of(config, storage, clock);
            flow = BuildAssembly.of(config, storage, identities, clock, events, testerDecorator, metrics::webhookAttempt);
            metrics.watch(flow.registry(), flow.jobs(), flow.worker(), flow.events(), flow.builds(), clock);
            web = HttpAssembly.start(config, storage, identities, flow, metrics, tls);
            tasks = new ClusterTasks(database.jdbi(), clock);
            ScheduledExecutorService maintenance = scheduleMaintenance(config, clock, database, flow, tasks);
            if (config.testsBuilds()) flow.sandbox().start(web.http().port());
            flow.start(config);
            log.info("Drydock listening on {}:{} as role {} ({}; data: {})", config.bind(), web.http().port(),
                    config.node().role(), tls == null ? "plain HTTP" : "HTTPS and HTTP/2, certificate " + tls.describe(),
                    config.dataDir());
            return new DrydockServer(database, web, maintenance, flow, identities.tokens(), metrics, storage.blobStore(), tasks);
        } catch (RuntimeException e) {
            if (web != null) web.close();
            else if (tls != null) tls.close();
            if (flow != null) flow.close();
            if (tasks != null) tasks.close();
            metrics.close();
            database.close();
            closeStore(storage.blobStore());
            throw e;
        }
    }

    /**
     * Keeps the shared data: purges idle uploads (then gives the embedded database's freed space back), collects
     * garbage and updates vulnerability data, on nodes that serve clients (the last two one node at a time across the
     * cluster, {@link ClusterTasks}); and on every node reloads vulnerability data another node imported.
     */
    private static ScheduledExecutorService scheduleMaintenance(DrydockConfig config, InstantSource clock, Database database,
                                                                BuildAssembly flow, ClusterTasks tasks) {
        ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drydock-maintenance");
            t.setDaemon(true);
            return t;
        });
        // another node's import (or the CLI on a shared database) reaches this node's scans within a minute
        maintenance.scheduleWithFixedDelay(flow.vulns()::reloadIfChanged, 1, 1, TimeUnit.MINUTES);
        if (!config.node().role().servesClients()) return maintenance; // a worker tests builds, nothing else
        // Purge idle uploads a few times per expiry period (every 10 min at the default 24h), then give the
        // embedded database's freed space back (see Database.reclaimSpace). Safe on several nodes at once: a session
        // is purged only while idle, whichever node it was used through.
        long purgeEvery = Math.clamp(config.uploadExpiry().toMillis() / 4, 1000L, TimeUnit.MINUTES.toMillis(10));
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                int purged = flow.registry().purgeUploads(clock.instant().minus(config.uploadExpiry()));
                if (purged > 0) {
                    log.info("purged {} idle upload(s)", purged);
                    database.reclaimSpace(Duration.ofSeconds(2)).ifPresent(r -> log.info(
                            "database file compacted from {} to {} bytes", r.bytesBefore(), r.bytesAfter()));
                }
            } catch (RuntimeException e) {
                log.warn("upload purge failed: {}", e.toString());
            }
        }, purgeEvery, purgeEvery, TimeUnit.MILLISECONDS);
        // The shared tasks: each node looks at least once a minute whether one is due.
        if (config.gcInterval() != null) {
            Duration every = config.gcInterval();
            long look = Math.min(every.toMillis(), TimeUnit.MINUTES.toMillis(1));
            maintenance.scheduleWithFixedDelay(() -> tasks.runIfDue(ClusterTasks.Task.GARBAGE_COLLECTION, every,
                    () -> flow.garbageCollector().collect(config.gcGrace(), false)), look, look, TimeUnit.MILLISECONDS);
        }
        if (config.vulns().updateInterval() != null) {
            VulnDbUpdater updater = new VulnDbUpdater(flow.vulns(), config.vulnFeeds().all(), config.dataDir().resolve("tmp"),
                    Duration.ofMinutes(30));
            Duration every = config.vulns().updateInterval();
            long look = Math.min(every.toMillis(), TimeUnit.MINUTES.toMillis(1));
            maintenance.scheduleWithFixedDelay(() -> tasks.runIfDue(ClusterTasks.Task.VULNDB_UPDATE, every, updater::updateAll),
                    0, look, TimeUnit.MILLISECONDS);
        }
        return maintenance;
    }

    public int port() {
        return web.http().port();
    }

    public Registry registry() {
        return flow.registry();
    }

    public Database database() {
        return database;
    }

    public BuildEvents buildEvents() {
        return flow.events();
    }

    /** Every HTTP route served: the routes table. */
    public List<Route> routes() {
        return web.routes().table();
    }

    public BuildEventRoutes eventStreams() {
        return web.routes().eventStreams();
    }

    public WebhookDispatcher webhooks() {
        return flow.webhooks();
    }

    public GarbageCollector garbageCollector() {
        return flow.garbageCollector();
    }

    public SandboxRuntime sandbox() {
        return flow.sandbox();
    }

    public TokenService tokens() {
        return tokens;
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * Stops gracefully (the JVM's shutdown hook calls this on SIGTERM): at once, the listener stops accepting
     * connections and the worker hands its running tests back (their jobs are due again at once, for any node);
     * meanwhile requests in flight, such as uploads, get up to {@code shutdown.grace} to finish. Then the
     * maintenance tasks and the database stop.
     */
    @Override
    public void close() {
        Thread drain = Thread.ofPlatform().name("drydock-http-drain").start(web::close);
        try {
            flow.close();
        } finally {
            try {
                drain.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            maintenance.shutdownNow();
            tasks.close();
            metrics.close();
            database.close();
            closeStore(blobStore);
        }
    }

    /** Releases an object store's connections (the filesystem store holds none). */
    private static void closeStore(BlobStore store) {
        if (store instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("closing the blob store: {}", e.toString());
            }
        }
    }
}
