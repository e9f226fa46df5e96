package dev.drydock.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The server processes under test: each a child process on a loopback port with its own data directory. */
final class Servers {
    private Servers() {}

    static final String ADMIN_EMAIL = "bench@drydock.local";
    static final String ADMIN_PASSWORD = "bench-password-1234";
    static final long ORG = 17532;

    abstract static class Server implements AutoCloseable {
        final String label;
        final Path dir;
        final int port;
        Process process;

        /** The bucket the server keeps its blobs in, or null when they are files under its directory. */
        final Bucket bucket;

        Server(String label, Path dir) throws IOException {
            this(label, dir, null);
        }

        Server(String label, Path dir, Bucket bucket) throws IOException {
            this.label = label;
            this.dir = dir;
            this.bucket = bucket;
            this.port = freePort();
            Files.createDirectories(dir);
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + port);
        }

        long pid() {
            return process.pid();
        }

        abstract RegistryClient client();

        /** Where the bytes of a published blob live (the bench deletes them after measuring, to bound disk use). */
        abstract Path blobFile(String digest);

        /** The key of a published blob in {@link #bucket}, and under its storage directory. */
        String blobKey(String digest) {
            throw new UnsupportedOperationException(label + " keeps no blobs in a bucket");
        }

        /** {@code sha256/<first two hex>/<hex>}: the sharded path both registries keep a blob under. */
        static String sharded(String digest) {
            String hex = digest.substring(digest.indexOf(':') + 1);
            return "sha256/" + hex.substring(0, 2) + "/" + hex;
        }

        void dropBlob(String digest) {
            if (bucket != null) {
                bucket.delete(blobKey(digest));
                return;
            }
            try {
                Files.deleteIfExists(blobFile(digest));
            } catch (IOException e) {
                System.err.println("warning: could not delete " + blobFile(digest) + ": " + e);
            }
        }

