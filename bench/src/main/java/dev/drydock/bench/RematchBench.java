package dev.drydock.bench;

import dev.drydock.image.ImageFilesystem;
import dev.drydock.image.ImageReader;
import dev.drydock.image.LayerPass;
import dev.drydock.image.LocalImage;
import dev.drydock.image.LocalImages;
import dev.drydock.image.ResolvedImage;
import dev.drydock.oci.Digest;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.adapters.AdapterService;
import dev.drydock.platform.builds.BuildEvents;
import dev.drydock.platform.builds.BuildService;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.identity.IdentityService;
import dev.drydock.platform.identity.PasswordHasher;
import dev.drydock.platform.identity.Principal;
import dev.drydock.platform.jobs.JobQueue;
import dev.drydock.platform.vulns.VulnerabilityMonitor;
import dev.drydock.platform.vulns.VulnerabilityService;
import dev.drydock.platform.webhooks.WebhookService;
import dev.drydock.platform.webhooks.WebhookTargets;
import dev.drydock.scanner.ImageInventory;
import dev.drydock.scanner.InstalledPackage;
import dev.drydock.scanner.Sbom;
import dev.drydock.scanner.ScanResult;
import dev.drydock.scanner.Scanner;
import dev.drydock.scanner.advisory.AdvisoryIndex;
import dev.drydock.scanner.match.Matcher;
import dev.drydock.scanner.match.Severity;
import org.jdbi.v3.core.Jdbi;

