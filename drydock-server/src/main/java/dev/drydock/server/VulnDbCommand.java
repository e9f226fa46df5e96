package dev.drydock.server;

import dev.drydock.platform.AuditLog;
import dev.drydock.platform.db.Database;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.advisory.ImportReport;
import dev.drydock.scanner.cli.ScanCli;
import dev.drydock.server.config.DrydockConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code drydock vulndb import PATH… [--format osv|alpine|debian] [--source NAME]} and {@code drydock vulndb status}:
 * the advisory data in the database the server uses. The embedded H2 database is locked while the server runs:
 * then these commands say so (stop the server, or use {@code POST /api/v1/vulndb/imports} / {@code GET /api/v1/vulndb}).
 */
@Command(name = "vulndb", mixinStandardHelpOptions = true, description = "Import and inspect vulnerability advisory data.",
        subcommands = {VulnDbCommand.Import.class, VulnDbCommand.Status.class})
final class VulnDbCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    enum Format { osv, alpine, debian }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Import advisory files into the database "
            + "(idempotent): OSV JSON files, directories or osv.dev all.zip archives; Alpine secdb JSON; the Debian "
            + "security tracker JSON. A running server loads the new data at its next start; use the API to import "
            + "into a running server.")
    static final class Import implements Callable<Integer> {
        @Parameters(paramLabel = "PATH", arity = "1..*", description = "files or directories to import")
        List<Path> paths;
        @Option(names = "--format", description = "osv (default), alpine or debian", defaultValue = "osv")
        Format format;
        @Option(names = "--source", description = "the import source's name (default: the file name)")
        String source;
        @Mixin
        Main.ConfigOptions options;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            for (Path p : paths) {
                if (!Files.exists(p)) {
                    err.println("drydock vulndb import: no such file or directory: " + p);
                    err.flush();
                    return 2;
                }
            }
            DrydockConfig cfg = options.load(new HashMap<>(), err);
            if (cfg == null) return 2;
            Database database = open(cfg, err, "vulndb import");
            if (database == null) return 1;
            int status = 0;
            try (database) {
                AdvisoryStore store = new AdvisoryStore(database.dataSource(), InstantSource.system());
                AuditLog audit = new AuditLog(database.jdbi(), InstantSource.system());
                for (Path p : paths) {
                    String name = source != null ? source : p.getFileName().toString();
                    try {
                        ImportReport r = switch (format) {
                            case osv -> store.importOsv(name, p);
                            case alpine -> store.importAlpineSecDb(name, p);
                            case debian -> store.importDebianTracker(name, p);
                        };
                        audit.record("cli (" + System.getProperty("user.name") + ")", "vulndb.import", name, format + ": " + r);
                        out.println(r);
                        for (ImportReport.RecordError e : r.errors().subList(0, Math.min(20, r.errors().size()))) {
                            out.println("  skipped " + e.location() + ": " + e.message());
                        }
                        if (r.errors().size() > 20) out.println("  … " + (r.failed() - 20) + " more skipped");
                    } catch (Exception e) {
                        err.println("drydock vulndb import: " + p + ": " + e.getMessage() + " (nothing imported from it)");
                        status = 1;
                    }
                }
            }
            out.flush();
            err.flush();
            return status;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Advisory sources, record counts and age.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Main.ConfigOptions options;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            DrydockConfig cfg = options.load(new HashMap<>(), err);
            if (cfg == null) return 2;
            Database database = open(cfg, err, "vulndb status");
            if (database == null) return 1;
            try (database) {
                out.print(ScanCli.status(new AdvisoryStore(database.dataSource(), InstantSource.system()).status(),
                        InstantSource.system().instant()));
                out.flush();
                return 0;
            }
        }
    }

    /** The server's database, or null after saying why not (the embedded one is locked while the server runs). */
    static Database open(DrydockConfig cfg, PrintWriter err, String command) {
        try {
            return StorageAssembly.openDatabase(cfg, 2);
        } catch (RuntimeException e) {
            err.println("drydock " + command + ": cannot open the database" + (cfg.dbUrl() == null && locked(e)
                    ? ": the server is running and holds the embedded database in " + cfg.dataDir() + "; stop the server "
                    + "or use the API (POST /api/v1/vulndb/imports, GET /api/v1/vulndb)" : ": " + root(e)));
            err.flush();
            return null;
        }
    }

    static boolean locked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("already in use") || m.contains("locked") || m.contains("Locked")) return true;
        }
        return false;
    }

    static String root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        String m = String.valueOf(t.getMessage());
        int newline = m.indexOf('\n');
        return newline > 0 ? m.substring(0, newline) : m;
    }
}
