package dev.drydock.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code X-Forwarded-For}, {@code -Proto} and {@code -Host} are believed only from a trusted proxy
 * ({@code proxy.trusted}): the test client's loopback address is the proxy for {@link #proxied} and a stranger for
 * {@link #direct}. Three failed sign-ins back an address off (3 s), so the forwarded client's bucket shows.
 */
class ForwardedHeadersTest {
    private static final long ORG = 17616;
    private static final String MEMBER = "member@forwarded.test";
    private static final Map<String, String> THROTTLE = Map.of("login.max-failures-per-address", "3",
            "login.first-backoff", "3s", "login.max-failures-per-account", "100");
    private static TestDrydock proxied;
    private static TestDrydock direct;

    @BeforeAll
    static void start() {
        proxied = TestDrydock.start(with(THROTTLE, "proxy.trusted", "127.0.0.1/32,::1/128"));
        direct = TestDrydock.start(with(THROTTLE, "proxy.trusted", ""));
        for (TestDrydock d : List.of(proxied, direct)) {
            d.createOrg(ORG);
            d.addMember(ORG, MEMBER, "developer");
        }
    }

    @AfterAll
    static void stop() {
        if (proxied != null) proxied.close();
        if (direct != null) direct.close();
    }

    @Test
    void theRealmFollowsTheForwardedSchemeAndHostOfATrustedProxyOnly() {
        Map<String, String> forwarded = Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "registry.example.com:8443");
        assertThat(realm(proxied, forwarded)).isEqualTo("https://registry.example.com:8443/auth/token");
        assertThat(realm(proxied, Map.of("X-Forwarded-Proto", "ftp", "X-Forwarded-Host", "evil.example/path")))
                .as("a scheme other than http(s) and a host that is not host[:port] are ignored")
                .isEqualTo("http://" + proxied.host() + "/auth/token");
        assertThat(realm(direct, forwarded)).as("from a peer that is not a trusted proxy")
                .isEqualTo("http://" + direct.host() + "/auth/token");
    }

    @Test
    void failedSignInsCountAgainstTheForwardedClientNotTheProxyNorASpoofedEntry() {
        String guesser = "203.0.113.5";
        String other = "198.51.100.9";
        for (int i = 1; i <= 3; i++) {
            assertThat(login(proxied, "guess" + i + "@forwarded.test", "not-the-password", guesser).statusCode()).isEqualTo(401);
        }
        // within the 3 s backoff of the guesser's address
        assertThat(login(proxied, MEMBER, TestDrydock.PASSWORD, guesser).statusCode()).isEqualTo(429);
        assertThat(login(proxied, MEMBER, TestDrydock.PASSWORD, guesser + ", 127.0.0.1").statusCode())
                .as("a second trusted proxy hop is skipped").isEqualTo(429);
        assertThat(login(proxied, MEMBER, TestDrydock.PASSWORD, other + ", " + guesser).statusCode())
                .as("the left-most entry is the client's own claim: the proxy appended the guesser's real address")
                .isEqualTo(429);
        assertThat(login(proxied, MEMBER, TestDrydock.PASSWORD, other).statusCode())
                .as("another client behind the same proxy is not backed off").isEqualTo(200);
        assertThat(login(proxied, MEMBER, TestDrydock.PASSWORD, null).statusCode())
                .as("nor is the proxy's own address").isEqualTo(200);
    }

    @Test
    void fromAStrangerTheHeadersAreIgnoredAndFailuresCountAgainstThePeer() {
        // (before the failures below back this peer off)
        String signIn = "{\"email\":\"" + MEMBER + "\",\"password\":\"" + TestDrydock.PASSWORD + "\"}";
        assertThat(post(direct, "/api/v1/session", signIn, Map.of("X-Forwarded-Proto", "https")).headers()
                .firstValue("Set-Cookie").orElseThrow()).as("no Secure cookie on a stranger's word").doesNotContain("Secure");
        for (int i = 1; i <= 3; i++) {
            String claimed = "192.0.2." + i; // a new address each time would dodge the throttle if it were believed
            assertThat(login(direct, "guess" + i + "@forwarded.test", "not-the-password", claimed).statusCode()).isEqualTo(401);
        }
        assertThat(login(direct, MEMBER, TestDrydock.PASSWORD, "192.0.2.99").statusCode()).isEqualTo(429);
    }

    private static String realm(TestDrydock d, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + "/v2/"));
        headers.forEach(b::header);
        HttpResponse<String> r = d.send(b.build());
        assertThat(r.statusCode()).isEqualTo(401);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        return challenge.replaceFirst("^Bearer realm=\"([^\"]*)\".*$", "$1");
    }

    private static HttpResponse<String> login(TestDrydock d, String email, String password, String forwardedFor) {
        String json = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
        return post(d, "/api/v1/login", json, forwardedFor == null ? Map.of() : Map.of("X-Forwarded-For", forwardedFor));
    }

    private static HttpResponse<String> post(TestDrydock d, String path, String json, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return d.send(b.build());
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
