package dev.drydock.server;

import dev.drydock.image.ImageException;
import dev.drydock.image.ImageSource;
import dev.drydock.oci.Digest;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.JdbcRegistryIndex;
import dev.drydock.platform.jobs.RegistryImageSource;
import dev.drydock.registry.Names;
import dev.drydock.registry.Registry;
import dev.drydock.registry.RegistryException;
import dev.drydock.registry.events.EventSink;
import dev.drydock.scanner.ScanResult;
import dev.drydock.scanner.Scanner;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.advisory.AdvisoryStore;
import dev.drydock.scanner.advisory.ImportReport;
import dev.drydock.scanner.cli.ScanCli;
import dev.drydock.scanner.match.Policy;
import dev.drydock.scanner.match.Severity;
import dev.drydock.server.config.DrydockConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code drydock scan IMAGE [--format table|json] [--fail-on SEVERITY] [--vulndb PATH…]}: the vulnerability scan of an
 * OCI layout, OCI archive or docker-save tarball. Advisory data comes from the files given with {@code --vulndb}
 * (OSV JSON, directories, all.zip), else from the data directory's database. Exits 0 when nothing at or above
 * {@code --fail-on} (default: the configured vulnerabilities.fail-at) is found, 1 when something is, 2 on a usage error.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, description = "Scan an image on disk, or one pushed to this Drydock, for known vulnerabilities.")