import java.io.BufferedWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Continuous vulnerability monitoring benchmark: after an advisory import, every released build is matched again
 * from its stored SBOM ({@link VulnerabilityMonitor#rematch}: read the SBOMs from the database in batches, parse,
 * match, compare with what was reported, record). Side by side with what re-scanning the same builds' images
 * would cost: one layer pass + scan of the generated application image ({@link ImagePassBench}'s, with packages),
 * per build.
 *
 * <pre>
 * java -cp … dev.drydock.bench.RematchBench [--builds 1000] [--advisories 20000] [--reps 3] [--work DIR]
 *                                           [--image-mib 256] [--image-layers 8]
 * </pre>
 * The builds' SBOMs are the real SBOM of the scanned image plus five npm packages of each build's own (so no two
 * are the same), in an H2 file database like the server's embedded one. The advisories are the project's OSV
 * fixtures (log4j's CVE-2021-44228 hits every build) plus generated Maven and npm records, some of them matching
 * the image's packages below the threshold.
 */
public final class RematchBench {
    private static final long ORG = 17532;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        int builds = 1000, advisories = 20_000, reps = 3, layers = 8;
        long mib = 256;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--builds" -> builds = Integer.parseInt(args[++i]);
                case "--advisories" -> advisories = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--image-mib" -> mib = Long.parseLong(args[++i]);
                case "--image-layers" -> layers = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("options: --builds 1000 --advisories 20000 --reps 3 --work DIR --image-mib 256 --image-layers 8");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
            }
        }

        // ---- the image and what re-scanning it costs
        ImagePassBench.withPackages = true;
        Path layout = work.resolve("drydock-image-bench-" + mib + "m-" + layers + "l-pkg");
        if (!Files.exists(layout.resolve("index.json"))) ImagePassBench.generate(layout, mib * 1024 * 1024, layers);
        LocalImage image = LocalImages.open(layout);
        ResolvedImage resolved = ImageReader.resolve(image.source(), image.top());
        List<String> layerDigests = resolved.layers().stream().map(l -> l.digest().toString()).toList();
        ImagePassBench.scanner = ImagePassBench.fixtureScanner();
        Path scratch = Files.createTempDirectory(work, "drydock-rematch-bench");
        ScanResult scan;
        try (ImageFilesystem fs = LayerPass.read(image.source(), resolved, Scanner.INTEREST, Scanner.EXTRACTION_LIMITS, scratch)) {
            scan = ImagePassBench.scanner.scan(fs, layerDigests);
        }
        double[] rescan = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            long start = System.nanoTime();
            ImagePassBench.passOnce(image, resolved, scratch);
            rescan[rep] = (System.nanoTime() - start) / 1e9;
        }
        System.out.printf(Locale.ROOT, "image: %s, %d layers, %d packages; re-scan of one image (local layout, no pull): "
                + "median %.2f s of %d%n", layout.getFileName(), layerDigests.size(), scan.packages().size(),
                ImagePassBench.median(rescan), reps);

        // ---- the service's database with the builds and their SBOMs
        Path dbDir = Files.createTempDirectory(work, "drydock-rematch-db");
        Database db = Database.open("jdbc:h2:file:" + dbDir.resolve("drydock") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH", "sa", "", 4);
        try {
            Jdbi jdbi = db.jdbi();
            InstantSource clock = InstantSource.system();
            AuditLog audit = new AuditLog(jdbi, clock);
            Principal admin = new Principal.User(1, "admin@bench.test", null, Map.of(ORG, Principal.OrgRole.admin));
            jdbi.useHandle(h -> h.execute("insert into orgs (id, name, created_at) values (?, ?, ?)", ORG, "Bench", clock.instant()));
            BuildService buildService = new BuildService(jdbi, new JobQueue(jdbi, clock), new BuildEvents(), audit, clock);
            String engineId = new AdapterService(jdbi, buildService, audit, clock)
                    .register(admin, ORG, "bench-adapter", "pull", "FullyNetworkIsolated", "batch").engineId();
            IdentityService identity = new IdentityService(jdbi, new PasswordHasher(1024, 1), audit, clock);
            WebhookService webhooks = new WebhookService(jdbi, identity, audit, clock, new WebhookTargets(true), () -> {});
            jdbi.useHandle(h -> h.execute("insert into webhooks (id, org_id, url, secret, created_by, created_at) values (?, ?, ?, ?, ?, ?)",
                    UUID.randomUUID().toString(), ORG, "http://127.0.0.1:9/hook", "bench-secret-0123456789", admin.name(), clock.instant()));
            long setup = System.nanoTime();
            String template = template(scan, layerDigests);
            insertBuilds(jdbi, engineId, builds, template);
            System.out.printf(Locale.ROOT, "%d released builds with SBOMs (%d KiB each) stored in %.1f s%n", builds,
                    template.length() / 1024, (System.nanoTime() - setup) / 1e9);

            VulnerabilityService vulns = new VulnerabilityService(db.dataSource(), jdbi, identity, audit, clock, Severity.Critical);
            Path osv = dbDir.resolve("advisories.json");
            writeAdvisories(osv, advisories);
            long importStart = System.nanoTime();
            var report = vulns.importAs("bench", "bench-osv", VulnerabilityService.Format.osv, osv, osv.toString());
            for (String dir : List.of("maven", "debian")) {
                Path fixtures = Path.of("drydock-scanner/src/test/resources/osv", dir);
                vulns.importAs("bench", "fixtures-" + dir, VulnerabilityService.Format.osv, fixtures, fixtures.toString());
            }
            AdvisoryIndex index = vulns.index();
            System.out.printf(Locale.ROOT, "advisories: %d generated + fixtures imported and loaded in %.1f s (%s)%n",
                    report.read(), (System.nanoTime() - importStart) / 1e9, index.dataVersion());

            // ---- re-match: first (every build newly vulnerable: rows, outbox events, audit), then steady state
            VulnerabilityMonitor monitor = new VulnerabilityMonitor(jdbi, buildService, webhooks::enqueueVulnerable, audit,
                    clock, Severity.Critical, false);
            VulnerabilityMonitor.Outcome first = monitor.rematch(index, null);
            int outbox = jdbi.withHandle(h -> h.createQuery("select count(*) from webhook_outbox").mapTo(Integer.class).one());
            System.out.printf(Locale.ROOT, "first re-match: %d builds, %d new findings in %d builds, %d outbox events: %.2f s%n",
                    first.builds(), first.newFindings(), first.vulnerableBuilds(), outbox, first.millis() / 1e3);
            double[] steady = new double[reps];
            for (int rep = 0; rep < reps; rep++) {
                VulnerabilityMonitor.Outcome o = monitor.rematch(index, null);
                if (o.newFindings() != 0 || o.builds() != builds) throw new IllegalStateException("steady re-match found " + o);
                steady[rep] = o.millis() / 1e3;
                System.out.printf(Locale.ROOT, "rep %d: re-match of %d builds, nothing new: %.2f s%n", rep + 1, o.builds(), steady[rep]);
            }

            // ---- the matching alone, on the parsed SBOMs: the index per package vs the per-run cache in front of it
            List<Sbom.Contents> parsed = new ArrayList<>();
            long parseStart = System.nanoTime();
            jdbi.useHandle(h -> h.createQuery("select sbom from build_sboms").mapTo(String.class)
                    .forEach(json -> {
                        try {
                            parsed.add(Sbom.read(new StringReader(json)));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
            double parse = (System.nanoTime() - parseStart) / 1e9;
            double[] plain = new double[reps], cached = new double[reps];
            for (int rep = 0; rep < reps; rep++) {
                plain[rep] = matchAll(new Matcher(index), parsed);
                cached[rep] = matchAll(new Matcher(Matcher.cached(index, 200_000)), parsed);
            }

            double perScan = ImagePassBench.median(rescan);
            System.out.printf(Locale.ROOT, "%n%-58s %12s%n", "after one import, " + builds + " released builds", "time");
            System.out.printf(Locale.ROOT, "%-58s %11.2fs%n", "re-match from stored SBOMs, first (all new: record + events)", first.millis() / 1e3);
            System.out.printf(Locale.ROOT, "%-58s %11.2fs   (target < 10 s)%n", "re-match from stored SBOMs, nothing new (median of " + reps + ")",
                    ImagePassBench.median(steady));
            System.out.printf(Locale.ROOT, "%-58s %11.2fs%n", "  of which: read + parse the SBOMs (one query)", parse);
            System.out.printf(Locale.ROOT, "%-58s %11.2fs%n", "  matching only, index per package", ImagePassBench.median(plain));
            System.out.printf(Locale.ROOT, "%-58s %11.2fs%n", "  matching only, with the per-run lookup cache", ImagePassBench.median(cached));
            System.out.printf(Locale.ROOT, "%-58s %11.0fs   (%.2f s per image x %d, layers read locally, no pull)%n",
                    "re-scan of the images instead", perScan * builds, perScan, builds);
        } finally {
            db.close();
            deleteTree(dbDir);
            deleteTree(scratch);
        }
    }

    private static double matchAll(Matcher matcher, List<Sbom.Contents> parsed) {
        long start = System.nanoTime();
        long findings = 0;
        for (Sbom.Contents c : parsed) findings += matcher.match(c.inventory(), c.layerDigests()).size();
        if (findings == 0) throw new IllegalStateException("the bench SBOMs matched nothing");
        return (System.nanoTime() - start) / 1e9;
    }

    /** The scanned image's SBOM plus five npm packages named own-BUILD-n (renamed per build in the text). */
    private static String template(ScanResult scan, List<String> layerDigests) {
        List<InstalledPackage> packages = new ArrayList<>(scan.packages());
        for (int p = 0; p < 5; p++) {
            packages.add(new InstalledPackage("npm", "own-BUILD-" + p, "1.0." + p, null, null,
                    "app/node_modules/own-BUILD-" + p + "/package.json", layerDigests.size() - 1, "RUN npm ci"));
        }
        return Sbom.cycloneDxJson(new ImageInventory(scan.distro(), packages, List.of()), "localhost:5000/17532/bench-adapter:1",
                "sha256:" + "c".repeat(64), layerDigests, Instant.now());
    }

    private static void insertBuilds(Jdbi jdbi, String engineId, int count, String template) {
        String[] states = {"approved", "deployed", "paused"};
        Instant at = Instant.now();
        for (int from = 0; from < count; from += 200) {
            int start = from, end = Math.min(count, from + 200);
            jdbi.useTransaction(h -> {
                var builds = h.prepareBatch("""
                        insert into builds (id, engine_id, org_id, repository, tag, digest, media_type, upload_time, pushed_by, state,
                            version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""");
                var sboms = h.prepareBatch("insert into build_sboms (build_id, sbom, created_at) values (?, ?, ?)");
                for (int i = start; i < end; i++) {
                    String id = UUID.randomUUID().toString();
                    builds.add(id, engineId, ORG, ORG + "/bench-adapter", "b" + i,
                            Digest.sha256(id.getBytes(StandardCharsets.UTF_8)).toString(),
                            "application/vnd.oci.image.manifest.v1+json", at.toEpochMilli(), "bench", states[i % 3], at, at);
                    sboms.add(id, template.replace("own-BUILD-", "own-" + i + "-"), at);
                }
                builds.execute();
                sboms.execute();
            });
        }
    }

    /**
     * Generated OSV records as one JSON array: Maven and npm packages no image has, and the first 48 two for each of
     * the bench image's own jars (org.example.bench:libL-J) at Low severity: they match every build (48 findings
     * each, plus log4j's) but stay below the threshold.
     */
    private static void writeAdvisories(Path file, int count) throws Exception {
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("[");
            for (int i = 0; i < count; i++) {
                boolean hit = i < 48;
                String eco = hit || i % 2 == 0 ? "Maven" : "npm";
                String name = hit ? "org.example.bench:lib" + (i % 8) + "-" + (i / 8 % 3)
                        : eco.equals("Maven") ? "org.example.bulk:lib-" + i : "bulk-pkg-" + i;
                if (i > 0) out.write(",");
                out.write("""
                        {"id":"BENCH-%d","modified":"2026-11-30T00:00:00Z","aliases":["CVE-2098-%d"],"summary":"generated",
                         "database_specific":{"severity":"%s"},
                         "affected":[{"package":{"ecosystem":"%s","name":"%s"},
                           "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"99.0"}]}]}]}""".formatted(
                        i, 10000 + i, hit ? "LOW" : "HIGH", eco, name));
            }
            out.write("]");
        }
    }

    private static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) return;
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
