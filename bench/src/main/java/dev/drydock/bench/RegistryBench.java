package dev.drydock.bench;

import dev.drydock.bench.RegistryClient.PushMode;
import dev.drydock.bench.Servers.Bucket;
import dev.drydock.bench.Servers.Distribution;
import dev.drydock.bench.Servers.Drydock;
import dev.drydock.bench.Servers.Server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Registry benchmark: starts Drydock and CNCF distribution side by side on loopback, drives both with the same
 * client ({@link RegistryClient}), and prints one table of medians with the Drydock/distribution ratio.
 *
 * <pre>
 * java -cp bench/target/classes dev.drydock.bench.RegistryBench [--blob-mib 1024] [--reps 3] [--duration 10] ...
 * </pre>
 * Run with {@code --help} for every option. Targets are interleaved (A B, then B A, ...) and the ratio column is the
 * median of the per-repetition ratios, oriented so that above 1 means Drydock is better.
 *
 * <p>{@code --storage s3}: both registries keep their blobs in buckets of one s3proxy process ({@link S3Store}): Drydock
 * with {@code storage.type=s3}, distribution with its {@code s3} driver (downloads streamed through it, as Drydock's);
 * the big-blob pull is also measured with downloads redirected to pre-signed bucket URLs on both (a second Drydock with
 * {@code storage.s3.redirect=true} and its own bucket, a second distribution on the first one's bucket).
 */
public final class RegistryBench {
    private static final long MIB = 1024 * 1024;
    private static final String REPO = Servers.ORG + "/";

    // ------------------------------------------------------------------ options

    private final Map<String, String> opt = new LinkedHashMap<>();

    private static final String[][] OPTIONS = {
            {"jar", "drydock-server/target/drydock.jar", "Drydock server jar"},
            {"registry", "/usr/bin/docker-registry", "CNCF distribution binary"},
            {"work", System.getProperty("java.io.tmpdir"), "parent of the temporary data directory"},
            {"blob-mib", "1024", "size of the big blob (MiB)"},
            {"reps", "3", "repetitions of each measurement (medians are printed)"},
            {"duration", "10", "seconds of each manifest HEAD/GET load run"},
            {"clients", "16", "concurrent clients in the manifest load runs"},
            {"layers", "50", "layers of the small image"},
            {"layer-kib", "100", "size of each small-image layer (KiB)"},
            {"image-parallel", "4", "concurrent blob transfers when pushing/pulling the small image"},
            {"warmup-pushes", "30", "untimed pushes of the small image to every server before measuring (the JVM's JIT"
                    + " warm-up; the first one is reported as the cold push)"},
            {"concurrent-pushes", "4", "concurrent big-blob pushes in the RSS run (0 to skip)"},
            {"drydock-jvm", "-Xmx384m", "JVM options for the Drydock server (space separated)"},
            {"nofsync", "true", "also measure a Drydock with DRYDOCK_STORAGE_FSYNC=false (true/false)"},
            {"monolithic", "true", "also measure POST + PUT-with-body pushes (true/false)"},
            {"baseline-jar", "", "A/B mode: also run this (older) Drydock jar, fsync on, and add rows new vs baseline"},
            {"phases", "image,manifest,big,concurrent", "which measurements to run (comma separated)"},
            {"keep", "false", "keep the data directory and server logs (true/false)"},
            {"db-urls", "", "PostgreSQL instead of embedded H2: one JDBC URL per Drydock server, comma separated, in the "
                    + "order drydock, drydock-nofsync (if measured), drydock-baseline (if given); each an empty database"},
            {"db-user", "postgres", "database user for --db-urls (its password from DRYDOCK_DB_PASSWORD, if any)"},
            {"storage", "filesystem", "filesystem (each server a directory) or s3 (one s3proxy process, a bucket per server;"
                    + " adds a Drydock with storage.s3.redirect=true and a redirecting distribution for the big pull;"
                    + " --nofsync does not apply)"},
            {"s3-jvm", "-Xmx4g", "JVM options of the s3proxy process with --storage s3 (space separated; it holds the objects in"
                    + " memory: about 3 big blobs per server at once, more with --concurrent-pushes)"},
    };

    /** The database environment of the next Drydock server: the next of --db-urls, or none (embedded H2). */
    private Map<String, String> db(java.util.Iterator<String> urls) {
        if (s("db-urls").isBlank()) return Map.of();
        if (!urls.hasNext()) throw new IllegalArgumentException("--db-urls: give one database per Drydock server");
        Map<String, String> env = new LinkedHashMap<>(Map.of("DRYDOCK_DB_URL", urls.next(), "DRYDOCK_DB_USER", s("db-user")));
        String password = System.getenv("DRYDOCK_DB_PASSWORD");
        if (password != null) env.put("DRYDOCK_DB_PASSWORD", password);
        return env;
    }

    private String s(String key) {
        return opt.get(key);
    }

    private int i(String key) {
        return Integer.parseInt(opt.get(key));
    }

    private boolean b(String key) {
        return Boolean.parseBoolean(opt.get(key));
    }

    // ------------------------------------------------------------------ results

    /** One table row: per-repetition values for Drydock and distribution. */
    private static final class Row {
        final String name;
        final String unit;
        final boolean higherIsBetter;
        final String target;
        final ToDoubleFunction<Double> check; // ratio (or Drydock value) -> pass when >= 0
        final boolean checkValue;
        final List<Double> drydock = new ArrayList<>();
        final List<Double> distribution = new ArrayList<>();
        final List<Double> ratios = new ArrayList<>();
        String note = "";
        boolean cpu;

        Row(String name, String unit, boolean higherIsBetter, String target, ToDoubleFunction<Double> check, boolean checkValue) {
            this.name = name;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
            this.target = target;
            this.check = check;
            this.checkValue = checkValue;
        }

        void add(double dd, double dist) {
            drydock.add(dd);
            distribution.add(dist);
            ratios.add(higherIsBetter ? dd / dist : dist / dd);
        }
    }

    private final List<Row> rows = new ArrayList<>();

    private Row row(String name, String unit, boolean higherIsBetter, String target, ToDoubleFunction<Double> check,
                    boolean checkValue) {
        Row r = new Row(name, unit, higherIsBetter, target, check, checkValue);
        rows.add(r);
        return r;
    }

    /** A row of server CPU time (user + system of the server process) spent on a measurement; lower is better. */
    private Row cpuRow(String name, String unit) {
        Row r = row(name, unit, false, "", null, false);
        r.cpu = true;
        return r;
    }

    /** With --storage s3: the bucket server's CPU time and request counts at a moment, to see what one measurement cost it. */
    private record S3Mark(double cpu, Map<String, Long> requests) {}

    /** What the bucket server did for one operation on one registry, by kind, noted once per operation (first rep). */
    private final Map<String, String> s3Requests = new LinkedHashMap<>();

    private S3Mark s3Mark() throws IOException {
        return s3 == null ? null : new S3Mark(s3.cpuSeconds(), s3.stats());
    }

    /** The bucket server's CPU seconds since {@code m}; notes its requests under {@code what} (first time only). */
    private double s3Since(S3Mark m, String what, Server sv) throws IOException {
        double cpu = s3.cpuSeconds() - m.cpu;
        String key = what + ", " + sv.label;
        if (!s3Requests.containsKey(key)) s3Requests.put(key, S3Store.diff(m.requests, s3.stats()));
        return cpu;
    }

    /** CPU seconds each server used while {@code action} ran against it. */
    private static double cpu(Server sv, double before) {
        return sv.cpuSeconds() - before;
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] args) throws Exception {
        RegistryBench bench = new RegistryBench();
        Map<String, String> parsed = BenchOptions.parse("RegistryBench", OPTIONS, "--blob-mib 256 --duration 3 --reps 2", args);
        if (parsed == null) return;
        bench.opt.putAll(parsed);
        bench.run(String.join(" ", args));
    }

    private Server drydock;
    private Server distribution;
    private Server drydockNoFsync;
    private Server drydockBase;
    /** --storage s3: the bucket server, and the servers answering blob downloads with redirects to it. */
    private S3Store s3;
    private Server drydockRedirect;
    private Server distributionRedirect;
    private Path work;

    private void run(String argLine) throws Exception {
        long blobSize = Long.parseLong(s("blob-mib")) * MIB;
        int reps = i("reps");
        Path jar = Path.of(s("jar"));
        if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("no Drydock jar at " + jar + ": build first");
        work = Files.createTempDirectory(Path.of(s("work")), "drydock-bench-");
        long need = blobSize * (Math.max(i("concurrent-pushes"), 1) + 4) + 2L * 1024 * MIB;
        long free = Files.getFileStore(work).getUsableSpace();
        if (free < need) {
            deleteTree(work);
            throw new IllegalStateException("only " + free / MIB + " MiB free under " + work + ", need about " + need / MIB);
        }
        List<String> jvm = words(s("drydock-jvm"));
        if (!List.of("filesystem", "s3").contains(s("storage"))) {
            throw new IllegalArgumentException("--storage must be filesystem or s3, got " + s("storage"));
        }
        boolean onS3 = s("storage").equals("s3");
        AtomicBoolean cleaned = new AtomicBoolean();
        Runnable cleanup = () -> {
            if (!cleaned.compareAndSet(false, true)) return;
            for (Server sv : new Server[]{drydock, distribution, drydockNoFsync, drydockBase, drydockRedirect, distributionRedirect, s3}) {
                if (sv != null) sv.close();
            }
            if (b("keep")) System.err.println("kept " + work);
            else deleteTree(work);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(cleanup));
        try {
            log("work dir " + work + " (" + free / MIB + " MiB free)");
            java.util.Iterator<String> dbs = Arrays.stream(s("db-urls").split(",")).map(String::trim)
                    .filter(x -> !x.isEmpty()).iterator();
            Path registry = Path.of(s("registry"));
            if (onS3) {
                s3 = new S3Store("s3proxy", work.resolve("s3proxy"), words(s("s3-jvm")));
                log("s3proxy pid " + s3.pid() + " at " + s3.endpoint());
                Bucket distBucket = Bucket.create(s3, "distribution");
                drydock = new Drydock("drydock", work.resolve("drydock"), jar, jvm, true, db(dbs), Bucket.create(s3, "drydock"), false);
                distribution = new Distribution("distribution", work.resolve("distribution"), registry, distBucket, false);
                // the same bucket: distribution keeps nothing but the bucket, so it serves what the first one stored
                distributionRedirect = new Distribution("distribution-redirect", work.resolve("distribution-redirect"), registry,
                        distBucket, true);
            } else {
                drydock = new Drydock("drydock", work.resolve("drydock"), jar, jvm, true, db(dbs));
                distribution = new Distribution("distribution", work.resolve("distribution"), registry);
            }
            if (b("nofsync") && !onS3) {
                drydockNoFsync = new Drydock("drydock-nofsync", work.resolve("drydock-nofsync"), jar, jvm, false, db(dbs));
            }
            if (!s("baseline-jar").isEmpty()) {
                drydockBase = new Drydock("drydock-baseline", work.resolve("drydock-baseline"), Path.of(s("baseline-jar")), jvm, true,
                        db(dbs), onS3 ? Bucket.create(s3, "drydock-baseline") : null, false);
                log("baseline drydock pid " + drydockBase.pid() + " port " + drydockBase.port + " from " + s("baseline-jar"));
            }
            log("drydock pid " + drydock.pid() + " port " + drydock.port + ", distribution pid " + distribution.pid()
                    + " port " + distribution.port + (drydockNoFsync == null ? "" : ", drydock fsync=false pid "
                    + drydockNoFsync.pid() + " port " + drydockNoFsync.port));
            if (onS3) {
                // its own bucket and database: it is pushed to in the big-blob phase, then pulled from with redirects
                drydockRedirect = new Drydock("drydock-redirect", work.resolve("drydock-redirect"), jar, jvm, true, db(dbs),
                        Bucket.create(s3, "drydock-redirect"), true);
                log("redirecting: drydock pid " + drydockRedirect.pid() + " port " + drydockRedirect.port + ", distribution pid "
                        + distributionRedirect.pid() + " port " + distributionRedirect.port);
            }
            Map<Server, RegistryClient> clients = new LinkedHashMap<>();
            for (Server sv : new Server[]{drydock, distribution, drydockNoFsync, drydockBase, drydockRedirect, distributionRedirect}) {
                if (sv == null) continue;
                RegistryClient c = sv.client();
                c.ping();
                clients.put(sv, c);
            }

            String header = header(argLine, blobSize, reps, jvm);
            List<String> phases = List.of(s("phases").split(","));
            warmup(clients);
            log("warm-up done, measuring"); // where a server's JFR recording of the measurements starts
            if (phases.contains("image") || phases.contains("manifest")) smallImage(clients, reps);
            if (phases.contains("manifest")) manifests(clients, reps);
            if (phases.contains("big")) bigBlobs(clients, reps, blobSize);
            if (phases.contains("concurrent") && i("concurrent-pushes") > 0) concurrentPushes(clients, blobSize);
            print(header);
        } finally {
            cleanup.run();
        }
    }

    private String header(String argLine, long blobSize, int reps, List<String> jvm) {
        String load = "";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException ignored) {
            // not Linux
        }
        String distVersion = "?";
        try {
            Process p = new ProcessBuilder(s("registry"), "--version").redirectErrorStream(true).start();
            distVersion = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
        } catch (IOException | InterruptedException ignored) {
            // reported as ?
        }
        return "Drydock vs CNCF distribution, " + ZonedDateTime.now().withNano(0) + "\n"
                + "  args: " + (argLine.isEmpty() ? "(defaults)" : argLine) + "\n"
                + "  client+servers on one host: " + Runtime.getRuntime().availableProcessors() + " CPUs, loadavg at start "
                + load + "; client JVM " + System.getProperty("java.version") + "\n"
                + "  drydock: " + s("jar") + " with JVM options [" + String.join(" ", jvm) + "], "
                + (s3 == null ? "fsync on (default)" : "storage.type=s3 (part-size default)")
                + ", bearer-token auth (tokens fetched before timing)\n"
                + "  distribution: " + distVersion + ", " + (s3 == null ? "filesystem driver" : "s3 driver (chunk sizes default)")
                + ", inmemory blobdescriptor cache, no auth\n"
                + (s3 == null ? "" : "  storage: " + s3Version() + " in its own process (JVM [" + s("s3-jvm")
                        + "]), objects in its memory (transient store), a bucket per server; downloads streamed through the"
                        + " registries except in the redirect row\n")
                + "  big blob " + blobSize / MIB + " MiB, " + reps + " reps, targets interleaved; MB = 10^6 bytes";
    }

    /** The s3proxy jar on the class path, e.g. {@code s3proxy-2.6.0}. */
    private static String s3Version() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("s3proxy-") && name.endsWith(".jar")) return name.substring(0, name.length() - 4);
        }
        return "s3proxy";
    }

    private static List<String> words(String line) {
        return Arrays.stream(line.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    // ------------------------------------------------------------------ phases

    private List<Server> order(int rep, List<Server> targets) {
        List<Server> o = new ArrayList<>(targets);
        if (rep % 2 == 1) java.util.Collections.reverse(o);
        return o;
    }

    private void warmup(Map<Server, RegistryClient> clients) throws Exception {
        log("warm-up");
        int pushes = i("warmup-pushes");
        Row cold = pushes == 0 ? null : row("push " + i("layers") + "-layer image, cold (first push after start)", "s", false,
                "(info)", null, false);
        Map<Server, Double> first = new LinkedHashMap<>();
        for (var e : clients.entrySet()) {
            RegistryClient c = e.getValue();
            String repo = REPO + "warmup";
            c.login(repo);
            // A server runs for months: measure it warm, as JMH would. Drydock's JIT needs a few thousand requests
            // (its CPU per push falls about 4x over the first 30 pushes); distribution, compiled ahead, does not.
            // the redirecting servers are measured on one big pull only: a couple of pushes warm their paths enough
            boolean redirecting = e.getKey() == drydockRedirect || e.getKey() == distributionRedirect;
            for (int k = 0; k < (redirecting ? Math.min(pushes, 2) : pushes); k++) {
                Image img = Image.of(800 + k, i("layers"), i("layer-kib") * 1024L);
                long t0 = System.nanoTime();
                img.push(c, repo, "warm-" + k, i("image-parallel"));
                if (k == 0) first.put(e.getKey(), secondsSince(t0));
            }
            Image img = Image.of(900, 10, 64 * 1024);
            img.push(c, repo, "warm", i("image-parallel"));
            img.pull(c, repo, "warm", i("image-parallel"));
            load(c, repo, "warm", true, i("clients"), Duration.ofSeconds(1));
            load(c, repo, "warm", false, i("clients"), Duration.ofSeconds(1));
            BlobSource blob = new BlobSource(901, 64 * MIB);
            c.pushBlob(repo, blob, PushMode.PATCH);
            c.pullBlob(repo, blob.digest(), blob.size, false);
            e.getKey().dropBlob(blob.digest());
        }
        if (cold != null) {
            cold.note = "the first of the " + pushes + " warm-up pushes; the timed rows below are measured after them";
            cold.add(first.get(drydock), first.get(distribution));
        }
    }

    private void smallImage(Map<Server, RegistryClient> clients, int reps) throws Exception {
        int layers = i("layers");
        int kib = i("layer-kib");
        int par = i("image-parallel");
        Row push = row("push " + layers + "-layer image (" + layers + "x" + kib + " KiB)", "s", false, ">=1.5", r -> r - 1.5, false);
        Row pull = row("pull " + layers + "-layer image", "s", false, ">=1.0", r -> r - 1.0, false);
        Row pushNoFsync = drydockNoFsync == null ? null
                : row("push " + layers + "-layer image, Drydock fsync=false", "s", false, "(info)", null, false);
        Row pushCpu = cpuRow("push " + layers + "-layer image", "CPU s");
        Row pullCpu = cpuRow("pull " + layers + "-layer image", "CPU s");
        Row s3PushCpu = s3 == null ? null : cpuRow("s3proxy, for the " + layers + "-layer push", "CPU s");
        Row s3PullCpu = s3 == null ? null : cpuRow("s3proxy, for the " + layers + "-layer pull", "CPU s");
        push.note = par + " blobs in flight; per blob HEAD, POST, PATCH, PUT; then the manifest";
        pull.note = par + " blobs in flight; manifest GET, then blob GETs (digests verified)";
        Row pushAB = drydockBase == null ? null : row("A/B push " + layers + "-layer image", "s", false, "(A/B)", null, false);
        Row pullAB = drydockBase == null ? null : row("A/B pull " + layers + "-layer image", "s", false, "(A/B)", null, false);
        // Server CPU is steadier than wall time on a loaded machine, and what a small-blob push is bound by there.
        Row pushCpuAB = drydockBase == null ? null : row("A/B push " + layers + "-layer image, server CPU", "CPU s", false,
                "(A/B)", null, false);
        List<Server> pushTargets = new ArrayList<>(List.of(drydock, distribution));
        if (drydockNoFsync != null) pushTargets.add(drydockNoFsync);
        if (drydockBase != null) pushTargets.add(drydockBase);
        List<Server> pullTargets = new ArrayList<>(List.of(drydock, distribution));
        if (drydockBase != null) pullTargets.add(drydockBase);
        for (int rep = 0; rep < reps; rep++) {
            Image img = Image.of(100 + rep, layers, kib * 1024L);
            String repo = REPO + "image-" + rep;
            Map<Server, Double> pushS = new LinkedHashMap<>();
            Map<Server, Double> pullS = new LinkedHashMap<>();
            Map<Server, Double> pushC = new LinkedHashMap<>();
            Map<Server, Double> pullC = new LinkedHashMap<>();
            Map<Server, Double> s3PushC = new LinkedHashMap<>();
            Map<Server, Double> s3PullC = new LinkedHashMap<>();
            for (Server sv : order(rep, pushTargets)) {
                RegistryClient c = clients.get(sv);
                c.login(repo);
                S3Mark m = s3Mark();
                double cpu0 = sv.cpuSeconds();
                long t0 = System.nanoTime();
                img.push(c, repo, "latest", par);
                pushS.put(sv, secondsSince(t0));
                pushC.put(sv, cpu(sv, cpu0));
                if (m != null) s3PushC.put(sv, s3Since(m, "push " + layers + "-layer image", sv));
            }
            for (Server sv : order(rep, pullTargets)) {
                RegistryClient c = clients.get(sv);
                S3Mark m = s3Mark();
                double cpu0 = sv.cpuSeconds();
                long t0 = System.nanoTime();
                img.pull(c, repo, "latest", par);
                pullS.put(sv, secondsSince(t0));
                pullC.put(sv, cpu(sv, cpu0));
                if (m != null) s3PullC.put(sv, s3Since(m, "pull " + layers + "-layer image", sv));
            }
            if (s3 != null) {
                s3PushCpu.add(s3PushC.get(drydock), s3PushC.get(distribution));
                s3PullCpu.add(s3PullC.get(drydock), s3PullC.get(distribution));
            }
            push.add(pushS.get(drydock), pushS.get(distribution));
            pull.add(pullS.get(drydock), pullS.get(distribution));
            if (pushNoFsync != null) pushNoFsync.add(pushS.get(drydockNoFsync), pushS.get(distribution));
            pushCpu.add(pushC.get(drydock), pushC.get(distribution));
            pullCpu.add(pullC.get(drydock), pullC.get(distribution));
            if (drydockBase != null) {
                pushAB.add(pushS.get(drydock), pushS.get(drydockBase));
                pullAB.add(pullS.get(drydock), pullS.get(drydockBase));
                pushCpuAB.add(pushC.get(drydock), pushC.get(drydockBase));
            }
            log(String.format(Locale.ROOT, "image rep %d: push %.3f s vs %.3f s%s, pull %.3f s vs %.3f s", rep + 1,
                    pushS.get(drydock), pushS.get(distribution),
                    drydockNoFsync == null ? "" : String.format(Locale.ROOT, " (fsync=false %.3f s)", pushS.get(drydockNoFsync)),
                    pullS.get(drydock), pullS.get(distribution)));
        }
    }

    private void manifests(Map<Server, RegistryClient> clients, int reps) throws Exception {
        int n = i("clients");
        Duration d = Duration.ofSeconds(Long.parseLong(s("duration")));
        String repo = REPO + "image-0";
        Row head = row("manifest HEAD by tag, " + n + " clients", "req/s", true, ">=1.0", r -> r - 1.0, false);
        Row get = row("manifest GET by tag, " + n + " clients", "req/s", true, ">=1.0", r -> r - 1.0, false);
        head.note = get.note = d.toSeconds() + " s per run, tag resolved on every request, bearer token on Drydock";
        Row headCpu = cpuRow("manifest HEAD by tag", "CPU us/req");
        Row getCpu = cpuRow("manifest GET by tag", "CPU us/req");
        Row headAB = drydockBase == null ? null : row("A/B manifest HEAD by tag", "req/s", true, "(A/B)", null, false);
        Row getAB = drydockBase == null ? null : row("A/B manifest GET by tag", "req/s", true, "(A/B)", null, false);
        List<Server> targets = new ArrayList<>(List.of(drydock, distribution));
        if (drydockBase != null) targets.add(drydockBase);
        for (int rep = 0; rep < reps; rep++) {
            for (boolean isHead : new boolean[]{true, false}) {
                Map<Server, Double> rate = new LinkedHashMap<>();
                Map<Server, Double> cpu = new LinkedHashMap<>();
                for (Server sv : order(rep, targets)) {
                    double cpu0 = sv.cpuSeconds();
                    double r = load(clients.get(sv), repo, "latest", isHead, n, d);
                    rate.put(sv, r);
                    cpu.put(sv, cpu(sv, cpu0) * 1e6 / (r * d.toNanos() / 1e9));
                }
                (isHead ? head : get).add(rate.get(drydock), rate.get(distribution));
                (isHead ? headCpu : getCpu).add(cpu.get(drydock), cpu.get(distribution));
                if (drydockBase != null) (isHead ? headAB : getAB).add(rate.get(drydock), rate.get(drydockBase));
                log(String.format(Locale.ROOT, "manifest %s rep %d: %.0f vs %.0f req/s", isHead ? "HEAD" : "GET", rep + 1,
                        rate.get(drydock), rate.get(distribution)));
            }
        }
    }

    private void bigBlobs(Map<Server, RegistryClient> clients, int reps, long size) throws Exception {
        String mib = size / MIB + " MiB";
        Row pushPatch = row("push " + mib + " blob, POST+PATCH+PUT", "MB/s", true, ">=1.5", r -> r - 1.5, false);
        Row pushPut = b("monolithic") ? row("push " + mib + " blob, POST+PUT(body)", "MB/s", true, ">=1.5", r -> r - 1.5, false) : null;
        Row pushNoFsync = drydockNoFsync == null ? null
                : row("push " + mib + ", PATCH, Drydock fsync=false", "MB/s", true, "(info)", null, false);
        Row pull = row("pull " + mib + " blob", "MB/s", true, ">=1.0", r -> r - 1.0, false);
        pull.note = s3 == null ? "blob is in the page cache on both servers"
                : "streamed from the bucket (s3proxy, objects in its memory) through the registry";
        Row pullRedirect = s3 == null ? null : row("pull " + mib + " blob, 307 to the bucket", "MB/s", true, "(info)", null, false);
        if (pullRedirect != null) {
            pullRedirect.note = "Drydock storage.s3.redirect=true vs distribution's redirect (its default); the registry's 307,"
                    + " then the pre-signed GET from s3proxy";
        }
        Row pushCpu = cpuRow("push " + mib + " blob, POST+PATCH+PUT", "CPU s");
        Row pullCpu = cpuRow("pull " + mib + " blob", "CPU s");
        Row s3PushCpu = s3 == null ? null : cpuRow("s3proxy, for the " + mib + " push, POST+PATCH+PUT", "CPU s");
        Row s3PullCpu = s3 == null ? null : cpuRow("s3proxy, for the " + mib + " pull", "CPU s");
        Row patchAB = drydockBase == null ? null : row("A/B push " + mib + ", POST+PATCH+PUT", "MB/s", true, "(A/B)", null, false);
        Row putAB = drydockBase == null || pushPut == null ? null : row("A/B push " + mib + ", POST+PUT(body)", "MB/s", true, "(A/B)", null, false);
        Row pullAB = drydockBase == null ? null : row("A/B pull " + mib, "MB/s", true, "(A/B)", null, false);
        List<Server> pullTargets = new ArrayList<>(List.of(drydock, distribution));
        if (drydockBase != null) pullTargets.add(drydockBase);
        List<Server> pushTargets = new ArrayList<>(List.of(drydock, distribution));
        if (drydockNoFsync != null) pushTargets.add(drydockNoFsync);
        if (drydockBase != null) pushTargets.add(drydockBase);
        if (drydockRedirect != null) pushTargets.add(drydockRedirect); // for its pull; distribution-redirect shares a bucket
        for (int rep = 0; rep < reps; rep++) {
            for (PushMode mode : pushPut == null ? new PushMode[]{PushMode.PATCH} : PushMode.values()) {
                BlobSource blob = new BlobSource(1000 + rep * 10L + mode.ordinal(), size);
                String digest = blob.digest(); // hashed once, before timing
                String repo = REPO + "big-" + mode.name().toLowerCase(Locale.ROOT) + "-" + rep;
                Map<Server, Double> push = new LinkedHashMap<>();
                Map<Server, Double> cpu = new LinkedHashMap<>();
                Map<Server, Double> s3Cpu = new LinkedHashMap<>();
                for (Server sv : order(rep, pushTargets)) {
                    RegistryClient c = clients.get(sv);
                    c.login(repo);
                    syncDisk();
                    S3Mark m = s3Mark();
                    double cpu0 = sv.cpuSeconds();
                    long t0 = System.nanoTime();
                    c.pushBlob(repo, blob, mode);
                    push.put(sv, size / 1e6 / secondsSince(t0));
                    cpu.put(sv, cpu(sv, cpu0));
                    if (m != null) s3Cpu.put(sv, s3Since(m, "push " + mib + " blob, " + mode, sv));
                }
                if (s3 != null && mode == PushMode.PATCH) s3PushCpu.add(s3Cpu.get(drydock), s3Cpu.get(distribution));
                syncDisk();
                (mode == PushMode.PATCH ? pushPatch : pushPut).add(push.get(drydock), push.get(distribution));
                if (mode == PushMode.PATCH) pushCpu.add(cpu.get(drydock), cpu.get(distribution));
                if (mode == PushMode.PATCH && pushNoFsync != null) pushNoFsync.add(push.get(drydockNoFsync), push.get(distribution));
                if (drydockBase != null) (mode == PushMode.PATCH ? patchAB : putAB).add(push.get(drydock), push.get(drydockBase));
                String line = String.format(Locale.ROOT, "big %s rep %d: push %.0f vs %.0f MB/s%s", mode, rep + 1,
                        push.get(drydock), push.get(distribution),
                        drydockNoFsync == null ? "" : String.format(Locale.ROOT, " (fsync=false %.0f)", push.get(drydockNoFsync)));
                if (mode == PushMode.PATCH) {
                    Map<Server, Double> pulled = new LinkedHashMap<>();
                    Map<Server, Double> pullC = new LinkedHashMap<>();
                    Map<Server, Double> s3PullC = new LinkedHashMap<>();
                    for (Server sv : order(rep, pullTargets)) {
                        S3Mark m = s3Mark();
                        double cpu0 = sv.cpuSeconds();
                        long t0 = System.nanoTime();
                        clients.get(sv).pullBlob(repo, digest, size, false);
                        pulled.put(sv, size / 1e6 / secondsSince(t0));
                        pullC.put(sv, cpu(sv, cpu0));
                        if (m != null) s3PullC.put(sv, s3Since(m, "pull " + mib + " blob", sv));
                    }
                    if (s3 != null) {
                        s3PullCpu.add(s3PullC.get(drydock), s3PullC.get(distribution));
                        for (Server sv : order(rep, List.of(drydockRedirect, distributionRedirect))) {
                            RegistryClient c = clients.get(sv);
                            c.login(repo);
                            long redirects = c.redirects.get();
                            S3Mark m = s3Mark();
                            long t0 = System.nanoTime();
                            c.pullBlob(repo, digest, size, false);
                            pulled.put(sv, size / 1e6 / secondsSince(t0));
                            s3Since(m, "pull " + mib + " blob, redirected", sv);
                            if (c.redirects.get() != redirects + 1) throw new IOException(sv.label + " did not redirect the download");
                        }
                        pullRedirect.add(pulled.get(drydockRedirect), pulled.get(distributionRedirect));
                    }
                    pull.add(pulled.get(drydock), pulled.get(distribution));
                    pullCpu.add(pullC.get(drydock), pullC.get(distribution));
                    if (drydockBase != null) pullAB.add(pulled.get(drydock), pulled.get(drydockBase));
                    line += String.format(Locale.ROOT, ", pull %.0f vs %.0f MB/s", pulled.get(drydock), pulled.get(distribution));
                    if (s3 != null) {
                        line += String.format(Locale.ROOT, ", redirected pull %.0f vs %.0f MB/s", pulled.get(drydockRedirect),
                                pulled.get(distributionRedirect));
                    }
                }
                log(line);
                for (Server sv : pushTargets) sv.dropBlob(digest);
                syncDisk();
            }
        }
    }

    private void concurrentPushes(Map<Server, RegistryClient> clients, long size) throws Exception {
        int n = i("concurrent-pushes");
        Row rate = row(n + " concurrent " + size / MIB + " MiB pushes, total", "MB/s", true, "(info)", null, false);
        Row rss = row("server peak RSS (VmHWM) during those", "MiB", false, "<512 MiB", v -> 512 - v, true);
        Map<Server, Double> mbps = new LinkedHashMap<>();
        Map<Server, Double> peak = new LinkedHashMap<>();
        List<BlobSource> blobs = new ArrayList<>();
        for (int k = 0; k < n; k++) blobs.add(new BlobSource(5000 + k, size));
        blobs.parallelStream().forEach(BlobSource::digest);
        boolean reset = true;
        for (Server sv : List.of(drydock, distribution)) {
            RegistryClient c = clients.get(sv);
            for (int k = 0; k < n; k++) c.login(REPO + "concurrent-" + k);
            syncDisk();
            reset &= sv.resetPeakRss();
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                List<Callable<Void>> tasks = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    int kk = k;
                    tasks.add(() -> {
                        c.pushBlob(REPO + "concurrent-" + kk, blobs.get(kk), PushMode.PATCH);
                        return null;
                    });
                }
                long t0 = System.nanoTime();
                for (Future<Void> f : pool.invokeAll(tasks)) f.get();
                mbps.put(sv, n * size / 1e6 / secondsSince(t0));
            } finally {
                pool.shutdown();
            }
            peak.put(sv, sv.peakRssKiB() / 1024.0);
            for (BlobSource blob : blobs) sv.dropBlob(blob.digest());
            syncDisk();
            log(String.format(Locale.ROOT, "%d concurrent pushes on %s: %.0f MB/s, VmHWM %.0f MiB", n, sv.label,
                    mbps.get(sv), peak.get(sv)));
        }
        rate.add(mbps.get(drydock), mbps.get(distribution));
        rss.add(peak.get(drydock), peak.get(distribution));
        rss.note = reset ? "peak reset (clear_refs) just before the pushes" : "peak since server start (clear_refs not permitted)";
    }

    // ------------------------------------------------------------------ measurement helpers

    /** Requests per second of manifest HEAD or GET with {@code n} concurrent clients for {@code d}. */
    private static double load(RegistryClient c, String repo, String ref, boolean head, int n, Duration d) throws Exception {
        c.login(repo);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        long[] window = new long[2];
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    long end = window[0] + d.toNanos();
                    while (System.nanoTime() < end) {
                        if (c.manifestStatus(repo, ref, head) == 200) ok.incrementAndGet();
                        else failed.incrementAndGet();
                    }
                    return null;
                }));
            }
            window[0] = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) f.get();
            window[1] = System.nanoTime();
        } finally {
            pool.shutdown();
        }
        if (failed.get() > 0) {
            throw new IOException("manifest " + (head ? "HEAD" : "GET") + " on " + c.base() + ": " + failed.get() + " failed requests");
        }
        return ok.get() / ((window[1] - window[0]) / 1e9);
    }

    /** Flushes dirty pages of the data filesystem so one target's writeback does not slow the next. */
    private void syncDisk() {
        try {
            new ProcessBuilder("sync", "-f", work.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Servers.sleep(200);
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String message) {
        System.err.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + message);
    }

    // ------------------------------------------------------------------ the small image

    /** An OCI image of generated layers plus a JSON config, pushed and pulled like docker does. */
    private record Image(List<BlobSource> layers, BlobSource config, byte[] manifest) {
        static Image of(long seed, int count, long layerSize) {
            List<BlobSource> layers = new ArrayList<>();
            for (int k = 0; k < count; k++) layers.add(new BlobSource(seed * 100_000 + k, layerSize));
            StringBuilder diffIds = new StringBuilder();
            for (BlobSource l : layers) diffIds.append(diffIds.isEmpty() ? "" : ",").append('"').append(l.digest()).append('"');
            byte[] configJson = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"bench.seed\":\"" + seed
                    + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
            BlobSource config = new BlobSource(configJson);
            StringBuilder m = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"").append(RegistryClient.OCI_MANIFEST)
                    .append("\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"")
                    .append(config.digest()).append("\",\"size\":").append(config.size).append("},\"layers\":[");
            for (int k = 0; k < layers.size(); k++) {
                if (k > 0) m.append(',');
                m.append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"").append(layers.get(k).digest())
                        .append("\",\"size\":").append(layers.get(k).size).append('}');
            }
            m.append("]}");
            return new Image(layers, config, m.toString().getBytes(StandardCharsets.UTF_8));
        }

        void push(RegistryClient c, String repo, String tag, int parallel) throws Exception {
            List<BlobSource> all = new ArrayList<>(layers);
            all.add(config);
            parallel(parallel, all, blob -> {
                if (!c.blobExists(repo, blob.digest())) c.pushBlob(repo, blob, PushMode.PATCH);
            });
            c.putManifest(repo, tag, manifest);
        }

        void pull(RegistryClient c, String repo, String tag, int parallel) throws Exception {
            byte[] got = c.getManifest(repo, tag);
            if (!Arrays.equals(got, manifest)) throw new IOException("pulled manifest differs from the pushed one");
            c.pullBlob(repo, config.digest(), config.size, true);
            parallel(parallel, layers, blob -> c.pullBlob(repo, blob.digest(), blob.size, true));
        }
    }

    private interface BlobTask {
        void run(BlobSource blob) throws IOException;
    }

    private static void parallel(int n, List<BlobSource> blobs, BlobTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (BlobSource blob : blobs) futures.add(pool.submit(() -> {
                task.run(blob);
                return null;
            }));
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    // ------------------------------------------------------------------ output

    private void print(String header) {
        StringBuilder out = new StringBuilder("\n").append(header).append("\n\n");
        String fmt = "%-46s %-10s %-24s %-24s %-20s %-9s %s%n";
        out.append(String.format(Locale.ROOT, fmt, "metric", "unit", "Drydock median [min-max]",
                "distribution med [min-max]", "ratio med [min-max]", "target", "met"));
        out.append("-".repeat(144)).append('\n');
        for (Row r : rows) {
            if (r.drydock.isEmpty() || r.cpu) continue;
            String met = "";
            if (r.check != null) {
                double v = r.checkValue ? median(r.drydock) : median(r.ratios);
                met = r.check.applyAsDouble(v) >= 0 ? "yes" : "NO";
            }
            String ratio = r.checkValue ? "-" : cell(r.ratios, "%.2f");
            out.append(String.format(Locale.ROOT, fmt, r.name, r.unit, cell(r.drydock, valueFormat(r)),
                    cell(r.distribution, valueFormat(r)), ratio, r.target, met));
        }
        out.append("\nserver CPU (user+sys of the server process during the measurement; ratio >1 = Drydock cheaper):\n");
        for (Row r : rows) {
            if (r.drydock.isEmpty() || !r.cpu) continue;
            out.append(String.format(Locale.ROOT, fmt, r.name, r.unit, cell(r.drydock, valueFormat(r)),
                    cell(r.distribution, valueFormat(r)), cell(r.ratios, "%.2f"), "", ""));
        }
        if (drydockBase != null) {
            out.append("A/B rows: the second value column is the baseline jar (" + s("baseline-jar") + "), not distribution\n");
        }
        out.append("\nratio: Drydock/distribution for rates, distribution/Drydock for seconds (>1 = Drydock better);"
                + " median of the per-rep paired ratios\n");
        for (Row r : rows) if (!r.note.isEmpty()) out.append("  ").append(r.name).append(": ").append(r.note).append('\n');
        if (!s3Requests.isEmpty()) {
            out.append("\nS3 requests to s3proxy per operation (first rep):\n");
            s3Requests.forEach((what, requests) -> out.append(String.format(Locale.ROOT, "  %-46s %s%n", what, requests)));
        }
        out.append("\nper-rep values (Drydock | distribution):\n");
        for (Row r : rows) {
            if (r.drydock.isEmpty()) continue;
            out.append(String.format(Locale.ROOT, "  %-46s %s | %s%n", r.name + (r.cpu ? " [" + r.unit + "]" : ""), list(r.drydock, valueFormat(r)),
                    list(r.distribution, valueFormat(r))));
        }
        try {
            out.append("loadavg at end: ").append(Files.readString(Path.of("/proc/loadavg")).trim()).append('\n');
        } catch (IOException ignored) {
            // not Linux
        }
        System.out.print(out);
        System.out.flush();
    }

    private static String valueFormat(Row r) {
        return r.unit.equals("s") ? "%.3f" : r.unit.equals("CPU s") ? "%.2f" : "%.0f";
    }

    private static String cell(List<Double> values, String f) {
        if (values.size() == 1) return String.format(Locale.ROOT, f, values.getFirst());
        return String.format(Locale.ROOT, f + " [" + f + "-" + f + "]", median(values),
                values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    private static String list(List<Double> values, String f) {
        return String.join(" ", values.stream().map(v -> String.format(Locale.ROOT, f, v)).toList());
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void deleteTree(Path root) {
        try {
            if (!Files.exists(root)) return;
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("warning: could not delete " + root + ": " + e);
        }
    }
}