final class ScanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "OCI layout directory, OCI archive or docker-save tarball, or a "
            + "reference to an image pushed to this Drydock: [HOST/]ORGID/NAME[:TAG|@DIGEST] (read from --data)")
    Path image;
    @Option(names = "--format", description = "table (default) or json", defaultValue = "table")
    CheckCommand.Format format;
    @Option(names = "--fail-on", description = "lowest severity that fails: Negligible, Low, Medium, High, Critical, Defcon1")
    String failOn;
    @Option(names = "--vulndb", arity = "1..*", description = "OSV advisory files, directories or all.zip archives to match against (instead of the database)")
    List<Path> vulndb;
    @Mixin
    Main.ConfigOptions options;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return scan(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int scan(PrintWriter out, PrintWriter err) throws Exception {
        PushedImage reference = Files.exists(image) ? null : PushedImage.parse(image.toString());
        if (!Files.exists(image) && reference == null) {
            err.println("drydock scan: no such file or directory: " + image + " (nor a reference [HOST/]ORGID/NAME[:TAG|@DIGEST] "
                    + "to an image pushed to this Drydock)");
            return 2;
        }
        DrydockConfig cfg = options.load(new HashMap<>(), err);
        if (cfg == null) return 2;
        if (reference != null && cfg.dbUrl() == null && !Files.isDirectory(cfg.dataDir().resolve("db"))) {
            err.println("drydock scan: " + image + " is no file, and there is no Drydock data in " + cfg.dataDir()
                    + " to find it in: pass --data DIR (the directory serve uses)");
            return 2;
        }
        Severity threshold = cfg.vulns().failAt();
        if (failOn != null) {
            try {
                threshold = Severity.parse(failOn);
            } catch (IllegalArgumentException e) {
                err.println("drydock scan: --fail-on: " + e.getMessage());
                return 2;
            }
        }
        if (reference != null) return scanPushed(reference.repository(), reference.ref(), cfg, threshold, out, err);
        AdvisoryIndex index;
        if (vulndb != null) {
            for (Path p : vulndb) {
                if (!Files.exists(p)) {
                    err.println("drydock scan: --vulndb: no such file or directory: " + p);
                    return 2;
                }
            }
            index = fromFiles(err);
        } else if (cfg.dbUrl() != null || Files.isDirectory(cfg.dataDir().resolve("db"))) {
            Database database = VulnDbCommand.open(cfg, err, "scan");
            if (database == null) {
                err.println("drydock scan: or pass the advisory files with --vulndb PATH…");
                return 2;
            }
            try (database) {
                index = new AdvisoryStore(database.dataSource(), InstantSource.system()).loadIndex();
            }
        } else {
            index = AdvisoryIndex.builder().build("no advisory data imported", null);
        }
        if (index.advisories() == 0) {
            err.println("drydock scan: no vulnerability data: packages are listed but nothing is matched; run ./drydock vulndb "
                    + "import PATH… or pass --vulndb PATH…");
        }
        return report(work -> ScanCli.scanLocal(image, new Scanner(index), work), threshold, out, err);
    }

    /**
     * An image pushed to this Drydock, read from the data directory's registry storage: the database must not be
     * held by a running server (then the message says how to copy the image out instead).
     */
    private int scanPushed(String repository, String ref, DrydockConfig cfg, Severity threshold, PrintWriter out,
                           PrintWriter err) throws Exception {
        Database database = VulnDbCommand.open(cfg, err, "scan");
        if (database == null) {
            err.println("drydock scan: or copy the image out first: skopeo copy --src-tls-verify=false docker://HOST/"
                    + repository + ":" + ref + " oci-archive:image.tar, then ./drydock scan image.tar");
            return 2;
        }
        try (database) {
            Registry registry = new Registry(DrydockServer.blobStore(cfg), new JdbcRegistryIndex(database.jdbi()), EventSink.NONE,
                    InstantSource.system(), Registry.Limits.DEFAULT);
            Digest top;
            try {
                top = registry.getManifest(repository, ref).record().digest();
            } catch (RegistryException e) {
                err.println("drydock scan: no image " + repository + (ref.contains(":") ? "@" : ":") + ref + " in "
                        + cfg.dataDir() + ": " + e.getMessage());
                return 2;
            }
            AdvisoryIndex index = vulndb != null ? fromFiles(err)
                    : new AdvisoryStore(database.dataSource(), InstantSource.system()).loadIndex();
            if (index.advisories() == 0) {
                err.println("drydock scan: no vulnerability data: packages are listed but nothing is matched; run ./drydock "
                        + "vulndb import PATH… or pass --vulndb PATH…");
            }
            ImageSource source = new RegistryImageSource(registry, repository);
            return report(work -> ScanCli.scan(source, top, new Scanner(index), work), threshold, out, err);
        }
    }

    private interface ScanIn {
        ScanResult scan(Path workDir) throws ImageException, InterruptedException;
    }

    /** Runs the scan in a temporary directory, prints the findings, and answers the exit code. */
    private int report(ScanIn scan, Severity threshold, PrintWriter out, PrintWriter err) throws Exception {
        Path work = Files.createTempDirectory("drydock-scan-");
        ScanResult result;
        try {
            result = scan.scan(work);
        } catch (ImageException e) {
            err.println("drydock scan: cannot read " + image + ": " + e.getMessage());
            return 2;
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Policy.Evaluation verdict = new Policy(threshold, List.of()).evaluate(result.findings(), InstantSource.system().instant());
        out.print(format == CheckCommand.Format.json ? ScanCli.json(result, verdict) + "\n" : ScanCli.table(result, verdict));
        return verdict.passed() ? 0 : 1;
    }

    /** An image pushed to this Drydock: its repository and a tag or digest. */
    record PushedImage(String repository, String ref) {
        /**
         * {@code [HOST[:PORT]/]ORGID/NAME[:TAG|@DIGEST]}; null when the argument is not such a reference. The host
         * part (as in the image names docker prints) is ignored: the image is read from the data directory.
         */
        static PushedImage parse(String argument) {
            String rest = argument;
            int slash = rest.indexOf('/');
            if (slash > 0) {
                String first = rest.substring(0, slash);
                if (first.contains(".") || first.contains(":") || first.equals("localhost")) rest = rest.substring(slash + 1);
            }
            String repository = rest;
            String ref = "latest";
            int at = rest.indexOf('@');
            int colon = rest.lastIndexOf(':');
            if (at >= 0) {
                repository = rest.substring(0, at);
                ref = rest.substring(at + 1);
            } else if (colon > rest.lastIndexOf('/')) {
                repository = rest.substring(0, colon);
                ref = rest.substring(colon + 1);
            }
            try {
                Names.repository(repository);
            } catch (RegistryException e) {
                return null;
            }
            if (at >= 0 ? !ref.matches("sha256:[0-9a-f]{64}") : !Names.isValidTag(ref)) return null;
            return new PushedImage(repository, ref);
        }
    }

    /** A private in-memory database holding only the given files. */
    private AdvisoryIndex fromFiles(PrintWriter err) throws Exception {
        String url = "jdbc:h2:mem:scan-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        try (Database database = Database.open(url, "sa", "", 2)) {
            AdvisoryStore store = new AdvisoryStore(database.dataSource(), InstantSource.system());
            for (Path p : vulndb) {
                try {
                    ImportReport r = store.importOsv(p.getFileName().toString(), p);
                    if (r.failed() > 0) err.println("drydock scan: " + r);
                } catch (IOException e) {
                    err.println("drydock scan: --vulndb " + p + ": " + e.getMessage());
                }
            }
            return store.loadIndex();
        }
    }
}
