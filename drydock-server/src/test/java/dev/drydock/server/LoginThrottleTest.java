package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Password guessing is slowed on every way in: after 5 failures in a row an account is refused with 429 and
 * {@code Retry-After} — even with the right password — until a backoff of 1 s (doubling) passes. The per-address limit
 * is raised here so the per-account cases do not trip it (they all come from loopback); it has its own server below.
 */
class LoginThrottleTest {
    private static final String ADMIN = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    private static final long ORG = 17532;
    private static TestDrydock d;

    @BeforeAll
    static void start() {
        // a 3 s first backoff: the throttled attempts after the fifth failure arrive well within it, even on a loaded machine
        d = TestDrydock.start(Map.of("login.max-failures-per-address", "1000", "login.first-backoff", "3s"));
        d.createOrg(ORG);
        for (String who : List.of("api", "web", "basic", "token", "oauth", "v2", "reset")) {
            d.addMember(ORG, who + "@throttle.test", "developer");
        }
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    /** One way of signing in: answers the HTTP response for an e-mail and password. */
    private interface SignIn extends Function<String[], HttpResponse<String>> {}

    private static HttpResponse<String> apiLogin(String[] creds) {
        return post("/api/v1/login", "{\"email\":\"" + creds[0] + "\",\"password\":\"" + creds[1] + "\"}");
    }

    private static HttpResponse<String> webSignIn(String[] creds) {
        return post("/api/v1/session", "{\"email\":\"" + creds[0] + "\",\"password\":\"" + creds[1] + "\"}");
    }

    private static HttpResponse<String> basicMe(String[] creds) {
        return get("/api/v1/me", creds);
    }

    private static HttpResponse<String> tokenEndpoint(String[] creds) {
        return get("/auth/token?service=drydock&scope=repository:" + ORG + "/x:pull", creds);
    }

    private static HttpResponse<String> oauthTokenEndpoint(String[] creds) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + "/auth/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&service=drydock&username=" + creds[0]
                        + "&password=" + creds[1])).build());
    }

    private static HttpResponse<String> registryBasic(String[] creds) {
        return get("/v2/", creds);
    }

    @Test
    void apiLoginIsRefusedAfterFiveFailuresEvenWithTheRightPasswordUntilTheBackoffPasses() {
        assertThrottled("api@throttle.test", LoginThrottleTest::apiLogin, 200, 401, "TOO_MANY_ATTEMPTS");
        List<String> throttled = new ArrayList<>();
        d.api("GET", "/api/v1/audit?limit=200", ADMIN, null, 200).forEach(e -> {
            if (e.get("action").asText().equals("login.throttled") && e.get("actor").asText().equals("api@throttle.test")) {
                throttled.add(e.get("target").asText());
            }
        });
        assertThat(throttled).as("one audit entry when the backoff starts, none per refused attempt").containsExactly("api-login");
    }

    @Test
    void theWebSignInIsThrottled() {
        assertThrottled("web@throttle.test", LoginThrottleTest::webSignIn, 201, 401, "TOO_MANY_ATTEMPTS");
    }

    @Test
    void basicCredentialsOnRestRoutesAreThrottled() {
        assertThrottled("basic@throttle.test", LoginThrottleTest::basicMe, 200, 401, "TOO_MANY_ATTEMPTS");
    }

    @Test
    void theRegistryTokenEndpointIsThrottledInTheDockerErrorShape() {
        assertThrottled("token@throttle.test", LoginThrottleTest::tokenEndpoint, 200, 401, "TOOMANYREQUESTS");
    }

    @Test
    void theOauthTokenFormIsThrottled() {
        assertThrottled("oauth@throttle.test", LoginThrottleTest::oauthTokenEndpoint, 200, 401, "TOOMANYREQUESTS");
    }

    @Test
    void basicCredentialsOnTheRegistryAreThrottled() {
        assertThrottled("v2@throttle.test", LoginThrottleTest::registryBasic, 200, 401, "TOOMANYREQUESTS");
    }

    @Test
    void aRobotIsNotBackedOffItselfByWrongTokens() {
        String token = d.createRobot(ORG, "ci");
        for (int i = 0; i < 8; i++) assertThat(basicMe(new String[]{ORG + "+ci", "ddr_wrong-" + i}).statusCode()).isEqualTo(401);
        assertThat(basicMe(new String[]{ORG + "+ci", token}).statusCode())
                .as("a 256-bit token cannot be guessed: backing off the robot would only let a stranger stop its pipeline")
                .isEqualTo(200);
    }

    @Test
    void aSuccessResetsTheCount() {
        String email = "reset@throttle.test";
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) assertThat(apiLogin(new String[]{email, "wrong-password-" + i}).statusCode()).isEqualTo(401);
            assertThat(apiLogin(new String[]{email, TestDrydock.PASSWORD}).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void oneAddressIsBackedOffAcrossAccounts() {
        try (TestDrydock perAddress = TestDrydock.start(Map.of("login.max-failures-per-address", "3", "login.first-backoff", "3s",
                "login.max-failures-per-account", "100"))) {
            perAddress.createOrg(ORG);
            perAddress.addMember(ORG, "victim@throttle.test", "developer");
            for (String guess : List.of("a@throttle.test", "b@throttle.test", "victim@throttle.test")) {
                perAddress.api("POST", "/api/v1/login", null, Map.of("email", guess, "password", "not-the-password-1"), 401);
            }
            JsonNode refused = perAddress.api("POST", "/api/v1/login", null,
                    Map.of("email", "victim@throttle.test", "password", TestDrydock.PASSWORD), 429);
            assertThat(refused.at("/error/code").asText()).isEqualTo("TOO_MANY_ATTEMPTS");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> perAddress.send(
                    HttpRequest.newBuilder(URI.create(perAddress.url() + "/api/v1/me"))
                            .header("Authorization", TestDrydock.basic("victim@throttle.test", TestDrydock.PASSWORD)).build())
                    .statusCode() == 200);
        }
    }

    /**
     * Five wrong passwords answer {@code failed}; the sixth attempt — and the right password — 429 with Retry-After
     * and {@code code}, without a password check; once the backoff has passed the right password is let in.
     */
    private static void assertThrottled(String email, SignIn signIn, int ok, int failed, String code) {
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> r = signIn.apply(new String[]{email, "not-the-password-" + i});
            assertThat(r.statusCode()).as("attempt %d: %s", i, r.body()).isEqualTo(failed);
        }
        for (String password : List.of("not-the-password-6", TestDrydock.PASSWORD)) {
            HttpResponse<String> r = signIn.apply(new String[]{email, password});
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isBetween(1, 3));
            assertThat(r.body()).contains(code).containsPattern("too many failed sign-ins for this account or address: wait [1-3] s");
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> signIn.apply(new String[]{email, TestDrydock.PASSWORD}).statusCode() == ok);
    }

    private static HttpResponse<String> post(String path, String json) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static HttpResponse<String> get(String path, String[] creds) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + path))
                .header("Authorization", TestDrydock.basic(creds[0], creds[1])).GET().build());
    }
}
