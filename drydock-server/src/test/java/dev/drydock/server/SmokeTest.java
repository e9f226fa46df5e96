package dev.drydock.server;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void baseEndpointChallengesWithBearerOnlyAndAcceptsAMemberToken() {
        try (TestDrydock d = TestDrydock.start()) {
            var r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/")).GET().build());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().allValues("WWW-Authenticate"))
                    .containsExactly("Bearer realm=\"" + d.url() + "/auth/token\",service=\"drydock\"");
            assertThat(r.headers().firstValue("Docker-Distribution-Api-Version")).contains("registry/2.0");

            d.createOrg(17532);
            d.addMember(17532, "dev@acme.test", "developer");
            String token = d.token("dev@acme.test", TestDrydock.PASSWORD);
            var ok = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/v2/")).header("Authorization", "Bearer " + token).GET().build());
            assertThat(ok.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnknownApiPathAnswersWithTheJsonErrorEnvelope() {
        try (TestDrydock d = TestDrydock.start()) {
            var r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/no-such-thing")).GET().build());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(r.body()).contains("\"code\":\"NOT_FOUND\"").contains("GET /api/v1/no-such-thing").contains("openapi.json");
            // a known route's own 404 keeps its specific code
            d.createOrg(17532);
            d.addMember(17532, "dev@acme.test", "developer");
            var build = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/builds/nope"))
                    .header("Authorization", TestDrydock.basic("dev@acme.test", TestDrydock.PASSWORD)).GET().build());
            assertThat(build.statusCode()).isEqualTo(404);
            assertThat(build.body()).contains("BUILD_NOT_FOUND");
        }
    }
}
