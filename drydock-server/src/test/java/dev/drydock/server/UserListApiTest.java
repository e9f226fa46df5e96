package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/v1/users}: the platform admin's list of users with their platform roles and memberships. */
class UserListApiTest {
    private static final String ADMIN = TestDrydock.basic(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);

    private static List<String> emails(JsonNode users) {
        return StreamSupport.stream(users.spliterator(), false).map(u -> u.get("email").asText()).toList();
    }

    @Test
    void platformAdminListsUsersPageByPageAndOthersMayNot() {
        try (TestDrydock d = TestDrydock.start()) {
            d.createOrg(17532);
            d.createOrg(4242);
            d.addMember(17532, "dev@acme.test", "developer");
            d.addMember(17532, "boss@acme.test", "admin");
            d.addMember(4242, "boss@acme.test", "developer");
            d.setPlatformRole("dev@acme.test", "reviewer");

            JsonNode all = d.api("GET", "/api/v1/users", ADMIN, null, 200);
            assertThat(emails(all)).containsExactly(TestDrydock.ADMIN_EMAIL, "boss@acme.test", "dev@acme.test");
            JsonNode boss = all.get(1);
            assertThat(boss.get("platformRole").isNull()).isTrue();
            assertThat(boss.get("memberships").toString())
                    .isEqualTo("[{\"orgId\":4242,\"role\":\"developer\"},{\"orgId\":17532,\"role\":\"admin\"}]");
            assertThat(boss.get("created").asText()).isNotEmpty();
            assertThat(all.get(2).get("platformRole").asText()).isEqualTo("reviewer");
            assertThat(all.get(0).get("platformRole").asText()).isEqualTo("admin");
            assertThat(all.toString()).doesNotContain("password");

            assertThat(emails(d.api("GET", "/api/v1/users?limit=2", ADMIN, null, 200)))
                    .containsExactly(TestDrydock.ADMIN_EMAIL, "boss@acme.test");
            assertThat(emails(d.api("GET", "/api/v1/users?limit=2&offset=2", ADMIN, null, 200))).containsExactly("dev@acme.test");
            assertThat(d.api("GET", "/api/v1/users?offset=3", ADMIN, null, 200)).isEmpty();

            for (String bad : List.of("limit=0", "limit=1001", "limit=x", "offset=-1", "offset=1.5", "limit=99999999999999999999")) {
                JsonNode error = d.api("GET", "/api/v1/users?" + bad, ADMIN, null, 400).get("error");
                assertThat(error.get("code").asText()).as(bad).isEqualTo("VALIDATION_FAILED");
                assertThat(error.get("detail").get("field").asText()).as(bad).isEqualTo(bad.substring(0, bad.indexOf('=')));
            }

            // a reviewer, an org admin and a robot are refused; nobody is asked to sign in
            assertThat(d.api("GET", "/api/v1/users", d.login("dev@acme.test", TestDrydock.PASSWORD), null, 403)
                    .get("error").get("code").asText()).isEqualTo("FORBIDDEN");
            d.api("GET", "/api/v1/users", d.login("boss@acme.test", TestDrydock.PASSWORD), null, 403);
            d.api("GET", "/api/v1/users", TestDrydock.basic("17532+ci", d.createRobot(17532, "ci")), null, 403);
            d.api("GET", "/api/v1/users", null, null, 401);
        }
    }
}
