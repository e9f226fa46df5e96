package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.access.TokenService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credential the container engine pulls a build's image with: a pull ticket for one repository, presented as the
 * password of the reserved user {@code drydock-sandbox}. It pulls that repository and nothing else, cannot push, is
 * no API credential, stops working when it expires, and is audited as the system without the ticket itself.
 */
class PullTicketTest {
    static TestDrydock d;
    static String robotToken;
    static TestImages.Built a;
    static TestImages.Built b;

    @BeforeAll
    static void start() {
        d = TestDrydock.start();
        d.createOrg(17532);
        robotToken = d.createRobot(17532, "ci");
        a = TestImages.adapter("a-layer");
        b = TestImages.adapter("b-layer");
        TestImages.push(d, "17532/a", TestImages.pushToken(d, "17532+ci", robotToken, "17532/a"), a, "1");
        TestImages.push(d, "17532/b", TestImages.pushToken(d, "17532+ci", robotToken, "17532/b"), b, "1");
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    private static String ticket(Duration ttl) {
        return d.server().tokens().issuePullTicket("17532/a", ttl, "test");
    }

    private static HttpResponse<String> tokenRequest(String ticket, String scope) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + "/auth/token?service=drydock&scope="
                        + URLEncoder.encode(scope, StandardCharsets.UTF_8)))
                .header("Authorization", TestDrydock.basic(TokenService.PULL_TICKET_USER, ticket)).GET().build());
    }

    private static HttpResponse<String> v2(String method, String path, String authorization) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + path)).header("Authorization", authorization)
                .header("Accept", TestImages.OCI_MANIFEST).method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void pullsItsRepositoryThroughTheTokenEndpoint() {
        String t = ticket(Duration.ofMinutes(1));
        HttpResponse<String> r = tokenRequest(t, "repository:17532/a:pull");
        assertThat(r.statusCode()).isEqualTo(200);
        String token = BuildFixture.parse(r.body()).get("token").asText();
        assertThat(v2("GET", "/v2/17532/a/manifests/1", "Bearer " + token).statusCode()).isEqualTo(200);
    }

    @Test
    void cannotPush() {
        String t = ticket(Duration.ofMinutes(1));
        HttpResponse<String> r = tokenRequest(t, "repository:17532/a:pull,push");
        assertThat(r.statusCode()).isEqualTo(200);
        String token = BuildFixture.parse(r.body()).get("token").asText();
        HttpResponse<String> upload = v2("POST", "/v2/17532/a/blobs/uploads/", "Bearer " + token);
        assertThat(upload.statusCode()).isEqualTo(401);
        assertThat(upload.headers().firstValue("WWW-Authenticate").orElse("")).contains("insufficient_scope");
        // Basic straight at /v2: the same answer as any credential without push
        assertThat(v2("POST", "/v2/17532/a/blobs/uploads/", TestDrydock.basic(TokenService.PULL_TICKET_USER, t)).statusCode())
                .isEqualTo(403);
        assertThat(v2("DELETE", "/v2/17532/a/manifests/1", TestDrydock.basic(TokenService.PULL_TICKET_USER, t)).statusCode())
                .isEqualTo(403);
    }

    @Test
    void cannotPullAnotherRepository() {
        String t = ticket(Duration.ofMinutes(1));
        HttpResponse<String> r = tokenRequest(t, "repository:17532/b:pull");
        assertThat(r.statusCode()).isEqualTo(200);
        String token = BuildFixture.parse(r.body()).get("token").asText();
        assertThat(v2("GET", "/v2/17532/b/manifests/1", "Bearer " + token).statusCode()).isEqualTo(401);
        assertThat(v2("GET", "/v2/17532/b/manifests/1", TestDrydock.basic(TokenService.PULL_TICKET_USER, t)).statusCode())
                .isEqualTo(403);
        assertThat(v2("GET", "/v2/17532/a/manifests/1", TestDrydock.basic(TokenService.PULL_TICKET_USER, t)).statusCode())
                .isEqualTo(200);
        // not an API credential, and no catalog
        assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/me"))
                .header("Authorization", TestDrydock.basic(TokenService.PULL_TICKET_USER, t)).GET().build()).statusCode()).isEqualTo(401);
        HttpResponse<String> catalog = v2("GET", "/v2/_catalog", TestDrydock.basic(TokenService.PULL_TICKET_USER, t));
        assertThat(catalog.body()).doesNotContain("17532/b");
    }

    @Test
    void stopsWorkingAfterExpiry() throws InterruptedException {
        String t = ticket(Duration.ofSeconds(2));
        HttpResponse<String> r = tokenRequest(t, "repository:17532/a:pull");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = BuildFixture.parse(r.body());
        assertThat(body.get("expires_in").asLong()).isLessThanOrEqualTo(2);
        String token = body.get("token").asText();
        Thread.sleep(2500);
        assertThat(tokenRequest(t, "repository:17532/a:pull").statusCode()).isEqualTo(401);
        assertThat(v2("GET", "/v2/17532/a/manifests/1", TestDrydock.basic(TokenService.PULL_TICKET_USER, t)).statusCode()).isEqualTo(401);
        assertThat(v2("GET", "/v2/17532/a/manifests/1", "Bearer " + token).statusCode()).isEqualTo(401);
    }

    @Test
    void aForgedOrOtherTokenIsNoTicket() {
        String robotRegistryToken = d.token("17532+ci", robotToken, "repository:17532/a:pull");
        assertThat(tokenRequest(robotRegistryToken, "repository:17532/a:pull").statusCode()).isEqualTo(401);
        assertThat(tokenRequest("not-a-ticket", "repository:17532/a:pull").statusCode()).isEqualTo(401);
    }

    @Test
    void auditedAsTheSystemWithoutTheTicket() {
        String t = ticket(Duration.ofMinutes(1));
        tokenRequest(t, "repository:17532/a:pull");
        JsonNode audit = d.api("GET", "/api/v1/audit?limit=200", TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD), null, 200);
        String all = audit.toString();
        assertThat(all).contains("pull-ticket.issue").contains("\"actor\":\"drydock\"").doesNotContain(t);
    }
}
