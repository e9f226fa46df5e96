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
        Vulns vulns,
        VulnFeedSettings vulnFeeds,
        Observability observability,
        Storage storage,
        Tls tls,
        Proxy proxy,
        Node node) {

    /** What a node does ({@code role}): serve clients, test builds, or both. */
    public enum Role {
        /** Everything on one node (the default). */
        all,
        /** The registry, token service, REST API, UI and event streams, webhooks and maintenance; tests nothing. */
        api,
        /** Tests builds (claims the job queue); serves only {@code /healthz}, {@code /readyz} and {@code /metrics}. */
        worker;

        /** Serves the registry, API and UI (and runs what keeps the shared data: webhooks, maintenance). */
        public boolean servesClients() {
            return this != worker;
        }

        /** Claims and tests builds. */
        public boolean tests() {
            return this != api;
        }
    }

    /**
     * The {@code role} and {@code events.poll-interval} keys: this node's part when several share one database.
     *
     * @param role       what this node runs
     * @param eventsPoll how often a node serving event streams reads the changes other nodes made (external database only)
     */
    public record Node(Role role, Duration eventsPoll) {}

    /** True when this node tests builds: its role tests and {@code worker.concurrency} is above 0. */
    public boolean testsBuilds() {
        return node.role().tests() && workerConcurrency > 0;
    }

    /**
     * The {@code proxy.trusted} key.
     *
     * @param trusted normalised CIDRs of the reverse proxies whose {@code X-Forwarded-*} headers are believed
     *                ({@link dev.drydock.server.http.ClientInfo}); empty: none
     */
    public record Proxy(List<String> trusted) {}

    /**
     * The {@code log.format}, {@code metrics.token} and {@code shutdown.grace} keys.
     *
     * @param jsonLogs      true: one JSON object per log line ({@code log.format=json}); false: text
     * @param metricsToken  the bearer token a Prometheus scrape may send to {@code /metrics}; null: only platform admins
     *                      and operators may read it
     * @param shutdownGrace how long a stopping server lets requests in flight finish
     */
    public record Observability(boolean jsonLogs, String metricsToken, Duration shutdownGrace) {
        @Override
        public String toString() {
            return "Observability[jsonLogs=" + jsonLogs + ", metricsToken=" + (metricsToken == null ? "none" : "(set)")
                    + ", shutdownGrace=" + shutdownGrace + "]";
        }
    }

    /**
     * The {@code storage.*} keys but {@code storage.fsync}: where blobs live.
     *
     * @param type {@code filesystem} or {@code s3}
     * @param path the filesystem store's directory (default {@code <data>/storage})
     * @param s3   the bucket's settings when {@code type} is {@code s3}, else null
     */
    public record Storage(String type, Path path, dev.drydock.registry.storage.S3BlobStore.Settings s3) {
        public boolean isS3() {
            return type.equals("s3");
        }
    }

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

    /**
     * The {@code vulndb.feeds} and {@code vulndb.osv-base-url} keys.
     *
     * @param names      the named public feeds ({@code osv})
     * @param osvBaseUrl where the {@code osv} feed's {@code <Ecosystem>/all.zip} files are fetched from
     * @param all        what the scheduled update fetches: the named feeds expanded, then each {@code vulndb.urls} entry
     */
    public record VulnFeedSettings(List<String> names, java.net.URI osvBaseUrl,
                                   List<dev.drydock.platform.vulns.VulnFeeds.Feed> all) {}

    /**
     * The {@code tls.*} keys: the server's own certificate. With both files set every route is served over TLS on
     * {@code port} (no plain-HTTP listener), and the files are checked for a change every {@code reloadInterval}.
     *
     * @param cert PEM certificate chain, the server's certificate first; null: plain HTTP
     * @param key  PEM private key of that certificate (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted)
     */
    public record Tls(Path cert, Path key, Duration reloadInterval) {
        public boolean enabled() {
            return cert != null;
        }
    }

    /** Every key with its default ({@code null}: none) and what it means. */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("bind", new String[]{"0.0.0.0", "address the HTTP server listens on"});
        k.put("port", new String[]{"5000", "the one port of the registry, token service, API and UI: plain HTTP, or HTTPS (and HTTP/2) with tls.cert and tls.key"});
        k.put("data", new String[]{"./drydock-data", "data directory: embedded database, blobs, uploads"});
        k.put("public-url", new String[]{null, "external base URL (e.g. https://registry.example.com); default: taken from each request's Host"});
        k.put("service", new String[]{"drydock", "token service name (the JWT audience)"});
        k.put("token-ttl", new String[]{"5m", "lifetime of registry and API tokens"});
        k.put("session.idle-timeout", new String[]{"8h", "a Developer App (browser) session ends after this long without a request"});
        k.put("session.max-age", new String[]{"7d", "a Developer App session ends this long after sign-in, however active"});
        k.put("login.max-failures-per-account", new String[]{"5",
                "failed sign-ins in a row for one account (from any address, through any node) before it is backed off: 1 s, doubling per further failure; a success resets it"});
        k.put("login.max-account-backoff", new String[]{"1m",
                "longest backoff of one account; kept short, since anyone can trigger it to lock the owner out"});
        k.put("login.max-failures-per-address", new String[]{"20",
                "failed sign-ins from one client address (any accounts, through any node) within login.max-address-backoff before it is backed off: 1 s, doubling per further failure"});
        k.put("login.max-address-backoff", new String[]{"15m", "longest backoff of one client address"});
        k.put("login.first-backoff", new String[]{"1s", "backoff of an account or address after its last free failure; it doubles with each further failure"});
        k.put("login.hash-concurrency", new String[]{null, "password checks (Argon2) run at once on a node; default: the number of CPU cores"});
        k.put("login.hash-queue", new String[]{"64",
                "sign-ins waiting (up to 5 s) for a password check; beyond, refused with 429 TOO_MANY_ATTEMPTS"});
        k.put("db.url", new String[]{null, "JDBC URL; default: embedded H2 file database under the data directory; PostgreSQL: jdbc:postgresql://host[:port]/database"});
        k.put("db.user", new String[]{"sa", "database user"});
        k.put("db.password", new String[]{"", "database password"});
        k.put("db.pool-size", new String[]{"16", "maximum database connections"});
        k.put("storage.fsync", new String[]{"true", "fsync each blob before publishing it (crash safety)"});
        k.put("storage.type", new String[]{"filesystem", "where blobs live: filesystem (storage.path) or s3 (an S3-compatible bucket, storage.s3.*; needed for several nodes unless storage.path is a shared volume)"});
        k.put("storage.path", new String[]{null, "directory of the filesystem blob store (e.g. a shared volume); default: <data>/storage"});
        k.put("storage.s3.endpoint", new String[]{null, "S3 API URL, e.g. http://minio:9000; default: AWS S3 in storage.s3.region"});
        k.put("storage.s3.bucket", new String[]{null, "bucket holding blobs and uploads (must exist; required with storage.type=s3)"});
        k.put("storage.s3.region", new String[]{"us-east-1", "the bucket's region (signing region; any value most self-hosted servers accept)"});
        k.put("storage.s3.access-key", new String[]{"", "S3 access key; empty: the AWS SDK's default credentials chain (environment, profile, instance role)"});
        k.put("storage.s3.secret-key", new String[]{"", "S3 secret key (with storage.s3.access-key); never logged"});
        k.put("storage.s3.path-style", new String[]{"false", "address the bucket as <endpoint>/<bucket>/ (true: MinIO and most self-hosted servers) instead of <bucket>.<endpoint host>"});
        k.put("storage.s3.prefix", new String[]{"", "key prefix for everything Drydock writes in the bucket, e.g. drydock/"});
        k.put("storage.s3.redirect", new String[]{"false", "answer blob downloads (GET /v2/<name>/blobs/<digest>) with a 307 to a pre-signed URL valid 5 minutes, so bytes go from the bucket to the client; false: stream them through Drydock"});
        k.put("storage.s3.part-size", new String[]{"16MiB", "size of upload segments and multipart parts (5MiB to 5GiB): each upload in flight buffers one part in memory; a blob has at most 10000 parts"});
        k.put("storage.s3.public-endpoint", new String[]{"", "with storage.s3.redirect=true: the S3 API URL as clients reach it (scheme://host[:port], e.g. https://s3.example.com), used only to sign redirect URLs; empty: storage.s3.endpoint"});
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
        k.put("sse.max-streams-per-principal", new String[]{"20", "live event streams one user or robot may hold open at once on a node (each node counts its own); more are refused with 429 TOO_MANY_STREAMS"});
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
        k.put("sandbox.registry-host", new String[]{null, "host:port the engine pulls build images from, as an insecure registry (plain HTTP, or HTTPS without checking the certificate with tls.*); default 127.0.0.1:<port>"});
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
        k.put("vulndb.update-interval", new String[]{null, "fetch and import vulndb.feeds and vulndb.urls this often, first at start; default 24h when vulndb.feeds is set, else off (off: only ./drydock vulndb import and the API)"});
        k.put("vulndb.feeds", new String[]{"", "public advisory feeds to fetch on the schedule, comma-separated: osv (osv.dev's all.zip of each ecosystem the scanner reads: "
                + String.join(", ", dev.drydock.scanner.Inventories.OSV_ECOSYSTEMS) + ")"});
        k.put("vulndb.osv-base-url", new String[]{dev.drydock.platform.vulns.VulnFeeds.OSV_BASE_URL.toString(),
                "where the osv feed fetches <Ecosystem>/all.zip from: a mirror for air-gapped or proxied installs"});
        k.put("tls.cert", new String[]{null, "PEM certificate chain (server certificate first, then intermediates) to serve HTTPS and HTTP/2 on port; set with tls.key; default: plain HTTP"});
        k.put("tls.key", new String[]{null, "PEM private key of tls.cert: PKCS#8 (BEGIN PRIVATE KEY), RSA (BEGIN RSA PRIVATE KEY) or EC (BEGIN EC PRIVATE KEY), unencrypted"});
        k.put("tls.reload-interval", new String[]{"1m", "how often tls.cert and tls.key are checked for a change; a changed pair that loads and matches is served to new connections without a restart"});
        k.put("admin.email", new String[]{null, "platform admin created on first start (with admin.password)"});
        k.put("admin.password", new String[]{null, "password of that admin; never logged"});
        k.put("log.format", new String[]{"text", "log output on standard error: text (one readable line per event) or json (one JSON object per line, with the request id)"});
        k.put("metrics.token", new String[]{null, "bearer token a Prometheus scrape sends to /metrics (at least 32 characters); without it only platform admins and operators may read the metrics"});
        k.put("shutdown.grace", new String[]{"30s", "on SIGTERM, how long requests in flight (uploads) may take to finish; new connections are refused at once"});
        k.put("role", new String[]{"all", "what this node runs: all (everything), api (registry, API, UI, event streams, webhooks, maintenance; no tests) or worker (tests builds; serves only /healthz, /readyz and /metrics); the serve flag --role overrides it"});
        k.put("events.poll-interval", new String[]{"500ms", "how often a node serving event streams reads the build changes other nodes made, from the shared database (one query per interval per node; only with db.url); 50ms to 10s"});
        k.put("proxy.trusted", new String[]{"127.0.0.1/32,::1/128", "comma-separated IPs or CIDRs (IPv4, IPv6) of reverse proxies whose X-Forwarded-For, -Proto and -Host are believed (client address for sign-in throttling and audit, scheme and host of the token realm, push commands and the cookie's Secure flag); from any other peer they are ignored. Default: a proxy on this host (nginx, Caddy); empty: trust none"});
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
        VulnFeedSettings vulnFeeds = vulnFeeds(v, errors);
        Vulns vulns = vulns(v, !vulnFeeds.names().isEmpty(), errors);
        vulnFeeds = new VulnFeedSettings(vulnFeeds.names(), vulnFeeds.osvBaseUrl(), java.util.stream.Stream.concat(
                vulnFeeds.all().stream(), vulns.urls().stream().map(dev.drydock.platform.vulns.VulnFeeds.Feed::ofUrl)).toList());
        Observability observability = observability(v, errors);
        Storage storage = storage(v, errors);
        Tls tls = tls(v, errors);
        Proxy proxy = proxy(v, errors);
        Node node = node(v, workers, sandbox, errors);
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
                sseHeartbeat, sseMaxStreams, webhooks, allowPrivate, gcGrace, gcInterval, sandbox, vulns, vulnFeeds,
                observability, storage.path() != null ? storage : new Storage(storage.type(), dataDir.resolve("storage"), storage.s3()),
                tls, proxy, node);
    }

    private static Node node(Map<String, String> v, int workers, SandboxSettings sandbox, List<String> errors) {
        String raw = v.get("role").trim().toLowerCase(Locale.ROOT);
        Role role = Role.all;
        try {
            role = Role.valueOf(raw);
        } catch (IllegalArgumentException e) {
            errors.add("role (" + envName("role") + ", serve --role) must be all, api or worker, got '" + v.get("role") + "'");
        }
        if (role == Role.worker && workers == 0) {
            errors.add("role=worker tests builds, but worker.concurrency is 0: set worker.concurrency to 1 or more, or use role=api");
        }
        if (role == Role.worker && !sandbox.disabled() && sandbox.registryHost() == null) {
            // a worker serves no registry, so its engine pulls the build image from an API node
            errors.add("role=worker serves no registry, so its container engine cannot pull build images from it: set"
                    + " sandbox.registry-host to an API node's (or the load balancer's) host:port");
        }
        Duration poll = duration(v, "events.poll-interval", errors);
        if (poll.toMillis() < 50 || poll.toSeconds() > 10) {
            errors.add("events.poll-interval must be between 50ms and 10s, got '" + v.get("events.poll-interval").trim() + "'");
        }
        return new Node(role, poll);
    }

    private static Proxy proxy(Map<String, String> v, List<String> errors) {
        try {
            return new Proxy(dev.drydock.server.http.ClientInfo.parse(v.getOrDefault("proxy.trusted", "")));
        } catch (IllegalArgumentException e) {
            errors.add("proxy.trusted: " + e.getMessage() + " (" + envName("proxy.trusted") + "; empty to trust no proxy)");
            return new Proxy(List.of());
        }
    }

    private static Storage storage(Map<String, String> v, List<String> errors) {
        String type = v.get("storage.type").trim().toLowerCase(Locale.ROOT);
        if (!type.equals("filesystem") && !type.equals("s3")) {
            errors.add("storage.type must be filesystem or s3, got '" + v.get("storage.type") + "'");
        }
        String rawPath = v.get("storage.path");
        Path path = rawPath == null || rawPath.isBlank() ? null : Path.of(rawPath.trim()).toAbsolutePath().normalize();
        if (!type.equals("s3")) return new Storage(type, path, null);
        String bucket = v.get("storage.s3.bucket") == null ? "" : v.get("storage.s3.bucket").trim();
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            errors.add(bucket.isEmpty() ? "storage.type=s3 needs storage.s3.bucket (" + envName("storage.s3.bucket") + "): the bucket's name"
                    : "storage.s3.bucket must be an S3 bucket name (3-63 lower-case letters, digits, . and -), got '" + bucket + "'");
        }
        java.net.URI endpoint = null;
        String rawEndpoint = v.get("storage.s3.endpoint");
        if (rawEndpoint != null && !rawEndpoint.isBlank()) {
            try {
                endpoint = java.net.URI.create(rawEndpoint.trim());
                if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme()) || endpoint.getHost() == null
                        || endpoint.getUserInfo() != null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                errors.add("storage.s3.endpoint must be an http(s) URL such as http://minio:9000 (no credentials in it), got '"
                        + rawEndpoint.trim() + "'");
            }
        }
        java.net.URI publicEndpoint = null;
        String rawPublic = v.get("storage.s3.public-endpoint");
        if (rawPublic != null && !rawPublic.isBlank()) {
            try {
                publicEndpoint = java.net.URI.create(rawPublic.trim());
                String urlPath = publicEndpoint.getRawPath();
                if (!"http".equals(publicEndpoint.getScheme()) && !"https".equals(publicEndpoint.getScheme())
                        || publicEndpoint.getHost() == null || publicEndpoint.getUserInfo() != null
                        || urlPath != null && !urlPath.isEmpty() && !urlPath.equals("/") || publicEndpoint.getRawQuery() != null
                        || publicEndpoint.getRawFragment() != null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                errors.add("storage.s3.public-endpoint must be scheme://host[:port] with http or https, such as"
                        + " https://s3.example.com (no path, no credentials), got '" + rawPublic.trim() + "'");
                publicEndpoint = null;
            }
        }
        String accessKey = v.get("storage.s3.access-key").trim();
        String secretKey = v.get("storage.s3.secret-key").trim();
        if (accessKey.isEmpty() != secretKey.isEmpty()) {
            errors.add("storage.s3.access-key and storage.s3.secret-key must be set together (or both left empty for the"
                    + " AWS SDK's default credentials chain)");
        }
        long partSize = size(v, "storage.s3.part-size", 1, 1L << 50, errors);
        if (partSize < dev.drydock.registry.storage.S3BlobStore.MIN_PART_SIZE
                || partSize > dev.drydock.registry.storage.S3BlobStore.MAX_PART_SIZE) {
            errors.add("storage.s3.part-size must be between 5MiB and 5GiB (S3's limits on a multipart part), got '"
                    + v.get("storage.s3.part-size").trim() + "'");
            partSize = dev.drydock.registry.storage.S3BlobStore.MIN_PART_SIZE;
        }
        boolean pathStyle = bool(v, "storage.s3.path-style", errors);
        boolean redirect = bool(v, "storage.s3.redirect", errors);
        if (bucket.isEmpty()) return new Storage(type, path, null); // reported above
        return new Storage(type, path, new dev.drydock.registry.storage.S3BlobStore.Settings(endpoint, bucket,
                v.get("storage.s3.region").trim(), accessKey, secretKey, pathStyle, v.get("storage.s3.prefix"), redirect,
                partSize, publicEndpoint));
    }

    private static Observability observability(Map<String, String> v, List<String> errors) {
        String format = v.get("log.format").trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            errors.add("log.format must be text or json, got '" + v.get("log.format") + "'");
        }
        String token = v.get("metrics.token");
        if (token != null && !token.matches("[A-Za-z0-9._~+/=-]{32,512}")) {
            // never echo the value: it is a secret even when malformed
            errors.add("metrics.token must be 32-512 characters of letters, digits or . _ ~ + / = - (e.g. openssl rand -hex 32)");
        }
        Duration grace = duration(v, "shutdown.grace", errors);
        if (grace != null && grace.toHours() > 1) errors.add("shutdown.grace must be at most 1h, got '" + v.get("shutdown.grace") + "'");
        return new Observability(format.equals("json"), token, grace);
    }

    private static VulnFeedSettings vulnFeeds(Map<String, String> v, List<String> errors) {
        java.net.URI base = dev.drydock.platform.vulns.VulnFeeds.OSV_BASE_URL;
        String rawBase = v.get("vulndb.osv-base-url").trim();
        try {
            base = java.net.URI.create(rawBase);
            if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            errors.add("vulndb.osv-base-url must be an http(s) URL (a mirror of osv.dev's export, holding <Ecosystem>/all.zip), got '"
                    + rawBase + "'");
        }
        List<String> names = java.util.Arrays.stream(v.get("vulndb.feeds").split(",")).map(String::strip)
                .filter(n -> !n.isEmpty()).toList();
        List<dev.drydock.platform.vulns.VulnFeeds.Feed> feeds = List.of();
        try {
            feeds = dev.drydock.platform.vulns.VulnFeeds.expand(names, base);
        } catch (IllegalArgumentException e) {
            errors.add("vulndb.feeds: " + e.getMessage());
        }
        return new VulnFeedSettings(names, base, feeds);
    }

    private static Vulns vulns(Map<String, String> v, boolean feeds, List<String> errors) {
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
        String every = v.get("vulndb.update-interval");   // unset: daily with feeds, else off
        Duration interval = every == null ? (feeds ? Duration.ofHours(24) : null)
                : every.trim().equalsIgnoreCase("off") ? null : duration(v, "vulndb.update-interval", errors);
        if (interval != null && urls.isEmpty() && !feeds) {
            errors.add("vulndb.update-interval is set but neither vulndb.feeds nor vulndb.urls names anything to fetch "
                    + "(vulndb.feeds=osv fetches osv.dev's public data)");
        }
        if (interval == null && feeds) {
            errors.add("vulndb.update-interval is off but vulndb.feeds is set: the feeds are only fetched on the schedule "
                    + "(leave vulndb.update-interval unset for daily, or remove vulndb.feeds)");
        }
        return new Vulns(failAt, List.copyOf(urls), interval);
    }

    /** Both files or neither; whether they load and match is checked when the server starts (ServerTls). */
    private static Tls tls(Map<String, String> v, List<String> errors) {
        String cert = v.get("tls.cert");
        String key = v.get("tls.key");
        Duration interval = duration(v, "tls.reload-interval", errors);
        if (cert != null && cert.isBlank()) cert = null;
        if (key != null && key.isBlank()) key = null;
        if ((cert == null) != (key == null)) {
            errors.add((cert == null ? "tls.key is set without tls.cert" : "tls.cert is set without tls.key")
                    + ": set both to serve HTTPS (" + envName("tls.cert") + ", " + envName("tls.key") + "), or neither for plain HTTP");
            return new Tls(null, null, interval);
        }
        if (cert == null) return new Tls(null, null, interval);
        return new Tls(Path.of(cert.trim()).toAbsolutePath().normalize(), Path.of(key.trim()).toAbsolutePath().normalize(), interval);
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
                + ", fsync=" + storageFsync + ", storage=" + (storage.isS3() ? storage.s3() : storage.path())
                + ", sandbox.engine=" + sandbox.engine()
                + ", tls=" + (tls.enabled() ? tls.cert() : "off") + "]";
    }
}
