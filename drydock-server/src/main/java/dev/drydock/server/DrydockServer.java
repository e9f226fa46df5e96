package dev.drydock.server;

import com.nimbusds.jose.jwk.ECKey;
import dev.drydock.compliance.Pipeline;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.platform.jobs.ComplianceTester;
import dev.drydock.platform.vulns.VulnDbUpdater;
import dev.drydock.platform.vulns.VulnerabilityService;
import dev.drydock.platform.jobs.JobQueue;
import dev.drydock.platform.jobs.Worker;
import dev.drydock.platform.webhooks.WebhookDispatcher;
import dev.drydock.platform.webhooks.WebhookService;
import dev.drydock.platform.webhooks.WebhookTargets;
import dev.drydock.registry.GarbageCollector;
import dev.drydock.registry.storage.BlobStore;
import dev.drydock.registry.ErrorCode;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.events.RegistryEvent;
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
import dev.drydock.server.http.BadMessages;
import dev.drydock.server.http.BuildEventRoutes;
import dev.drydock.server.http.Challenge;
import dev.drydock.server.http.Route;
import dev.drydock.server.http.Routes;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Builds every part from the configuration, wires them together and serves HTTP. */
public final class DrydockServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DrydockServer.class);

    private final Database database;
    private final Javalin http;
    private final ScheduledExecutorService maintenance;
    private final Registry registry;
    private final Worker worker;
    private final BuildEvents buildEvents;
    private final BuildEventRoutes eventStreams;
    private final List<Route> routes;
    private final WebhookDispatcher webhooks;
    private final GarbageCollector garbageCollector;
    private final SandboxRuntime sandbox;
    private final TokenService tokens;

    private DrydockServer(Database database, Javalin http, ScheduledExecutorService maintenance, Registry registry,
                          Worker worker, BuildEvents buildEvents, BuildEventRoutes eventStreams, List<Route> routes,
                          WebhookDispatcher webhooks, GarbageCollector garbageCollector, SandboxRuntime sandbox,
                          TokenService tokens) {
        this.database = database;
        this.http = http;
        this.maintenance = maintenance;
        this.registry = registry;
        this.worker = worker;
        this.buildEvents = buildEvents;
        this.eventStreams = eventStreams;
        this.routes = routes;
        this.webhooks = webhooks;
        this.garbageCollector = garbageCollector;
        this.sandbox = sandbox;
        this.tokens = tokens;
    }

    /** The blob store under the data directory (shared with {@code drydock gc}). */
    public static BlobStore blobStore(DrydockConfig config) throws IOException {
        return new FilesystemBlobStore(config.dataDir().resolve("storage"), config.storageFsync());
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
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
        }
        Database database = Database.open(config.effectiveDbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
        WebhookDispatcher webhooks = null;
        SandboxRuntime sandbox = null;
        try {
            AuditLog audit = new AuditLog(database.jdbi(), clock);
            IdentityService identity = new IdentityService(database.jdbi(), PasswordHasher.owaspDefault(), audit, clock);
            VulnerabilityService vulns = new VulnerabilityService(database.dataSource(), database.jdbi(), identity, audit,
                    clock, config.vulns().failAt());
            if (config.adminEmail() != null) {
                identity.bootstrapAdmin(config.adminEmail(), config.adminPassword());
            }
            ECKey key = SigningKeys.loadOrCreate(database.jdbi(), clock);
            TokenSigner signer = new TokenSigner(key, "drydock", clock);
            TokenService tokens = new TokenService(identity, signer, audit, config.service(), config.tokenTtl());
            BuildEvents buildEvents = new BuildEvents();
            JobQueue jobs = new JobQueue(database.jdbi(), clock);
            BuildService builds = new BuildService(database.jdbi(), jobs, buildEvents, audit, clock);
            AdapterService adapters = new AdapterService(database.jdbi(), builds, audit, clock);
            // Webhooks: every build change is written to the outbox inside its own transaction; after that
            // commits, the dispatcher is woken to deliver it.
            WebhookTargets webhookTargets = new WebhookTargets(config.webhooksAllowPrivateNetwork());
            WebhookService webhookService = new WebhookService(database.jdbi(), identity, audit, clock, webhookTargets);
            buildEvents.subscribeInTransaction(webhookService::enqueue);
            webhooks = new WebhookDispatcher(database.jdbi(), clock, webhookTargets, config.webhooks());
            webhookService.onStored(webhooks::wakeUp);
            Worker[] workerRef = new Worker[1];
            // Registry events: a tagged push to an adapter's repository becomes a build, synchronously, before
            // the manifest PUT answers; then the worker is woken so testing starts at once.
            EventSink sink = event -> {
                events.publish(event);
                if (event instanceof RegistryEvent.ManifestPushed pushed) {
                    try {
                        builds.onManifestPushed(pushed).ifPresent(b -> {
                            if (workerRef[0] != null) workerRef[0].wakeUp();
                        });
                    } catch (RuntimeException e) {
                        log.error("could not create a build for {}:{}", pushed.repository(), pushed.tag(), e);
                    }
                }
            };
            BlobStore blobStore = blobStore(config);
            JdbcRegistryIndex registryIndex = new JdbcRegistryIndex(database.jdbi());
            Registry registry = new Registry(blobStore, registryIndex, sink, clock, new Registry.Limits(config.manifestMaxBytes(),
                    config.uploadMaxSessionsPerPrincipal(), config.uploadMaxSessionsPerRepository(), config.uploadMaxBytes()));
            GarbageCollector garbageCollector = new GarbageCollector(blobStore, registryIndex, clock);
            if (config.requireAdapter()) {
                registry.setPushPolicy(repository -> {
                    if (adapters.byRepository(repository).isEmpty()) {
                        long org = dev.drydock.registry.Names.orgOf(repository);
                        throw new RegistryException(ErrorCode.DENIED, "no adapter named '"
                                + repository.substring(repository.indexOf('/') + 1) + "' is registered in organization " + org
                                + ": register it first (POST /api/v1/orgs/" + org + "/adapters or the web UI), then push again",
                                Map.of("repository", repository));
                    }
                });
            }
            builds.setImageReleaser(build -> {
                try {
                    registry.deleteManifest(build.repository(), build.digest(), BuildService.SYSTEM);
                } catch (RegistryException e) {
                    // already gone
                }
            });
            Challenge challenge = new Challenge(config.publicUrl(), config.service());
            // Reports name the registry as clients reach it; without a public URL that is the bound port, which
            // (with port 0) is known only once the server listens, before the worker starts.
            AtomicReference<String> reportHost = new AtomicReference<>(config.publicUrl() != null
                    ? config.publicUrl().replaceFirst("^https?://", "")
                    : "localhost:" + config.port());
            sandbox = new SandboxRuntime(config, tokens);
            Worker worker = new Worker(jobs, builds,
                    testerDecorator.apply(new ComplianceTester(registry, Pipeline.standard(
                            Path.of(System.getProperty("java.io.tmpdir")), vulns.check(), sandbox, config.imageMaxBytes()), reportHost::get,
                            adapters::byEngineId)),
                    new Worker.Settings(Math.max(1, config.workerConcurrency()), config.workerLease(), Duration.ofSeconds(1),
                            config.testTimeout(), config.workerMaxAttempts()));
            workerRef[0] = worker;

            Routes routes = new Routes(identity, tokens, audit, adapters, builds, buildEvents, webhookService, vulns, registry,
                    challenge, database, config.dataDir().resolve("tmp"), config.sseHeartbeat(), config.sseMaxStreamsPerPrincipal());
            BuildEventRoutes eventStreams = routes.eventStreams();
            Javalin http = Javalin.create(cfg -> {
                cfg.concurrency.useVirtualThreads = true;
                cfg.http.compressionStrategy = CompressionStrategy.NONE;
                cfg.http.generateEtags = false;
                cfg.http.maxRequestSize = 64 * 1024;
                cfg.startup.showJavalinBanner = false;
                cfg.jetty.modifyServer(server -> server.setErrorHandler(new BadMessages()));
                cfg.jetty.modifyHttpConfiguration(hc -> {
                    hc.setInputBufferSize(64 * 1024);
                    hc.setOutputBufferSize(64 * 1024);
                    hc.setSendServerVersion(false);
                });
                routes.install(cfg.routes);
            });
            http.start(config.bind(), config.port());
            if (config.publicUrl() == null) {
                boolean anyAddress = config.bind().equals("0.0.0.0") || config.bind().equals("::");
                String address = anyAddress ? "localhost" : config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
                reportHost.set(address + ":" + http.port());
            }

            ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "drydock-maintenance");
                t.setDaemon(true);
                return t;
            });
            // Purge idle uploads a few times per expiry period (every 10 min at the default 24h), then give the
            // embedded database's freed space back (see Database.reclaimSpace).
            long purgeEvery = Math.clamp(config.uploadExpiry().toMillis() / 4, 1000L, TimeUnit.MINUTES.toMillis(10));
            maintenance.scheduleWithFixedDelay(() -> {
                try {
                    int purged = registry.purgeUploads(clock.instant().minus(config.uploadExpiry()));
                    if (purged > 0) {
                        log.info("purged {} idle upload(s)", purged);
                        database.reclaimSpace(Duration.ofSeconds(2)).ifPresent(r -> log.info(
                                "database file compacted from {} to {} bytes", r.bytesBefore(), r.bytesAfter()));
                    }
                } catch (RuntimeException e) {
                    log.warn("upload purge failed: {}", e.toString());
                }
            }, purgeEvery, purgeEvery, TimeUnit.MILLISECONDS);
            if (config.gcInterval() != null) {
                long every = config.gcInterval().toMillis();
                maintenance.scheduleWithFixedDelay(() -> {
                    try {
                        garbageCollector.collect(config.gcGrace(), false);
                    } catch (RuntimeException e) {
                        log.warn("garbage collection failed: {}", e.toString());
                    }
                }, every, every, TimeUnit.MILLISECONDS);
            }
            sandbox.start(http.port());
            // another node's import (or the CLI on a shared database) reaches this node's scans within a minute
            maintenance.scheduleWithFixedDelay(vulns::reloadIfChanged, 1, 1, TimeUnit.MINUTES);
            if (config.vulns().updateInterval() != null) {
                VulnDbUpdater updater = new VulnDbUpdater(vulns, config.vulns().urls(), config.dataDir().resolve("tmp"),
                        Duration.ofMinutes(30));
                long every = config.vulns().updateInterval().toMillis();
                maintenance.scheduleWithFixedDelay(updater::updateAll, 0, every, TimeUnit.MILLISECONDS);
            }
            if (config.workerConcurrency() > 0) worker.start();
            if (config.webhooks().concurrency() > 0) webhooks.start();
            log.info("Drydock listening on {}:{} (data: {})", config.bind(), http.port(), config.dataDir());
            return new DrydockServer(database, http, maintenance, registry, worker, buildEvents, eventStreams,
                    routes.table(), webhooks, garbageCollector, sandbox, tokens);
        } catch (IOException e) {
            if (webhooks != null) webhooks.close();
            if (sandbox != null) sandbox.close();
            database.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            if (webhooks != null) webhooks.close();
            if (sandbox != null) sandbox.close();
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

    public BuildEvents buildEvents() {
        return buildEvents;
    }

    /** Every HTTP route served: the routes table. */
    public List<Route> routes() {
        return routes;
    }

    public BuildEventRoutes eventStreams() {
        return eventStreams;
    }

    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    public GarbageCollector garbageCollector() {
        return garbageCollector;
    }

    public SandboxRuntime sandbox() {
        return sandbox;
    }

    public TokenService tokens() {
        return tokens;
    }

    @Override
    public void close() {
        worker.close();
        sandbox.close();
        eventStreams.close();
        webhooks.close();
        maintenance.shutdownNow();
        http.stop();
        database.close();
    }
}
