package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drydock.platform.AuditLog;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code PUT /api/v1/users/{email}/platform-role}: platform admins grant and remove platform roles. */
class PlatformRoleApiTest {
    private static final String ADMIN = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);

    private static Map<String, Object> role(String role) {
        Map<String, Object> body = new HashMap<>();
        body.put("role", role);
        return body;
    }

    @Test
    void platformAdminGrantsAndRemovesRolesAndOthersMayNot() {
        try (TestDrydock d = TestDrydock.start()) {
            d.createOrg(17532);
            d.addMember(17532, "dev@acme.test", "developer");
            d.addMember(17532, "boss@acme.test", "admin");
            String dev = d.login("dev@acme.test", TestDrydock.PASSWORD);
            String boss = d.login("boss@acme.test", TestDrydock.PASSWORD);
            String robot = TestDrydock.basic("17532+ci", d.createRobot(17532, "ci"));

            JsonNode granted = d.api("PUT", "/api/v1/users/Dev@Acme.test/platform-role", ADMIN, role("reviewer"), 200);
            assertThat(granted.get("email").asText()).isEqualTo("dev@acme.test");
            assertThat(granted.get("platformRole").asText()).isEqualTo("reviewer");
            // takes effect at once, also for tokens issued before
            assertThat(d.api("GET", "/api/v1/me", dev, null, 200).get("platformRole").asText()).isEqualTo("reviewer");
            d.api("GET", "/api/v1/reviews", dev, null, 200);

            // only platform admins: not an org admin, not a reviewer, not a robot, not anonymous
            assertThat(d.api("PUT", "/api/v1/users/boss@acme.test/platform-role", boss, role("reviewer"), 403)
                    .get("error").get("code").asText()).isEqualTo("FORBIDDEN");
            d.api("PUT", "/api/v1/users/boss@acme.test/platform-role", dev, role("admin"), 403);
            d.api("PUT", "/api/v1/users/boss@acme.test/platform-role", robot, role("reviewer"), 403);
            d.api("PUT", "/api/v1/users/boss@acme.test/platform-role", null, role("reviewer"), 401);
            // non-admins learn nothing about which users exist
            d.api("PUT", "/api/v1/users/nobody@acme.test/platform-role", boss, role("reviewer"), 403);

            JsonNode unknown = d.api("PUT", "/api/v1/users/nobody@acme.test/platform-role", ADMIN, role("reviewer"), 404);
            assertThat(unknown.get("error").get("code").asText()).isEqualTo("USER_NOT_FOUND");
            JsonNode bad = d.api("PUT", "/api/v1/users/boss@acme.test/platform-role", ADMIN, role("superuser"), 400);
            assertThat(bad.get("error").get("detail").get("field").asText()).isEqualTo("role");
            d.api("PUT", "/api/v1/users/boss@acme.test/platform-role", ADMIN, Map.of(), 400);

            JsonNode removed = d.api("PUT", "/api/v1/users/dev@acme.test/platform-role", ADMIN, role(null), 200);
            assertThat(removed.get("platformRole").isNull()).isTrue();
            assertThat(d.api("GET", "/api/v1/me", dev, null, 200).get("platformRole").isNull()).isTrue();
            d.api("GET", "/api/v1/reviews", dev, null, 403);

            assertThat(new AuditLog(d.server().database().jdbi(), java.time.InstantSource.system()).recent(50))
                    .filteredOn(e -> e.action().equals("user.platform-role"))
                    .extracting(e -> e.actor() + " " + e.target() + " " + e.detail())
                    .containsExactly(
                            TestDrydock.ADMIN_EMAIL + " dev@acme.test none",
                            TestDrydock.ADMIN_EMAIL + " dev@acme.test reviewer");
        }
    }

    @Test
    void theLastPlatformAdminCannotDropTheRole() {
        try (TestDrydock d = TestDrydock.start()) {
            d.createOrg(17532);
            d.addMember(17532, "second@acme.test", "developer");
            JsonNode refused = d.api("PUT", "/api/v1/users/" + TestDrydock.ADMIN_EMAIL + "/platform-role", ADMIN, role("reviewer"), 400);
            assertThat(refused.get("error").get("message").asText()).contains("only platform admin");

            d.api("PUT", "/api/v1/users/second@acme.test/platform-role", ADMIN, role("admin"), 200);
            d.api("PUT", "/api/v1/users/" + TestDrydock.ADMIN_EMAIL + "/platform-role", ADMIN, role(null), 200);
            // the former admin is now an ordinary user
            d.api("POST", "/api/v1/orgs", ADMIN, Map.of("id", 5, "name", "Five"), 403);
            d.api("POST", "/api/v1/orgs", TestDrydock.basic("second@acme.test", TestDrydock.PASSWORD), Map.of("id", 5, "name", "Five"), 201);
        }
    }
}
