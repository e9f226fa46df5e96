package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.compliance.ShippedSchema;
import dev.drydock.platform.jobs.BuildTester;
import dev.drydock.registry.events.EventSink;
import dev.drydock.registry.events.RegistryEvent;
import dev.drydock.server.config.DrydockConfig;
import dev.drydock.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * A real Drydock server for tests: started in-process on an ephemeral loopback port with a fresh data
 * directory and a platform admin, plus helpers to create orgs, members, robots and tokens through the real
 * HTTP API. Close it to stop the server (the data directory stays until {@link #deleteData()}).
 */
public final class TestDrydock implements AutoCloseable {
    public static final String ADMIN_EMAIL = "admin@drydock.test";
    public static final String ADMIN_PASSWORD = "admin-password-123";
    public static final String PASSWORD = "member-password-123";

    private final Path dataDir;
    private final Map<String, String> settings;
    private final UnaryOperator<BuildTester> tester;
    private DrydockServer server;
    public final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    /** Every report the server wrote that breaks the shipped report schema; {@link #close()} fails on any. */
    private final List<String> invalidReports = new CopyOnWriteArrayList<>();
    /** The client of the helpers below; over TLS it trusts the test's CA (and negotiates HTTP/2). */
    public final HttpClient http;

    private TestDrydock(Path dataDir, Map<String, String> settings, UnaryOperator<BuildTester> tester, SSLContext trust) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.tester = tester;
        HttpClient.Builder client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER);
        if (trust != null) client.sslContext(trust);
        this.http = client.build();
    }

    public static TestDrydock start() {
        return start(Map.of());
    }

    /** Starts with extra config keys (e.g. {@code token-ttl}). */
    public static TestDrydock start(Map<String, String> settings) {
        return start(settings, UnaryOperator.identity());
    }

    /** Starts with the build tester wrapped by {@code tester} (to slow down or block compliance testing). */
    public static TestDrydock start(Map<String, String> settings, UnaryOperator<BuildTester> tester) {
        try {
            return open(Files.createTempDirectory("drydock-test"), settings, tester);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts on an existing data directory (e.g. one another process left behind). */
    public static TestDrydock open(Path dataDir, Map<String, String> settings, UnaryOperator<BuildTester> tester) {
        TestDrydock t = new TestDrydock(dataDir, settings, tester, null);
        t.startServer(0);
        return t;
    }

    /** Starts serving HTTPS ({@code settings} name {@code tls.cert} and {@code tls.key}); the helpers trust {@code trust}. */
    public static TestDrydock startTls(Map<String, String> settings, SSLContext trust) {
        try {
            TestDrydock t = new TestDrydock(Files.createTempDirectory("drydock-test"), settings, UnaryOperator.identity(), trust);
            t.startServer(0);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer(int port) {
        Map<String, String> flags = new java.util.HashMap<>();
        // Registry tests push to arbitrary repositories; tests of builds switch this back on.
        flags.put("registry.require-adapter", "false");
        // No containers in the ordinary server tests: the run checks are warnings (SandboxE2ETest runs real ones).
        flags.put("sandbox.engine", "none");
        flags.putAll(settings);
        flags.put("bind", "127.0.0.1");
        flags.put("port", String.valueOf(port));
        flags.put("data", dataDir.toString());
        flags.put("admin.email", ADMIN_EMAIL);
        flags.put("admin.password", ADMIN_PASSWORD);
        EventSink sink = events::add;
        server = DrydockServer.start(DrydockConfig.load(null, Map.of(), flags), sink,
                real -> tester.apply(schemaChecked(real)));
    }

    /** Every report a test makes the server write is checked against the report schema it ships. */
    private BuildTester schemaChecked(BuildTester real) {
        return (build, run) -> {
            dev.drydock.compliance.BuildReport report = real.test(build, run); // run passed on: the worker's deadline
            String json = dev.drydock.compliance.Pipeline.toJson(report); // as the worker stores it
            List<ShippedSchema.Violation> violations = ShippedSchema.REPORT.violations(json);
            if (!violations.isEmpty()) invalidReports.add("report of build " + build.id() + ": " + violations + "\n" + json);
            return report;
        };
    }

    /** Fails when a report written so far broke the report schema (also checked on {@link #close()}). */
    public void assertReportsMatchSchema() {
        if (!invalidReports.isEmpty()) {
            throw new AssertionError("reports that do not match schemas/report.schema.json:\n" + String.join("\n", invalidReports));
        }
    }

    /** Stops and starts again on the same port and data directory (a process restart). */
    public void restart() {
        int port = server.port();
        server.close();
        startServer(port);
    }

    /** Stops the server and keeps the data directory, for commands that read it afterwards ({@link #close()} deletes it). */
    public void stop() {
        if (server != null) server.close();
        server = null;
    }

    public DrydockServer server() { return server; }
    public Path dataDir() { return dataDir; }
    public int port() { return server.port(); }
    /** {@code 127.0.0.1:<port>}, the registry host as clients write it. */
    public String host() { return "127.0.0.1:" + port(); }
    public String url() { return (settings.containsKey("tls.cert") ? "https://" : "http://") + host(); }

    // ---------------------------------------------------------------- identity helpers (real API calls)

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public void createOrg(long id) {
        api("POST", "/api/v1/orgs", basic(ADMIN_EMAIL, ADMIN_PASSWORD), Map.of("id", id, "name", "Org " + id), 201);
    }

    /**
     * Makes {@code email} a member (a new account gets {@link #PASSWORD}); role is developer or admin. The platform
     * admin invites, and the account accepts the invitation as itself: membership never exists without that.
     * Returns the member's {@link #login} token it accepted with (reuse it: each sign-in costs a password hash).
     */
    public String addMember(long org, String email, String role) {
        String invitation = api("POST", "/api/v1/orgs/" + org + "/members", basic(ADMIN_EMAIL, ADMIN_PASSWORD),
                Map.of("email", email, "password", PASSWORD, "role", role), 202).get("id").asText();
        String member = login(email, PASSWORD);
        api("POST", "/api/v1/invitations/" + invitation + "/accept", member, null, 200);
        return member;
    }

    /** Creates a robot; returns its token. Its login is {@code <org>+<name>}. */
    public String createRobot(long org, String name) {
        return api("POST", "/api/v1/orgs/" + org + "/robots", basic(ADMIN_EMAIL, ADMIN_PASSWORD),
                Map.of("name", name), 201).get("token").asText();
    }

    /** {@code Bearer <token>} from {@code POST /api/v1/login}: cheaper per request than Basic (no password hash). */
    public String login(String email, String password) {
        return "Bearer " + api("POST", "/api/v1/login", null, Map.of("email", email, "password", password), 200)
                .get("token").asText();
    }

    /** Gives a user a platform role (admin, reviewer, operator) or removes it (null), as the platform admin. */
    public void setPlatformRole(String email, String role) {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("role", role);
        api("PUT", "/api/v1/users/" + email + "/platform-role", basic(ADMIN_EMAIL, ADMIN_PASSWORD), body, 200);
    }

    /** A registry bearer token for the given scopes, from the real token endpoint. */
    public String token(String user, String password, String... scopes) {
        StringBuilder q = new StringBuilder("/auth/token?service=drydock");
        for (String s : scopes) q.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url() + q)).header("Authorization", basic(user, password)).GET().build());
        if (r.statusCode() != 200) throw new AssertionError("token endpoint: " + r.statusCode() + " " + r.body());
        try {
            return Json.MAPPER.readTree(r.body()).get("token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls the JSON API and asserts the status; returns the parsed body (or null when empty). */
    public JsonNode api(String method, String path, String authorization, Object body, int expectedStatus) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path));
            if (authorization != null) b.header("Authorization", authorization);
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = send(b.build());
            if (r.statusCode() != expectedStatus) {
                throw new AssertionError(method + " " + path + ": expected " + expectedStatus + ", got " + r.statusCode() + " " + r.body());
            }
            return r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void deleteData() {
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        if (server != null) server.close();
        deleteData();
        assertReportsMatchSchema();
    }
}
