package dev.drydock.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A robot token names the robot's generation: revoking a robot and creating one with the same name does not
 * bring the first robot's tokens back (issue 16 #5), on the REST API, the live event streams or the registry.
 */
class RobotGenerationTest {
    static final long ORG = 2201;
    static final String ADMIN = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    static final String SCOPE = "repository:" + ORG + "/app:pull,push";
    static TestDrydock d;

    @BeforeAll
    static void start() {
        d = TestDrydock.start();
        d.createOrg(ORG);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.close();
    }

    @Test
    void aRecreatedRobotDoesNotReviveTheOldRobotsTokens() {
        String firstSecret = d.createRobot(ORG, "rv");
        String first = d.token(ORG + "+rv", firstSecret, SCOPE);
        String firstLogin = d.token(ORG + "+rv", firstSecret); // scope-less, as docker login gets it: a REST credential
        assertThat(d.api("GET", "/api/v1/me", "Bearer " + firstLogin, null, 200).get("name").asText()).isEqualTo(ORG + "+rv");
        assertThat(registry(first).statusCode()).isNotEqualTo(401);

        d.api("DELETE", "/api/v1/orgs/" + ORG + "/robots/rv", ADMIN, null, 204);
        assertThat(d.api("GET", "/api/v1/me", "Bearer " + firstLogin, null, 401).at("/error/code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(registry(first).statusCode()).as("a revoked robot's registry token").isEqualTo(401);

        String secondSecret = d.createRobot(ORG, "rv");
        // The first robot's credentials stay dead: REST bearer, event stream, registry and Basic.
        assertThat(d.api("GET", "/api/v1/me", "Bearer " + firstLogin, null, 401).at("/error/code").asText()).isEqualTo("UNAUTHENTICATED");
        d.api("GET", "/api/v1/orgs/" + ORG + "/adapters", "Bearer " + firstLogin, null, 401);
        HttpResponse<String> old = registry(first);
        assertThat(old.statusCode()).as("the first robot's registry token after re-creation").isEqualTo(401);
        assertThat(old.headers().firstValue("WWW-Authenticate").orElse("")).contains("error=\"invalid_token\"");
        assertThat(old.body()).doesNotContain(first);
        d.api("GET", "/api/v1/me", TestDrydock.basic(ORG + "+rv", firstSecret), null, 401);

        // The new robot's own credentials work.
        String second = d.token(ORG + "+rv", secondSecret, SCOPE);
        assertThat(d.api("GET", "/api/v1/me", "Bearer " + d.token(ORG + "+rv", secondSecret), null, 200).get("name").asText())
                .isEqualTo(ORG + "+rv");
        assertThat(d.api("GET", "/api/v1/me", "Bearer " + second, null, 401).at("/error/code").asText())
                .as("a token granting repository access is for /v2 only").isEqualTo("UNAUTHENTICATED");
        assertThat(registry(second).statusCode()).isNotEqualTo(401);
        d.api("GET", "/api/v1/me", TestDrydock.basic(ORG + "+rv", secondSecret), null, 200);
    }

    /** {@code GET /v2/<org>/app/tags/list} with a registry bearer token. */
    private static HttpResponse<String> registry(String token) {
        return d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/" + ORG + "/app/tags/list"))
                .header("Authorization", "Bearer " + token).GET().build());
    }
}
