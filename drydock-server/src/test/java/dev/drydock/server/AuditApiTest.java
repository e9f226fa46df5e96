package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuditApiTest {
    private static final String ADMIN = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);

    @Test
    void securityRelevantActionsAreAuditedWithoutSecretsAndOnlyAdminsReadThem() {
        try (TestDrydock d = TestDrydock.start()) {
            d.createOrg(17532);
            d.addMember(17532, "dev@acme.test", "developer");
            String robotToken = d.createRobot(17532, "ci");
            d.api("DELETE", "/api/v1/orgs/17532/robots/ci", ADMIN, null, 204);
            var failed = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/auth/token?service=drydock"))
                    .header("Authorization", TestDrydock.basic("dev@acme.test", "wrong-password-123")).GET().build());
            assertThat(failed.statusCode()).isEqualTo(401);

            JsonNode entries = d.api("GET", "/api/v1/audit?limit=50", ADMIN, null, 200);
            List<String> actions = new ArrayList<>();
            entries.forEach(e -> actions.add(e.get("action").asText() + " " + e.get("target").asText()));
            assertThat(actions).contains("org.create 17532", "user.create dev@acme.test", "org.invitation.create 17532/dev@acme.test",
                    "org.invitation.accept 17532/dev@acme.test", "robot.create 17532+ci",
                    "robot.delete 17532+ci", "login.failure token-endpoint");
            assertThat(entries.toString()).doesNotContain(robotToken).doesNotContain("wrong-password-123")
                    .doesNotContain(TestDrydock.PASSWORD);

            d.api("GET", "/api/v1/audit", TestDrydock.basic("dev@acme.test", TestDrydock.PASSWORD), null, 403);
            d.api("GET", "/api/v1/audit", null, null, 401);
            JsonNode bad = d.api("GET", "/api/v1/audit?limit=0", ADMIN, null, 400);
            assertThat(bad.at("/error/detail/field").asText()).isEqualTo("limit");
            for (String huge : new String[]{"99999999999999999999", "2147483648", "-99999999999999999999"}) {
                JsonNode overflow = d.api("GET", "/api/v1/audit?limit=" + huge, ADMIN, null, 400);
                assertThat(overflow.at("/error/code").asText()).as(huge).isEqualTo("VALIDATION_FAILED");
                assertThat(overflow.at("/error/detail/field").asText()).as(huge).isEqualTo("limit");
            }
        }
    }
}
