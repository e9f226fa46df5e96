package dev.drydock.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.server.BuildFixture;
import dev.drydock.server.TestDrydock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Developer App's browser sessions over plain HTTP: the cookie's attributes, the CSRF token every change made with
 * the cookie must carry, sign-in taking JSON from this origin only, sign-out, idle expiry, and pages answering a
 * signed-out caller with the sign-in page and a stranger with a 404 page.
 */
class SessionTest {
    private static final long ORG = 17532;
    private static final long OTHER = 4242;
    private static final String DEV = "dev@acme.test";
    private static final String STRANGER = "stranger@other.test";
    private static TestDrydock d;

    @BeforeAll
    static void start() {
        d = TestDrydock.start(Map.of("session.idle-timeout", "3s", "sse.heartbeat", "1s"));
        d.createOrg(ORG);
        d.createOrg(OTHER);
        d.addMember(ORG, DEV, "developer");
        d.addMember(OTHER, STRANGER, "developer");
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    /** A signed-in session: the cookie ({@code name=value}) and its CSRF token. */
    record Session(String cookie, String csrf, HttpResponse<String> response) {}

    static Session signIn(TestDrydock d, String email) {
        HttpResponse<String> r = post("/api/v1/session", "application/json",
                "{\"email\":\"" + email + "\",\"password\":\"" + TestDrydock.PASSWORD + "\"}", Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Session(setCookie.substring(0, setCookie.indexOf(';')), BuildFixture.parse(r.body()).get("csrfToken").asText(), r);
    }

    @Test
    void signingInSetsAnHttpOnlyLaxCookieAndAnswersTheCsrfToken() {
        Session s = signIn(d, DEV);
        String setCookie = s.response().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("drydock_session=").contains("; Path=/", "; HttpOnly", "; SameSite=Lax", "; Max-Age=")
                .doesNotContain("Secure"); // plain http: a Secure cookie would never come back
        assertThat(s.csrf()).hasSizeGreaterThanOrEqualTo(40);
        assertThat(body(get("/api/v1/me", s.cookie())).get("email").asText()).isEqualTo(DEV);
        JsonNode current = body(get("/api/v1/session", s.cookie()));
        assertThat(current.get("csrfToken").asText()).isEqualTo(s.csrf());
        assertThat(current.get("email").asText()).isEqualTo(DEV);
    }

    @Test
    void theCookieIsSecureWhenDrydockIsServedOverTls() {
        HttpResponse<String> r = post("/api/v1/session", "application/json",
                "{\"email\":\"" + DEV + "\",\"password\":\"" + TestDrydock.PASSWORD + "\"}", Map.of("X-Forwarded-Proto", "https"));
        assertThat(r.headers().firstValue("Set-Cookie").orElseThrow()).contains("; Secure");
    }

    @Test
    void aChangeMadeWithTheCookieNeedsTheSessionsCsrfTokenAndThisOrigin() {
        Session s = signIn(d, DEV);
        String path = "/api/v1/orgs/" + ORG + "/adapters";
        String json = "{\"name\":\"csrf-probe\",\"category\":\"pull\",\"engineMode\":\"batch\",\"deploymentModel\":\"FullyNetworkIsolated\"}";
        // a cross-site HTML form: urlencoded, the cookie, no token
        HttpResponse<String> form = post(path, "application/x-www-form-urlencoded", "name=csrf-probe&category=pull",
                Map.of("Cookie", s.cookie(), "Origin", "http://evil.example"));
        assertError(form, 403, "CSRF_TOKEN_INVALID");
        assertError(post(path, "application/json", json, Map.of("Cookie", s.cookie())), 403, "CSRF_TOKEN_INVALID");
        assertError(post(path, "application/json", json, Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf() + "x")), 403,
                "CSRF_TOKEN_INVALID");
        assertError(post(path, "application/json", json, Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf(),
                "Origin", "http://evil.example")), 403, "CSRF_TOKEN_INVALID");
        // another session's token does not do either
        Session other = signIn(d, DEV);
        assertError(post(path, "application/json", json, Map.of("Cookie", s.cookie(), "X-CSRF-Token", other.csrf())), 403,
                "CSRF_TOKEN_INVALID");
        assertThat(body(get(path, s.cookie())).findValuesAsText("name")).as("nothing was registered").doesNotContain("csrf-probe");

        HttpResponse<String> ok = post(path, "application/json", json, Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf(),
                "Origin", d.url()));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(body(get(path, s.cookie())).findValuesAsText("name")).contains("csrf-probe");
    }

    @Test
    void signingInTakesJsonFromThisOriginOnly() {
        String creds = "{\"email\":\"" + DEV + "\",\"password\":\"" + TestDrydock.PASSWORD + "\"}";
        assertError(post("/api/v1/session", "application/x-www-form-urlencoded", "email=" + DEV + "&password=" + TestDrydock.PASSWORD,
                Map.of()), 400, "VALIDATION_FAILED");
        assertError(post("/api/v1/session", "application/json", creds, Map.of("Origin", "http://evil.example")), 403, "CSRF_TOKEN_INVALID");
        assertError(post("/api/v1/session", "application/json", "{\"email\":\"" + DEV + "\",\"password\":\"wrong-password-1\"}",
                Map.of()), 401, "INVALID_CREDENTIALS");
        String robot = d.createRobot(ORG, "web-probe");
        HttpResponse<String> r = post("/api/v1/session", "application/json",
                "{\"email\":\"" + ORG + "+web-probe\",\"password\":\"" + robot + "\"}", Map.of());
        assertError(r, 401, "INVALID_CREDENTIALS");
        assertThat(r.body()).contains("robots have no Developer App session").doesNotContain(robot);
    }

    @Test
    void signingOutEndsTheSessionAndClearsTheCookie() {
        Session s = signIn(d, DEV);
        HttpRequest.Builder noToken = request("/api/v1/session").header("Cookie", s.cookie()).DELETE();
        assertError(d.send(noToken.build()), 403, "CSRF_TOKEN_INVALID");
        assertThat(get("/api/v1/me", s.cookie()).statusCode()).as("still signed in").isEqualTo(200);

        HttpResponse<String> out = d.send(request("/api/v1/session").header("Cookie", s.cookie()).header("X-CSRF-Token", s.csrf())
                .DELETE().build());
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("drydock_session=;").contains("Max-Age=0");
        assertError(get("/api/v1/me", s.cookie()), 401, "UNAUTHENTICATED");
        assertThat(get("/orgs/" + ORG, s.cookie()).statusCode()).isEqualTo(303);
    }

    @Test
    void anEventStreamOpenedWithTheCookieEndsWhenTheSessionDoes() throws Exception {
        Session s = signIn(d, DEV);
        HttpResponse<String> created = post("/api/v1/orgs/" + ORG + "/adapters", "application/json",
                "{\"name\":\"stream-probe\",\"category\":\"pull\",\"engineMode\":\"batch\",\"deploymentModel\":\"FullyNetworkIsolated\"}",
                Map.of("Cookie", s.cookie(), "X-CSRF-Token", s.csrf()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String engineId = BuildFixture.parse(created.body()).get("engineId").asText();
        var stream = d.http.sendAsync(request("/api/v1/adapters/" + engineId + "/events").header("Cookie", s.cookie()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> openStreams() == 1);
        assertThat(stream).isNotDone();
        d.send(request("/api/v1/session").header("Cookie", s.cookie()).header("X-CSRF-Token", s.csrf()).DELETE().build());
        HttpResponse<String> ended = stream.get(10, java.util.concurrent.TimeUnit.SECONDS); // within a heartbeat (1s here)
        assertThat(ended.body()).contains("credentials expired or revoked");
    }

    private static int openStreams() {
        return d.server().eventStreams().openStreams();
    }

    @Test
    void aSessionEndsAfterItsIdleTimeout() throws InterruptedException {
        Session s = signIn(d, DEV);
        assertThat(get("/api/v1/me", s.cookie()).statusCode()).isEqualTo(200);
        Thread.sleep(3_500); // session.idle-timeout is 3s here
        assertError(get("/api/v1/me", s.cookie()), 401, "UNAUTHENTICATED");
    }

    @Test
    void anAuthorizationHeaderWinsOverTheCookieSoApiClientsNeedNoCsrfToken() {
        Session s = signIn(d, DEV);
        HttpResponse<String> r = d.send(request("/api/v1/orgs/" + OTHER).header("Cookie", s.cookie())
                .header("Authorization", TestDrydock.basic(STRANGER, TestDrydock.PASSWORD)).GET().build());
        assertThat(r.statusCode()).as("the stranger's own org, by the header").isEqualTo(200);
    }

    @Test
    void pagesSendTheSignedOutToSignInAndShowStrangersA404Page() {
        HttpResponse<String> anonymous = get("/orgs/" + ORG + "/settings?tab=robots", null);
        assertThat(anonymous.statusCode()).isEqualTo(303);
        assertThat(anonymous.headers().firstValue("Location").orElseThrow())
                .isEqualTo("/login?next=%2Forgs%2F" + ORG + "%2Fsettings%3Ftab%3Drobots");

        HttpResponse<String> stranger = get("/orgs/" + ORG, signIn(d, STRANGER).cookie());
        HttpResponse<String> nowhere = get("/orgs/999999", signIn(d, STRANGER).cookie());
        assertThat(stranger.statusCode()).isEqualTo(404);
        assertThat(stranger.body()).contains("data-page=\"error\"", "data-error-code=\"ORG_NOT_FOUND\"");
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.body()).as("an org elsewhere reads exactly like none").isEqualTo(stranger.body());

        HttpResponse<String> member = get("/orgs/" + ORG, signIn(d, DEV).cookie());
        assertThat(member.statusCode()).isEqualTo(200);
        assertThat(member.body()).contains("data-page=\"org\"").doesNotContain("<script>");
        assertThat(member.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'",
                "frame-ancestors 'none'");
        assertThat(get("/reviews", signIn(d, DEV).cookie()).statusCode()).isEqualTo(403);
    }

    @Test
    void theHomePageIsTheAppWhenSignedInAndTheIntroductionOtherwise() {
        assertThat(get("/", null).body()).contains("Sample adapters and engines", "<a href=\"/login\">").doesNotContain("data-page");
        assertThat(get("/", signIn(d, DEV).cookie()).body()).contains("data-page=\"home\"");
    }

    @Test
    void appFilesAreServedFromTheJarAndNothingElseIs() {
        HttpResponse<String> js = get("/ui/app.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        String etag = js.headers().firstValue("ETag").orElseThrow();
        assertThat(d.send(request("/ui/app.js").header("If-None-Match", etag).GET().build()).statusCode()).isEqualTo(304);
        assertThat(get("/ui/pages/login.js", null).statusCode()).isEqualTo(200);
        for (String bad : new String[]{"/ui/../drydock.properties", "/ui/app.JS", "/ui/nope.js", "/ui/pages/..%2Fapp.js",
                "/ui/dev/drydock/server/Main.class"}) {
            assertThat(get(bad, null).statusCode()).as(bad).isEqualTo(404);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(d.url() + path));
    }

    private static HttpResponse<String> get(String path, String cookie) {
        HttpRequest.Builder b = request(path).GET();
        if (cookie != null) b.header("Cookie", cookie);
        return d.send(b.build());
    }

    private static HttpResponse<String> post(String path, String type, String body, Map<String, String> headers) {
        HttpRequest.Builder b = request(path).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return d.send(b.build());
    }

    private static JsonNode body(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return BuildFixture.parse(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(BuildFixture.parse(r.body()).at("/error/code").asText()).isEqualTo(code);
    }
}
