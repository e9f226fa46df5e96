package dev.drydock.server;

import dev.drydock.compliance.Pipeline;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.BuildEventFeed;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildIntake;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.builds.ImageRelease;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.platform.jobs.ComplianceTester;
import dev.drydock.platform.jobs.JobQueue;
import dev.drydock.platform.jobs.Worker;
import dev.drydock.platform.vulns.VulnerabilityMonitor;
import dev.drydock.platform.vulns.VulnerabilityService;
import dev.drydock.platform.webhooks.WebhookDispatcher;
import dev.drydock.platform.webhooks.WebhookService;
import dev.drydock.platform.webhooks.WebhookTargets;
import dev.drydock.registry.GarbageCollector;
import dev.drydock.registry.Registry;
import dev.drydock.registry.events.EventSink;
import dev.drydock.server.config.DrydockConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The path of one push, built in dependency order: build events and the job queue; the lifecycle's services
 * (builds, adapters); the {@link BuildIntake} that the registry reports pushes to and asks before accepting one;
 * the registry; the release of deleted builds' images; the webhook outbox and its dispatcher; vulnerability data;
 * the sandbox; and the worker that tests builds. Nothing is started here (see {@link DrydockServer#start}).
 *
 * @param reportHost         how reports name the registry: the public URL's host, or once the server listens its address
 * @param stopReleasingImages removes the {@link ImageRelease} listener (on close, so no listener outlives the server)
 * @param monitor            re-matches released builds after each advisory data load (stopped first on close)
 * @param feed               other nodes' build changes for this node's event streams; null when no other node can share
 *                           the database (the embedded one) or this node serves no streams
 */
record BuildAssembly(BuildEvents events, BuildEventFeed feed, JobQueue jobs, BuildService builds, AdapterService adapters, VulnerabilityService vulns,
                     Registry registry, GarbageCollector garbageCollector, WebhookService webhookService,
                     WebhookDispatcher webhooks, SandboxRuntime sandbox, Worker worker, AtomicReference<String> reportHost,
                     Runnable stopReleasingImages, VulnerabilityMonitor monitor)
        implements AutoCloseable {

    /**
     * @param forward         receives every registry event too (tests listen here)
     * @param testerDecorator wraps the build tester (tests slow down or block the compliance pipeline)
     * @param webhookAttempts told the result of every webhook delivery attempt (metrics)
     */
    static BuildAssembly of(DrydockConfig config, StorageAssembly storage, IdentityAssembly identity, InstantSource clock,
                            EventSink forward, UnaryOperator<BuildTester> testerDecorator,
                            Consumer<WebhookDispatcher.AttemptResult> webhookAttempts) {
        var jdbi = storage.database().jdbi();
        BuildEvents events = new BuildEvents();
        boolean servesClients = config.node().role().servesClients();
        // The embedded database is this process's alone: no other node makes changes there.
        BuildEventFeed feed = servesClients && config.dbUrl() != null
                ? new BuildEventFeed(jdbi, events, config.node().eventsPoll()) : null;
        JobQueue jobs = new JobQueue(jdbi, clock);
        BuildService builds = new BuildService(jdbi, jobs, events, identity.audit(), clock);
        AdapterService adapters = new AdapterService(jdbi, builds, identity.audit(), clock);
        BuildIntake intake = new BuildIntake(builds, adapters, config.requireAdapter(), forward);
        Registry registry = new Registry(storage.blobStore(), storage.registryIndex(), intake, intake, clock,
                new Registry.Limits(config.manifestMaxBytes(), config.uploadMaxSessionsPerPrincipal(),
                        config.uploadMaxSessionsPerRepository(), config.uploadMaxBytes()));
        Runnable stopReleasingImages = events.subscribe(new ImageRelease(registry, builds));
        GarbageCollector garbageCollector = new GarbageCollector(storage.blobStore(), storage.registryIndex(), clock,
                config.uploadExpiry());
        // Webhooks: every build change is written to the outbox inside its own transaction; after that commits, the
        // dispatcher is woken to deliver it.
        WebhookTargets webhookTargets = new WebhookTargets(config.webhooksAllowPrivateNetwork());
        WebhookDispatcher webhooks = new WebhookDispatcher(jdbi, clock, webhookTargets, config.webhooks(), webhookAttempts);
        WebhookService webhookService = new WebhookService(jdbi, identity.identity(), identity.audit(), clock, webhookTargets,
                webhooks::wakeUp);
        events.subscribeInTransaction(webhookService::enqueue);
        // Vulnerability data; every load of new data re-matches the released builds' SBOMs in the background, and what
        // is newly found goes to the webhook outbox in the transaction that records it.
        VulnerabilityMonitor monitor = new VulnerabilityMonitor(jdbi, builds, webhookService::enqueueVulnerable,
                identity.audit(), clock, config.vulns().failAt(), true);
        VulnerabilityService vulns = new VulnerabilityService(storage.database().dataSource(), jdbi, identity.identity(),
                identity.audit(), clock, config.vulns().failAt(),
                config.vulns().updateInterval() == null ? java.util.List.of() : config.vulnFeeds().all(),
                servesClients ? monitor : VulnerabilityService.DataListener.NONE); // a worker only scans
        AtomicReference<String> reportHost = new AtomicReference<>(config.publicUrl() != null
                ? config.publicUrl().replaceFirst("^https?://", "")
                : "localhost:" + config.port());
        SandboxRuntime sandbox = null;
        try {
            sandbox = new SandboxRuntime(config, identity.tokens());
            Worker worker = new Worker(jobs, builds,
                    testerDecorator.apply(new ComplianceTester(registry, Pipeline.standard(
                            Path.of(System.getProperty("java.io.tmpdir")), vulns.check(), sandbox, config.imageMaxBytes()),
                            reportHost::get, adapters::byEngineId)),
                    new Worker.Settings(Math.max(1, config.workerConcurrency()), config.workerLease(), Duration.ofSeconds(1),
                            config.testTimeout(), config.workerMaxAttempts()));
            return new BuildAssembly(events, feed, jobs, builds, adapters, vulns, registry, garbageCollector, webhookService, webhooks,
                    sandbox, worker, reportHost, stopReleasingImages, monitor);
        } catch (RuntimeException e) {
            monitor.close();
            webhooks.close();
            if (sandbox != null) sandbox.close();
            throw e;
        }
    }

    /**
     * Starts what this node's role runs: testing (role worker or all, {@code worker.concurrency} above 0), delivering
     * webhooks ({@code webhooks.concurrency} above 0) and reading other nodes' changes (roles api and all).
     */
    void start(DrydockConfig config) {
        if (config.testsBuilds()) worker.start();
        if (config.node().role().servesClients() && config.webhooks().concurrency() > 0) webhooks.start();
        if (feed != null) feed.start();
    }

    /** Stops the worker first (its tests give their jobs back), then the sandbox and the dispatcher. */
    @Override
    public void close() {
        if (feed != null) feed.close();
        monitor.close();
        worker.close();
        sandbox.close();
        webhooks.close();
        stopReleasingImages.run();
    }
}
