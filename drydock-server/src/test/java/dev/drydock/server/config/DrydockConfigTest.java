package dev.drydock.server.config;

import dev.drydock.platform.db.Database;
import dev.drydock.server.config.DrydockConfig.InvalidConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DrydockConfigTest {
    @TempDir
    Path data;

    private DrydockConfig load(Map<String, String> env, Map<String, String> flags) {
        Map<String, String> withData = new HashMap<>(flags);
        withData.putIfAbsent("data", data.toString());
        return DrydockConfig.load(null, env, withData);
    }

    private DrydockConfig flags(String... keyValues) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) flags.put(keyValues[i], keyValues[i + 1]);
        return load(Map.of(), flags);
    }

    private void writeProperties(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    // ---------------------------------------------------------------- defaults

    @Test
    void defaults() {
        DrydockConfig c = load(Map.of(), Map.of());
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(5000);
        assertThat(c.dataDir()).isEqualTo(data.toAbsolutePath().normalize());
        assertThat(c.publicUrl()).isNull();
        assertThat(c.service()).isEqualTo("drydock");
        assertThat(c.tokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.dbUrl()).isNull();
        assertThat(c.effectiveDbUrl()).isEqualTo(Database.embeddedUrl(c.dataDir()));
        assertThat(c.dbUser()).isEqualTo("sa");
        assertThat(c.dbPassword()).isEmpty();
        assertThat(c.dbPoolSize()).isEqualTo(16);
        assertThat(c.storageFsync()).isTrue();
        assertThat(c.manifestMaxBytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(c.imageMaxBytes()).isEqualTo(32L << 30);
        assertThat(c.uploadExpiry()).isEqualTo(Duration.ofHours(24));
        assertThat(c.uploadMaxSessionsPerPrincipal()).isEqualTo(64);
        assertThat(c.uploadMaxSessionsPerRepository()).isEqualTo(128);
        assertThat(c.uploadMaxBytes()).isEqualTo(16L << 30);
        assertThat(c.adminEmail()).isNull();
        assertThat(c.adminPassword()).isNull();
        assertThat(c.sseMaxStreamsPerPrincipal()).isEqualTo(20);
    }

    @Test
    void sseStreamCapIsValidatedNamingTheKey() {
        assertThat(flags("sse.max-streams-per-principal", "3").sseMaxStreamsPerPrincipal()).isEqualTo(3);
        for (String bad : new String[]{"0", "-1", "10001", "many", "99999999999999999999"}) {
            assertThatThrownBy(() -> flags("sse.max-streams-per-principal", bad)).as(bad).isInstanceOf(InvalidConfig.class)
                    .hasMessageContaining("sse.max-streams-per-principal must be");
        }
    }

    @Test
    void roleDefaultsToAllAndIsValidatedNamingTheKeyAndTheFlag() {
        assertThat(flags().node().role()).isEqualTo(DrydockConfig.Role.all);
        assertThat(flags().testsBuilds()).isTrue();
        assertThat(flags().node().eventsPoll()).isEqualTo(java.time.Duration.ofMillis(500));
        DrydockConfig api = flags("role", "API");
        assertThat(api.node().role()).isEqualTo(DrydockConfig.Role.api);
        assertThat(api.testsBuilds()).as("an api node tests nothing, whatever worker.concurrency says").isFalse();
        assertThat(load(Map.of("DRYDOCK_ROLE", "api"), Map.of()).node().role()).isEqualTo(DrydockConfig.Role.api);
        assertThat(load(Map.of("DRYDOCK_ROLE", "api"), Map.of("role", "worker", "sandbox.engine", "none")).node().role())
                .as("the flag wins over the environment").isEqualTo(DrydockConfig.Role.worker);
        assertThatThrownBy(() -> flags("role", "both")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("role (DRYDOCK_ROLE, serve --role) must be all, api or worker, got 'both'");
        assertThatThrownBy(() -> flags("role", "worker", "sandbox.engine", "none", "worker.concurrency", "0"))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("role=worker tests builds, but worker.concurrency is 0");
        assertThatThrownBy(() -> flags("role", "worker")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("set sandbox.registry-host to an API node's");
        assertThat(flags("role", "worker", "sandbox.registry-host", "api.internal:5000").testsBuilds()).isTrue();
        assertThat(flags("events.poll-interval", "100ms").node().eventsPoll()).isEqualTo(java.time.Duration.ofMillis(100));
        for (String bad : new String[]{"10ms", "1m", "soon"}) {
            assertThatThrownBy(() -> flags("events.poll-interval", bad)).as(bad).isInstanceOf(InvalidConfig.class)
                    .hasMessageContaining("events.poll-interval");
        }
    }

    @Test
    void defaultDataDirectoryIsRelativeToTheWorkingDirectory() {
        Path expected = Path.of("./drydock-data").toAbsolutePath().normalize();
        if (Files.exists(expected.resolve("drydock.properties"))) return; // never read a developer's real config
        assertThat(DrydockConfig.load(null, Map.of(), Map.of()).dataDir()).isEqualTo(expected);
    }

    @Test
    void everyKeyIsDocumentedAndHasAnEnvironmentName() {
        DrydockConfig.KEYS.forEach((key, spec) -> {
            assertThat(spec).hasSize(2);
            assertThat(spec[1]).as(key).isNotBlank();
            assertThat(DrydockConfig.envName(key)).matches("DRYDOCK_[A-Z0-9_]+");
        });
        assertThat(DrydockConfig.envName("db.pool-size")).isEqualTo("DRYDOCK_DB_POOL_SIZE");
        assertThat(DrydockConfig.envName("public-url")).isEqualTo("DRYDOCK_PUBLIC_URL");
        assertThat(DrydockConfig.envName("admin.email")).isEqualTo("DRYDOCK_ADMIN_EMAIL");
    }

    @Test
    void loginThrottleKeysHaveHumaneDefaultsAndAreValidated() {
        var login = flags().login();
        assertThat(login.maxFailuresPerAccount()).isEqualTo(5);
        assertThat(login.maxFailuresPerAddress()).isEqualTo(20);
        assertThat(login.maxAccountBackoff()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(login.maxAddressBackoff()).isEqualTo(java.time.Duration.ofMinutes(15));
        assertThat(login.hashConcurrency()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
        assertThat(login.hashQueue()).isEqualTo(64);
        var set = flags("login.max-failures-per-account", "3", "login.max-address-backoff", "1h", "login.hash-concurrency", "2")
                .login();
        assertThat(set.maxFailuresPerAccount()).isEqualTo(3);
        assertThat(set.maxAddressBackoff()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(set.hashConcurrency()).isEqualTo(2);
        assertThatThrownBy(() -> flags("login.max-failures-per-account", "0")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("login.max-failures-per-account must be between 1 and 1000");
        assertThatThrownBy(() -> flags("login.hash-concurrency", "many")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("login.hash-concurrency must be a whole number");
        assertThatThrownBy(() -> flags("login.max-account-backoff", "soon")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("login.max-account-backoff");
    }

    @Test
    void trustedProxiesDefaultToThisHostAndAreValidatedNamingTheKey() {
        assertThat(flags().proxy().trusted()).containsExactly("127.0.0.1/32", "0:0:0:0:0:0:0:1/128");
        assertThat(flags("proxy.trusted", "").proxy().trusted()).as("empty: trust none").isEmpty();
        assertThat(flags("proxy.trusted", " 10.1.2.3/8, fd00::/8 ,192.0.2.7").proxy().trusted())
                .containsExactly("10.0.0.0/8", "fd00:0:0:0:0:0:0:0/8", "192.0.2.7/32");
        for (String bad : List.of("10.0.0.0/33", "fd00::/129", "proxy.example.com", "10.0.0/8", "10.0.0.0/x")) {
            assertThatThrownBy(() -> flags("proxy.trusted", bad)).as(bad).isInstanceOf(InvalidConfig.class)
                    .hasMessageContaining("proxy.trusted").hasMessageContaining(bad);
        }
    }

    @Test
    void vulnerabilityKeysAreValidatedNamingTheKey() {
        DrydockConfig defaults = flags();
        assertThat(defaults.vulns().failAt()).isEqualTo(dev.drydock.scanner.match.Severity.Critical);
        assertThat(defaults.vulns().urls()).isEmpty();
        assertThat(defaults.vulns().updateInterval()).isNull();
        DrydockConfig set = flags("vulnerabilities.fail-at", "high", "vulndb.urls",
                "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip, https://secdb.alpinelinux.org/v3.20/main.json",
                "vulndb.update-interval", "6h");
        assertThat(set.vulns().failAt()).isEqualTo(dev.drydock.scanner.match.Severity.High);
        assertThat(set.vulns().urls()).hasSize(2);
        assertThat(set.vulns().updateInterval()).isEqualTo(java.time.Duration.ofHours(6));
        assertThatThrownBy(() -> flags("vulnerabilities.fail-at", "urgent")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("vulnerabilities.fail-at must be one of");
        assertThatThrownBy(() -> flags("vulndb.urls", "ftp://x/all.zip")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("vulndb.urls must list http(s) URLs");
        assertThatThrownBy(() -> flags("vulndb.update-interval", "1h")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("vulndb.update-interval is set but neither vulndb.feeds nor vulndb.urls names anything");
    }

    @Test
    void vulndbFeedsOsvExpandsToTheScannersEcosystemsAndUpdatesDaily() {
        DrydockConfig defaults = flags();
        assertThat(defaults.vulnFeeds().names()).isEmpty();
        assertThat(defaults.vulnFeeds().all()).isEmpty();
        assertThat(defaults.vulnFeeds().osvBaseUrl().toString()).isEqualTo("https://osv-vulnerabilities.storage.googleapis.com");

        DrydockConfig osv = flags("vulndb.feeds", "osv", "vulndb.urls", "https://secdb.alpinelinux.org/v3.20/main.json");
        assertThat(osv.vulns().updateInterval()).isEqualTo(java.time.Duration.ofHours(24));
        assertThat(osv.vulnFeeds().all()).extracting(f -> f.url().toString()).containsExactly(
                "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/Maven/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
                "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip",
                "https://secdb.alpinelinux.org/v3.20/main.json");
        assertThat(osv.vulnFeeds().all().getLast().format()).isEqualTo(dev.drydock.platform.vulns.VulnerabilityService.Format.alpine);

        DrydockConfig mirror = flags("vulndb.feeds", " OSV ", "vulndb.osv-base-url", "http://mirror.internal:8080/osv/",
                "vulndb.update-interval", "6h");
        assertThat(mirror.vulns().updateInterval()).isEqualTo(java.time.Duration.ofHours(6));
        assertThat(mirror.vulnFeeds().all().getFirst().url().toString()).isEqualTo("http://mirror.internal:8080/osv/Debian/all.zip");
        assertThat(mirror.vulnFeeds().all().getFirst().source()).isEqualTo("osv/Debian");

        assertThatThrownBy(() -> flags("vulndb.feeds", "osv,nvd")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("vulndb.feeds: unknown feed 'nvd' (known: osv)");
        assertThatThrownBy(() -> flags("vulndb.feeds", "osv", "vulndb.osv-base-url", "file:///srv/osv"))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("vulndb.osv-base-url must be an http(s) URL");
        assertThatThrownBy(() -> flags("vulndb.feeds", "osv", "vulndb.update-interval", "off"))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("vulndb.update-interval is off but vulndb.feeds is set");
    }

    @Test
    void externalDatabaseUrlIsUsedAsIs() {
        DrydockConfig c = flags("db.url", "jdbc:postgresql://db:5432/drydock", "db.user", "drydock", "db.pool-size", "32");
        assertThat(c.effectiveDbUrl()).isEqualTo("jdbc:postgresql://db:5432/drydock");
        assertThat(c.dbUser()).isEqualTo("drydock");
        assertThat(c.dbPoolSize()).isEqualTo(32);
    }

    // ---------------------------------------------------------------- precedence

    @Test
    void fileThenEnvironmentThenFlags() throws IOException {
        writeProperties(data.resolve("drydock.properties"), """
                # comment
                port = 6000
                service = from-file
                token-ttl = 10m
                bind = 10.0.0.1
                storage.fsync = false
                """);
        Map<String, String> env = Map.of("DRYDOCK_PORT", "7000", "DRYDOCK_SERVICE", "from-env", "DRYDOCK_STORAGE_FSYNC", "true",
                "UNRELATED", "x");
        DrydockConfig c = load(env, Map.of("port", "8000"));
        assertThat(c.port()).as("flag beats env and file").isEqualTo(8000);
        assertThat(c.service()).as("env beats file").isEqualTo("from-env");
        assertThat(c.storageFsync()).as("env beats file").isTrue();
        assertThat(c.tokenTtl()).as("file beats default").isEqualTo(Duration.ofMinutes(10));
        assertThat(c.bind()).isEqualTo("10.0.0.1");
    }

    @Test
    void environmentBeatsDefaults() {
        DrydockConfig c = load(Map.of("DRYDOCK_DB_POOL_SIZE", "3", "DRYDOCK_UPLOAD_EXPIRY", "2h",
                "DRYDOCK_MANIFEST_MAX_BYTES", "2048", "DRYDOCK_PUBLIC_URL", "https://r.example.com"), Map.of());
        assertThat(c.dbPoolSize()).isEqualTo(3);
        assertThat(c.uploadExpiry()).isEqualTo(Duration.ofHours(2));
        assertThat(c.manifestMaxBytes()).isEqualTo(2048);
        assertThat(c.publicUrl()).isEqualTo("https://r.example.com");
    }

    @Test
    void nullFlagsAreIgnored() {
        Map<String, String> flags = new HashMap<>();
        flags.put("port", null);
        assertThat(load(Map.of("DRYDOCK_PORT", "7000"), flags).port()).isEqualTo(7000);
    }

    @Test
    void defaultFileIsFoundInTheDataDirectoryChosenByEnvironmentOrFlag() throws IOException {
        Path fromEnv = data.resolve("env-data");
        Path fromFlag = data.resolve("flag-data");
        writeProperties(fromEnv.resolve("drydock.properties"), "service=env-dir\n");
        writeProperties(fromFlag.resolve("drydock.properties"), "service=flag-dir\n");

        DrydockConfig byEnv = DrydockConfig.load(null, Map.of("DRYDOCK_DATA", fromEnv.toString()), Map.of());
        assertThat(byEnv.service()).isEqualTo("env-dir");
        assertThat(byEnv.dataDir()).isEqualTo(fromEnv.toAbsolutePath().normalize());

        DrydockConfig byFlag = DrydockConfig.load(null, Map.of("DRYDOCK_DATA", fromEnv.toString()), Map.of("data", fromFlag.toString()));
        assertThat(byFlag.service()).isEqualTo("flag-dir");
        assertThat(byFlag.dataDir()).isEqualTo(fromFlag.toAbsolutePath().normalize());
    }

    @Test
    void explicitConfigFileIsUsedInsteadOfTheDefaultOne() throws IOException {
        writeProperties(data.resolve("drydock.properties"), "service=default-file\n");
        Path explicit = data.resolve("elsewhere").resolve("custom.properties");
        writeProperties(explicit, "service=explicit-file\n");
        DrydockConfig c = DrydockConfig.load(explicit, Map.of(), Map.of("data", data.toString()));
        assertThat(c.service()).isEqualTo("explicit-file");
    }

    @Test
    void missingExplicitConfigFileIsAnError() {
        Path missing = data.resolve("nope.properties");
        assertThatThrownBy(() -> DrydockConfig.load(missing, Map.of(), Map.of("data", data.toString())))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void unknownKeyInFileIsAnErrorNamingIt() throws IOException {
        writeProperties(data.resolve("drydock.properties"), "port=6000\ntoken_ttl=5m\n");
        assertThatThrownBy(() -> load(Map.of(), Map.of()))
                .isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("unknown key 'token_ttl'")
                .hasMessageContaining("drydock.properties")
                .hasMessageContaining("token-ttl"); // the known keys are listed
    }

    @Test
    void unrelatedEnvironmentVariablesAreIgnored() {
        assertThat(load(Map.of("DRYDOCK_NOT_A_KEY", "x", "PATH", "/bin"), Map.of()).port()).isEqualTo(5000);
    }

    // ---------------------------------------------------------------- value validation

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "65536", "", "5000.0", "0x1388", "99999999999999999999"})
    void badPortNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("port", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("port must be");
    }

    @Test
    void portBounds() {
        assertThat(flags("port", "0").port()).isZero();
        assertThat(flags("port", "65535").port()).isEqualTo(65535);
        assertThat(flags("port", " 8080 ").port()).isEqualTo(8080);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "many"})
    void badPoolSizeNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("db.pool-size", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("db.pool-size");
    }

    @Test
    void uploadLimitsAreReadAndValidatedNamingTheKey() {
        DrydockConfig set = flags("upload.max-sessions-per-principal", "8", "upload.max-sessions-per-repository", "20",
                "upload.max-bytes", "1073741824");
        assertThat(set.uploadMaxSessionsPerPrincipal()).isEqualTo(8);
        assertThat(set.uploadMaxSessionsPerRepository()).isEqualTo(20);
        assertThat(set.uploadMaxBytes()).isEqualTo(1L << 30);
        for (String key : List.of("upload.max-sessions-per-principal", "upload.max-sessions-per-repository")) {
            for (String bad : List.of("0", "-1", "many", "1000001")) {
                assertThatThrownBy(() -> flags(key, bad)).as(key + "=" + bad).isInstanceOf(InvalidConfig.class)
                        .hasMessageContaining(key);
            }
        }
        assertThat(flags("upload.max-bytes", "16GiB").uploadMaxBytes()).isEqualTo(16L << 30);
        for (String bad : List.of("0", "1048575", "16GB", "lots")) {
            assertThatThrownBy(() -> flags("upload.max-bytes", bad)).as(bad).isInstanceOf(InvalidConfig.class)
                    .hasMessageContaining("upload.max-bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1023", "67108865", "4MB"})
    void badManifestLimitNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("manifest.max-bytes", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("manifest.max-bytes");
    }

    @ParameterizedTest
    @CsvSource({"34359738368, 34359738368", "32GiB, 34359738368", "512 MiB, 536870912", "1TiB, 1099511627776", "1048576, 1048576"})
    void imageMaxBytesTakesBytesOrBinaryUnits(String value, long expected) {
        assertThat(flags("image.max-bytes", value).imageMaxBytes()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"32GB", "lots", "-1", "1000", "2048TiB", ""})
    void badImageMaxBytesNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("image.max-bytes", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("image.max-bytes");
    }

    @ParameterizedTest
    @CsvSource({
            "90s,   PT1M30S",
            "5m,    PT5M",
            "24h,   PT24H",
            "7d,    PT168H",
            "1500ms, PT1.5S",
            "PT5M,  PT5M",
            "P1D,   PT24H",
            "' 10m ', PT10M",
    })
    void durations(String value, String expected) {
        assertThat(flags("token-ttl", value).tokenTtl()).isEqualTo(Duration.parse(expected));
        assertThat(flags("upload.expiry", value).uploadExpiry()).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 m", "5min", "0s", "0m", "PT0S", "-5m", "PT-5M", "five minutes", "5M", "1.5h",
            "999999999999999999999d"})
    void badDurationNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("token-ttl", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("token-ttl must be a positive duration");
        assertThatThrownBy(() -> flags("upload.expiry", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("upload.expiry must be a positive duration");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "false, false", "TRUE, true", "False, false", "' true ', true"})
    void booleans(String value, boolean expected) {
        assertThat(flags("storage.fsync", value).storageFsync()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no", "1", "0", "", "on", "tru"})
    void badBooleanNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("storage.fsync", value)).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("storage.fsync must be true or false");
    }

    @Test
    void storageIsTheDataDirectoryUnlessConfigured(@org.junit.jupiter.api.io.TempDir Path shared) {
        DrydockConfig defaults = flags();
        assertThat(defaults.storage().isS3()).isFalse();
        assertThat(defaults.storage().path()).isEqualTo(defaults.dataDir().resolve("storage")); // where blobs always were
        assertThat(flags("storage.path", shared.toString()).storage().path()).isEqualTo(shared);
        assertThatThrownBy(() -> flags("storage.type", "gcs")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("storage.type must be filesystem or s3, got 'gcs'");
    }

    @Test
    void s3StorageSettingsAreValidatedAndTheSecretNeverShown() {
        String secret = "s3cr3t-value-never-shown";
        DrydockConfig config = flags("storage.type", "s3", "storage.s3.bucket", "blobs", "storage.s3.endpoint",
                "http://minio:9000", "storage.s3.access-key", "AK", "storage.s3.secret-key", secret,
                "storage.s3.path-style", "true", "storage.s3.prefix", "/drydock/", "storage.s3.part-size", "8MiB");
        var s3 = config.storage().s3();
        assertThat(s3.endpoint()).hasToString("http://minio:9000");
        assertThat(s3.bucket()).isEqualTo("blobs");
        assertThat(s3.region()).isEqualTo("us-east-1");
        assertThat(s3.pathStyle()).isTrue();
        assertThat(s3.redirect()).isFalse();
        assertThat(s3.prefix()).isEqualTo("drydock/");
        assertThat(s3.partSize()).isEqualTo(8L << 20);
        assertThat(config.toString()).contains("bucket=blobs").doesNotContain(secret);

        assertThatThrownBy(() -> flags("storage.type", "s3")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("storage.type=s3 needs storage.s3.bucket (DRYDOCK_STORAGE_S3_BUCKET)");
        assertThatThrownBy(() -> flags("storage.type", "s3", "storage.s3.bucket", "Bad_Bucket")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("storage.s3.bucket must be an S3 bucket name");
        assertThatThrownBy(() -> flags("storage.type", "s3", "storage.s3.bucket", "b12", "storage.s3.part-size", "4MiB"))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("storage.s3.part-size must be between 5MiB and 5GiB");
        assertThatThrownBy(() -> flags("storage.type", "s3", "storage.s3.bucket", "b12", "storage.s3.endpoint", "minio:9000"))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("storage.s3.endpoint must be an http(s) URL");
        assertThatThrownBy(() -> flags("storage.type", "s3", "storage.s3.bucket", "b12", "storage.s3.secret-key", secret))
                .isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("storage.s3.access-key and storage.s3.secret-key must be set together")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThatThrownBy(() -> flags("storage.type", "s3", "storage.s3.bucket", "b12", "storage.s3.redirect", "yes"))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("storage.s3.redirect must be true or false");
    }

    @Test
    void theS3PublicEndpointIsOptionalAndMustBeSchemeHostAndPort() {
        assertThat(flags("storage.type", "s3", "storage.s3.bucket", "b12").storage().s3().publicEndpoint()).isNull();
        assertThat(flags("storage.type", "s3", "storage.s3.bucket", "b12", "storage.s3.redirect", "true",
                "storage.s3.public-endpoint", "https://s3.example.com:8443").storage().s3().publicEndpoint())
                .hasToString("https://s3.example.com:8443");
        for (String bad : List.of("s3.example.com", "ftp://s3.example.com", "https://u:p@s3.example.com",
                "https://s3.example.com/bucket", "https://s3.example.com?x=1", "http://")) {
            assertThatThrownBy(() -> flags("storage.type", "s3", "storage.s3.bucket", "b12",
                    "storage.s3.public-endpoint", bad))
                    .as(bad).isInstanceOf(InvalidConfig.class)
                    .hasMessageContaining("storage.s3.public-endpoint must be scheme://host[:port]");
        }
    }

    @Test
    void publicUrlMustBeHttpAndLosesItsTrailingSlash() {
        assertThat(flags("public-url", "https://registry.example.com/").publicUrl()).isEqualTo("https://registry.example.com");
        assertThat(flags("public-url", "http://localhost:5000").publicUrl()).isEqualTo("http://localhost:5000");
        assertThat(flags("public-url", "https://example.com/registry/").publicUrl()).isEqualTo("https://example.com/registry");
        for (String bad : List.of("registry.example.com", "ftp://example.com", "https://", "https:// spaced.example.com", "")) {
            assertThatThrownBy(() -> flags("public-url", bad)).as(bad).isInstanceOf(InvalidConfig.class)
                    .hasMessageContaining("public-url");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/not", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void badServiceNamesTheKey(String value) {
        assertThatThrownBy(() -> flags("service", value)).isInstanceOf(InvalidConfig.class).hasMessageContaining("service must be");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        assertThatThrownBy(() -> flags("port", "x", "token-ttl", "never", "storage.fsync", "maybe"))
                .isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("port must be")
                .hasMessageContaining("token-ttl must be")
                .hasMessageContaining("storage.fsync must be");
    }

    @Test
    void badValueInFileNamesTheKey() throws IOException {
        writeProperties(data.resolve("drydock.properties"), "upload.expiry=forever\n");
        assertThatThrownBy(() -> load(Map.of(), Map.of())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("upload.expiry");
    }

    @Test
    void badValueInEnvironmentNamesTheKey() {
        assertThatThrownBy(() -> load(Map.of("DRYDOCK_PORT", "http"), Map.of())).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("port must be");
    }

    // ---------------------------------------------------------------- admin bootstrap and secrets

    @Test
    void adminEmailWithoutPasswordIsAnError() {
        assertThatThrownBy(() -> flags("admin.email", "admin@example.com")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("admin.email and admin.password must be set together")
                .hasMessageContaining("DRYDOCK_ADMIN_PASSWORD");
        assertThatThrownBy(() -> flags("admin.password", "admin-secret-123")).isInstanceOf(InvalidConfig.class)
                .hasMessageContaining("admin.email and admin.password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("admin-secret-123"));
    }

    @Test
    void adminEmailAndPasswordTogether() {
        DrydockConfig c = load(Map.of("DRYDOCK_ADMIN_PASSWORD", "admin-secret-123"), Map.of("admin.email", "admin@example.com"));
        assertThat(c.adminEmail()).isEqualTo("admin@example.com");
        assertThat(c.adminPassword()).isEqualTo("admin-secret-123");
    }

    @Test
    void toStringNeverContainsSecrets() throws IOException {
        writeProperties(data.resolve("drydock.properties"), "db.password=db-secret-in-file\n");
        DrydockConfig fromFile = load(Map.of(), Map.of());
        assertThat(fromFile.dbPassword()).isEqualTo("db-secret-in-file");

        DrydockConfig c = load(Map.of("DRYDOCK_DB_PASSWORD", "db-secret-456"), Map.of(
                "admin.email", "admin@example.com",
                "admin.password", "admin-secret-123",
                "db.url", "jdbc:postgresql://db/drydock?user=drydock&password=url-secret-789"));

        List<String> rendered = new ArrayList<>(List.of(fromFile.toString(), c.toString()));
        for (String s : rendered) {
            assertThat(s).startsWith("DrydockConfig[")
                    .doesNotContain("db-secret-in-file")
                    .doesNotContain("db-secret-456")
                    .doesNotContain("admin-secret-123")
                    .doesNotContain("url-secret-789");
        }
        assertThat(c.toString()).contains("port=5000").contains("db=external");
        assertThat(fromFile.toString()).contains("db=embedded");
    }

    @Test
    void durationHelperReportsTheKey() {
        List<String> errors = new ArrayList<>();
        Duration d = DrydockConfig.duration(Map.of("k", "nope"), "k", errors);
        assertThat(d).isPositive();
        assertThat(errors).singleElement().asString().startsWith("k must be");
    }

    // ---------------------------------------------------------------- sandbox

    @Test
    void sandboxDefaultsAndOverrides() {
        DrydockConfig c = load(Map.of(), Map.of());
        assertThat(c.sandbox()).isEqualTo(new DrydockConfig.SandboxSettings("auto", null, 0, 10_000, 1_048_576, true, false, false,
                "10.213.0.0/16"));
        DrydockConfig o = load(Map.of("DRYDOCK_SANDBOX_ENGINE", "unix:///var/run/docker.sock", "DRYDOCK_SANDBOX_CONCURRENCY", "3",
                "DRYDOCK_SANDBOX_REGISTRY_HOST", "10.0.0.5:5000", "DRYDOCK_SANDBOX_KEEP_IMAGES", "true"),
                Map.of("sandbox.log-max-lines", "50", "sandbox.host-fence", "false", "sandbox.subnet-pool", "172.30.0.0/20"));
        assertThat(o.sandbox()).isEqualTo(new DrydockConfig.SandboxSettings("unix:///var/run/docker.sock", "10.0.0.5:5000", 3, 50,
                1_048_576, false, false, true, "172.30.0.0/20"));
        assertThat(load(Map.of(), Map.of("sandbox.engine", "none")).sandbox().disabled()).isTrue();
        assertThat(c.sandbox().readyTimeout()).isEqualTo(java.time.Duration.ofSeconds(60));
        DrydockConfig ready = load(Map.of("DRYDOCK_SANDBOX_READY_TIMEOUT", "2m"), Map.of());
        assertThat(ready.sandbox().readyTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(ready.sandboxConfig("unix:///run/podman/podman.sock", 1).readyTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
    }

    @Test
    void invalidSandboxValuesNameTheirKey() {
        assertThatThrownBy(() -> load(Map.of(), Map.of("sandbox.engine", "docker")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("sandbox.engine must be auto, podman, none");
        assertThatThrownBy(() -> load(Map.of(), Map.of("sandbox.registry-host", "http://x")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("sandbox.registry-host must be host:port");
        assertThatThrownBy(() -> load(Map.of(), Map.of("sandbox.concurrency", "0")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("sandbox.concurrency must be between 1 and 64");
        assertThatThrownBy(() -> load(Map.of(), Map.of("sandbox.subnet-pool", "10.213.0.0")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("sandbox.subnet-pool must be an IPv4 range like 10.213.0.0/16");
        assertThatThrownBy(() -> load(Map.of(), Map.of("sandbox.subnet-pool", "10.0.0.0/28")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("sandbox.subnet-pool must be an IPv4 range from /8 to /24");
        assertThatThrownBy(() -> load(Map.of(), Map.of("sandbox.subnet-pool", "10.213.5.0/16")))
                .isInstanceOf(InvalidConfig.class).hasMessageContaining("has host bits set; did you mean 10.213.0.0/16?");
    }
}
