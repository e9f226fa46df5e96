package dev.drydock.server;

import dev.drydock.platform.db.ClusterTasks;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.registry.GarbageCollector;
import dev.drydock.server.config.DrydockConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Command line: {@code drydock serve [--role all|api|worker] [--port P] [--data DIR] [--config FILE]} and
 * {@code drydock gc [--data DIR] [--config FILE] [--dry-run]} and
 * {@code drydock check IMAGE [--category C] [--engine-id ID] [--format json|table]} ({@link CheckCommand}),
 * {@code drydock doctor} ({@link DoctorCommand}), {@code drydock vulndb import|status} ({@link VulnDbCommand}) and
 * {@code drydock scan IMAGE} ({@link ScanCommand}).
 */
@Command(name = "drydock", mixinStandardHelpOptions = true, version = "drydock 0.1.0",
        description = "Registry and compliance testing for containerised adapters and engines.",
        subcommands = {Main.Serve.class, Main.Gc.class, CheckCommand.class, DoctorCommand.class, VulnDbCommand.class,
                ScanCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    /** {@code --data} and {@code --config}, shared by every command that reads the configuration. */
    static final class ConfigOptions {
        @Option(names = "--data", description = "data directory (default ./drydock-data)")
        Path data;
        @Option(names = "--config", description = "properties file (default <data>/drydock.properties)")
        Path config;

        /** The validated configuration, or null after printing why it is invalid. */
        DrydockConfig load(Map<String, String> flags, PrintWriter err) {
            if (data != null) flags.put("data", data.toString());
            try {
                DrydockConfig loaded = DrydockConfig.load(config, System.getenv(), flags);
                Logging.configure(loaded.observability().jsonLogs());
                return loaded;
            } catch (DrydockConfig.InvalidConfig e) {
                err.println("drydock: " + e.getMessage());
                err.flush();
                return null;
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the service (registry, token service, API, UI, build tests) on one port.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--role", paramLabel = "all|api|worker", description = "what this node runs (default all, or the "
                + "role key / DRYDOCK_ROLE): all = everything; api = registry, API, UI, event streams, webhooks and "
                + "maintenance, no tests; worker = tests builds from the shared queue and serves only /healthz, /readyz "
                + "and /metrics (set sandbox.registry-host to an API node). Several nodes share one PostgreSQL (db.url) "
                + "and one blob store (storage.type=s3 or a shared storage.path).")
        String role;
        @Option(names = "--port", description = "HTTP port (default 5000)")
        Integer port;
        @Option(names = "--bind", description = "listen address (default 0.0.0.0)")
        String bind;
        @Mixin
        ConfigOptions options;
        @Option(names = "--public-url", description = "external base URL, e.g. https://registry.example.com")
        String publicUrl;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> flags = new HashMap<>();
            if (port != null) flags.put("port", port.toString());
            if (bind != null) flags.put("bind", bind);
            if (publicUrl != null) flags.put("public-url", publicUrl);
            if (role != null) flags.put("role", role);
            DrydockConfig cfg = options.load(flags, new PrintWriter(System.err, true));
            if (cfg == null) return 2;
            DrydockServer server;
            try {
                server = DrydockServer.start(cfg);
            } catch (java.io.UncheckedIOException e) { // e.g. an S3 bucket that cannot be reached: say why, no trace
                System.err.println("drydock: cannot start: " + e.getCause().getMessage());
                return 1;
            } catch (DrydockConfig.InvalidConfig e) { // e.g. an external database that refuses us
                System.err.println("drydock: " + e.getMessage());
                return 2;
            }
            closeOnShutdown(server).await();
            return 0;
        }
    }

    /**
     * Closes the server gracefully when the JVM is asked to stop (SIGTERM, SIGINT): see {@link DrydockServer#close}.
     * The latch opens once it has stopped.
     */
    static CountDownLatch closeOnShutdown(DrydockServer server) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "drydock-shutdown"));
        return stopped;
    }

    @Command(name = "gc", mixinStandardHelpOptions = true, description =
            "Delete stored blobs that no repository links and that were published longer than gc.grace ago. "
            + "Safe while pushes go on. With the embedded database, stop the server first (it holds the "
            + "database), or let the server collect by itself with gc.interval. On a shared database it takes the "
            + "servers' collection lease: while a server collects it refuses (exit code 3) and names the holder.",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:collected (or counted, with --dry-run)", "1:some blobs could not be processed, or a store or "
                    + "database error", "2:bad configuration or no data", "3:another collection is running; nothing deleted"})
    static final class Gc implements Callable<Integer> {
        /** The exit code when another collection holds the lease. */
        static final int BUSY = 3;

        @Mixin
        ConfigOptions options;
        @Option(names = "--dry-run", description = "only report what would be deleted")
        boolean dryRun;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            DrydockConfig cfg = options.load(new HashMap<>(), err);
            if (cfg == null) return 2;
            if (cfg.dbUrl() == null && !Files.isDirectory(cfg.dataDir().resolve("db"))) {
                err.println("drydock: no Drydock data in " + cfg.dataDir() + ": pass --data DIR (the directory serve uses)");
                return 2;
            }
            Database database;
            try {
                database = StorageAssembly.openDatabase(cfg, 2);
            } catch (RuntimeException e) {
                err.println("drydock: cannot open the database" + (cfg.dbUrl() == null
                        ? " (is the server running? it holds the embedded database: stop it first, or set gc.interval "
                        + "so the server collects itself)" : "") + ": " + rootMessage(e));
                return 1;
            }
            try (database) {
                dev.drydock.registry.storage.BlobStore store;
                try {
                    store = DrydockServer.blobStore(cfg);
                } catch (IOException e) {
                    err.println("drydock: cannot open the blob store: " + e.getMessage());
                    return 1;
                }
                GarbageCollector collector = new GarbageCollector(store, new JdbcRegistryIndex(database.jdbi()),
                        InstantSource.system(), cfg.uploadExpiry());
                try (ClusterTasks tasks = new ClusterTasks(database.jdbi(), InstantSource.system(), "drydock gc")) {
                    if (dryRun) { // deletes nothing, so it takes no lease: it never keeps the servers' collection waiting
                        tasks.holder(ClusterTasks.Task.GARBAGE_COLLECTION).ifPresent(h -> out.printf(
                                "note: a collection is running now (%s): these figures may change as it deletes%n", h.owner()));
                        return report(collector.collect(cfg.gcGrace(), true), cfg, out);
                    }
                    // the servers' lease (gc.interval): never two collectors at once, which would put back each
                    // other's parked blobs. Refused rather than waited for: a collection holds it as long as it runs.
                    AtomicReference<GarbageCollector.Result> result = new AtomicReference<>();
                    if (!tasks.runNow(ClusterTasks.Task.GARBAGE_COLLECTION,
                            () -> result.set(collector.collect(cfg.gcGrace(), false)))) {
                        err.println("drydock: garbage collection is running already, nothing deleted: " + tasks
                                .holder(ClusterTasks.Task.GARBAGE_COLLECTION)
                                .map(h -> "held by " + h.owner() + ", its lease expires at "
                                        + h.until().truncatedTo(ChronoUnit.SECONDS) + " unless renewed (it is while the"
                                        + " collection runs); run drydock gc again once it has finished")
                                .orElse("it has just finished; run drydock gc again"));
                        err.flush();
                        return BUSY;
                    }
                    return report(result.get(), cfg, out);
                }
            }
        }

        private static int report(GarbageCollector.Result r, DrydockConfig cfg, PrintWriter out) {
            out.printf("%d blobs stored, %d unreferenced%n", r.blobs(), r.unreferenced());
            out.printf("kept %d published less than %s ago (gc.grace), %d linked during the sweep%n",
                    r.tooRecent(), cfg.gcGrace().toString().substring(2).toLowerCase(java.util.Locale.ROOT), r.relinked());
            out.printf("%s %d blobs, %d bytes%s%n", r.dryRun() ? "dry run: would delete" : "deleted", r.deleted(),
                    r.bytesFreed(), r.dryRun() ? "" : " freed");
            if (r.orphanedUploads() > 0) {
                out.printf("%s %d upload areas no session owns%n", r.dryRun() ? "dry run: would delete" : "deleted", r.orphanedUploads());
            }
            if (r.errors() > 0) out.printf("%d blobs could not be processed (see the log)%n", r.errors());
            out.flush();
            return r.errors() > 0 ? 1 : 0;
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null) t = t.getCause();
            String m = String.valueOf(t.getMessage());
            int newline = m.indexOf('\n');
            return newline > 0 ? m.substring(0, newline) : m;
        }
    }
}
