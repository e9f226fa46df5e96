package dev.drydock.bench;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmarks' S3 bucket server: s3proxy in a process of its own (so its CPU and heap are neither the client's nor a
 * registry's), objects in that process's memory (jclouds' {@code transient} store, as testkit's S3Server), signature
 * checks on. Used by {@link RegistryBench} ({@code --storage s3}) and {@link ClusterBench}.
 *
 * <p>Not s3proxy's file-backed stores: under concurrent multipart uploads their ListMultipartUploads intermittently
 * leaves out uploads in flight, which CNCF distribution's S3 driver (it looks its upload up that way on every PATCH and
 * PUT) answers with "Path not found" (500).
 *
 * <p>Bench-only additions in front of s3proxy's handler, under {@code /bench/}: {@code ready}, {@code stats} (S3 requests
 * served so far, by kind, for "where does the time go"), {@code bucket/<name>} (POST: create) and
 * {@code object/<bucket>/<key>} (DELETE: drop a blob between measurements, so memory stays bounded); and a fix for one
 * s3proxy gap: its ListParts answer has no {@code IsTruncated}, and CNCF distribution 2.8's S3 driver dereferences that
 * field when it resumes an upload (every PATCH and PUT of a push), so without it distribution panics (nil pointer) on
 * its first PATCH.
 */
final class S3Store extends Servers.Server {
    static final String ACCESS_KEY = "drydock-bench-access";
    static final String SECRET_KEY = "drydock-bench-secret-never-logged";
    private static final String KEYS_ENV = "BENCH_S3_KEYS"; // "access:secret", from the parent (not on the command line)

    private final HttpClient http = HttpClient.newHttpClient();