        void start(List<String> command, Map<String, String> env, Duration readyTimeout, String readyPath) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
            env.forEach((k, v) -> { // a null value removes the variable
                if (v == null) pb.environment().remove(k);
                else pb.environment().put(k, v);
            });
            process = pb.start();
            HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            long deadline = System.nanoTime() + readyTimeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(label + " exited with " + process.exitValue() + "; see " + dir.resolve("server.log"));
                }
                try {
                    int status = probe.send(HttpRequest.newBuilder(base().resolve(readyPath)).GET().build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 200) return;
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                sleep(100);
            }
            throw new IOException(label + " not ready after " + readyTimeout + "; see " + dir.resolve("server.log"));
        }

        /** CPU time (user + system) the server process has used so far, in seconds (10 ms resolution). */
        double cpuSeconds() {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ ticks
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }

        /** {@code VmHWM} (peak RSS) in KiB from /proc, or -1. */
        long peakRssKiB() {
            return procStatus("VmHWM:");
        }

        long rssKiB() {
            return procStatus("VmRSS:");
        }

        /** Resets the kernel's peak-RSS counter (writes 5 to clear_refs); false when not permitted. */
        boolean resetPeakRss() {
            try {
                Files.writeString(Path.of("/proc/" + pid() + "/clear_refs"), "5");
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        private long procStatus(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                    if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            } catch (IOException | RuntimeException e) {
                // process gone
            }
            return -1;
        }

        @Override
        public void close() {
            if (process == null || !process.isAlive()) return;
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Where a registry under test keeps its blobs in {@code --storage s3} mode: a bucket of the bench's s3proxy. */
    record Bucket(S3Store s3, String name) {
        static Bucket create(S3Store s3, String name) throws IOException {
            s3.createBucket(name);
            return new Bucket(s3, name);
        }

        void delete(String key) {
            try {
                s3.delete(name, key);
            } catch (IOException e) {
                System.err.println("warning: could not delete " + name + "/" + key + ": " + e);
            }
        }
    }

    /**
     * Drydock from its jar: {@code java <jvmOpts> -jar drydock.jar serve --port P --data DIR --bind 127.0.0.1}; its blobs
     * under DIR, or with a {@code bucket} in that bucket ({@code storage.type=s3}, {@code storage.s3.redirect} as given).
     */
    static final class Drydock extends Server {

        Drydock(String label, Path dir, Path jar, List<String> jvmOpts, boolean fsync, Map<String, String> dbEnv)
                throws IOException {
            this(label, dir, jar, jvmOpts, fsync, dbEnv, null, false);
        }

        Drydock(String label, Path dir, Path jar, List<String> jvmOpts, boolean fsync, Map<String, String> dbEnv,
                Bucket bucket, boolean redirect) throws IOException {
            super(label, dir, bucket);
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(jvmOpts);
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--port", String.valueOf(port),
                    "--data", dir.resolve("data").toString(), "--bind", "127.0.0.1"));
            // Plain registry mode: the bench measures the registry, not build testing of every push.
            Map<String, String> env = new java.util.HashMap<>(dbEnv);
            env.putAll(Map.of("DRYDOCK_ADMIN_EMAIL", ADMIN_EMAIL, "DRYDOCK_ADMIN_PASSWORD", ADMIN_PASSWORD,
                    "DRYDOCK_STORAGE_FSYNC", String.valueOf(fsync), "DRYDOCK_REGISTRY_REQUIRE_ADAPTER", "false",
                    // no build is tested, so no container engine: /readyz (awaited below) does not ask for one
                    "DRYDOCK_SANDBOX_ENGINE", "none"));
            if (bucket != null) {
                env.putAll(Map.of("DRYDOCK_STORAGE_TYPE", "s3", "DRYDOCK_STORAGE_S3_ENDPOINT", bucket.s3().endpoint().toString(),
                        "DRYDOCK_STORAGE_S3_BUCKET", bucket.name(), "DRYDOCK_STORAGE_S3_ACCESS_KEY", S3Store.ACCESS_KEY,
                        "DRYDOCK_STORAGE_S3_SECRET_KEY", S3Store.SECRET_KEY, "DRYDOCK_STORAGE_S3_PATH_STYLE", "true",
                        "DRYDOCK_STORAGE_S3_REDIRECT", String.valueOf(redirect)));
            }
            start(cmd, env, Duration.ofSeconds(90), "/readyz");
            createOrg();
        }

        private void createOrg() throws IOException {
            String auth = "Basic " + Base64.getEncoder().encodeToString(
                    (ADMIN_EMAIL + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base().resolve("/api/v1/orgs"))
                        .header("Authorization", auth).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":" + ORG + ",\"name\":\"Bench\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201) throw new IOException(label + ": create org: " + r.statusCode() + " " + r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        RegistryClient client() {
            return new RegistryClient(base(), ADMIN_EMAIL, ADMIN_PASSWORD);
        }

        @Override
        Path blobFile(String digest) {
            return dir.resolve("data/storage").resolve(blobKey(digest));
        }

        @Override
        String blobKey(String digest) {
            return "blobs/" + sharded(digest);
        }
    }

    /**
     * One node of a Drydock cluster from its jar: {@code java <jvmOpts> -jar drydock.jar serve --role R --port P --data DIR
     * --bind 127.0.0.1}, configured by {@code DRYDOCK_*} variables (database, bucket, sandbox), ready once {@code /readyz}
     * answers 200 (on a worker that includes its container engine).
     */
    static final class Node extends Server {
        final String role;

        Node(String label, Path dir, Path jar, List<String> jvmOpts, String role, Map<String, String> env) throws IOException {
            super(label, dir);
            this.role = role;
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(jvmOpts);
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--role", role, "--port", String.valueOf(port),
                    "--data", dir.resolve("data").toString(), "--bind", "127.0.0.1"));
            // a worker with its own Podman service takes longer to be ready than an API node
            start(cmd, env, Duration.ofSeconds(180), "/readyz");
        }

        /** SIGKILL: no shutdown hook runs, open connections are reset, as when a machine dies. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        @Override
        RegistryClient client() {
            return new RegistryClient(base(), ADMIN_EMAIL, ADMIN_PASSWORD);
        }

        @Override
        Path blobFile(String digest) {
            throw new UnsupportedOperationException(label + " keeps its blobs in S3");
        }
    }

    /**
     * CNCF distribution ({@code registry serve config.yml}): no auth, deletes enabled; filesystem storage, or with a
     * {@code bucket} its S3 driver on that bucket, blob downloads redirected to pre-signed URLs only if {@code redirect}.
     */
    static final class Distribution extends Server {

        Distribution(String label, Path dir, Path binary) throws IOException {
            this(label, dir, binary, null, false);
        }

        Distribution(String label, Path dir, Path binary, Bucket bucket, boolean redirect) throws IOException {
            super(label, dir, bucket);
            String storage = bucket == null ? """
                      filesystem:
                        rootdirectory: %s
                    """.formatted(dir.resolve("data")) : """
                      s3:
                        regionendpoint: %s
                        bucket: %s
                        accesskey: %s
                        secretkey: %s
                        region: us-east-1
                        secure: false
                        v4auth: true
                      redirect:
                        disable: %s
                    """.formatted(bucket.s3().endpoint(), bucket.name(), S3Store.ACCESS_KEY, S3Store.SECRET_KEY, !redirect);
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                    %s  delete:
                        enabled: true
                      cache:
                        blobdescriptor: inmemory
                      maintenance:
                        uploadpurging:
                          enabled: false
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(storage, port));
            // The Go AWS SDK fails to start ("unable to load custom CA bundle") when AWS_CA_BUNDLE is set, as it is on
            // some build hosts; the bucket is plain http on loopback, so the child gets no AWS_* variables.
            Map<String, String> env = new java.util.HashMap<>();
            for (String k : System.getenv().keySet()) if (k.startsWith("AWS_")) env.put(k, null);
            start(List.of(binary.toString(), "serve", config.toString()), env, Duration.ofSeconds(30), "/v2/");
        }

        @Override
        RegistryClient client() {
            return new RegistryClient(base(), null, null);
        }

        @Override
        Path blobFile(String digest) {
            return dir.resolve("data").resolve(blobKey(digest));
        }

        @Override
        String blobKey(String digest) {
            return "docker/registry/v2/blobs/" + sharded(digest) + "/data";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
