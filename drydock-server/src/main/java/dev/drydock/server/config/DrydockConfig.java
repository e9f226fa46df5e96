package dev.drydock.server.config;

import dev.drydock.platform.access.LoginThrottle;
import dev.drydock.platform.webhooks.WebhookDispatcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The whole configuration, validated once at start-up into an immutable record. Sources, later ones
 * winning: built-in defaults, the properties file ({@code <data>/drydock.properties} or {@code --config}),
 * environment variables ({@code DRYDOCK_} + key upper-cased with '.' and '-' as '_'), then CLI flags.
 * Every key is listed in {@link #KEYS}, which the README's reference table mirrors.
 */
public record DrydockConfig(
        String bind,
        int port,
        Path dataDir,
        String publicUrl,
        String service,
        Duration tokenTtl,
        Duration sessionIdleTimeout,
        Duration sessionMaxAge,
        LoginThrottle.Limits login,
        String dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        boolean storageFsync,
        long manifestMaxBytes,
        long imageMaxBytes,
        Duration uploadExpiry,
        int uploadMaxSessionsPerPrincipal,
        int uploadMaxSessionsPerRepository,
        long uploadMaxBytes,
        String adminEmail,
        String adminPassword,
        boolean requireAdapter,
        int workerConcurrency,
        Duration workerLease,
        int workerMaxAttempts,
        Duration testTimeout,
        Duration sseHeartbeat,
        int sseMaxStreamsPerPrincipal,
        WebhookDispatcher.Settings webhooks,
        boolean webhooksAllowPrivateNetwork,
        Duration gcGrace,
        Duration gcInterval,
        SandboxSettings sandbox,
        Vulns vulns) {

    /**
     * The {@code sandbox.*} keys.
     *
     * @param engine       {@code auto}, {@code podman} (start Drydock's own Podman service), {@code none}, or an endpoint
     * @param registryHost how the engine reaches this registry; null: {@code 127.0.0.1:<port>}
     * @param concurrency  sandbox runs at once; 0: {@code worker.concurrency}
     * @param subnetPool   the IPv4 range run networks get their {@code /24} from
     * @param readyTimeout how long a webhook engine has to answer its ready webhook with 200
     */
    public record SandboxSettings(String engine, String registryHost, int concurrency, int logMaxLines, long logMaxBytes,
                                  boolean hostFence, boolean proxyAllowPrivate, boolean keepImages, String subnetPool,
                                  Duration readyTimeout) {
        /** With the default {@code sandbox.ready-timeout}. */
        public SandboxSettings(String engine, String registryHost, int concurrency, int logMaxLines, long logMaxBytes,
                               boolean hostFence, boolean proxyAllowPrivate, boolean keepImages, String subnetPool) {
            this(engine, registryHost, concurrency, logMaxLines, logMaxBytes, hostFence, proxyAllowPrivate, keepImages, subnetPool,
                    dev.drydock.sandbox.SandboxConfig.DEFAULT_READY_TIMEOUT);
        }

        public boolean disabled() {
            return engine.equals("none");
        }
    }

    /** The sandbox's own settings for a resolved engine endpoint and a number of runs at once. */
    public dev.drydock.sandbox.SandboxConfig sandboxConfig(String endpoint, int runsAtOnce) {
        SandboxSettings s = sandbox();
        return new dev.drydock.sandbox.SandboxConfig(endpoint, testTimeout(), runsAtOnce, s.logMaxLines(), s.logMaxBytes(),
                s.hostFence(), s.proxyAllowPrivate(), s.keepImages(), s.subnetPool(), s.readyTimeout());
    }

    /**
     * Vulnerability scanning: the severity that fails the check, and the scheduled advisory data update (the URLs
     * fetched every {@code updateInterval}; null: no scheduled update).
     */
    public record Vulns(dev.drydock.scanner.match.Severity failAt, List<java.net.URI> urls, Duration updateInterval) {}

    /** Every key with its default ({@code null}: none) and what it means. */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("bind", new String[]{"0.0.0.0", "address the HTTP server listens on"});
        k.put("port", new String[]{"5000", "HTTP port for the registry, token service, API and UI"});
        k.put("data", new String[]{"./drydock-data", "data directory: embedded database, blobs, uploads"});
        k.put("public-url", new String[]{null, "external base URL (e.g. https://registry.example.com); default: taken from each request's Host"});
        k.put("service", new String[]{"drydock", "token service name (the JWT audience)"});
        k.put("token-ttl", new String[]{"5m", "lifetime of registry and API tokens"});
        k.put("session.idle-timeout", new String[]{"8h", "a Developer App (browser) session ends after this long without a request"});
        k.put("session.max-age", new String[]{"7d", "a Developer App session ends this long after sign-in, however active"});
        k.put("login.max-failures-per-account", new String[]{"5",
                "failed sign-ins in a row for one account (from any address) before it is backed off: 1 s, doubling per further failure; a success resets it"});
        k.put("login.max-account-backoff", new String[]{"1m",
                "longest backoff of one account; kept short, since anyone can trigger it to lock the owner out"});
        k.put("login.max-failures-per-address", new String[]{"20",
                "failed sign-ins from one client address (any accounts) within login.max-address-backoff before it is backed off: 1 s, doubling per further failure"});
        k.put("login.max-address-backoff", new String[]{"15m", "longest backoff of one client address"});
        k.put("login.first-backoff", new String[]{"1s", "backoff of an account or address after its last free failure; it doubles with each further failure"});
        k.put("login.hash-concurrency", new String[]{null, "password checks (Argon2) run at once; default: the number of CPU cores"});
        k.put("login.hash-queue", new String[]{"64",
                "sign-ins waiting (up to 5 s) for a password check; beyond, refused with 429 TOO_MANY_ATTEMPTS"});
        k.put("db.url", new String[]{null, "JDBC URL; default: embedded H2 file database under the data directory; PostgreSQL: jdbc:postgresql://host[:port]/database"});
        k.put("db.user", new String[]{"sa", "database user"});
        k.put("db.password", new String[]{"", "database password"});
        k.put("db.pool-size", new String[]{"16", "maximum database connections"});
        k.put("storage.fsync", new String[]{"true", "fsync each blob before publishing it (crash safety)"});
        k.put("manifest.max-bytes", new String[]{"4194304", "largest manifest accepted (413 above)"});
        k.put("image.max-bytes", new String[]{"32GiB", "largest uncompressed size of a tested image, all layers together (bytes, or with KiB, MiB, GiB, TiB): a large ML engine (a CUDA/PyTorch base of 10-20 GiB plus model weights) fits; a larger image fails image.filesystem before the engine pulls it (a vfs engine holds it twice while it runs)"});
        k.put("upload.expiry", new String[]{"24h", "an upload session no request has used for this long is purged (bytes and row)"});
        k.put("upload.max-sessions-per-principal", new String[]{"64",
                "open upload sessions one user or robot may have (429 TOOMANYREQUESTS beyond)"});
        k.put("upload.max-sessions-per-repository", new String[]{"128",
                "open upload sessions one repository may have (429 TOOMANYREQUESTS beyond)"});
        k.put("upload.max-bytes", new String[]{"16GiB",
                "bytes one upload session may hold, i.e. the largest blob accepted (bytes, or with KiB, MiB, GiB, TiB; 413 beyond, and the upload is discarded)"});
        k.put("registry.require-adapter", new String[]{"true", "refuse pushes to repositories of no registered adapter (false: plain registry)"});
        k.put("worker.concurrency", new String[]{"2", "builds tested at the same time on this node (0: this node tests nothing)"});
        k.put("worker.lease", new String[]{"60s", "a worker's claim on a test job; renewed while it runs, expires if the node dies"});
        k.put("worker.max-attempts", new String[]{"3", "test attempts (crashes, lost leases) before a build is marked invalid"});
        k.put("test.timeout", new String[]{"10m", "a build's whole test must finish within this, or it fails as a timeout"});
        k.put("sse.heartbeat", new String[]{"15s", "keep-alive comment on idle event streams (keeps proxies from closing them, finds departed clients); below 30s"});
        k.put("sse.max-streams-per-principal", new String[]{"20", "live event streams one user or robot may hold open at once; more are refused with 429 TOO_MANY_STREAMS"});
        k.put("webhooks.connect-timeout", new String[]{"5s", "webhook deliveries: time to connect to the receiver"});
        k.put("webhooks.request-timeout", new String[]{"10s", "webhook deliveries: time for the receiver to answer"});
        k.put("webhooks.retry-base", new String[]{"10s", "webhook deliveries: wait before the first retry, doubled for each further one"});
        k.put("webhooks.retry-cap", new String[]{"1h", "webhook deliveries: longest wait between two attempts"});
        k.put("webhooks.max-attempts", new String[]{"10", "webhook deliveries: attempts per event before it is given up (kept as failed)"});
        k.put("webhooks.concurrency", new String[]{"16", "webhook deliveries in flight at once on this node (one per webhook); 0: this node delivers none"});
        k.put("webhooks.retention", new String[]{"30d", "delivery log entries and given-up events are deleted after this"});
        k.put("webhooks.allow-private-network", new String[]{"false", "let webhooks target loopback, private and link-local addresses"});
        k.put("gc.grace", new String[]{"1h", "garbage collection keeps unreferenced blobs published less than this long ago (pushes in progress)"});
        k.put("gc.interval", new String[]{"off", "run garbage collection in the server this often (off: only ./drydock gc)"});
        k.put("sandbox.engine", new String[]{"auto", "container engine for the sandbox run: auto (DOCKER_HOST, then /run/podman/podman.sock, /var/run/docker.sock, else Drydock starts its own Podman service under the data directory), podman (always start its own), none (no run: the run checks are warnings), or a Docker Engine API endpoint (unix:///path.sock, tcp://127.0.0.1:2375) on this host"});
        k.put("sandbox.registry-host", new String[]{null, "host:port the engine pulls build images from (plain HTTP; must be an insecure registry for the engine); default 127.0.0.1:<port>"});
        k.put("sandbox.concurrency", new String[]{null, "sandbox runs at once on this node; default worker.concurrency (each test does at most one run; a lower value makes tests wait for a slot, within test.timeout)"});
        k.put("sandbox.log-max-lines", new String[]{"10000", "stdout and stderr lines kept from a run, each (testLog); a marker shows where output was cut"});
        k.put("sandbox.log-max-bytes", new String[]{"1048576", "stdout and stderr bytes kept from a run, each"});
        k.put("sandbox.host-fence", new String[]{"true", "fence each run's network with iptables so the container reaches only its sandbox API (needs root); false for development only"});
        k.put("sandbox.proxy-allow-private", new String[]{"false", "let the egress proxy connect to loopback and private addresses (tests only)"});
        k.put("sandbox.keep-images", new String[]{"false", "keep pulled build images in the engine after the run (faster retests; the engine's storage grows)"});
        k.put("sandbox.subnet-pool", new String[]{dev.drydock.sandbox.SubnetPool.DEFAULT_POOL, "IPv4 range (/8 to /24) each run network takes a free /24 from, with its gateway at .1; /24s overlapping this host's addresses, routes or the engine's networks are skipped: pick a range your LAN and VPNs do not use"});
        k.put("sandbox.ready-timeout", new String[]{"60s", "how long a webhook engine (aiWARE Engine Toolkit) has to answer its ready webhook with 200 once its container started"});
        k.put("vulnerabilities.fail-at", new String[]{"Critical", "the vulnerabilities check fails on any finding at or above this severity (Negligible, Low, Medium, High, Critical, Defcon1) that the org has not allowlisted"});
        k.put("vulndb.urls", new String[]{"", "comma-separated advisory data URLs for the scheduled update (OSV JSON or all.zip, Alpine secdb, Debian tracker JSON)"});
        k.put("vulndb.update-interval", new String[]{"off", "fetch and import vulndb.urls this often (off: only ./drydock vulndb import and the API)"});
        k.put("admin.email", new String[]{null, "platform admin created on first start (with admin.password)"});
        k.put("admin.password", new String[]{null, "password of that admin; never logged"});
        return java.util.Collections.unmodifiableMap(k);
    }

    /** Raised with a message that names the key at fault. */
    public static final class InvalidConfig extends RuntimeException {
        public InvalidConfig(String message) {
            super(message);
        }
    }

    /**
     * Loads configuration.
     *
     * @param configFile explicit file (may be null)
     * @param env        environment variables
     * @param flags      values from CLI flags, by key
     */
    public static DrydockConfig load(Path configFile, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        KEYS.forEach((key, spec) -> {
            if (spec[0] != null) values.put(key, spec[0]);
        });
        // The data directory decides where the default properties file is, so resolve it first.
        String data = firstNonNull(flags.get("data"), env.get(envName("data")), values.get("data"));
        Path file = configFile != null ? configFile : Path.of(data).resolve("drydock.properties");
        if (configFile != null && !Files.isRegularFile(configFile)) {
            throw new InvalidConfig("config file " + configFile + " does not exist");
        }
        if (Files.isRegularFile(file)) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new InvalidConfig("cannot read config file " + file + ": " + e.getMessage());
            }
            for (String name : props.stringPropertyNames()) {
                if (!KEYS.containsKey(name)) {
                    throw new InvalidConfig("unknown key '" + name + "' in " + file + "; known keys: " + String.join(", ", KEYS.keySet()));
                }
                values.put(name, props.getProperty(name).trim());
            }
        }
        for (String key : KEYS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) values.put(key, v);
        }
        flags.forEach((k, v) -> {
            if (v != null) values.put(k, v);
        });
        return validate(values);
    }

    public static String envName(String key) {
        return "DRYDOCK_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static DrydockConfig validate(Map<String, String> v) {
        List<String> errors = new ArrayList<>();
        int port = integer(v, "port", 0, 65535, errors);
        int pool = integer(v, "db.pool-size", 1, 1000, errors);
        long manifestMax = longValue(v, "manifest.max-bytes", 1024, 64L * 1024 * 1024, errors);
        long imageMax = size(v, "image.max-bytes", 1L << 20, 1L << 50, errors);
        Duration ttl = duration(v, "token-ttl", errors);
        Duration sessionIdle = duration(v, "session.idle-timeout", errors);
        Duration sessionMaxAge = duration(v, "session.max-age", errors);
        Duration expiry = duration(v, "upload.expiry", errors);
        LoginThrottle.Limits login = new LoginThrottle.Limits(integer(v, "login.max-failures-per-account", 1, 1000, errors),
                integer(v, "login.max-failures-per-address", 1, 100_000, errors), duration(v, "login.max-account-backoff", errors),
                duration(v, "login.max-address-backoff", errors),
                v.get("login.hash-concurrency") == null ? Math.max(1, Runtime.getRuntime().availableProcessors())
                        : integer(v, "login.hash-concurrency", 1, 1024, errors),
                integer(v, "login.hash-queue", 0, 100_000, errors), LoginThrottle.Limits.defaults().maxEntries(),
                duration(v, "login.first-backoff", errors));
        int uploadsPerPrincipal = integer(v, "upload.max-sessions-per-principal", 1, 1_000_000, errors);
        int uploadsPerRepository = integer(v, "upload.max-sessions-per-repository", 1, 1_000_000, errors);
        long uploadMaxBytes = size(v, "upload.max-bytes", 1L << 20, 1L << 50, errors);
        boolean fsync = bool(v, "storage.fsync", errors);
        boolean requireAdapter = bool(v, "registry.require-adapter", errors);
        int workers = integer(v, "worker.concurrency", 0, 64, errors);
        Duration lease = duration(v, "worker.lease", errors);
        int attempts = integer(v, "worker.max-attempts", 1, 100, errors);
        Duration testTimeout = duration(v, "test.timeout", errors);
        Duration sseHeartbeat = duration(v, "sse.heartbeat", errors);
        int sseMaxStreams = integer(v, "sse.max-streams-per-principal", 1, 10_000, errors);
        WebhookDispatcher.Settings webhooks = new WebhookDispatcher.Settings(
                duration(v, "webhooks.connect-timeout", errors), duration(v, "webhooks.request-timeout", errors),
                duration(v, "webhooks.retry-base", errors), duration(v, "webhooks.retry-cap", errors),
                integer(v, "webhooks.max-attempts", 1, 100, errors), integer(v, "webhooks.concurrency", 0, 1000, errors),
                duration(v, "webhooks.retention", errors), Duration.ofSeconds(1));
        boolean allowPrivate = bool(v, "webhooks.allow-private-network", errors);
        Duration gcGrace = duration(v, "gc.grace", errors);
        Duration gcInterval = v.get("gc.interval").trim().equalsIgnoreCase("off") ? null : duration(v, "gc.interval", errors);
        String engine = v.get("sandbox.engine").trim();
        if (!engine.matches("auto|podman|none|unix:///.+|tcp://[^/\\s]+:\\d+")) {
            errors.add("sandbox.engine must be auto, podman, none, unix:///path/to.sock or tcp://host:port, got '" + engine + "'");
        }
        String registryHost = v.get("sandbox.registry-host");
        if (registryHost != null && !registryHost.matches("[A-Za-z0-9.\\[\\]:-]+:\\d+")) {
            errors.add("sandbox.registry-host must be host:port as the engine reaches this registry, e.g. 127.0.0.1:5000, got '"
                    + registryHost + "'");
        }
        int sandboxConcurrency = v.get("sandbox.concurrency") == null ? 0 : integer(v, "sandbox.concurrency", 1, 64, errors);
        SandboxSettings sandbox = new SandboxSettings(engine, registryHost, sandboxConcurrency,
                integer(v, "sandbox.log-max-lines", 1, 10_000_000, errors),
                longValue(v, "sandbox.log-max-bytes", 1024, 1L << 30, errors), bool(v, "sandbox.host-fence", errors),
                bool(v, "sandbox.proxy-allow-private", errors), bool(v, "sandbox.keep-images", errors), subnetPool(v, errors),
                duration(v, "sandbox.ready-timeout", errors));
        Vulns vulns = vulns(v, errors);
        String publicUrl = v.get("public-url");
        if (publicUrl != null && !publicUrl.matches("https?://[^/\\s]+(/.*)?")) {
            errors.add("public-url must be an http(s) URL such as https://registry.example.com, got '" + publicUrl + "'");
        }
        if (publicUrl != null && publicUrl.endsWith("/")) publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
        String service = v.get("service");
        if (service == null || !service.matches("[A-Za-z0-9._:-]{1,100}")) {
            errors.add("service must be 1-100 letters, digits or . _ : -, got '" + service + "'");
        }
        if ((v.get("admin.email") == null) != (v.get("admin.password") == null)) {
            errors.add("admin.email and admin.password must be set together (" + envName("admin.email") + ", "
                    + envName("admin.password") + ")");
        }
        if (!errors.isEmpty()) {
            throw new InvalidConfig("invalid configuration:\n  - " + String.join("\n  - ", errors));
        }
        Path dataDir = Path.of(v.get("data")).toAbsolutePath().normalize();
        String dbUrl = v.get("db.url");
        return new DrydockConfig(v.get("bind"), port, dataDir, publicUrl, service, ttl, sessionIdle, sessionMaxAge, login,
                dbUrl, v.get("db.user"), v.get("db.password"), pool, fsync, manifestMax, imageMax, expiry,
                uploadsPerPrincipal, uploadsPerRepository, uploadMaxBytes,
                v.get("admin.email"), v.get("admin.password"), requireAdapter, workers, lease, attempts, testTimeout,
                sseHeartbeat, sseMaxStreams, webhooks, allowPrivate, gcGrace, gcInterval, sandbox, vulns);
    }

    private static Vulns vulns(Map<String, String> v, List<String> errors) {
        dev.drydock.scanner.match.Severity failAt = dev.drydock.scanner.match.Severity.Critical;
        try {
            failAt = dev.drydock.scanner.match.Severity.parse(v.get("vulnerabilities.fail-at").trim());
        } catch (RuntimeException e) {
            errors.add("vulnerabilities.fail-at must be one of Negligible, Low, Medium, High, Critical, Defcon1, got '"
                    + v.get("vulnerabilities.fail-at") + "'");
        }
        List<java.net.URI> urls = new ArrayList<>();
        for (String raw : v.get("vulndb.urls").split(",")) {
            if (raw.isBlank()) continue;
            try {
                java.net.URI url = java.net.URI.create(raw.trim());
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                    throw new IllegalArgumentException();
                }
                urls.add(url);
            } catch (IllegalArgumentException e) {
                errors.add("vulndb.urls must list http(s) URLs separated by commas, got '" + raw.trim() + "'");
            }
        }
        String every = v.get("vulndb.update-interval").trim();
        Duration interval = every.equalsIgnoreCase("off") ? null : duration(v, "vulndb.update-interval", errors);
        if (interval != null && urls.isEmpty()) {
            errors.add("vulndb.update-interval is set but vulndb.urls lists no URL to fetch");
        }
        return new Vulns(failAt, List.copyOf(urls), interval);
    }

    private static String subnetPool(Map<String, String> v, List<String> errors) {
        String pool = v.get("sandbox.subnet-pool").trim();
        try {
            new dev.drydock.sandbox.SubnetPool(pool);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        return pool;
    }

    private static int integer(Map<String, String> v, String key, int min, int max, List<String> errors) {
        return (int) longValue(v, key, min, max, errors);
    }

    /** A size in bytes, or with a binary unit: 32GiB, 512MiB, 64KiB, 1TiB (also "32 GiB"). */
    private static long size(Map<String, String> v, String key, long min, long max, List<String> errors) {
        String raw = v.get(key).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,16})\\s*(|B|KiB|MiB|GiB|TiB)").matcher(raw);
        if (!m.matches()) {
            errors.add(key + " must be a size in bytes or with KiB, MiB, GiB or TiB (e.g. 32GiB), got '" + raw + "'");
            return min;
        }
        int shift = switch (m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            case "TiB" -> 40;
            default -> 0;
        };
        long number = Long.parseLong(m.group(1));
        long bytes = number > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : number << shift;
        if (bytes < min || bytes > max) {
            errors.add(key + " must be between " + min + " bytes (1MiB) and " + max + " bytes (1024TiB), got '" + raw + "'");
            return min;
        }
        return bytes;
    }

    private static long longValue(Map<String, String> v, String key, long min, long max, List<String> errors) {
        try {
            long n = Long.parseLong(v.get(key).trim());
            if (n < min || n > max) {
                errors.add(key + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException | NullPointerException e) {
            errors.add(key + " must be a whole number, got '" + v.get(key) + "'");
            return min;
        }
    }

    private static boolean bool(Map<String, String> v, String key, List<String> errors) {
        String s = v.get(key).trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            errors.add(key + " must be true or false, got '" + v.get(key) + "'");
        }
        return s.equals("true");
    }

    /** Durations as {@code 90s}, {@code 5m}, {@code 24h}, {@code 7d} or ISO-8601 ({@code PT5M}). */
    static Duration duration(Map<String, String> v, String key, List<String> errors) {
        String s = v.get(key).trim();
        try {
            if (s.matches("\\d+(ms|s|m|h|d)")) {
                String unit = s.replaceAll("\\d+", "");
                long n = Long.parseLong(s.substring(0, s.length() - unit.length()));
                Duration d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                if (!d.isZero()) return d;
            } else {
                Duration d = Duration.parse(s);
                if (!d.isNegative() && !d.isZero()) return d;
            }
        } catch (RuntimeException ignored) {
            // reported below
        }
        errors.add(key + " must be a positive duration such as 90s, 5m, 24h or PT5M, got '" + s + "'");
        return Duration.ofMinutes(5);
    }

    private static String firstNonNull(String... values) {
        for (String s : values) if (s != null) return s;
        return null;
    }

    /** JDBC URL in effect (the embedded database when none is configured). */
    public String effectiveDbUrl() {
        return dbUrl != null ? dbUrl : dev.drydock.platform.db.Database.embeddedUrl(dataDir);
    }

    @Override
    public String toString() {
        // Never print secrets.
        return "DrydockConfig[bind=" + bind + ", port=" + port + ", data=" + dataDir + ", publicUrl=" + publicUrl
                + ", service=" + service + ", tokenTtl=" + tokenTtl + ", db=" + (dbUrl == null ? "embedded" : "external")
                + ", fsync=" + storageFsync + ", sandbox.engine=" + sandbox.engine() + "]";
    }
}