    /** Starts the s3proxy process on a free loopback port ({@code dir} holds its log). */
    S3Store(String label, Path dir, List<String> jvmOpts) throws IOException {
        super(label, dir);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOpts);
        // this JVM's class path, absolute: the child runs in its own directory
        String classpath = String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path")
                .split(File.pathSeparator)).map(e -> Path.of(e).toAbsolutePath().toString()).toList());
        cmd.addAll(List.of("-cp", classpath, S3Store.class.getName(), String.valueOf(port)));
        start(cmd, Map.of(KEYS_ENV, ACCESS_KEY + ":" + SECRET_KEY), Duration.ofSeconds(60), "/bench/ready");
    }

    URI endpoint() {
        return base();
    }

    void createBucket(String name) throws IOException {
        bench("POST", "bucket/" + name);
    }

    /** Deletes an object (no error when there is none). */
    void delete(String bucket, String key) throws IOException {
        bench("DELETE", "object/" + bucket + "/" + key);
    }

    private String bench(String method, String path) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base().resolve("/bench/" + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IOException(method + " /bench/" + path + ": " + r.statusCode() + " " + r.body());
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** S3 requests served so far, by kind (see {@code BenchHandler.kind}). */
    Map<String, Long> stats() throws IOException {
        {
            String body = bench("GET", "stats");
            Map<String, Long> m = new TreeMap<>();
            for (String line : body.split("\n")) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0) m.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
            }
            return m;
        }
    }

    /** {@code after - before}, as "kind n, kind n" (kinds with no requests left out). */
    static String diff(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder s = new StringBuilder();
        long total = 0;
        for (var e : after.entrySet()) {
            long n = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (n == 0) continue;
            total += n;
            s.append(s.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(n);
        }
        return total + " S3 requests (" + s + ")";
    }

    @Override
    RegistryClient client() {
        throw new UnsupportedOperationException("s3proxy is not a registry");
    }

    @Override
    Path blobFile(String digest) {
        throw new UnsupportedOperationException("s3proxy is not a registry");
    }

    // ------------------------------------------------------------------ the process

    /** {@code S3Store <port>}, the keys in {@code BENCH_S3_KEYS}: serves until killed. */
    public static void main(String[] args) throws Exception {
        String[] keys = System.getenv(KEYS_ENV).split(":", 2);
        BlobStoreContext context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential").buildView(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        S3Proxy proxy = S3Proxy.builder().blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + Integer.parseInt(args[0])))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, keys[0], keys[1])
                .build();
        // s3proxy offers no hook for a handler of its own: insert one in front of its Jetty handler
        var field = S3Proxy.class.getDeclaredField("server");
        field.setAccessible(true);
        ((Server) field.get(proxy)).insertHandler(new BenchHandler(store));
        proxy.start();
        if (!"STARTED".equals(proxy.getState())) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
        Thread.currentThread().join(); // until the bench destroys the process
    }

    private static final class BenchHandler extends HandlerWrapper {
        private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        private final BlobStore store;

        BenchHandler(BlobStore store) {
            this.store = store;
        }

        @Override
        public void handle(String target, Request base, HttpServletRequest req, HttpServletResponse resp)
                throws IOException, ServletException {
            if (target.startsWith("/bench/")) {
                base.setHandled(true);
                resp.setContentType("text/plain");
                StringBuilder out = new StringBuilder();
                if (target.equals("/bench/stats")) {
                    new TreeMap<>(counts).forEach((k, v) -> out.append(k).append('\t').append(v.get()).append('\n'));
                } else if (target.startsWith("/bench/bucket/") && req.getMethod().equals("POST")) {
                    store.createContainerInLocation(null, target.substring("/bench/bucket/".length()));
                } else if (target.startsWith("/bench/object/") && req.getMethod().equals("DELETE")) {
                    String[] bucketKey = target.substring("/bench/object/".length()).split("/", 2);
                    store.removeBlob(bucketKey[0], bucketKey[1]);
                } else if (!target.equals("/bench/ready")) {
                    resp.setStatus(404);
                }
                resp.getWriter().write(out.toString());
                return;
            }
            String kind = kind(req);
            counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            if (!kind.equals("ListParts")) {
                super.handle(target, base, req, resp);
                return;
            }
            StringWriter buffer = new StringWriter();
            PrintWriter writer = new PrintWriter(buffer);
            super.handle(target, base, req, new HttpServletResponseWrapper(resp) {
                @Override
                public PrintWriter getWriter() {
                    return writer;
                }
            });
            writer.flush();
            String xml = buffer.toString();
            if (resp.getStatus() == 200 && !xml.contains("<IsTruncated>")) {
                int at = xml.indexOf("<Part>");
                if (at < 0) at = xml.lastIndexOf("</ListPartsResult>");
                if (at >= 0) xml = xml.substring(0, at) + "<IsTruncated>false</IsTruncated>" + xml.substring(at);
            }
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
            resp.setContentLength(bytes.length);
            resp.getOutputStream().write(bytes);
        }

        /** The S3 operation of a request, from its method, query and headers. */
        private static String kind(HttpServletRequest req) {
            String m = req.getMethod();
            boolean upload = req.getParameter("uploadId") != null;
            boolean listing = req.getRequestURI().chars().filter(c -> c == '/').count() <= 1
                    || (req.getRequestURI().indexOf('/', 1) == req.getRequestURI().length() - 1);
            return switch (m) {
                case "GET" -> upload ? "ListParts" : req.getParameter("uploads") != null ? "ListMultipartUploads"
                        : listing ? "ListObjects" : req.getParameter("X-Amz-Signature") != null ? "GetObject(presigned)"
                        : req.getHeader("Range") != null ? "GetObject(range)" : "GetObject";
                case "HEAD" -> listing ? "HeadBucket" : "HeadObject";
                case "PUT" -> upload ? (req.getHeader("x-amz-copy-source") != null ? "UploadPartCopy" : "UploadPart")
                        : req.getHeader("x-amz-copy-source") != null ? "CopyObject" : "PutObject";
                case "POST" -> req.getParameter("uploads") != null ? "CreateMultipartUpload"
                        : upload ? "CompleteMultipartUpload" : req.getParameter("delete") != null ? "DeleteObjects" : "POST";
                case "DELETE" -> upload ? "AbortMultipartUpload" : "DeleteObject";
                default -> m;
            };
        }
    }
}
