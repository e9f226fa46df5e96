package dev.drydock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drydock.platform.AuditLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/orgs/{orgId}/members} invites, the invited account accepts: an org admin can neither enrol an
 * existing account without its owner's consent nor learn from the answer whether the e-mail had an account.
 */
class InvitationApiTest {
    private static final long ACME = 17532;
    private static final long OTHER = 4242;
    private static String admin;
    private static final String ACME_ADMIN = "boss@acme.test";
    private static final String EXISTING = "existing@other.test";
    private static final String CHOSEN = "admins-chosen-password";
    private static TestDrydock d;
    private static String boss;

    @BeforeAll
    static void start() {
        d = TestDrydock.start();
        d.createOrg(ACME);
        d.createOrg(OTHER);
        d.addMember(ACME, ACME_ADMIN, "admin");
        d.addMember(OTHER, EXISTING, "developer");
        boss = d.login(ACME_ADMIN, TestDrydock.PASSWORD);
        admin = d.login(TestDrydock.ADMIN_EMAIL, TestDrydock.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    private static Map<String, Object> invite(String email, String password, String role) {
        Map<String, Object> body = new HashMap<>(Map.of("email", email, "role", role));
        if (password != null) body.put("password", password);
        return body;
    }

    /** A Bearer token: cheaper per request than Basic, which hashes the password each time. */
    private static String member(String email) {
        return d.login(email, TestDrydock.PASSWORD);
    }

    private static List<Long> memberships(String authorization) {
        List<Long> orgs = new ArrayList<>();
        d.api("GET", "/api/v1/me", authorization, null, 200).get("memberships").forEach(m -> orgs.add(m.get("orgId").asLong()));
        return orgs;
    }

    private static String code(JsonNode error) {
        return error.at("/error/code").asText();
    }

    @Test
    void anExistingAccountIsInvitedWithoutItsPasswordAndTheAnswerLooksLikeANewOnes() {
        JsonNode existing = d.api("POST", "/api/v1/orgs/" + ACME + "/members", boss, invite(EXISTING, CHOSEN, "admin"), 202);
        JsonNode fresh = d.api("POST", "/api/v1/orgs/" + ACME + "/members", boss, invite("fresh@acme.test", CHOSEN, "admin"), 202);
        // same status, same fields, same values but for the invitation's own id and e-mail
        assertThat(fieldNames(existing)).isEqualTo(fieldNames(fresh))
                .containsExactly("id", "orgId", "orgName", "email", "role", "invitedBy", "created", "expires");
        assertThat(withoutOwnFields(existing)).isEqualTo(withoutOwnFields(fresh));
        assertThat(existing.get("email").asText()).isEqualTo(EXISTING);
        assertThat(existing.get("invitedBy").asText()).isEqualTo(ACME_ADMIN);
        assertThat(existing.toString()).doesNotContain(CHOSEN);
        // a bad password is refused the same way whether or not the account exists: it is checked before the lookup
        for (String email : List.of(EXISTING, "someone@acme.test")) {
            JsonNode weak = d.api("POST", "/api/v1/orgs/" + ACME + "/members", boss, invite(email, "short", "developer"), 400);
            assertThat(weak.at("/error/detail/field").asText()).as(email).isEqualTo("password");
        }
        // the admin's lists do not tell them apart either: both are pending, neither is a member
        JsonNode pending = d.api("GET", "/api/v1/orgs/" + ACME + "/invitations", boss, null, 200);
        assertThat(pending.findValuesAsText("email")).contains(EXISTING, "fresh@acme.test");
        assertThat(d.api("GET", "/api/v1/orgs/" + ACME + "/members", boss, null, 200).findValuesAsText("email"))
                .doesNotContain(EXISTING, "fresh@acme.test");

        // the existing account's password is untouched and it is no member until it accepts
        d.api("POST", "/api/v1/login", null, Map.of("email", EXISTING, "password", CHOSEN), 401);
        String existingUser = member(EXISTING);
        assertThat(memberships(existingUser)).containsExactly(OTHER);
        d.api("GET", "/api/v1/orgs/" + ACME + "/adapters", existingUser, null, 404);

        // the new e-mail got an account with the starting password, also no member until it accepts
        String fresh1 = d.login("fresh@acme.test", CHOSEN);
        assertThat(memberships(fresh1)).isEmpty();

        JsonNode mine = d.api("GET", "/api/v1/invitations", existingUser, null, 200);
        assertThat(mine).singleElement().satisfies(i -> {
            assertThat(i.get("orgId").asLong()).isEqualTo(ACME);
            assertThat(i.get("orgName").asText()).isEqualTo("Org " + ACME);
        });
        JsonNode accepted = d.api("POST", "/api/v1/invitations/" + existing.get("id").asText() + "/accept", existingUser, null, 200);
        assertThat(accepted.get("orgId").asLong()).isEqualTo(ACME);
        assertThat(accepted.get("role").asText()).isEqualTo("admin");
        assertThat(memberships(existingUser)).containsExactlyInAnyOrder(OTHER, ACME);
        d.api("GET", "/api/v1/orgs/" + ACME + "/adapters", existingUser, null, 200);
        assertThat(d.api("GET", "/api/v1/invitations", existingUser, null, 200)).isEmpty();
        // accepted once: gone
        assertThat(code(d.api("POST", "/api/v1/invitations/" + existing.get("id").asText() + "/accept", existingUser, null, 404)))
                .isEqualTo("INVITATION_NOT_FOUND");
        JsonNode again = d.api("POST", "/api/v1/orgs/" + ACME + "/members", boss, invite(EXISTING, null, "developer"), 409);
        assertThat(code(again)).isEqualTo("MEMBER_EXISTS");

        // declining leaves no membership
        d.api("POST", "/api/v1/invitations/" + fresh.get("id").asText() + "/decline", fresh1, null, 204);
        assertThat(memberships(fresh1)).isEmpty();
        assertThat(d.api("GET", "/api/v1/orgs/" + ACME + "/invitations", boss, null, 200).findValuesAsText("email"))
                .doesNotContain("fresh@acme.test");

        List<String> audit = new AuditLog(d.server().database().jdbi(), InstantSource.system()).recent(200).stream()
                .map(e -> e.action() + " " + e.target()).toList();
        assertThat(audit).contains("org.invitation.create " + ACME + "/" + EXISTING, "org.invitation.accept " + ACME + "/" + EXISTING,
                "org.invitation.decline " + ACME + "/fresh@acme.test", "user.create fresh@acme.test");
        assertThat(audit.toString()).doesNotContain(CHOSEN);
    }

    @Test
    void withoutAPasswordItIsOnlyAnInvitationAndTwiceIsInvitationExists() {
        JsonNode invitation = d.api("POST", "/api/v1/orgs/" + ACME + "/members", boss, invite("nobody-yet@acme.test", null, "developer"), 202);
        d.api("POST", "/api/v1/login", null, Map.of("email", "nobody-yet@acme.test", "password", TestDrydock.PASSWORD), 401);
        JsonNode twice = d.api("POST", "/api/v1/orgs/" + ACME + "/members", boss, invite("Nobody-Yet@acme.test", CHOSEN, "admin"), 409);
        assertThat(code(twice)).isEqualTo("INVITATION_EXISTS");
        assertThat(twice.at("/error/message").asText()).contains("revoke it first");
        d.api("DELETE", "/api/v1/orgs/" + ACME + "/invitations/" + invitation.get("id").asText(), boss, null, 204);
        JsonNode gone = d.api("DELETE", "/api/v1/orgs/" + ACME + "/invitations/" + invitation.get("id").asText(), boss, null, 404);
        assertThat(code(gone)).isEqualTo("INVITATION_NOT_FOUND");
        assertThat(d.api("GET", "/api/v1/orgs/" + ACME + "/invitations", boss, null, 200).findValuesAsText("email"))
                .doesNotContain("nobody-yet@acme.test");
    }

    @Test
    void onlyTheInviteeMayAnswerRevokedAndExpiredInvitationsCannotBeAcceptedRobotsHaveNone() {
        d.addMember(OTHER, "stranger@other.test", "developer");
        String stranger = member("stranger@other.test");
        JsonNode invitation = d.api("POST", "/api/v1/orgs/" + ACME + "/members", admin, invite("invitee@acme.test", TestDrydock.PASSWORD, "developer"), 202);
        String id = invitation.get("id").asText();
        String invitee = member("invitee@acme.test");

        // someone else's invitation is not found, exactly like one that does not exist (never 403)
        assertThat(d.api("GET", "/api/v1/invitations", stranger, null, 200)).isEmpty();
        for (String action : List.of("accept", "decline")) {
            JsonNode other = d.api("POST", "/api/v1/invitations/" + id + "/" + action, stranger, null, 404);
            JsonNode none = d.api("POST", "/api/v1/invitations/00000000-0000-4000-8000-000000000000/" + action, stranger, null, 404);
            assertThat(code(other)).isEqualTo(code(none)).isEqualTo("INVITATION_NOT_FOUND");
            assertThat(other.at("/error/message").asText()).contains("GET /api/v1/invitations");
            assertThat(code(d.api("POST", "/api/v1/invitations/not-a-uuid/" + action, invitee, null, 404))).isEqualTo("INVITATION_NOT_FOUND");
        }
        // another org's admin cannot revoke it
        assertThat(code(d.api("DELETE", "/api/v1/orgs/" + OTHER + "/invitations/" + id, admin, null, 404))).isEqualTo("INVITATION_NOT_FOUND");
        // robots have no invitations and accept none
        String robot = TestDrydock.basic(ACME + "+invites", d.createRobot(ACME, "invites"));
        assertThat(code(d.api("POST", "/api/v1/invitations/" + id + "/accept", robot, null, 403))).isEqualTo("FORBIDDEN");
        assertThat(code(d.api("GET", "/api/v1/invitations", robot, null, 403))).isEqualTo("FORBIDDEN");

        // expired: still listed for the admin, no longer for the invitee, and cannot be accepted
        d.server().database().jdbi().useHandle(h -> h.execute("update invitations set expires_at = ? where id = ?",
                Instant.now().minusSeconds(60), UUID.fromString(id)));
        assertThat(d.api("GET", "/api/v1/invitations", invitee, null, 200)).isEmpty();
        JsonNode expired = d.api("POST", "/api/v1/invitations/" + id + "/accept", invitee, null, 410);
        assertThat(code(expired)).isEqualTo("INVITATION_EXPIRED");
        assertThat(expired.at("/error/message").asText()).contains("invite you again");
        assertThat(memberships(invitee)).isEmpty();
        assertThat(d.api("GET", "/api/v1/orgs/" + ACME + "/invitations", admin, null, 200).findValuesAsText("id")).contains(id);
        // sending it again replaces the expired one; revoked, it cannot be accepted
        String renewed = d.api("POST", "/api/v1/orgs/" + ACME + "/members", admin, invite("invitee@acme.test", null, "developer"), 202)
                .get("id").asText();
        d.api("DELETE", "/api/v1/orgs/" + ACME + "/invitations/" + renewed, boss, null, 204);
        assertThat(code(d.api("POST", "/api/v1/invitations/" + renewed + "/accept", invitee, null, 404))).isEqualTo("INVITATION_NOT_FOUND");
        assertThat(memberships(invitee)).isEmpty();
        assertThat(new AuditLog(d.server().database().jdbi(), InstantSource.system()).recent(200).stream()
                .map(e -> e.action() + " " + e.target() + " by " + e.actor()).toList())
                .contains("org.invitation.revoke " + ACME + "/invitee@acme.test by " + ACME_ADMIN);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The invitation without what is its own (id, e-mail) and the seconds between the two requests. */
    private static JsonNode withoutOwnFields(JsonNode invitation) {
        ObjectNode copy = invitation.deepCopy();
        copy.remove(List.of("id", "email", "created", "expires"));
        return copy;
    }
}
