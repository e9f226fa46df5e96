package dev.drydock.platform.identity;

import dev.drydock.platform.ApiErrorCode;
import dev.drydock.platform.ApiException;
import dev.drydock.platform.AuditLog;
import dev.drydock.platform.db.Database;
import dev.drydock.platform.db.TestDatabase;
import dev.drydock.platform.identity.IdentityService.Invitation;
import dev.drydock.platform.identity.IdentityService.Member;
import dev.drydock.platform.identity.IdentityService.Membership;
import dev.drydock.platform.identity.IdentityService.NewRobot;
import dev.drydock.platform.identity.Principal.OrgRole;
import dev.drydock.platform.identity.Principal.PlatformRole;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EmptySource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityServiceTest {
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    static final String ADMIN = "admin@example.com";
    static final String PASSWORD = "admin-password-123";
    static final String MEMBER_PASSWORD = "member-password-123";

    final Database db = TestDatabase.open();
    final AtomicReference<Instant> now = new AtomicReference<>(T0);
    final InstantSource clock = now::get;
    final AuditLog audit = new AuditLog(db.jdbi(), clock);
    final IdentityService identity = new IdentityService(db.jdbi(), new PasswordHasher(1024, 1), audit, clock);
    Principal.User admin;

    @BeforeEach
    void bootstrap() {
        assertThat(identity.bootstrapAdmin(ADMIN, PASSWORD)).isTrue();
        admin = identity.userByEmail(ADMIN).orElseThrow();
    }

    @AfterEach
    void close() {
        db.close();
    }

    static void assertApiError(ThrowingCallable call, ApiErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    static void assertValidation(ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ApiErrorCode.VALIDATION_FAILED);
            assertThat(e.detail()).containsEntry("field", field);
            assertThat(e.getMessage()).contains(field);
        });
    }

    Principal.User user(String email) {
        return identity.userByEmail(email).orElseThrow();
    }

    /** Makes {@code email} a member the only way there is: the platform admin invites, the account accepts. */
    void addMember(long org, String email, String role) {
        Invitation invitation = identity.invite(admin, org, email, MEMBER_PASSWORD, role);
        identity.acceptInvitation(user(email), invitation.id().toString());
    }

    // ---------------------------------------------------------------- bootstrap

    @Test
    void bootstrapCreatesAPlatformAdminOnce() {
        assertThat(admin.platformRole()).isEqualTo(PlatformRole.admin);
        assertThat(admin.isPlatformAdmin()).isTrue();
        assertThat(admin.memberships()).isEmpty();

        assertThat(identity.bootstrapAdmin(ADMIN, PASSWORD)).isFalse();
        assertThat(identity.bootstrapAdmin("ADMIN@Example.com", "a-different-password")).as("e-mail is case-insensitive").isFalse();
        assertThat(identity.authenticate(ADMIN, PASSWORD)).isPresent();
        assertThat(identity.authenticate(ADMIN, "a-different-password")).isEmpty();
        assertThat(count("select count(*) from users")).isEqualTo(1);
        assertThat(audit.recent(10)).extracting(AuditLog.Entry::action).containsExactly("user.bootstrap-admin");
    }

    @Test
    void bootstrapValidatesItsInput() {
        assertValidation(() -> identity.bootstrapAdmin("not-an-email", PASSWORD), "email");
        assertValidation(() -> identity.bootstrapAdmin("other@example.com", "short"), "password");
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void authenticateUsers() {
        assertThat(identity.authenticate(ADMIN, PASSWORD)).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo(ADMIN));
        assertThat(identity.authenticate("Admin@EXAMPLE.com", PASSWORD)).as("case-insensitive e-mail").isPresent();
        assertThat(identity.authenticate(ADMIN, "wrong-password-123")).isEmpty();
        assertThat(identity.authenticate("nobody@example.com", PASSWORD)).isEmpty();
        assertThat(identity.authenticate(ADMIN, "")).isEmpty();
        assertThat(identity.authenticate(null, PASSWORD)).isEmpty();
        assertThat(identity.authenticate(ADMIN, null)).isEmpty();
    }

    @Test
    void principalResolvesTokenSubjects() {
        assertThat(identity.principal(ADMIN)).contains(admin);
        assertThat(identity.principal("gone@example.com")).isEmpty();
        assertThat(identity.principal(null)).isEmpty();
    }

    // ---------------------------------------------------------------- organizations

    @Test
    void adminCreatesOrgs() {
        IdentityService.Org org = identity.createOrg(admin, 17532, "  Acme Engines  ");
        assertThat(org).isEqualTo(new IdentityService.Org(17532, "Acme Engines", T0));
        assertThat(identity.org(admin, 17532)).isEqualTo(org);
        identity.createOrg(admin, 1, "First");
        assertThat(identity.orgs(admin)).extracting(IdentityService.Org::id).containsExactly(1L, 17532L);
    }

    @Test
    void nonAdminsMayNotCreateOrgs() {
        identity.createOrg(admin, 1, "One");
        addMember(1, "orgadmin@example.com", "admin");
        Principal.User orgAdmin = user("orgadmin@example.com");
        assertApiError(() -> identity.createOrg(orgAdmin, 2, "Two"), ApiErrorCode.FORBIDDEN);
        NewRobot robot = identity.createRobot(admin, 1, "ci");
        Principal robotPrincipal = identity.authenticate(robot.login(), robot.token()).orElseThrow();
        assertApiError(() -> identity.createOrg(robotPrincipal, 3, "Three"), ApiErrorCode.FORBIDDEN);
        Principal.User reviewer = new Principal.User(99, "rev@example.com", PlatformRole.reviewer, Map.of());
        assertApiError(() -> identity.createOrg(reviewer, 4, "Four"), ApiErrorCode.FORBIDDEN);
        assertThat(count("select count(*) from orgs")).isEqualTo(1);
    }

    @Test
    void duplicateOrgIdIsOrgExists() {
        identity.createOrg(admin, 17532, "Acme");
        assertApiError(() -> identity.createOrg(admin, 17532, "Other"), ApiErrorCode.ORG_EXISTS);
        assertThat(identity.org(admin, 17532).name()).isEqualTo("Acme");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, 1_000_000_000_000_000_000L})
    void orgIdOutOfRange(long id) {
        assertValidation(() -> identity.createOrg(admin, id, "Name"), "id");
    }

    @Test
    void largestOrgIdIsAccepted() {
        assertThat(identity.createOrg(admin, 999_999_999_999_999_999L, "Max").id()).isEqualTo(999_999_999_999_999_999L);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void orgNameIsRequired(String name) {
        assertValidation(() -> identity.createOrg(admin, 5, name), "name");
    }

    @Test
    void orgNameTooLong() {
        assertValidation(() -> identity.createOrg(admin, 5, "x".repeat(201)), "name");
        assertThat(identity.createOrg(admin, 6, "x".repeat(200)).name()).hasSize(200);
    }

    @Test
    void orgsAreInvisibleToNonMembers() {
        identity.createOrg(admin, 1, "One");
        identity.createOrg(admin, 2, "Two");
        addMember(1, "dev@example.com", "developer");
        Principal.User dev = user("dev@example.com");

        assertThat(identity.org(dev, 1).name()).isEqualTo("One");
        assertThat(identity.orgs(dev)).extracting(IdentityService.Org::id).containsExactly(1L);
        // Another org and a nonexistent one look the same.
        assertApiError(() -> identity.org(dev, 2), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.org(dev, 3), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.members(dev, 2), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.invite(dev, 2, "x@example.com", MEMBER_PASSWORD, null), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.robots(dev, 2), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.createRobot(dev, 2, "ci"), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.deleteRobot(dev, 2, "ci"), ApiErrorCode.ORG_NOT_FOUND);
        assertApiError(() -> identity.org(admin, 3), ApiErrorCode.ORG_NOT_FOUND);
    }

    @Test
    void platformReviewersSeeEveryOrgButManageNone() {
        identity.createOrg(admin, 1, "One");
        Principal.User reviewer = new Principal.User(99, "rev@example.com", PlatformRole.reviewer, Map.of());
        assertThat(identity.org(reviewer, 1).name()).isEqualTo("One");
        assertApiError(() -> identity.invite(reviewer, 1, "x@example.com", MEMBER_PASSWORD, null), ApiErrorCode.FORBIDDEN);
    }

    // ---------------------------------------------------------------- members

    @Test
    void invitingANewEmailCreatesTheAccountButNoMembershipUntilItAccepts() {
        identity.createOrg(admin, 1, "One");
        Invitation invitation = identity.invite(admin, 1, "  Dev@Example.COM ", MEMBER_PASSWORD, null);
        assertThat(invitation).isEqualTo(new Invitation(invitation.id(), 1, "One", "dev@example.com", OrgRole.developer, ADMIN,
                T0, T0.plus(IdentityService.INVITATION_TTL)));

        Principal.User dev = user("dev@example.com");
        assertThat(dev.platformRole()).isNull();
        assertThat(dev.memberships()).as("no membership before accepting").isEmpty();
        assertThat(identity.authenticate("dev@example.com", MEMBER_PASSWORD)).contains(dev);
        assertThat(identity.members(admin, 1)).isEmpty();
        assertThat(identity.orgInvitations(admin, 1)).containsExactly(invitation);
        assertThat(identity.invitationsFor(dev)).containsExactly(invitation);

        assertThat(identity.acceptInvitation(dev, invitation.id().toString())).isEqualTo(new Membership(1, OrgRole.developer));
        assertThat(user("dev@example.com").memberships()).containsExactly(Map.entry(1L, OrgRole.developer));
        assertThat(identity.members(admin, 1)).containsExactly(new Member("dev@example.com", OrgRole.developer));
        assertThat(identity.orgInvitations(admin, 1)).isEmpty();
        assertThat(identity.invitationsFor(dev)).isEmpty();
        assertThat(audit.recent(10)).extracting(AuditLog.Entry::action)
                .contains("user.create", "org.invitation.create", "org.invitation.accept");
    }

    @Test
    void invitingAnExistingAccountNeverUsesThePasswordAndAnswersTheSameAsANewOne() {
        identity.createOrg(admin, 1, "One");
        identity.createOrg(admin, 2, "Two");
        addMember(1, "dev@example.com", "developer");
        String hashBefore = passwordHash("dev@example.com");

        Invitation existing = identity.invite(admin, 2, "dev@example.com", "admins-chosen-password", "admin");
        Invitation fresh = identity.invite(admin, 2, "new@example.com", "admins-chosen-password", "admin");
        assertThat(existing).usingRecursiveComparison().ignoringFields("id", "email").isEqualTo(fresh);

        assertThat(passwordHash("dev@example.com")).as("the password is never set on an existing account").isEqualTo(hashBefore);
        assertThat(identity.authenticate("dev@example.com", "admins-chosen-password")).isEmpty();
        assertThat(user("dev@example.com").memberships()).as("no membership without consent")
                .containsExactly(Map.entry(1L, OrgRole.developer));
        assertThat(count("select count(*) from users where email = 'dev@example.com'")).isEqualTo(1);

        identity.acceptInvitation(user("dev@example.com"), existing.id().toString());
        assertThat(user("dev@example.com").memberships())
                .containsExactlyInAnyOrderEntriesOf(Map.of(1L, OrgRole.developer, 2L, OrgRole.admin));
    }

    @Test
    void aPasswordIsHashedWhetherOrNotTheAccountExists() {
        // With the real cost, inviting an existing account with a password must take as long as a new one: at least
        // one Argon2 hash. The reference is the fastest of hashes timed before AND after the calls: load that falls
        // away during the test (it did once, as a build finished beside it) cannot make the reference slower than
        // the calls it bounds, and load that rises only makes the calls slower.
        PasswordHasher owasp = PasswordHasher.owaspDefault();
        IdentityService real = new IdentityService(db.jdbi(), owasp, audit, clock);
        identity.createOrg(admin, 1, "One");
        identity.createOrg(admin, 2, "Two");
        addMember(1, "dev@example.com", "developer");
        long oneHash = fastestHash(owasp);
        long start = System.nanoTime();
        real.invite(admin, 2, "dev@example.com", "admins-chosen-password", null);
        long existing = System.nanoTime() - start;
        start = System.nanoTime();
        real.invite(admin, 2, "new@example.com", "admins-chosen-password", null);
        long fresh = System.nanoTime() - start;
        oneHash = Math.min(oneHash, fastestHash(owasp));
        assertThat(existing).as("existing account: hashed although unused").isGreaterThanOrEqualTo(oneHash / 2);
        assertThat(fresh).as("new account").isGreaterThanOrEqualTo(oneHash / 2);
    }

    private static long fastestHash(PasswordHasher hasher) {
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            hasher.hash("timing-reference");
            fastest = Math.min(fastest, System.nanoTime() - start);
        }
        return fastest;
    }

    @Test
    void withoutAPasswordNoAccountIsCreated() {
        identity.createOrg(admin, 1, "One");
        Invitation invitation = identity.invite(admin, 1, "later@example.com", null, null);
        assertThat(identity.userByEmail("later@example.com")).isEmpty();
        assertThat(identity.orgInvitations(admin, 1)).containsExactly(invitation);
    }

    @Test
    void declinedRevokedAndOthersInvitationsMakeNoMember() {
        identity.createOrg(admin, 1, "One");
        identity.createOrg(admin, 2, "Two");
        Invitation toDev = identity.invite(admin, 1, "dev@example.com", MEMBER_PASSWORD, null);
        Invitation toOther = identity.invite(admin, 1, "other@example.com", MEMBER_PASSWORD, null);
        Principal.User dev = user("dev@example.com");

        // someone else's invitation looks exactly like one that does not exist
        assertApiError(() -> identity.acceptInvitation(dev, toOther.id().toString()), ApiErrorCode.INVITATION_NOT_FOUND);
        assertApiError(() -> identity.declineInvitation(dev, toOther.id().toString()), ApiErrorCode.INVITATION_NOT_FOUND);
        assertApiError(() -> identity.acceptInvitation(dev, "not-a-uuid"), ApiErrorCode.INVITATION_NOT_FOUND);

        identity.declineInvitation(dev, toDev.id().toString());
        assertApiError(() -> identity.acceptInvitation(dev, toDev.id().toString()), ApiErrorCode.INVITATION_NOT_FOUND);
        identity.revokeInvitation(admin, 1, toOther.id().toString());
        assertApiError(() -> identity.acceptInvitation(user("other@example.com"), toOther.id().toString()),
                ApiErrorCode.INVITATION_NOT_FOUND);
        assertApiError(() -> identity.revokeInvitation(admin, 2, toOther.id().toString()), ApiErrorCode.INVITATION_NOT_FOUND);
        assertThat(identity.members(admin, 1)).isEmpty();
        assertThat(audit.recent(20)).extracting(AuditLog.Entry::action).contains("org.invitation.decline", "org.invitation.revoke");
    }

    @Test
    void expiredInvitationsCannotBeAcceptedAndMayBeSentAgain() {
        identity.createOrg(admin, 1, "One");
        Invitation invitation = identity.invite(admin, 1, "dev@example.com", MEMBER_PASSWORD, "admin");
        now.set(invitation.expires());
        Principal.User dev = user("dev@example.com");
        assertThat(identity.invitationsFor(dev)).isEmpty();
        assertApiError(() -> identity.acceptInvitation(dev, invitation.id().toString()), ApiErrorCode.INVITATION_EXPIRED);
        assertThat(user("dev@example.com").memberships()).isEmpty();
        assertThat(identity.orgInvitations(admin, 1)).as("the admin still sees it").containsExactly(invitation);

        Invitation again = identity.invite(admin, 1, "dev@example.com", null, "admin");
        assertThat(identity.orgInvitations(admin, 1)).containsExactly(again);
        identity.acceptInvitation(dev, again.id().toString());
        assertThat(user("dev@example.com").memberships()).containsExactly(Map.entry(1L, OrgRole.admin));
    }

    @Test
    void invitingTwiceIsInvitationExistsAndAMemberIsMemberExists() {
        identity.createOrg(admin, 1, "One");
        identity.invite(admin, 1, "new@example.com", MEMBER_PASSWORD, "developer");
        assertApiError(() -> identity.invite(admin, 1, "NEW@example.com", null, "admin"), ApiErrorCode.INVITATION_EXISTS);
        addMember(1, "dev@example.com", "developer");
        assertApiError(() -> identity.invite(admin, 1, "DEV@example.com", MEMBER_PASSWORD, "admin"), ApiErrorCode.MEMBER_EXISTS);
        assertThat(identity.members(admin, 1)).containsExactly(new Member("dev@example.com", OrgRole.developer));
    }

    @Test
    void orgAdminsManageMembersDevelopersDoNot() {
        identity.createOrg(admin, 1, "One");
        addMember(1, "boss@example.com", "admin");
        addMember(1, "dev@example.com", "developer");
        Principal.User boss = user("boss@example.com");
        Principal.User dev = user("dev@example.com");

        Invitation invitation = identity.invite(boss, 1, "new@example.com", MEMBER_PASSWORD, null);
        assertThat(invitation.invitedBy()).isEqualTo("boss@example.com");
        assertApiError(() -> identity.invite(dev, 1, "other@example.com", MEMBER_PASSWORD, null), ApiErrorCode.FORBIDDEN);
        assertApiError(() -> identity.orgInvitations(dev, 1), ApiErrorCode.FORBIDDEN);
        assertApiError(() -> identity.revokeInvitation(dev, 1, invitation.id().toString()), ApiErrorCode.FORBIDDEN);
        assertThat(identity.members(dev, 1)).extracting(Member::email).containsExactly("boss@example.com", "dev@example.com");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"no-at-sign", "two@@example.com", "a@b@c", "spaces in@example.com", "@example.com", "dev@"})
    void badEmailIsValidationFailed(String email) {
        identity.createOrg(admin, 1, "One");
        assertValidation(() -> identity.invite(admin, 1, email, MEMBER_PASSWORD, null), "email");
        assertThat(count("select count(*) from users")).isEqualTo(1);
    }

    @ParameterizedTest
    @EmptySource
    @ValueSource(strings = {"short", "elevenchars"})
    void weakPasswordIsValidationFailed(String password) {
        identity.createOrg(admin, 1, "One");
        assertValidation(() -> identity.invite(admin, 1, "dev@example.com", password, null), "password");
        assertThat(identity.userByEmail("dev@example.com")).isEmpty();
    }

    @Test
    void passwordLengthLimits() {
        identity.createOrg(admin, 1, "One");
        identity.invite(admin, 1, "twelve@example.com", "twelve-chars", null);
        assertValidation(() -> identity.invite(admin, 1, "long@example.com", "x".repeat(1025), null), "password");
    }

    @Test
    void unknownRoleIsValidationFailed() {
        identity.createOrg(admin, 1, "One");
        assertValidation(() -> identity.invite(admin, 1, "dev@example.com", MEMBER_PASSWORD, "owner"), "role");
        assertValidation(() -> identity.invite(admin, 1, "dev@example.com", MEMBER_PASSWORD, "Admin"), "role");
    }

    // ---------------------------------------------------------------- robots

    @Test
    void robotLifecycle() {
        identity.createOrg(admin, 17532, "Acme");
        NewRobot robot = identity.createRobot(admin, 17532, "ci");
        assertThat(robot.name()).isEqualTo("ci");
        assertThat(robot.login()).isEqualTo("17532+ci");
        assertThat(robot.token()).startsWith(IdentityService.ROBOT_TOKEN_PREFIX).hasSize(4 + 43);

        assertThat(identity.robots(admin, 17532)).singleElement().satisfies(info -> {
            assertThat(info.name()).isEqualTo("ci");
            assertThat(info.login()).isEqualTo("17532+ci");
            assertThat(info.createdBy()).isEqualTo(ADMIN);
            assertThat(info.created()).isEqualTo(T0);
        });

        Principal.Robot authenticated = (Principal.Robot) identity.authenticate("17532+ci", robot.token()).orElseThrow();
        assertThat(List.of(authenticated.orgId(), authenticated.robotName())).containsExactly(17532L, "ci");
        assertThat(identity.principal("17532+ci")).contains(authenticated);
        assertThat(identity.principal("17532+ci", authenticated.generation())).contains(authenticated);
        assertThat(identity.principal("17532+ci", authenticated.generation() + 1)).as("another generation").isEmpty();
        assertThat(identity.principal("17532+ci", null)).as("no generation").isEmpty();
        assertThat(identity.authenticate("17532+ci", robot.token() + "x")).isEmpty();
        assertThat(identity.authenticate("17532+ci", "ddr_wrong")).isEmpty();
        assertThat(identity.authenticate("1+ci", robot.token())).as("robot login is per org").isEmpty();
        assertThat(identity.authenticate("17532+other", robot.token())).isEmpty();

        identity.deleteRobot(admin, 17532, "ci");
        assertThat(identity.robots(admin, 17532)).isEmpty();
        assertThat(identity.authenticate("17532+ci", robot.token())).isEmpty();
        assertThat(identity.principal("17532+ci")).isEmpty();
        assertApiError(() -> identity.deleteRobot(admin, 17532, "ci"), ApiErrorCode.ROBOT_NOT_FOUND);

        // Created again under the same name: a new generation, so the first robot's tokens stay dead.
        identity.createRobot(admin, 17532, "ci");
        Principal.Robot again = (Principal.Robot) identity.principal("17532+ci").orElseThrow();
        assertThat(again.generation()).isNotEqualTo(authenticated.generation());
        assertThat(identity.principal("17532+ci", authenticated.generation())).isEmpty();
        assertThat(identity.current(authenticated)).isEmpty();
        assertThat(identity.current(again)).contains(again);
    }

    @Test
    void robotTokenIsStoredOnlyAsItsSha256() throws Exception {
        identity.createOrg(admin, 17532, "Acme");
        NewRobot robot = identity.createRobot(admin, 17532, "ci");

        List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("select * from robots").mapToMap().list());
        assertThat(rows).hasSize(1);
        String expectedHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(robot.token().getBytes(StandardCharsets.UTF_8)));
        assertThat(rows.getFirst()).containsEntry("token_hash", expectedHash);
        String secretPart = robot.token().substring(IdentityService.ROBOT_TOKEN_PREFIX.length());
        for (Object value : rows.getFirst().values()) {
            assertThat(String.valueOf(value)).doesNotContain(secretPart);
        }
        // Nor does the audit log hold it.
        assertThat(audit.recent(100)).allSatisfy(e ->
                assertThat(e.actor() + e.action() + e.target() + e.detail()).doesNotContain(secretPart));
    }

    @Test
    void tokensAreUniquePerRobot() {
        identity.createOrg(admin, 1, "One");
        NewRobot a = identity.createRobot(admin, 1, "a");
        NewRobot b = identity.createRobot(admin, 1, "b");
        assertThat(a.token()).isNotEqualTo(b.token());
        assertThat(identity.authenticate("1+a", b.token())).isEmpty();
    }

    @Test
    void duplicateRobotIsRobotExistsAndKeepsTheOldToken() {
        identity.createOrg(admin, 1, "One");
        NewRobot first = identity.createRobot(admin, 1, "ci");
        assertApiError(() -> identity.createRobot(admin, 1, "ci"), ApiErrorCode.ROBOT_EXISTS);
        assertThat(identity.authenticate("1+ci", first.token())).isPresent();
    }

    @Test
    void sameRobotNameInAnotherOrgIsIndependent() {
        identity.createOrg(admin, 1, "One");
        identity.createOrg(admin, 2, "Two");
        NewRobot one = identity.createRobot(admin, 1, "ci");
        NewRobot two = identity.createRobot(admin, 2, "ci");
        identity.deleteRobot(admin, 1, "ci");
        assertThat(identity.authenticate("1+ci", one.token())).isEmpty();
        assertThat(identity.authenticate("2+ci", two.token())).isPresent();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"CI", "-ci", "_ci", "c i", "ci+x", "a/b"})
    void invalidRobotNames(String name) {
        identity.createOrg(admin, 1, "One");
        assertValidation(() -> identity.createRobot(admin, 1, name), "name");
    }

    @Test
    void robotNameLength() {
        identity.createOrg(admin, 1, "One");
        assertThat(identity.createRobot(admin, 1, "r".repeat(64)).login()).isEqualTo("1+" + "r".repeat(64));
        assertValidation(() -> identity.createRobot(admin, 1, "r".repeat(65)), "name");
    }

    @Test
    void onlyOrgAdminsManageRobots() {
        identity.createOrg(admin, 1, "One");
        addMember(1, "boss@example.com", "admin");
        addMember(1, "dev@example.com", "developer");
        Principal.User boss = user("boss@example.com");
        Principal.User dev = user("dev@example.com");

        NewRobot robot = identity.createRobot(boss, 1, "ci");
        assertThat(identity.robots(boss, 1)).extracting(IdentityService.RobotInfo::createdBy).containsExactly("boss@example.com");
        assertApiError(() -> identity.createRobot(dev, 1, "mine"), ApiErrorCode.FORBIDDEN);
        assertApiError(() -> identity.robots(dev, 1), ApiErrorCode.FORBIDDEN);
        assertApiError(() -> identity.deleteRobot(dev, 1, "ci"), ApiErrorCode.FORBIDDEN);

        Principal robotPrincipal = identity.authenticate(robot.login(), robot.token()).orElseThrow();
        assertApiError(() -> identity.createRobot(robotPrincipal, 1, "child"), ApiErrorCode.FORBIDDEN);
        assertThat(identity.org(robotPrincipal, 1).name()).as("a robot sees its own org").isEqualTo("One");
    }

    private String passwordHash(String email) {
        return db.jdbi().withHandle(h -> h.createQuery("select password_hash from users where email = ?").bind(0, email)
                .mapTo(String.class).one());
    }

    private int count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }
}
